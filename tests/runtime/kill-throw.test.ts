// kill(), throw() and raiseException(): raising inside another tasklet,
// immediately or pending, and what a killed tasklet leaves behind (nothing).
// Reference: Stackless' tasklet.throw/kill documentation and its test suite
// (test_miscell.py: TestKill, TestTaskletThrowImmediate/NonImmediate).
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import {
  getcurrent,
  getmain,
  run,
  RuntimeError,
  schedule,
  sleep,
  stats,
  tasklet,
  TaskletExit,
  waitFor,
  type RaiseOptions,
  type Tasklet,
  type TaskletGenerator,
} from '@stackless-io/runtime';

function reap(...ts: Tasklet<any[], any>[]): void {
  for (const t of ts) if (!t.isMain && t.alive) t.kill();
}

function nodeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

class IndexError extends Error {
  override name = 'IndexError';
  constructor(readonly a?: number, readonly b?: string) {
    super(`index ${a} ${b}`);
  }
}

describe('runtime: kill()', () => {
  it('kill() from main raises TaskletExit in a started tasklet at once: its finally block has run when kill() returns', () => {
    const log: string[] = [];
    const t = tasklet(function* () {
      try {
        log.push('started');
        yield* schedule();
        log.push('not reached');
      } catch (e) {
        log.push(`caught ${(e as Error).name}`);
        throw e;
      } finally {
        log.push('finally');
      }
    })();
    schedule(); // one round: t starts and is runnable again
    expect(t.scheduled).to.equal(true);
    t.kill();
    expect(log).to.deep.equal(['started', 'caught TaskletExit', 'finally']);
    expect(t.alive).to.equal(false);
    expect(t.scheduled).to.equal(false);
    expect(stats().runnable).to.equal(0);
  });

  it('kill({ pending: true }) only makes the tasklet runnable: it meets TaskletExit at its turn', () => {
    const log: string[] = [];
    const ch = new Channel<number>();
    const t = tasklet(function* () {
      try {
        yield* ch.receive();
      } finally {
        log.push('finally');
      }
    })();
    try {
      run();
      expect(t.blocked).to.equal(true);
      t.kill({ pending: true });
      expect(log).to.deep.equal([]);
      expect(t.alive).to.equal(true);
      expect(t.blocked).to.equal(false);
      expect(t.scheduled).to.equal(true);
      expect(ch.balance).to.equal(0);
      run();
      expect(log).to.deep.equal(['finally']);
      expect(t.alive).to.equal(false);
    } finally {
      reap(t);
    }
  });

  it('killing a tasklet that never started ends it without running its function', async () => {
    let ran = false;
    const t = tasklet(function* () {
      try {
        ran = true;
        yield* schedule();
      } finally {
        ran = true;
      }
    })();
    const joined = t.join();
    t.kill();
    expect(ran).to.equal(false);
    expect(t.alive).to.equal(false);
    expect(t.scheduled).to.equal(false);
    expect(stats()).to.include({ alive: 0, runnable: 0 });
    run();
    expect(ran).to.equal(false);
    const err = await joined.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(TaskletExit);
  });

  it('killing a paused tasklet that was bound but never inserted ends it too; with pending it dies at its turn', () => {
    let ran = false;
    const body = function* () {
      ran = true;
    };
    const t = tasklet(body);
    t.bind(undefined, []);
    expect(t.paused).to.equal(true);
    t.kill();
    expect(t.alive).to.equal(false);
    // Stackless (testLC_paused_scheduled): kill(pending=True) makes it scheduled.
    t.bind(body, []);
    t.kill({ pending: true });
    expect(t.alive).to.equal(true);
    expect(t.scheduled).to.equal(true);
    run();
    expect(t.alive).to.equal(false);
    expect(ran).to.equal(false);
  });

  it('kill() of a dead tasklet does nothing; kill() of main raises RuntimeError', () => {
    const t = tasklet(function* () {})();
    run();
    expect(() => t.kill()).to.not.throw();
    expect(() => t.kill({ pending: true })).to.not.throw();
    expect(t.alive).to.equal(false);
    expect(() => getmain().kill()).to.throw(RuntimeError);
  });

  it('kill() takes options as an object: anything else is a TypeError', () => {
    const t = tasklet(function* () {})();
    try {
      expect(() => t.kill(5 as unknown as RaiseOptions)).to.throw(TypeError);
      expect(t.alive).to.equal(true);
      run();
    } finally {
      reap(t);
    }
  });

  it('killing a tasklet blocked in sleep() runs its finally block and disarms its timer', () => {
    const log: string[] = [];
    const baseline = nodeTimers();
    const t = tasklet(function* () {
      try {
        yield* sleep(60);
      } finally {
        log.push('finally');
      }
    })();
    try {
      run();
      expect(t.blocked).to.equal(true);
      expect(stats().timers).to.equal(1);
      expect(nodeTimers()).to.equal(baseline + 1);
      t.kill();
      expect(log).to.deep.equal(['finally']);
      expect(t.alive).to.equal(false);
      expect(stats().timers).to.equal(0);
      expect(nodeTimers(), 'Node timer cleared').to.equal(baseline);
    } finally {
      reap(t);
    }
  });

  it('killing one of several sleepers leaves the others\' timers alone', async () => {
    const woke: string[] = [];
    const long = tasklet(function* () {
      yield* sleep(60);
      woke.push('long');
    })();
    const short = tasklet(function* () {
      yield* sleep(0.01);
      woke.push('short');
    })();
    try {
      run();
      expect(stats().timers).to.equal(2);
      long.kill();
      expect(stats().timers).to.equal(1);
      await short.join();
      expect(woke).to.deep.equal(['short']);
      expect(stats().timers).to.equal(0);
    } finally {
      reap(long, short);
    }
  });

  it('killing a tasklet blocked in waitFor() stops the wait; a later settlement is ignored', async () => {
    let resolve!: (v: string) => void;
    const pending = new Promise<string>((r) => {
      resolve = r;
    });
    const log: string[] = [];
    const t = tasklet(function* () {
      try {
        log.push(yield* waitFor(pending));
      } finally {
        log.push('finally');
      }
    })();
    try {
      run();
      expect(stats().promises).to.equal(1);
      t.kill();
      expect(log).to.deep.equal(['finally']);
      expect(stats().promises).to.equal(0);
      resolve('late');
      await pending;
      await new Promise((r) => setImmediate(r));
      expect(log).to.deep.equal(['finally']);
      expect(stats()).to.include({ promises: 0, runnable: 0, alive: 0 });
    } finally {
      reap(t);
    }
  });

  it('killing a tasklet blocked on a channel receive takes it off the channel queue', () => {
    const ch = new Channel<number>();
    const log: string[] = [];
    const t = tasklet(function* () {
      try {
        yield* ch.receive();
      } finally {
        log.push('finally');
      }
    })();
    const other = tasklet(function* () {
      return yield* ch.receive();
    })();
    try {
      run();
      expect(ch.balance).to.equal(-2);
      expect(ch.waiting()).to.deep.equal([t, other]);
      t.kill();
      expect(log).to.deep.equal(['finally']);
      expect(ch.balance).to.equal(-1);
      expect(ch.waiting()).to.deep.equal([other]);
      other.kill();
      expect(ch.balance).to.equal(0);
      expect(ch.queue).to.equal(null);
    } finally {
      reap(t, other);
    }
  });

  it('yield* t.kill() inside a tasklet runs the victim now, then the killer goes on', () => {
    const log: string[] = [];
    const ch = new Channel<number>();
    const victim = tasklet(function* () {
      try {
        yield* ch.receive();
      } finally {
        log.push('victim finally');
      }
    })();
    tasklet(function* () {
      log.push('killer');
      yield* victim.kill();
      log.push(`killer after: victim alive=${victim.alive}`);
    })();
    run();
    expect(log).to.deep.equal(['killer', 'victim finally', 'killer after: victim alive=false']);
  });

  it('a tasklet that kills itself ends quietly: TaskletExit is raised in it and run() does not throw', () => {
    const log: string[] = [];
    const t = tasklet(function* () {
      try {
        getcurrent().kill();
        log.push('not reached');
      } catch (e) {
        log.push((e as Error).name);
        throw e;
      }
    })();
    expect(() => run()).to.not.throw();
    expect(log).to.deep.equal(['TaskletExit']);
    expect(t.alive).to.equal(false);
  });

  it('TaskletExit is an ordinary exception: a tasklet can catch it and go on', async () => {
    const t = tasklet(function* () {
      try {
        yield* schedule();
      } catch (e) {
        if (!(e instanceof TaskletExit)) throw e;
      }
      yield* schedule();
      return 'survived';
    })();
    const joined = t.join();
    schedule();
    t.kill();
    expect(t.alive).to.equal(true);
    run();
    expect(await joined).to.equal('survived');
  });

  it('join() of a killed tasklet rejects with TaskletExit', async () => {
    const t = tasklet(function* () {
      yield* sleep(60);
    })();
    const joined = t.join();
    run();
    t.kill();
    const err = await joined.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(TaskletExit);
  });
});

