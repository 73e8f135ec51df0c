// Bad input is refused at the public edge with the Python error classes, and
// after each refusal the scheduler and the channel still work.
import { expect } from 'chai';
import { RuntimeError, run, setChannelCallback, stats, ValueError, type Operation } from '@stackless-io/runtime';
import { Channel, select } from '@stackless-io/channel';
import { cleanupAfterFailure, expectQueue, start } from './helpers.js';

/** Proves the channel is idle and a fresh rendezvous on it still works. */
function expectStillWorks(ch: Channel<number>): void {
  expectQueue(ch, 0, []);
  const got: number[] = [];
  start('check receiver', function* () {
    got.push(yield* ch.receive());
  });
  start('check sender', function* () {
    yield* ch.send(123);
  });
  run();
  expect(got).to.deep.equal([123]);
  expectQueue(ch, 0, []);
  const s = stats();
  expect({ alive: s.alive, runnable: s.runnable, timers: s.timers }).to.deep.equal({ alive: 0, runnable: 0, timers: 0 });
}

/** Starts an operation from main, as a caller outside every tasklet would. */
function iterateFromMain(op: Operation<unknown>): void {
  op[Symbol.iterator]().next();
}

describe('channel: bad input', () => {
  cleanupAfterFailure();

  it('preference = 2 stores 1 (only the sign counts, as in Stackless)', () => {
    const ch = new Channel<number>();
    ch.preference = 2 as never;
    expect(ch.preference).to.equal(1);
    ch.preference = -2 as never;
    expect(ch.preference).to.equal(-1);
    for (const bad of [0.5, NaN, Infinity]) {
      expect(() => {
        ch.preference = bad as never;
      }, String(bad)).to.throw(TypeError);
    }
    expect(ch.preference).to.equal(-1);
    expectStillWorks(ch);
  });

  it("preference = 'x' raises TypeError and leaves the preference as it was", () => {
    const ch = new Channel<number>();
    ch.preference = 1;
    for (const bad of ['x', '1', null, undefined, {}]) {
      expect(() => {
        ch.preference = bad as never;
      }, String(bad)).to.throw(TypeError);
    }
    expect(ch.preference).to.equal(1);
    expectStillWorks(ch);
  });

  it('sendSequence(5) raises TypeError', () => {
    const ch = new Channel<number>();
    for (const bad of [5, null, undefined, {}, true]) {
      expect(() => ch.sendSequence(bad as never), String(bad)).to.throw(TypeError);
    }
    expectStillWorks(ch);
  });

  it('sendSequence(5) inside a tasklet raises TypeError there, and the tasklet can go on', () => {
    const ch = new Channel<number>();
    let caught = '';
    start('t', function* () {
      try {
        yield* ch.sendSequence(5 as never);
      } catch (e) {
        caught = (e as Error).name;
      }
    });
    run();
    expect(caught).to.equal('TypeError');
    expectStillWorks(ch);
  });

  it('sendException with something that is not a class raises TypeError', () => {
    const ch = new Channel<number>();
    for (const bad of ['Error', 5, null, {}]) {
      const sendException = ch.sendException.bind(ch) as (errorClass: unknown) => unknown;
      expect(() => sendException(bad), String(bad)).to.throw(TypeError);
    }
    expectStillWorks(ch);
  });

  it("select('x'), select with a non-case and a bad timeout raise errors", () => {
    const ch = new Channel<number>();
    expect(() => select('x' as never)).to.throw(TypeError);
    expect(() => select(null as never)).to.throw(TypeError);
    expect(() => select([{}] as never)).to.throw(TypeError);
    expect(() => select([ch.recvCase(), 5] as never)).to.throw(TypeError);
    expect(() => select([{ dir: -1, channel: ch }] as never), 'a look-alike object is not a case').to.throw(TypeError);
    expect(() => select([ch.recvCase()], { timeout: -1 })).to.throw(ValueError);
    expect(() => select([ch.recvCase()], { timeout: NaN })).to.throw(ValueError);
    expect(() => select([ch.recvCase()], { timeout: Infinity })).to.throw(ValueError);
    expect(() => select([ch.recvCase()], { timeout: '1' as never })).to.throw(TypeError);
    expect(() => select([ch.recvCase()], null as never)).to.throw(TypeError);
    expect(() => select([ch.recvCase()], 5 as never)).to.throw(TypeError);
    expect(() => select([])).to.throw(ValueError);
    expectStillWorks(ch);
  });

  it('a bad select inside a tasklet raises there and leaves nothing queued', () => {
    const ch = new Channel<number>();
    const caught: string[] = [];
    start('t', function* () {
      for (const timeout of [-1, NaN]) {
        try {
          yield* select([ch.recvCase()], { timeout });
        } catch (e) {
          caught.push((e as Error).name);
        }
      }
    });
    run();
    expect(caught).to.deep.equal(['ValueError', 'ValueError']);
    expectStillWorks(ch);
  });

  it('sending on a closed channel raises ValueError with a clear message', () => {
    const ch = new Channel<number>();
    ch.close();
    let error: unknown = null;
    start('t', function* () {
      try {
        yield* ch.send(1);
      } catch (e) {
        error = e;
      }
    });
    run();
    expect(error).to.be.instanceOf(ValueError);
    expect((error as Error).message).to.match(/closed channel/);
    ch.open();
    expectStillWorks(ch);
  });

  it('channel operations iterated from outside a tasklet raise RuntimeError', () => {
    const ch = new Channel<number>();
    const ops: [string, () => Operation<unknown>][] = [
      ['send', () => ch.send(1)],
      ['receive', () => ch.receive()],
      ['sendException', () => ch.sendException(Error, 'x')],
      ['sendThrow', () => ch.sendThrow(new Error('x'))],
      ['sendSequence', () => ch.sendSequence([1, 2])],
      ['next', () => ch.next()],
      ['select', () => select([ch.recvCase()])],
      ['select with timeout 0', () => select([ch.recvCase()], { timeout: 0 })],
    ];
    for (const [name, make] of ops) {
      expect(() => iterateFromMain(make()), name).to.throw(RuntimeError);
      expectQueue(ch, 0, []);
    }
    expectStillWorks(ch);
  });

  it('an item of channel iteration started from outside a tasklet raises RuntimeError', () => {
    const ch = new Channel<number>();
    const it = ch[Symbol.iterator]();
    const first = it.next();
    expect(first.done).to.equal(false);
    expect(() => iterateFromMain(first.value as Operation<number>)).to.throw(RuntimeError);
    expectStillWorks(ch);
  });

  it('RuntimeError from main does not disturb a channel with waiting tasklets', () => {
    const ch = new Channel<number>();
    const got: number[] = [];
    start('r', function* () {
      got.push(yield* ch.receive());
    });
    run();
    expect(() => iterateFromMain(ch.send(1))).to.throw(RuntimeError);
    expectQueue(ch, -1, ['r']);
    start('s', function* () {
      yield* ch.send(2);
    });
    run();
    expect(got).to.deep.equal([2]);
    expectStillWorks(ch);
  });

  it('setChannelCallback with something that is not a function raises TypeError', () => {
    for (const bad of ['f', 5, {}]) {
      expect(() => setChannelCallback(bad as never), String(bad)).to.throw(TypeError);
    }
    expectStillWorks(new Channel<number>());
  });
});
