// Promise interop: waitFor() inside tasklets, join() from async code, and
// where an uncaught error goes (the awaiting code, or else run()'s caller).
import { expect } from 'chai';
import {
  getmain,
  run,
  RuntimeError,
  schedule,
  spawn,
  stats,
  tasklet,
  Tasklet,
  waitFor,
} from '@stackless-io/runtime';

function reap(...ts: Tasklet<any[], any>[]): void {
  for (const t of ts) if (!t.isMain && t.alive) t.kill();
}

function later<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${String(v)}`);
    },
    (e: unknown) => e,
  );
}

describe('runtime: waitFor()', () => {
  it('returns the value the promise resolves with, inside the tasklet', async () => {
    const got: unknown[] = [];
    const t = spawn(function* () {
      got.push(yield* waitFor(Promise.resolve(1)));
      got.push(yield* waitFor(later(5, 'later')));
      return 'end';
    });
    expect(await t.join()).to.equal('end');
    expect(got).to.deep.equal([1, 'later']);
  });

  it('throws the rejection inside the tasklet, where it can be caught', async () => {
    const boom = new Error('rejected');
    const t = spawn(function* () {
      try {
        yield* waitFor(Promise.reject(boom));
        return 'not reached';
      } catch (e) {
        return e;
      }
    });
    expect(await t.join()).to.equal(boom);
  });

  it('accepts any thenable', async () => {
    // Not a Promise: only a then method, which settles later.
    const thenable = {
      then(resolve: (v: number) => void): void {
        setImmediate(() => resolve(99));
      },
    } as unknown as PromiseLike<number>;
    expect(thenable).to.not.be.instanceOf(Promise);
    const t = spawn(function* () {
      return yield* waitFor(thenable);
    });
    expect(await t.join()).to.equal(99);
  });

  it('blocks only the calling tasklet: it is blocked on the promise while the others run', async () => {
    let resolve!: (v: string) => void;
    const gate = new Promise<string>((r) => {
      resolve = r;
    });
    const log: string[] = [];
    const waiter = tasklet(function* () {
      log.push('waiting');
      log.push(yield* waitFor(gate));
    })();
    const other = tasklet(function* () {
      log.push('other 1');
      yield* schedule();
      log.push('other 2');
    })();
    try {
      run();
      expect(log).to.deep.equal(['waiting', 'other 1', 'other 2']);
      expect(waiter.blocked).to.equal(true);
      expect(stats().promises).to.equal(1);
      expect(other.alive).to.equal(false);
      resolve('opened');
      await waiter.join();
      expect(log).to.deep.equal(['waiting', 'other 1', 'other 2', 'opened']);
      expect(stats().promises).to.equal(0);
    } finally {
      reap(waiter, other);
    }
  });

  it('an uncaught rejection ends the tasklet with that error, which join() rejects with', async () => {
    const boom = new TypeError('bad promise');
    const t = spawn(function* () {
      yield* waitFor(later(1, 0));
      yield* waitFor(Promise.reject(boom));
    });
    expect(await rejection(t.join())).to.equal(boom);
    expect(t.alive).to.equal(false);
  });
});

describe('runtime: join()', () => {
  it('resolves with the return value, for each caller, also after the tasklet ended', async () => {
    const t = tasklet(function* (n: number) {
      yield* schedule();
      return n * 2;
    })(21);
    const first = t.join();
    const second = t.join();
    run();
    expect(await first).to.equal(42);
    expect(await second).to.equal(42);
    expect(await t.join()).to.equal(42);
  });

  it('rejects with the uncaught error, and run() then does not raise it', async () => {
    const boom = new RangeError('tasklet failed');
    const t = tasklet(function* () {
      yield* schedule();
      throw boom;
    })();
    const joined = t.join();
    expect(() => run()).to.not.throw();
    expect(await rejection(joined)).to.equal(boom);
    expect(await rejection(t.join())).to.equal(boom);
  });

  it('rejects with RuntimeError for a tasklet that was never bound, and for main', async () => {
    expect(await rejection(new Tasklet().join())).to.be.instanceOf(RuntimeError);
    expect(await rejection(getmain().join())).to.be.instanceOf(RuntimeError);
  });

  it('lets async code await a tasklet that itself waits on promises', async () => {
    const t = spawn(function* (a: number) {
      const b = yield* waitFor(later(2, 10));
      const c = yield* waitFor(Promise.resolve(100));
      return a + b + c;
    }, 1);
    const sum = await t.join();
    expect(sum).to.equal(111);
  });
});

describe('runtime: uncaught errors without anyone awaiting', () => {
  it('reach the caller of run(); the scheduler works afterwards', () => {
    const boom = new Error('nobody awaits me');
    const log: string[] = [];
    tasklet(function* () {
      log.push('failing');
      throw boom;
    })();
    const behind = tasklet(function* () {
      log.push('behind');
    })();
    try {
      expect(() => run()).to.throw(boom);
      expect(getmain().isCurrent).to.equal(true);
      // The tasklet queued behind the failed one was not lost.
      expect(behind.alive).to.equal(true);
      run();
      expect(log).to.deep.equal(['failing', 'behind']);
      const t = tasklet(function* () {
        return 'fine';
      })();
      run();
      expect(t.alive).to.equal(false);
    } finally {
      reap(behind);
    }
  });

  it('an error raised after the tasklet switched reaches run() too', () => {
    tasklet(function* () {
      yield* schedule();
      yield* schedule();
      throw new SyntaxError('third turn');
    })();
    expect(() => run()).to.throw(SyntaxError, 'third turn');
    expect(stats()).to.include({ alive: 0, runnable: 0 });
  });
});
