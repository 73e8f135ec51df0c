// Main blocks on channels as in Stackless: block(op) runs the scheduler
// inside the call until main's operation completes, raises Stackless'
// deadlock errors when nothing can wake main, and raises in main an error
// that escapes another tasklet.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { block, getcurrent, RuntimeError, schedule, tasklet, type Tasklet } from '@stackless-io/runtime';
import { cleanupAfterFailure } from './helpers.js';

describe('channel: main blocks (block(op))', () => {
  cleanupAfterFailure();

  it('main receives from a tasklet that sends later, and sends to one that receives later', () => {
    const ch = new Channel<string>();
    const log: string[] = [];
    tasklet(function* () {
      log.push('sender runs');
      yield* ch.send('hello');
      log.push('echo ' + (yield* ch.receive()));
    })();
    log.push('main receives');
    expect(block(ch.receive())).to.equal('hello');
    log.push('main sends');
    block(ch.send('back'));
    expect(log).to.deep.equal(['main receives', 'sender runs', 'main sends', 'echo back']);
  });

  it('main receives from a sender already waiting; schedule() from main lets the others run', () => {
    const ch = new Channel<number>();
    const t = tasklet(function* () {
      yield* ch.send(42);
    })();
    expect(block(schedule('again'))).to.equal('again');
    expect(t.blocked).to.equal(true);
    expect(block(ch.receive())).to.equal(42);
    // The sender was made runnable; main's schedule() lets it end.
    block(schedule());
    expect(t.alive).to.equal(false);
  });

  it('main iterates a channel with block(item)', () => {
    const ch = new Channel<number>();
    ch.preference = 1;
    tasklet(function* () {
      yield* ch.sendSequence([1, 2, 3]);
      ch.close();
    })();
    const got: number[] = [];
    for (const item of ch) got.push(block(item));
    expect(got).to.deep.equal([1, 2, 3]);
  });

  it('main receiving as the last runnable tasklet raises "Deadlock: the last runnable tasklet cannot be blocked."', () => {
    const ch = new Channel<number>();
    expect(() => block(ch.receive())).to.throw(RuntimeError, /^Deadlock: the last runnable tasklet cannot be blocked\.$/);
    expect(ch.balance).to.equal(0);
  });

  it('main receiving when the last tasklet ends raises "the main tasklet is receiving without a sender available."', () => {
    const ch = new Channel<number>();
    tasklet(function* () {})();
    expect(() => block(ch.receive())).to.throw(RuntimeError, /^the main tasklet is receiving without a sender available\.$/);
    tasklet(function* () {})();
    expect(() => block(ch.send(1))).to.throw(RuntimeError, /^the main tasklet is sending without a receiver available\.$/);
    expect(ch.balance).to.equal(0);
  });

  it('a tasklet that blocks last while main waits gets the deadlock error, and main gets it in turn if uncaught', () => {
    const mc = new Channel<null>();
    let inner: unknown;
    tasklet(function* () {
      try {
        yield* new Channel<number>().receive();
      } catch (e) {
        inner = e;
      }
      yield* mc.send(null);
    })();
    expect(block(mc.receive())).to.equal(null);
    expect(inner).to.be.instanceOf(RuntimeError);
    expect((inner as Error).message).to.match(/^Deadlock/);
    tasklet(function* () {
      yield* new Channel<number>().receive();
    })();
    expect(() => block(mc.receive())).to.throw(RuntimeError, /^Deadlock/);
    expect(mc.balance).to.equal(0);
  });

  it('an error escaping another tasklet is raised in main where it waits, and main leaves the channel', () => {
    const ch = new Channel<number>();
    tasklet(function* () {
      throw new RangeError('from a tasklet');
    })();
    expect(() => block(ch.receive())).to.throw(RangeError, 'from a tasklet');
    expect(ch.balance).to.equal(0);
  });

  it('a tasklet raising into main while main waits raises in main', () => {
    const ch = new Channel<number>();
    let main: Tasklet<any[], any> | null = null;
    tasklet(function* () {
      yield* (main as unknown as Tasklet<any[], any>).raiseException(TypeError, 'into main');
    })();
    main = getcurrent();
    expect(() => block(ch.receive())).to.throw(TypeError, 'into main');
    expect(ch.balance).to.equal(0);
  });

  it('without block(), a channel operation from main still raises RuntimeError naming block()', () => {
    const ch = new Channel<number>();
    expect(() => ch.receive()[Symbol.iterator]().next()).to.throw(RuntimeError, /block\(op\)/);
  });
});
