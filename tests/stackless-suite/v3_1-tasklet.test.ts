// stackless-testsuite: stackless_testsuite/v3_1/tasklet/test_functionality.py
// (the tasklet life cycle). The flags restorable, block_trap and
// ignore_nesting are not checked: restorable is about pickling, the other
// two about the C stack, none of which JavaScript has.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { block, getcurrent, getmain, run, schedule, scheduleRemove, Tasklet, tasklet, type TaskletGenerator } from '@stackless-io/runtime';
import { notExpressible, test } from './suite.js';

function* nop(): TaskletGenerator<void> {}
class TestError extends Error {}

type Flags = { alive?: boolean; paused?: boolean; blocked?: boolean; scheduled?: boolean; atomic?: boolean; isCurrent?: boolean; isMain?: boolean };
type T = Tasklet<any[], any>;

function checkFlags(t: T, f: Flags): void {
  const want = { alive: false, paused: false, blocked: false, scheduled: false, atomic: false, isCurrent: false, isMain: false, ...f };
  const got = { alive: t.alive, paused: t.paused, blocked: t.blocked, scheduled: t.scheduled, atomic: t.atomic, isCurrent: t.isCurrent, isMain: t.isMain };
  expect(got).to.deep.equal(want);
}
const IGNORE = Symbol('ignore');
function notAlive(t: T, f: Flags = {}, tempval: unknown = undefined): void {
  checkFlags(t, f);
  if (tempval !== IGNORE) expect(t.tempval).to.equal(undefined);
}
function bound(t: T, fn: unknown): void {
  checkFlags(t, {});
  expect(t.tempval).to.equal(fn);
}
function scheduled(t: T, f: Flags = {}, tempval: unknown = undefined): void {
  checkFlags(t, { alive: true, scheduled: true, ...f });
  if (tempval !== IGNORE) expect(t.tempval).to.equal(undefined);
}
function paused(t: T, f: Flags = {}): void {
  checkFlags(t, { alive: true, paused: true, ...f });
  expect(t.tempval).to.equal(undefined);
}
function current(t: T): void {
  checkFlags(t, { alive: true, isCurrent: true, scheduled: true });
  expect(t.tempval).to.equal(undefined);
}
function blocked(t: T, tempval: unknown = undefined): void {
  checkFlags(t, { alive: true, scheduled: true, blocked: true });
  if (tempval !== IGNORE) expect(t.tempval).to.equal(undefined);
}

