// Stackless/unittests/test_miscell.py: TestSwitchTrap, and TestSwitch's
// trapped tests. Python's `with self.switch_trap:` (switch_trap(1) on
// entry, switch_trap(-1) on exit) is trapped() here, a try/finally.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { block, getcurrent, run, RuntimeError, schedule, scheduleRemove, switchTrap, tasklet, Tasklet, TaskletExit } from '@stackless-io/runtime';
import { test } from './suite.js';

type T = Tasklet<any[], any>;

/** `with switch_trapped():` */
function trapped(body: () => void): void {
  switchTrap(1);
  try {
    body();
  } finally {
    switchTrap(-1);
  }
}

const SWITCH_TRAP = /switch_trap/;

class IndexError extends Error {}
class NotImplementedError extends Error {}

describe('stackless-suite unittests: test_miscell TestSwitchTrap', () => {
  test('test_schedule', () => {
    tasklet(function* () {})();
    trapped(() => expect(() => block(schedule())).to.throw(RuntimeError, SWITCH_TRAP));
    run();
  });

  test('test_schedule_remove', () => {
    const main: T[] = [];
    tasklet(function* () {
      (main[0] as T).insert();
    })();
    trapped(() => expect(() => block(scheduleRemove())).to.throw(RuntimeError, SWITCH_TRAP));
    main.push(getcurrent());
    block(scheduleRemove());
  });

  test('test_run', () => {
    tasklet(function* () {})();
    trapped(() => expect(() => run()).to.throw(RuntimeError, SWITCH_TRAP));
    run();
  });

  test('test_run_specific', () => {
    const s = tasklet(function* () {})();
    trapped(() => expect(() => block(s.run())).to.throw(RuntimeError, SWITCH_TRAP));
    block(s.run());
  });

  test('test_run_paused', () => {
    const s = tasklet(function* () {});
    s.bind(undefined, []);
    expect(s.paused).to.equal(true);
    trapped(() => expect(() => block(s.run())).to.throw(RuntimeError, SWITCH_TRAP));
    expect(s.paused).to.equal(true);
    run();
    // The Python test leaves the paused tasklet to the test case's cleanup.
    s.kill();
  });

  test('test_send', () => {
    const c = new Channel<null>();
    tasklet(function* () {
      yield* c.receive();
    })();
    trapped(() => expect(() => block(c.send(null))).to.throw(RuntimeError, SWITCH_TRAP));
    block(c.send(null));
  });

  test('test_send_throw', () => {
    const c = new Channel<null>();
    let raised = false;
    tasklet(function* f() {
      try {
        yield* c.receive();
      } catch (e) {
        raised = e instanceof NotImplementedError;
      }
    })();
    trapped(() => expect(() => block(c.sendException(NotImplementedError))).to.throw(RuntimeError, SWITCH_TRAP));
    block(c.sendException(NotImplementedError));
    expect(raised).to.equal(true);
  });

  test('test_receive', () => {
    const c = new Channel<number>();
    tasklet(function* () {
      yield* c.send(1);
    })();
    trapped(() => expect(() => block(c.receive())).to.throw(RuntimeError, SWITCH_TRAP));
    expect(block(c.receive())).to.equal(1);
  });

  test('test_receive_throw', () => {
    const c = new Channel<number>();
    tasklet(function* () {
      yield* c.sendException(NotImplementedError);
    })();
    trapped(() => expect(() => block(c.receive())).to.throw(RuntimeError, SWITCH_TRAP));
    expect(() => block(c.receive())).to.throw(NotImplementedError);
  });

  test('test_raise_exception', () => {
    const c = new Channel<number>();
    let raised = false;
    const s = tasklet(function* foo() {
      try {
        yield* c.receive();
      } catch (e) {
        raised = e instanceof IndexError;
      }
    })();
    block(s.run()); // necessary, since raise_exception won't automatically run it
    trapped(() => expect(() => block(s.raiseException(RuntimeError))).to.throw(RuntimeError, SWITCH_TRAP));
    block(s.raiseException(IndexError));
    expect(raised).to.equal(true);
  });

  test('test_kill', () => {
    const c = new Channel<number>();
    let exited = false;
    const s = tasklet(function* foo() {
      try {
        yield* c.receive();
      } catch (e) {
        exited = e instanceof TaskletExit;
      }
    })();
    block(s.run()); // necessary, since raise_exception won't automatically run it
    trapped(() => expect(() => block(s.kill())).to.throw(RuntimeError, SWITCH_TRAP));
    block(s.kill());
    expect(exited).to.equal(true);
  });

  test('test_run2', () => {
    const s = tasklet(function* foo() {})();
    trapped(() => expect(() => block(s.run())).to.throw(RuntimeError, SWITCH_TRAP));
    block(s.run());
  });
});

describe('stackless-suite unittests: test_miscell TestSwitch (trapped)', () => {
  /** setUp: main is the source; target checks main is paused, inserts it back and finishes. */
  function fixture(): { finished: () => boolean; target: () => Generator<any, void, unknown>; blockedTarget: () => Generator<any, void, unknown>; c: Channel<null> } {
    const source = getcurrent();
    let finished = false;
    const c = new Channel<null>();
    return {
      c,
      finished: () => finished,
      target: function* () {
        expect(source.paused).to.equal(true);
        source.insert();
        finished = true;
      },
      blockedTarget: function* () {
        yield* c.receive();
        finished = true;
      },
    };
  }

  test('test_switch_trapped', () => {
    const f = fixture();
    const t = tasklet(f.target)();
    expect(t.paused).to.equal(false);
    trapped(() => expect(() => block(t.switch())).to.throw(RuntimeError, SWITCH_TRAP));
    expect(t.paused).to.equal(false);
    block(t.switch());
    expect(f.finished()).to.equal(true);
  });

  test('test_switch_self_trapped', () => {
    const t = getcurrent();
    trapped(() => block(t.switch())); // ok, switching to ourselves!
  });

  test('test_switch_blocked_trapped', () => {
    const f = fixture();
    const t = tasklet(f.blockedTarget)();
    block(t.run());
    expect(t.blocked).to.equal(true);
    trapped(() => expect(() => block(t.switch())).to.throw(RuntimeError, /blocked/));
    expect(t.blocked).to.equal(true);
    block(f.c.send(null));
    expect(f.finished()).to.equal(true);
  });

  test('test_switch_paused_trapped', () => {
    const f = fixture();
    const t = tasklet(f.target);
    t.bind(undefined, []);
    expect(t.paused).to.equal(true);
    trapped(() => expect(() => block(t.switch())).to.throw(RuntimeError, SWITCH_TRAP));
    expect(t.paused).to.equal(true);
    block(t.switch());
    expect(f.finished()).to.equal(true);
  });
});