describe('runtime: throw() and raiseException()', () => {
  it('throw(error) raises the error inside a blocked tasklet and runs it at once', () => {
    const ch = new Channel<number>();
    const caught: unknown[] = [];
    const t = tasklet(function* () {
      try {
        yield* ch.receive();
      } catch (e) {
        caught.push(e);
      }
    })();
    try {
      run();
      const err = new IndexError(1, 'x');
      t.throw(err);
      expect(caught).to.deep.equal([err]);
      expect(t.alive).to.equal(false);
      expect(ch.balance).to.equal(0);
    } finally {
      reap(t);
    }
  });

  it('throw(error, { pending: true }) makes the tasklet runnable; it meets the error at its turn', () => {
    const ch = new Channel<number>();
    const caught: unknown[] = [];
    const t = tasklet(function* () {
      try {
        yield* ch.receive();
      } catch (e) {
        caught.push(e);
      }
    })();
    try {
      run();
      t.throw(new IndexError(2), { pending: true });
      expect(caught).to.deep.equal([]);
      expect(t.alive).to.equal(true);
      expect(t.blocked).to.equal(false);
      expect(t.scheduled).to.equal(true);
      expect(ch.balance).to.equal(0);
      run();
      expect(caught).to.have.length(1);
      expect(caught[0]).to.be.instanceOf(IndexError);
      expect(t.alive).to.equal(false);
    } finally {
      reap(t);
    }
  });

  it('an error thrown in that the tasklet does not catch reaches the caller of throw()', () => {
    const t = tasklet(function* () {
      yield* scheduleForever();
    })();
    schedule();
    expect(() => t.throw(new RangeError('unhandled'))).to.throw(RangeError, 'unhandled');
    expect(t.alive).to.equal(false);
    expect(stats().runnable).to.equal(0);
  });

  it('yield* t.throw(error) inside a tasklet delivers the error, then the thrower goes on', () => {
    const log: string[] = [];
    const ch = new Channel<number>();
    const target = tasklet(function* () {
      try {
        yield* ch.receive();
      } catch (e) {
        log.push(`target got ${(e as Error).message}`);
      }
    })();
    tasklet(function* () {
      yield* target.throw(new Error('from a tasklet'));
      log.push('thrower goes on');
    })();
    run();
    expect(log).to.deep.equal(['target got from a tasklet', 'thrower goes on']);
  });

  it('throw() into a tasklet that never started ends it; the error reaches the caller and the function never runs', () => {
    let ran = false;
    const t = tasklet(function* () {
      ran = true;
    })();
    expect(() => t.throw(new IndexError(3))).to.throw(IndexError);
    expect(t.alive).to.equal(false);
    run();
    expect(ran).to.equal(false);
  });

  // Stackless test_miscell.py, TestTaskletThrowNonImmediate.test_new: a
  // pending throw into a new tasklet does not raise at the call; the error
  // comes out of stackless.run(), at the tasklet's turn. The runtime's own
  // RaiseOptions doc says the same: "the target is only made runnable and
  // meets the exception at its turn".
  it('throw(error, { pending: true }) into a tasklet that never started raises the error at its turn (run()), not at the call', () => {
    let ran = false;
    const t = tasklet(function* () {
      ran = true;
    })();
    try {
      expect(() => t.throw(new IndexError(4), { pending: true })).to.not.throw();
      expect(t.scheduled).to.equal(true);
      expect(() => run()).to.throw(IndexError);
      expect(ran).to.equal(false);
      expect(t.alive).to.equal(false);
    } finally {
      reap(t);
    }
  });

  it('throw() into a dead tasklet, or into main from a tasklet while main does not wait in block(), raises RuntimeError', () => {
    const t = tasklet(function* () {})();
    run();
    expect(() => t.throw(new Error('x'))).to.throw(RuntimeError);
    let caught: unknown;
    tasklet(function* () {
      try {
        yield* getmain().throw(new Error('x'));
      } catch (e) {
        caught = e;
      }
    })();
    run();
    expect(caught).to.be.instanceOf(RuntimeError);
  });

  it('main raising into itself raises the error at once, as the current tasklet does in Stackless', () => {
    const boom = new Error('x');
    expect(() => getmain().throw(boom)).to.throw(boom);
  });

  // Stackless: "If you try to raise an exception on a tasklet, that is not
  // alive, the method raises RuntimeError on the caller. There is one
  // exception: you can safely raise TaskletExit, if the tasklet already
  // ended." (test_miscell.py test_kill_dead: nothing should happen.)
  it('throwing TaskletExit into a tasklet that already ended does nothing', () => {
    const t = tasklet(function* () {})();
    run();
    expect(() => t.throw(new TaskletExit())).to.not.throw();
    expect(() => t.raiseException(TaskletExit)).to.not.throw();
    expect(t.alive).to.equal(false);
  });

  it('raiseException(ErrorClass, ...args) raises new ErrorClass(...args) inside the tasklet, at once', () => {
    const ch = new Channel<number>();
    const caught: unknown[] = [];
    const t = tasklet(function* () {
      try {
        yield* ch.receive();
      } catch (e) {
        caught.push(e);
      }
      return 'done';
    })();
    try {
      run();
      t.raiseException(IndexError, 7, 'seven');
      expect(caught).to.have.length(1);
      const e = caught[0] as IndexError;
      expect(e).to.be.instanceOf(IndexError);
      expect(e.a).to.equal(7);
      expect(e.b).to.equal('seven');
      expect(t.alive).to.equal(false);
    } finally {
      reap(t);
    }
  });

  it('raiseException() with something that is not a class raises TypeError and leaves the tasklet alone', () => {
    const t = tasklet(function* () {
      yield* schedule();
    })();
    try {
      schedule();
      expect(() => t.raiseException('nope' as unknown as typeof Error)).to.throw(TypeError);
      expect(t.alive).to.equal(true);
      run();
      expect(t.alive).to.equal(false);
    } finally {
      reap(t);
    }
  });
});

function* scheduleForever(): TaskletGenerator<never> {
  for (;;) yield* schedule();
}
