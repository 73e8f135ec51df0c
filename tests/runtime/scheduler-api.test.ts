// The module-level scheduler functions: run() and its watchdog, atomic(),
// the schedule and channel callbacks, stats(), liveTasklets() and spawn().
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import {
  atomic,
  completed,
  SUSPEND,
  getChannelCallback,
  getcurrent,
  getmain,
  getScheduleCallback,
  liveTasklets,
  run,
  schedule,
  setChannelCallback,
  setScheduleCallback,
  sleep,
  spawn,
  stats,
  tasklet,
  type ChannelCallback,
  type ScheduleCallback,
  type Tasklet,
  type TaskletGenerator,
} from '@stackless-io/runtime';

function reap(...ts: Tasklet<any[], any>[]): void {
  for (const t of ts) if (!t.isMain && t.alive) t.kill();
}

describe('runtime: run()', () => {
  it('run() runs every runnable tasklet to completion and returns null', () => {
    const log: string[] = [];
    tasklet(function* () {
      for (let i = 0; i < 3; i++) {
        log.push(`a${i}`);
        yield* schedule();
      }
    })();
    tasklet(function* () {
      log.push('b');
    })();
    expect(run()).to.equal(null);
    expect(log).to.deep.equal(['a0', 'b', 'a1', 'a2']);
    expect(stats().runnable).to.equal(0);
  });

  it('run() with nothing runnable returns null at once', () => {
    expect(run()).to.equal(null);
  });

  it('run(maxSwitches) returns the interrupted tasklet after that many switches, taken out of the run queue', () => {
    let turns = 0;
    const spinner = tasklet(function* () {
      for (;;) {
        turns++;
        yield* schedule();
      }
    })();
    try {
      const interrupted = run(3);
      expect(interrupted).to.equal(spinner);
      expect(turns).to.equal(3);
      expect(spinner.alive).to.equal(true);
      expect(spinner.scheduled).to.equal(false);
      expect(spinner.paused).to.equal(true);
      expect(stats().runnable).to.equal(0);
      // It can be put back and interrupted again.
      spinner.insert();
      expect(run(2)).to.equal(spinner);
      expect(turns).to.equal(5);
    } finally {
      reap(spinner);
    }
  });

  it('run(maxSwitches) returns null when the tasklets finish before the limit', () => {
    const log: number[] = [];
    tasklet(function* () {
      log.push(1);
      yield* schedule();
      log.push(2);
    })();
    expect(run(10)).to.equal(null);
    expect(log).to.deep.equal([1, 2]);
  });

  it('the watchdog does not interrupt an atomic tasklet; it interrupts the next tasklet that is not atomic', () => {
    let atomicTurns = 0;
    let plainTurns = 0;
    const steady = tasklet(function* () {
      for (let i = 0; i < 5; i++) {
        atomicTurns++;
        yield* schedule();
      }
    });
    steady.atomic = true;
    steady();
    const plain = tasklet(function* () {
      for (;;) {
        plainTurns++;
        yield* schedule();
      }
    })();
    try {
      expect(run(1)).to.equal(plain);
      expect(plainTurns).to.equal(1);
      expect(steady.scheduled).to.equal(true);
      // Alone, the atomic tasklet is never interrupted: it runs to its end.
      expect(run(1)).to.equal(null);
      expect(atomicTurns).to.equal(5);
      expect(steady.alive).to.equal(false);
    } finally {
      reap(steady, plain);
    }
  });

  it('atomic(op) makes the current tasklet atomic for the body only, restoring the flag afterwards', () => {
    const flags: boolean[] = [];
    let afterTurns = 0;
    const t = tasklet(function* () {
      flags.push(getcurrent().atomic);
      const r = yield* atomic(
        (function* (): TaskletGenerator<string> {
          for (let i = 0; i < 3; i++) {
            flags.push(getcurrent().atomic);
            yield* schedule();
          }
          return 'body result';
        })(),
      );
      flags.push(getcurrent().atomic);
      expect(r).to.equal('body result');
      for (;;) {
        afterTurns++;
        yield* schedule();
      }
    })();
    try {
      // Interrupted only once the atomic body is over.
      expect(run(1)).to.equal(t);
      expect(flags).to.deep.equal([false, true, true, true, false]);
      expect(afterTurns).to.equal(1);
    } finally {
      reap(t);
    }
  });

  it('atomic(op) restores the flag when the body throws', () => {
    const flags: boolean[] = [];
    tasklet(function* () {
      try {
        yield* atomic(
          (function* (): TaskletGenerator<never> {
            flags.push(getcurrent().atomic);
            yield* schedule();
            throw new Error('inside');
          })(),
        );
      } catch (e) {
        flags.push(getcurrent().atomic);
        expect((e as Error).message).to.equal('inside');
      }
    })();
    run();
    expect(flags).to.deep.equal([true, false]);
  });

  it('completed(value) is an operation that finishes at once: yield* returns the value without a switch', () => {
    const got: unknown[] = [];
    tasklet(function* () {
      const before = stats().switches;
      got.push(yield* completed('now'));
      got.push(stats().switches - before);
    })();
    run();
    expect(got).to.deep.equal(['now', 0]);
    expect(Object.isFrozen(SUSPEND), 'the one value tasklets yield cannot be altered').to.equal(true);
  });

  it('run() called inside a tasklet raises RuntimeError there', () => {
    let caught: unknown = null;
    tasklet(function* () {
      try {
        run();
      } catch (e) {
        caught = e;
      }
    })();
    run();
    expect(caught).to.have.property('name', 'RuntimeError');
  });
});

