// sleep(): it blocks only the calling tasklet, wakes sleepers in deadline
// order (ties in arrival order), and leaves Node's event loop free.
// Nothing here passes or fails on how long something took: machines are
// noisy, so the tests assert order and state, and where a duration itself is
// the claim they read a fake clock that moves only when told.
import { expect } from 'chai';
import { run, schedule, sleep, spawn, stats, tasklet, type Tasklet } from '@stackless-io/runtime';
import { FakeClock, until } from '@stackless-io/test-support';

function reap(...ts: Tasklet<any[], any>[]): void {
  for (const t of ts) if (!t.isMain && t.alive) t.kill();
}

describe('runtime: sleep()', () => {
  it('blocks only the calling tasklet: the others run to completion meanwhile', () => {
    const log: string[] = [];
    const sleeper = tasklet(function* () {
      log.push('sleeper sleeps');
      yield* sleep(30);
      log.push('sleeper woke');
    })();
    tasklet(function* () {
      for (let i = 0; i < 3; i++) {
        log.push(`worker ${i}`);
        yield* schedule();
      }
    })();
    try {
      run();
      expect(log).to.deep.equal(['sleeper sleeps', 'worker 0', 'worker 1', 'worker 2']);
      expect(sleeper.alive).to.equal(true);
      expect(sleeper.blocked).to.equal(true);
      expect(sleeper.scheduled, 'a blocked tasklet counts as scheduled, as in Stackless').to.equal(true);
      expect(stats()).to.include({ timers: 1, runnable: 0 });
    } finally {
      reap(sleeper);
    }
  });

  it('run() returns while tasklets sleep; Node\'s event loop wakes and finishes them later', async () => {
    const t = tasklet(function* (v: string) {
      yield* sleep(0.005);
      return `${v} after sleep`;
    })('value');
    const joined = t.join();
    expect(run()).to.equal(null);
    expect(t.alive).to.equal(true);
    expect(await joined).to.equal('value after sleep');
    expect(t.alive).to.equal(false);
    expect(stats().timers).to.equal(0);
  });

  it('wakes sleepers of different lengths shortest first, whatever the order they fell asleep in', () => {
    // On a fake clock all three fall asleep at the same instant, so the
    // order cannot come from when each one happened to start.
    const clock = new FakeClock();
    const woke: number[] = [];
    const ts = [150, 50, 100].map((ms) =>
      spawn(function* () {
        yield* sleep(ms / 1000);
        woke.push(ms);
      }),
    );
    try {
      run();
      const seen: number[][] = [];
      for (let i = 0; i < 3; i++) {
        clock.advance(50);
        run();
        seen.push([...woke]);
      }
      expect(seen).to.deep.equal([[50], [50, 100], [50, 100, 150]]);
      expect(ts.map((t) => t.alive)).to.deep.equal([false, false, false]);
    } finally {
      clock.restore();
      reap(...ts);
    }
  });

  it('wakes sleepers of equal length in the order they fell asleep', async () => {
    const woke: number[] = [];
    const ts: Tasklet<[number], void>[] = [];
    for (let i = 0; i < 8; i++) {
      ts.push(
        tasklet(function* (n: number) {
          yield* sleep(0.02);
          woke.push(n);
        })(i),
      );
    }
    run();
    expect(stats().timers).to.equal(8);
    await Promise.all(ts.map((t) => t.join()));
    expect(woke).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('sleep(0) behaves like schedule(): the others run once, and no timer is armed', () => {
    const withSleep: string[] = [];
    const withSchedule: string[] = [];
    const timersSeen: number[] = [];
    for (const [log, op] of [
      [withSleep, () => sleep(0)],
      [withSchedule, () => schedule()],
    ] as const) {
      tasklet(function* () {
        log.push('a1');
        yield* op();
        log.push('a2');
      })();
      tasklet(function* () {
        log.push('b1');
        timersSeen.push(stats().timers);
        yield* schedule();
        log.push('b2');
      })();
      run();
    }
    expect(withSleep).to.deep.equal(['a1', 'b1', 'a2', 'b2']);
    expect(withSleep).to.deep.equal(withSchedule);
    expect(timersSeen).to.deep.equal([0, 0]);
  });

  it('lasts as long as asked: still asleep 1 ms before its deadline, awake at it (fake clock)', () => {
    const clock = new FakeClock();
    let woke = false;
    const t = spawn(function* () {
      yield* sleep(0.05);
      woke = true;
    });
    try {
      run();
      expect(t.blocked, 'asleep').to.equal(true);
      clock.advance(49);
      run();
      expect(woke, 'woke 1 ms early').to.equal(false);
      expect(stats().timers).to.equal(1);
      clock.advance(1);
      run();
      expect(woke, 'awake at the deadline').to.equal(true);
      expect(t.alive).to.equal(false);
    } finally {
      clock.restore();
      reap(t);
    }
  });

  it('does not block Node\'s event loop: timers, immediates and promise callbacks run while tasklets sleep', async () => {
    const sleeper = spawn(function* () {
      yield* sleep(30);
    });
    const seen: string[] = [];
    try {
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.push('timeout');
          resolve();
        }, 5),
      );
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          seen.push('immediate');
          resolve();
        }),
      );
      await Promise.resolve().then(() => seen.push('microtask'));
      expect(seen).to.deep.equal(['timeout', 'immediate', 'microtask']);
      expect(sleeper.blocked).to.equal(true);
    } finally {
      reap(sleeper);
    }
    expect(stats().timers).to.equal(0);
  });

  it('a tasklet can wait, sleeping, for a flag that only plain Node code sets', async () => {
    let flag = false;
    let naps = 0;
    const waiter = spawn(function* () {
      while (!flag) {
        naps++;
        yield* sleep(0.002);
      }
      return naps;
    });
    // Plain Node code (event loop turns, no tasklet) watches the waiter nap
    // three times, so Node's loop demonstrably ran between its sleeps, then
    // sets the flag while the waiter sleeps.
    await until('the waiter napped three times', () => naps >= 3 && waiter.blocked);
    const napsWhenSet = naps;
    flag = true;
    // The waiter sees the flag when its nap ends, without napping again.
    expect(await waiter.join()).to.equal(napsWhenSet);
    expect(stats().timers).to.equal(0);
  });

  it('a tasklet can sleep many times in a row while another tasklet keeps scheduling', async () => {
    const log: string[] = [];
    const sleeper = spawn(function* () {
      for (let i = 0; i < 3; i++) {
        yield* sleep(0.001);
        log.push(`slept ${i}`);
      }
    });
    const busy = spawn(function* () {
      for (let i = 0; i < 3; i++) {
        log.push(`busy ${i}`);
        yield* schedule();
      }
    });
    await Promise.all([sleeper.join(), busy.join()]);
    expect(log.filter((l) => l.startsWith('slept'))).to.deep.equal(['slept 0', 'slept 1', 'slept 2']);
    expect(log.filter((l) => l.startsWith('busy'))).to.deep.equal(['busy 0', 'busy 1', 'busy 2']);
  });
});
