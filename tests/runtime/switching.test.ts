// The run queue and switching on purpose: FIFO order, schedule(),
// scheduleRemove(), tasklet.run() and tasklet.switch(), getcurrent/getmain/
// getruncount. The reference is Stackless' documentation of tasklet.run()
// ("the chain is rotated") and of schedule()/schedule_remove().
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import {
  getcurrent,
  getmain,
  getruncount,
  run,
  RuntimeError,
  schedule,
  scheduleRemove,
  stats,
  tasklet,
  type Operation,
  type Tasklet,
} from '@stackless-io/runtime';

function reap(...ts: Tasklet<any[], any>[]): void {
  for (const t of ts) if (!t.isMain && t.alive) t.kill();
}

/** The result of an operation that has already finished (as schedule() from main returns). */
function resultOf<T>(op: Operation<T>): T {
  const r = op[Symbol.iterator]().next();
  expect(r.done, 'operation finished at once').to.equal(true);
  return r.value as T;
}

/** A tasklet that logs `name`, then schedules `rounds` times logging `name!k`. */
function logger(log: string[], name: string, rounds = 0): Tasklet<[], void> {
  return tasklet(function* () {
    log.push(name);
    for (let k = 1; k <= rounds; k++) {
      yield* schedule();
      log.push(`${name}!${k}`);
    }
  }, name)();
}

describe('runtime: run queue order', () => {
  it('runs tasklets in the order they were inserted (FIFO)', () => {
    const log: string[] = [];
    for (const n of ['a', 'b', 'c', 'd', 'e']) logger(log, n);
    run();
    expect(log).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
  });

  it('schedule() sends the caller to the end of the queue: tasklets take turns round-robin', () => {
    const log: string[] = [];
    logger(log, 'a', 2);
    logger(log, 'b', 2);
    logger(log, 'c', 2);
    run();
    expect(log).to.deep.equal(['a', 'b', 'c', 'a!1', 'b!1', 'c!1', 'a!2', 'b!2', 'c!2']);
  });

  it('schedule() puts the caller behind tasklets inserted before it yields', () => {
    const log: string[] = [];
    tasklet(function* () {
      log.push('a');
      logger(log, 'late');
      yield* schedule();
      log.push('a again');
    })();
    logger(log, 'b');
    run();
    expect(log).to.deep.equal(['a', 'b', 'late', 'a again']);
  });

  it('schedule(value) returns value inside the tasklet; schedule() returns the current tasklet', () => {
    const got: unknown[] = [];
    const t = tasklet(function* () {
      got.push(yield* schedule(17));
      got.push(yield* schedule('s'));
      got.push(yield* schedule());
    })();
    run();
    expect(got).to.deep.equal([17, 's', t]);
  });
});

describe('runtime: schedule() and scheduleRemove() from main', () => {
  it('schedule() from main runs one round of the runnable tasklets synchronously, then returns', () => {
    const log: string[] = [];
    const a = logger(log, 'a', 2);
    const b = logger(log, 'b', 1);
    try {
      expect(resultOf(schedule('v'))).to.equal('v');
      expect(log).to.deep.equal(['a', 'b']);
      expect(resultOf(schedule())).to.equal(getmain());
      expect(log).to.deep.equal(['a', 'b', 'a!1', 'b!1']);
      expect(b.alive).to.equal(false);
      expect(a.alive).to.equal(true);
      run();
      expect(log).to.deep.equal(['a', 'b', 'a!1', 'b!1', 'a!2']);
    } finally {
      reap(a, b);
    }
  });

  it('scheduleRemove() from main returns only when no tasklet is runnable any more', () => {
    const log: string[] = [];
    logger(log, 'a', 3);
    logger(log, 'b', 1);
    expect(resultOf(scheduleRemove(5))).to.equal(5);
    expect(log).to.deep.equal(['a', 'b', 'a!1', 'b!1', 'a!2', 'a!3']);
    expect(stats().runnable).to.equal(0);
  });

  it('scheduleRemove() inside a tasklet pauses it until someone inserts it again', () => {
    const log: string[] = [];
    let paused: Tasklet<any[], any> | null = null;
    const a = tasklet(function* () {
      log.push('a1');
      const v = yield* scheduleRemove('back');
      log.push(`a2:${String(v)}`);
    })();
    const b = tasklet(function* () {
      log.push('b1');
      yield* schedule();
      paused = a.paused ? a : null;
      a.insert();
      log.push('b2');
    })();
    try {
      run();
      expect(paused).to.equal(a);
      expect(log).to.deep.equal(['a1', 'b1', 'b2', 'a2:back']);
    } finally {
      reap(a, b);
    }
  });
});