describe('runtime: setScheduleCallback()', () => {
  afterEach(() => {
    setScheduleCallback(null);
  });

  it('is called with (prev, next) on every switch between tasklets, and returns the previous callback', () => {
    const events: string[] = [];
    const cb: ScheduleCallback = (prev, next) => events.push(`${prev?.label}->${next?.label}`);
    expect(getScheduleCallback()).to.equal(null);
    expect(setScheduleCallback(cb)).to.equal(null);
    expect(getScheduleCallback()).to.equal(cb);
    tasklet(function* a() {
      yield* schedule();
    })();
    tasklet(function* b() {})();
    run();
    // Only the switches into tasklets: whether the way back to main is
    // reported is checked separately below.
    expect(events.filter((e) => !e.endsWith('->main'))).to.deep.equal(['main->a', 'a->b', 'b->a']);
    const other: ScheduleCallback = () => undefined;
    expect(setScheduleCallback(other)).to.equal(cb);
    expect(setScheduleCallback(null)).to.equal(other);
    tasklet(function* c() {})();
    run();
    expect(events.some((e) => e.includes('c'))).to.equal(false);
  });

  it('rejects a callback that is not a function with TypeError', () => {
    expect(() => setScheduleCallback(5 as unknown as ScheduleCallback)).to.throw(TypeError);
    expect(getScheduleCallback()).to.equal(null);
  });

  // Stackless: "Every scheduling event, whether explicit or implicit, will
  // result in callable being called"; prev is "the tasklet that was just
  // running". When the last tasklet ends, the switch back to main is such an
  // event, and the next run() starts from main.
  it('reports the switch back to main, and the next run() starts from main', () => {
    const events: string[] = [];
    setScheduleCallback((prev, next) => events.push(`${prev?.label}->${next?.label}`));
    tasklet(function* a() {})();
    run();
    tasklet(function* b() {})();
    run();
    expect(events).to.deep.equal(['main->a', 'a->main', 'main->b', 'b->main']);
  });
});

describe('runtime: setChannelCallback()', () => {
  afterEach(() => {
    setChannelCallback(null);
  });

  it('is called with (channel, tasklet, sending, willBlock) on every channel action, and returns the previous callback', () => {
    const ch = new Channel<number>();
    const calls: [unknown, Tasklet<any[], any>, boolean, boolean][] = [];
    const cb: ChannelCallback = (c, t, sending, willBlock) => calls.push([c, t, sending, willBlock]);
    expect(getChannelCallback()).to.equal(null);
    expect(setChannelCallback(cb)).to.equal(null);
    expect(getChannelCallback()).to.equal(cb);
    const receiver = tasklet(function* () {
      return yield* ch.receive();
    })();
    const sender = tasklet(function* () {
      yield* ch.send(7);
    })();
    const got = receiver.join();
    run();
    expect(calls).to.deep.equal([
      [ch, receiver, false, true],
      [ch, sender, true, false],
    ]);
    expect(setChannelCallback(null)).to.equal(cb);
    return got.then((v) => expect(v).to.equal(7));
  });

  it('rejects a callback that is not a function with TypeError', () => {
    expect(() => setChannelCallback('no' as unknown as ChannelCallback)).to.throw(TypeError);
    expect(getChannelCallback()).to.equal(null);
  });
});

describe('runtime: stats() and liveTasklets()', () => {
  it('stats() counts alive and runnable tasklets and armed timers; switches counts resumptions', () => {
    const before = stats();
    expect(before).to.include({ alive: 0, runnable: 0, timers: 0, promises: 0, io: 0 });
    const a = tasklet(function* () {
      yield* schedule();
    })();
    const sleeper = tasklet(function* () {
      yield* sleep(30);
    })();
    const paused = tasklet(function* () {});
    paused.bind(undefined, []);
    try {
      expect(stats()).to.include({ alive: 3, runnable: 2, timers: 0 });
      run();
      // a ran twice, the sleeper once; the sleeper's timer is armed.
      expect(stats()).to.include({ alive: 2, runnable: 0, timers: 1 });
      expect(stats().switches).to.equal(before.switches + 3);
      sleeper.kill();
      expect(stats()).to.include({ alive: 1, runnable: 0, timers: 0 });
      paused.kill();
      expect(stats()).to.include({ alive: 0, runnable: 0, timers: 0 });
    } finally {
      reap(a, sleeper, paused);
    }
  });

  it('liveTasklets() lists the tasklets alive now, main excepted', () => {
    expect(liveTasklets()).to.deep.equal([]);
    const a = tasklet(function* () {})();
    const b = tasklet(function* () {
      yield* schedule();
    })();
    const unbound = tasklet(function* () {});
    expect(liveTasklets()).to.have.members([a, b]);
    expect(liveTasklets()).to.not.include(unbound);
    expect(liveTasklets()).to.not.include(getmain());
    schedule();
    expect(liveTasklets()).to.deep.equal([b]);
    run();
    expect(liveTasklets()).to.deep.equal([]);
  });
});

describe('runtime: spawn()', () => {
  it('spawn(fn, ...args) starts the tasklet without run(): Node\'s event loop drives it', async () => {
    const t = spawn(function* (a: number, b: number) {
      yield* schedule();
      return a + b;
    }, 20, 22);
    expect(t.alive).to.equal(true);
    expect(t.scheduled).to.equal(true);
    expect(await t.join()).to.equal(42);
    expect(t.alive).to.equal(false);
  });

  it('spawn() from inside a tasklet queues the new tasklet behind the runnable ones', () => {
    const log: string[] = [];
    tasklet(function* () {
      spawn(function* (tag: string) {
        log.push(tag);
      }, 'child');
      log.push('parent');
      yield* schedule();
      log.push('parent again');
    })();
    run();
    expect(log).to.deep.equal(['parent', 'child', 'parent again']);
  });
});