describe('stackless-suite v3_1: TaskletTest', () => {
  notExpressible('testSig_constructor', 'keyword arguments (func=, args=, kwargs=): JavaScript has none');
  notExpressible('testSig_bind', 'keyword arguments (func=, args=, kwargs=): JavaScript has none');

  test('testSig_setup', () => {
    const t = tasklet(function* (..._a: number[]) {});
    for (let n = 0; n < 20; n++) {
      const args = Array.from({ length: n }, (_, i) => i);
      expect(t.setup(...args)).to.equal(t);
      t.remove().bind(null);
      t.bind(function* (..._a: number[]) {});
    }
  });

  test('testSig___call__', () => {
    const t = tasklet(function* (..._a: number[]) {});
    for (let n = 0; n < 20; n++) {
      const args = Array.from({ length: n }, (_, i) => i);
      expect(t(...args)).to.equal(t);
      t.remove().bind(null);
      t.bind(function* (..._a: number[]) {});
    }
  });

  test('testSig_insert', () => {
    const t = new Tasklet(nop).bind(nop, []);
    expect(t.insert()).to.equal(t);
    t.kill();
  });

  test('testSig_remove', () => {
    const t = tasklet(nop)();
    expect(t.remove()).to.equal(t);
    t.kill();
  });

  test('testSig_run', () => {
    const t = tasklet(nop)();
    const o = {};
    getcurrent().tempval = o;
    expect(block(t.run())).to.equal(o);
  });

  test('testSig_switch', () => {
    const t = tasklet(nop)();
    const o = {};
    getcurrent().tempval = o;
    expect(block(t.switch())).to.equal(o);
  });

  test('testSig_raise_exception', () => {
    const done: boolean[] = [];
    const t = tasklet(function* () {
      for (;;) {
        try {
          yield* scheduleRemove();
        } catch (e) {
          if (!(e instanceof TestError)) throw e;
          done.push(true);
        }
      }
    })();
    run();
    for (let n = 0; n < 20; n++) expect(block(t.raiseException(TestError, String(n)))).to.equal(undefined);
    expect(done.length).to.equal(20);
    t.kill();
  });

  test('testSig_throw', () => {
    const done: boolean[] = [];
    const t = tasklet(function* () {
      for (;;) {
        try {
          yield* scheduleRemove();
        } catch (e) {
          if (!(e instanceof TestError)) throw e;
          done.push(true);
        }
      }
    })();
    run();
    expect(block(t.throw(new TestError()))).to.equal(undefined);
    expect(block(t.throw(new TestError(), { pending: false }))).to.equal(undefined);
    expect(done.length).to.equal(2);
    t.kill();
  });

  test('testSig_kill', () => {
    let t = tasklet(nop)();
    t.tempval = 1;
    expect(block(t.kill())).to.equal(undefined);
    t = tasklet(nop)();
    expect(block(t.kill({ pending: false }))).to.equal(undefined);
  });

  test('testSig_set_atomic', () => {
    const t = new Tasklet();
    expect(t.setAtomic(false)).to.be.a('boolean');
  });

  notExpressible('testSig_bind_thread', 'threads: a JavaScript realm has one thread of tasklets');

  test('testAttr_prev_next', () => {
    const t = new Tasklet();
    expect(t.prev).to.equal(null);
    expect(t.next).to.equal(null);
    t.bind(nop);
    expect(t.prev).to.equal(null);
    expect(t.next).to.equal(null);
    t();
    expect(t.prev).to.equal(getmain());
    expect(t.next).to.equal(getcurrent());
    const t2 = tasklet(nop)();
    expect(t.prev).to.equal(getcurrent());
    expect(t.next).to.equal(t2);
    expect(t2.prev).to.equal(t);
    expect(t2.next).to.equal(getcurrent());
    t.kill();
    t2.kill();
  });

  test('testLC_initial_notalive', () => notAlive(new Tasklet()));
  test('testLC_initial_bound', () => bound(new Tasklet(nop), nop));

  test('testLC_notalive_bound', () => {
    const t = new Tasklet();
    notAlive(t);
    t.bind(nop);
    bound(t, nop);
  });

  test('testLC_bound_notalive', () => {
    let t = new Tasklet();
    t.bind(nop);
    bound(t, nop);
    t.bind(null);
    notAlive(t);
    t = new Tasklet();
    t.bind(nop);
    bound(t, nop);
    t.bind();
    notAlive(t);
  });

  test('testLC_bound_scheduled', () => {
    let t = new Tasklet();
    t.bind(nop);
    bound(t, nop);
    t.setup();
    scheduled(t);
    t.kill();
    t = new Tasklet();
    t.bind(nop);
    t();
    scheduled(t);
    t.kill();
  });

  test('testLC_scheduled_paused', () => {
    const t = tasklet(nop)();
    scheduled(t);
    t.remove();
    paused(t);
    t.kill();
  });

  test('testLC_scheduled_notalive', () => {
    const t = tasklet(nop)();
    scheduled(t);
    t.kill();
    notAlive(t);
  });

  test('testLC_paused_scheduled', () => {
    let t = new Tasklet().bind(nop, []);
    paused(t);
    t.insert();
    scheduled(t);
    t.kill();
    t = new Tasklet().bind(nop, []);
    paused(t);
    t.kill({ pending: true });
    scheduled(t, {}, IGNORE);
    run();
  });

  test('testLC_notalive_paused', () => {
    const t = new Tasklet();
    notAlive(t);
    t.bind(nop, []);
    paused(t);
    t.kill();
  });

  test('testLC_paused_notalive', () => {
    let t = new Tasklet().bind(nop, []);
    paused(t);
    t.bind();
    notAlive(t);
    t = new Tasklet().bind(nop, []);
    t.bind(null);
    notAlive(t);
    t = new Tasklet().bind(nop, []);
    t.kill();
    notAlive(t);
  });

  test('testLC_paused_current_notalive', () => {
    const t = new Tasklet();
    const result: number[] = [];
    t.bind(
      function* (other: T) {
        current(t);
        scheduled(other, { isMain: true });
        result.push(0);
      },
      [getcurrent()],
    );
    paused(t);
    block(t.run());
    expect(result).to.deep.equal([0]);
    notAlive(t);
    result.length = 0;
    t.bind(
      function* (other: T) {
        current(t);
        paused(other, { isMain: true });
        result.push(1);
      },
      [getcurrent()],
    );
    block(t.switch());
    expect(result).to.deep.equal([1]);
    notAlive(t);
  });

  test('testLC_scheduled_current_notalive', () => {
    const t = new Tasklet();
    const result: number[] = [];
    t.bind(function* (other: T) {
      current(t);
      scheduled(other, { isMain: true });
      result.push(0);
    }).setup(getcurrent());
    scheduled(t);
    block(t.run());
    expect(result).to.deep.equal([0]);
    notAlive(t);
    result.length = 0;
    t.bind(function* (other: T) {
      current(t);
      paused(other, { isMain: true });
      result.push(1);
    }).setup(getcurrent());
    block(t.switch());
    expect(result).to.deep.equal([1]);
    notAlive(t);
    result.length = 0;
    t.bind(function* (other: T) {
      current(t);
      // Main runs the scheduler (assert_state_scheduler: alive and paused).
      paused(other, { isMain: true });
      result.push(2);
    }).setup(getcurrent());
    run();
    expect(result).to.deep.equal([2]);
    notAlive(t);
  });

  test('testLC_current_notalive', () => {
    const t = new Tasklet();
    const result: number[] = [];
    t.bind(function* () {
      current(t);
      result.push(0);
      yield* t.kill();
    }).setup();
    scheduled(t);
    block(t.run());
    expect(result).to.deep.equal([0]);
    notAlive(t);
  });

  test('testLC_current_blocked_scheduled', () => {
    const t = new Tasklet();
    const result: number[] = [];
    const c = new Channel<number>();
    t.bind(function* () {
      current(t);
      result.push(0);
      yield* c.send(123);
    }).setup();
    block(t.run());
    expect(result).to.deep.equal([0]);
    blocked(t, IGNORE);
    expect(block(c.receive())).to.equal(123);
    scheduled(t);
    t.kill();
    notAlive(t);
    result.length = 0;
    t.bind(function* () {
      current(t);
      result.push(1);
      expect(yield* c.receive()).to.equal(456);
    }).setup();
    block(t.run());
    expect(result).to.deep.equal([1]);
    blocked(t);
    block(c.send(456));
    notAlive(t);
    result.length = 0;
    t.bind(function* () {
      current(t);
      result.push(2);
      yield* c.sendThrow(new TestError('f_send_throw'));
    }).setup();
    block(t.run());
    blocked(t, IGNORE);
    expect(() => block(c.receive())).to.throw(TestError, 'f_send_throw');
    scheduled(t);
    t.kill();
    notAlive(t);
    t.bind(function* () {
      current(t);
      result.push(3);
      yield* c.sendException(TestError, 'f_send_exception');
    }).setup();
    block(t.run());
    blocked(t, IGNORE);
    expect(() => block(c.receive())).to.throw(TestError, 'f_send_exception');
    scheduled(t);
    t.kill();
    notAlive(t);
    expect(result).to.deep.equal([2, 3]);
  });

  test('testLC_blocked_current', () => {
    const t = new Tasklet();
    const result: number[] = [];
    const c = new Channel<number>();
    t.bind(function* () {
      expect(yield* c.receive()).to.equal(123);
      current(t);
      result.push(0);
    }).setup();
    block(t.run());
    blocked(t);
    block(c.send(123));
    result.push(1);
    expect(result).to.deep.equal([0, 1]);
    notAlive(t);
    result.length = 0;
    c.preference = 1;
    t.bind(function* () {
      yield* c.send(123);
      current(t);
      result.push(0);
    }).setup();
    block(t.run());
    blocked(t, IGNORE);
    expect(block(c.receive())).to.equal(123);
    result.push(1);
    expect(result).to.deep.equal([0, 1]);
    notAlive(t);
  });

  test('test_unbind_scheduled', () => {
    let t = tasklet(nop)();
    scheduled(t);
    expect(() => t.bind()).to.throw(/tasklet is scheduled/);
    t.kill();
    t = tasklet(nop)();
    expect(() => t.bind(null)).to.throw(/tasklet is scheduled/);
    t.kill();
    void schedule;
  });
});