describe('runtime: tasklet.run() rotates the ring (Stackless semantics)', () => {
  it('t.run() from main on a scheduled tasklet runs it and the ones after it, up to main\'s turn', () => {
    // Stackless docs: with t1 t2 t3 scheduled, "if you were to run t2 instead
    // of t1, then we would have only seen the output of t2 and t3".
    const log: string[] = [];
    const mainScheduled: boolean[] = [];
    const t1 = logger(log, 't1', 1);
    const t2 = tasklet(function* () {
      log.push('t2');
      mainScheduled.push(getmain().scheduled);
      yield* schedule();
      log.push('t2!1');
    })();
    const t3 = logger(log, 't3', 1);
    try {
      const op = t2.run();
      expect(log).to.deep.equal(['t2', 't3']);
      expect(resultOf(op)).to.equal(undefined);
      expect(mainScheduled).to.deep.equal([true]);
      expect(t1.scheduled && t2.scheduled && t3.scheduled).to.equal(true);
      run();
      expect(log).to.deep.equal(['t2', 't3', 't1', 't2!1', 't3!1', 't1!1']);
    } finally {
      reap(t1, t2, t3);
    }
  });

  it('t.run() from main on a removed tasklet runs only that tasklet before main continues', () => {
    const log: string[] = [];
    const t1 = logger(log, 't1', 1);
    const t2 = logger(log, 't2', 1);
    const t3 = logger(log, 't3', 1);
    try {
      t2.remove();
      t2.run();
      expect(log).to.deep.equal(['t2']);
      expect(t2.scheduled).to.equal(true);
      run();
      expect(log).to.deep.equal(['t2', 't1', 't3', 't2!1', 't1!1', 't3!1']);
    } finally {
      reap(t1, t2, t3);
    }
  });

  it('yield* t.run() inside a tasklet: target, the tasklets behind it, then the caller, then the ones that stood between', () => {
    // Ring A B C D with A current; A runs C: the ring becomes C D A B.
    const log: string[] = [];
    let c: Tasklet<[], void> | null = null;
    tasklet(function* () {
      log.push('A1');
      yield* (c as Tasklet<[], void>).run();
      log.push('A2');
    })();
    logger(log, 'B');
    c = logger(log, 'C');
    logger(log, 'D');
    run();
    expect(log).to.deep.equal(['A1', 'C', 'D', 'A2', 'B']);
  });

  it('yield* t.run() on a tasklet that is not scheduled puts it right before the caller', () => {
    const log: string[] = [];
    const x = tasklet(function* () {
      log.push('X');
    });
    x.bind(undefined, []);
    tasklet(function* () {
      log.push('A1');
      yield* x.run();
      log.push('A2');
    })();
    logger(log, 'B');
    run();
    expect(log).to.deep.equal(['A1', 'X', 'A2', 'B']);
  });

  it('run() on the current tasklet does nothing; on a dead or a blocked tasklet it raises RuntimeError', () => {
    const ch = new Channel<number>();
    const log: string[] = [];
    const blocked = tasklet(function* () {
      yield* ch.receive();
    })();
    const dead = tasklet(function* () {})();
    let errors: unknown[] = [];
    const t = tasklet(function* () {
      yield* getcurrent().run();
      log.push('still here');
      for (const target of [dead, blocked]) {
        try {
          yield* target.run();
        } catch (e) {
          errors.push(e);
        }
      }
    });
    try {
      run();
      expect(() => dead.run()).to.throw(RuntimeError);
      expect(() => blocked.run()).to.throw(RuntimeError);
      expect(() => getmain().run()).to.not.throw();
      t();
      run();
      expect(log).to.deep.equal(['still here']);
      expect(errors).to.have.length(2);
      errors.forEach((e) => expect(e).to.be.instanceOf(RuntimeError));
      expect(blocked.blocked).to.equal(true);
    } finally {
      errors = [];
      reap(blocked, t);
    }
  });
});

