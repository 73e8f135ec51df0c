// Bad input is refused at the public edge with the error class Python would
// use (TypeError for a wrong type, ValueError for a wrong value,
// RuntimeError for a call in the wrong state), and the scheduler keeps
// working afterwards.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import {
  run,
  RuntimeError,
  schedule,
  sleep,
  spawn,
  stats,
  tasklet,
  ValueError,
  waitFor,
  type Operation,
  type Suspend,
  type TaskletFunction,
} from '@stackless-io/runtime';

/** Proves the scheduler still works: a fresh tasklet runs, switches and ends. */
function expectSchedulerWorks(): void {
  const log: string[] = [];
  const t = tasklet(function* (tag: string) {
    log.push(`${tag}1`);
    yield* schedule();
    log.push(`${tag}2`);
    return tag;
  })('ok');
  tasklet(function* () {
    log.push('other');
  })();
  expect(run()).to.equal(null);
  expect(log).to.deep.equal(['ok1', 'other', 'ok2']);
  expect(t.alive).to.equal(false);
  expect(stats()).to.include({ alive: 0, runnable: 0, timers: 0, promises: 0 });
}

/** Starts an operation by hand, as code outside every tasklet might. */
function startByHand<T>(op: Operation<T>): IteratorResult<Suspend, T> {
  return op[Symbol.iterator]().next();
}

const notGenerators: [string, unknown][] = [
  ['an arrow function', () => 1],
  ['a plain function', function plain() {}],
  ['an async function', async function asyncFn() {}],
  ['an async generator function', async function* asyncGen() {}],
  ['a generator object', (function* () {})()],
  ['a number', 5],
  ['a string', 'function*'],
];

describe('runtime: bad input', () => {
  for (const [what, value] of notGenerators) {
    it(`tasklet() and spawn() refuse ${what} with TypeError`, () => {
      expect(() => tasklet(value as TaskletFunction)).to.throw(TypeError);
      expect(() => spawn(value as TaskletFunction)).to.throw(TypeError);
      expect(stats()).to.include({ alive: 0, runnable: 0 });
      expectSchedulerWorks();
    });
  }

  it('tasklet() refuses a label that is not a string with TypeError', () => {
    expect(() => tasklet(function* () {}, 5 as unknown as string)).to.throw(TypeError);
    expectSchedulerWorks();
  });

  it('bind() refuses a non-generator function and arguments that are not an array with TypeError', () => {
    const t = tasklet(function* (_n: number) {});
    expect(() => t.bind((() => 1) as never)).to.throw(TypeError);
    expect(() => t.bind(undefined, 1 as unknown as [number])).to.throw(TypeError);
    expect(t.alive).to.equal(false);
    expectSchedulerWorks();
  });

  it('sleep() refuses a non-number with TypeError', () => {
    expect(() => sleep('1' as unknown as number)).to.throw(TypeError);
    expect(() => sleep(undefined as unknown as number)).to.throw(TypeError);
    expectSchedulerWorks();
  });

  it('sleep() refuses a negative, NaN or infinite length with ValueError', () => {
    expect(() => sleep(-1)).to.throw(ValueError);
    expect(() => sleep(-0.001)).to.throw(ValueError);
    expect(() => sleep(Number.NaN)).to.throw(ValueError);
    expect(() => sleep(Number.POSITIVE_INFINITY)).to.throw(ValueError);
    expect(stats().timers).to.equal(0);
    expectSchedulerWorks();
  });

  it('a bad sleep() inside a tasklet raises there, where it can be caught', () => {
    const caught: string[] = [];
    tasklet(function* () {
      try {
        yield* sleep(-1);
      } catch (e) {
        caught.push((e as Error).name);
      }
    })();
    run();
    expect(caught).to.deep.equal(['ValueError']);
    expectSchedulerWorks();
  });

  it('waitFor() refuses what is not a promise or thenable with TypeError', () => {
    for (const bad of [42, null, undefined, {}, { then: 1 }, 'promise']) {
      expect(() => waitFor(bad as unknown as Promise<unknown>), String(bad)).to.throw(TypeError);
    }
    expect(stats().promises).to.equal(0);
    expectSchedulerWorks();
  });

  it('run() refuses a non-number with TypeError', () => {
    expect(() => run('1' as unknown as number)).to.throw(TypeError);
    expectSchedulerWorks();
  });

  // The runtime's own errors.ts defines ValueError as "a value of the right
  // type but not acceptable here", and sleep(-1) raises it; run(-1) and
  // run(1.5) are the same case (a number, but not a whole number >= 0).
  it('run() refuses a negative or fractional number of switches with ValueError', () => {
    expect(() => run(-1)).to.throw(ValueError);
    expect(() => run(1.5)).to.throw(ValueError);
    expectSchedulerWorks();
  });

  it('a bare `yield value` inside a tasklet raises TypeError inside that tasklet, at the yield', () => {
    const log: string[] = [];
    const t = tasklet(function* () {
      try {
        // A missing star: `yield` instead of `yield*`.
        yield 5 as unknown as Suspend;
        log.push('not reached');
      } catch (e) {
        log.push(`caught ${(e as Error).name}`);
      }
      yield* schedule();
      log.push('goes on');
      return 'done';
    })();
    run();
    expect(log).to.deep.equal(['caught TypeError', 'goes on']);
    expect(t.alive).to.equal(false);
    expectSchedulerWorks();
  });

  it('a bare `yield` that the tasklet does not catch ends it with TypeError, reported by run()', () => {
    tasklet(function* () {
      yield undefined as unknown as Suspend;
    })();
    expect(() => run()).to.throw(TypeError, /yield\*/);
    expectSchedulerWorks();
  });

  it('sleep() started by hand outside every tasklet raises RuntimeError and arms no timer', () => {
    expect(() => startByHand(sleep(0.01))).to.throw(RuntimeError);
    expect(() => startByHand(sleep(0))).to.throw(RuntimeError);
    expect(stats().timers).to.equal(0);
    expectSchedulerWorks();
  });

  it('waitFor() started by hand outside every tasklet raises RuntimeError and waits on nothing', () => {
    expect(() => startByHand(waitFor(Promise.resolve(1)))).to.throw(RuntimeError);
    expect(stats().promises).to.equal(0);
    expectSchedulerWorks();
  });

  it('channel operations started by hand outside every tasklet raise RuntimeError and leave the channel as it was', () => {
    const ch = new Channel<number>();
    expect(() => startByHand(ch.receive())).to.throw(RuntimeError);
    expect(() => startByHand(ch.send(1))).to.throw(RuntimeError);
    expect(ch.balance).to.equal(0);
    expect(ch.queue).to.equal(null);
    expectSchedulerWorks();
  });

  it('a tasklet that raises at once, before its first switch, reports the error through run()', () => {
    tasklet(function* () {
      throw new EvalError('first line');
    })();
    expect(() => run()).to.throw(EvalError, 'first line');
    expectSchedulerWorks();
  });
});
