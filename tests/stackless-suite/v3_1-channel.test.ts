// stackless-testsuite: stackless_testsuite/v3_1/channel/test_functionality.py
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { block, run, tasklet, TaskletExit, type Tasklet } from '@stackless-io/runtime';
import { notExpressible, test } from './suite.js';

function sender<T>(c: Channel<T>, v: T): Tasklet<[], void> {
  return tasklet(function* () {
    yield* c.send(v);
  })();
}
function receiver<T>(c: Channel<T>): Tasklet<[], T> {
  return tasklet(function* () {
    return yield* c.receive();
  })();
}
/**
 * A tasklet receiving forever, swallowing the errors sent to it
 * (Python's `except Exception`, which TaskletExit, a BaseException, escapes).
 */
function sink<T>(c: Channel<T>): Tasklet<[], void> {
  return tasklet(function* () {
    for (;;) {
      try {
        yield* c.receive();
      } catch (e) {
        if (e instanceof TaskletExit) throw e;
      }
    }
  })();
}

describe('stackless-suite v3_1: ChannelTest', () => {
  test('testSig_constructor', () => {
    expect(new Channel()).to.be.instanceOf(Channel);
  });

  test('testSig_send', () => {
    const c = new Channel<number>();
    const t = sink(c);
    expect(block(c.send(42))).to.equal(undefined);
    t.kill();
  });

  test('testSig_send_exception', () => {
    const c = new Channel<number>();
    const t = sink(c);
    for (let n = 0; n < 20; n++) expect(block(c.sendException(RangeError, String(n)))).to.equal(undefined);
    t.kill();
  });

  test('testSig_send_throw', () => {
    const c = new Channel<number>();
    const t = sink(c);
    expect(block(c.sendThrow(new RangeError()))).to.equal(undefined);
    t.kill();
  });

  test('testSig_send_sequence', () => {
    const c = new Channel<number>();
    const t = sink(c);
    expect(block(c.sendSequence(Array.from({ length: 42 }, (_, i) => i)))).to.equal(42);
    t.kill();
  });

  test('testSig___iter__', () => {
    const c = new Channel<number>();
    expect(typeof c[Symbol.iterator]).to.equal('function');
  });

  test('testSig_next', () => {
    // Python ends the iteration with send_exception(StopIteration); here the
    // sender closes the channel, which ends iteration once no sender waits.
    const c = new Channel<number>();
    tasklet(function* () {
      yield* c.sendSequence([0, 1]);
      c.close();
    })();
    c.preference = 1;
    run();
    const got: number[] = [];
    for (const item of c) got.push(block(item));
    expect(got).to.deep.equal([0, 1]);
  });

  test('testSig_open', () => {
    expect(new Channel().open()).to.equal(undefined);
  });

  test('testSig_close', () => {
    expect(new Channel().close()).to.equal(undefined);
  });

  test('testAttr_preference', () => {
    const c = new Channel<number>();
    expect(c.preference).to.equal(-1);
    for (const [v, want] of [[0, 0], [1, 1], [-1, -1], [2, 1], [-2, -1]] as const) {
      c.preference = v as never;
      expect(c.preference).to.equal(want);
    }
    expect(() => {
      c.preference = 2.5 as never;
    }).to.throw(TypeError, 'must be set to an integer');
    c.preference = true;
    expect(c.preference).to.equal(1);
  });

  test('testAttr_schedule_all', () => {
    // Python's schedule_all reads 0 or 1; a JavaScript boolean here.
    const c = new Channel<number>();
    expect(c.scheduleAll).to.equal(false);
    for (const [v, want] of [[1, true], [false, false], [-1, true], [false, false], [2, true], [false, false], [true, true]] as const) {
      c.scheduleAll = v;
      expect(c.scheduleAll).to.equal(want);
    }
    expect(() => {
      c.scheduleAll = 2.5;
    }).to.throw(TypeError, 'must be set to a bool or integer');
  });

  notExpressible('testAttr_preference (int is not long)', 'Python 2 long integers');

  test('testAttr_balance', () => {
    const c = new Channel<null>();
    expect(c.balance).to.equal(0);
    let t = sender(c, null);
    run();
    expect(c.balance).to.equal(1);
    let t2 = sender(c, null);
    run();
    expect(c.balance).to.equal(2);
    t.kill();
    expect(c.balance).to.equal(1);
    t2.kill();
    expect(c.balance).to.equal(0);
    t = receiver(c) as never;
    run();
    expect(c.balance).to.equal(-1);
    t2 = receiver(c) as never;
    run();
    expect(c.balance).to.equal(-2);
    t.kill();
    expect(c.balance).to.equal(-1);
    t2.kill();
    expect(c.balance).to.equal(0);
  });

  test('testAttr_closing_closed', () => {
    const c = new Channel<null>();
    expect(c.closing).to.equal(false);
    expect(c.closed).to.equal(false);
    const t = sender(c, null);
    run();
    expect([c.closing, c.closed]).to.deep.equal([false, false]);
    c.close();
    expect([c.closing, c.closed]).to.deep.equal([true, false]);
    t.kill();
    expect([c.closing, c.closed]).to.deep.equal([true, true]);
    c.open();
    expect([c.closing, c.closed]).to.deep.equal([false, false]);
  });

  test('testAttr_queue', () => {
    const c = new Channel<null>();
    expect(c.queue).to.equal(null);
    const t = sender(c, null);
    run();
    expect(c.queue).to.equal(t);
    const t2 = sender(c, null);
    run();
    expect(c.queue).to.equal(t);
    expect(t.next).to.equal(t2);
    t.kill();
    t2.kill();
  });
});