describe('runtime: tasklet.switch() pauses the caller', () => {
  it('yield* t.switch() runs the target now and leaves the caller paused until it is inserted', () => {
    // Ring A B C D with A current; A switches to C: A leaves, the ring is C D B.
    const log: string[] = [];
    let c: Tasklet<[], void> | null = null;
    const a = tasklet(function* () {
      log.push('A1');
      yield* (c as Tasklet<[], void>).switch();
      log.push('A2');
    })();
    logger(log, 'B');
    c = logger(log, 'C');
    logger(log, 'D');
    try {
      run();
      expect(log).to.deep.equal(['A1', 'C', 'D', 'B']);
      expect(a.alive).to.equal(true);
      expect(a.paused).to.equal(true);
      a.insert();
      run();
      expect(log).to.deep.equal(['A1', 'C', 'D', 'B', 'A2']);
    } finally {
      reap(a);
    }
  });

  it('t.switch() from main pauses main: it runs the tasklets until none is runnable', () => {
    const log: string[] = [];
    const mainState: boolean[] = [];
    logger(log, 'a', 2);
    const b = tasklet(function* () {
      mainState.push(getmain().scheduled, getmain().paused);
      log.push('b');
    })();
    b.switch();
    expect(log).to.deep.equal(['b', 'a', 'a!1', 'a!2']);
    expect(mainState).to.deep.equal([false, true]);
  });

  it('switch() to a blocked tasklet raises RuntimeError and leaves it blocked', () => {
    const ch = new Channel<number>();
    const t = tasklet(function* () {
      yield* ch.receive();
    })();
    try {
      run();
      expect(() => t.switch()).to.throw(RuntimeError, /blocked/);
      expect(t.blocked).to.equal(true);
    } finally {
      reap(t);
    }
  });
});

describe('runtime: getcurrent, getmain, getruncount', () => {
  it('getcurrent() is main outside tasklets and the running tasklet inside one', () => {
    expect(getcurrent()).to.equal(getmain());
    const seen: Tasklet<any[], any>[] = [];
    const t = tasklet(function* () {
      seen.push(getcurrent());
      yield* schedule();
      seen.push(getcurrent());
    })();
    run();
    expect(seen).to.deep.equal([t, t]);
    expect(getcurrent()).to.equal(getmain());
  });

  it('getmain() is the same main tasklet everywhere', () => {
    const main = getmain();
    let inside: Tasklet<any[], any> | null = null;
    tasklet(function* () {
      inside = getmain();
    })();
    run();
    expect(inside).to.equal(main);
    expect(main.isMain).to.equal(true);
  });

  it('getruncount() counts main as 1, plus every runnable tasklet', () => {
    expect(getruncount()).to.equal(1);
    const a = tasklet(function* () {})();
    const b = tasklet(function* () {})();
    expect(getruncount()).to.equal(3);
    a.remove();
    expect(getruncount()).to.equal(2);
    a.insert();
    run();
    expect(getruncount()).to.equal(1);
    expect(b.alive).to.equal(false);
  });

  it('inside a tasklet reached by schedule() from main, getruncount() counts the current tasklet, the queue and main', () => {
    const counts: number[] = [];
    tasklet(function* () {
      counts.push(getruncount());
    })();
    tasklet(function* () {})();
    schedule();
    // current + the other tasklet + main (which schedule() left in the queue)
    expect(counts).to.deep.equal([3]);
  });

  it('during run() main waits as the watchdog: it is paused, not scheduled', () => {
    const states: boolean[][] = [];
    tasklet(function* () {
      states.push([getmain().paused, getmain().scheduled]);
    })();
    run();
    expect(states).to.deep.equal([[true, false]]);
  });

  // Stackless' run() takes main out of the runnables (slp_current_remove in
  // PyStackless_RunWatchdogEx), so runcount inside the tasklets it runs does
  // not include main; the runtime itself reports main as paused there.
  it('inside a tasklet run by run(), getruncount() counts the runnable tasklets only, not the paused main', () => {
    const counts: number[] = [];
    tasklet(function* () {
      counts.push(getruncount());
    })();
    tasklet(function* () {})();
    run();
    expect(counts).to.deep.equal([2]);
  });
});
