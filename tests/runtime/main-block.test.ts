// block(op) from main: schedule(), t.run(), t.switch() and sleep() run the
// scheduler inside the call; while main waits on a timer the thread waits on
// the timer heap (Node's loop does not turn); bad input raises TypeError.
import { expect } from 'chai';
import { block, getmain, run, RuntimeError, schedule, sleep, stats, tasklet } from '@stackless-io/runtime';

describe('runtime: main blocks (block(op))', () => {
  it('schedule() from main runs the other runnable tasklets once and returns its value', () => {
    const log: string[] = [];
    tasklet(function* () {
      log.push('a1');
      yield* schedule();
      log.push('a2');
    })();
    expect(block(schedule(7))).to.equal(7);
    expect(log).to.deep.equal(['a1']);
    run();
    expect(log).to.deep.equal(['a1', 'a2']);
  });

  it('t.run() from main returns once main is scheduled again; t.switch() once nothing else can run', () => {
    const log: string[] = [];
    const t = tasklet(function* () {
      log.push('t1');
      yield* schedule();
      log.push('t2');
      yield* schedule();
      log.push('t3');
    })();
    block(t.run());
    expect(log).to.deep.equal(['t1']);
    block(t.switch());
    // Main was paused: it comes back only when t has nothing left to run.
    expect(log).to.deep.equal(['t1', 't2', 't3']);
    expect(t.alive).to.equal(false);
  });

  it('main sleeping while a tasklet sleeps: the thread waits on the timer heap and both wake in deadline order', () => {
    const log: string[] = [];
    tasklet(function* () {
      yield* sleep(0.005);
      log.push('tasklet woke');
    })();
    block(sleep(0.02));
    log.push('main woke');
    expect(log).to.deep.equal(['tasklet woke', 'main woke']);
    expect(stats().timers).to.equal(0);
  });

  it('getmain().raiseException() from main raises at once', () => {
    expect(() => getmain().raiseException(RangeError, 'now')).to.throw(RangeError, 'now');
  });

  it('block() rejects what is not an operation, and is refused inside a tasklet', () => {
    for (const bad of [undefined, null, 5, 'x', {}]) {
      expect(() => block(bad as never), String(bad)).to.throw(TypeError);
    }
    let caught: unknown;
    tasklet(function* () {
      try {
        block(schedule());
      } catch (e) {
        caught = e;
      }
    })();
    run();
    expect(caught).to.be.instanceOf(RuntimeError);
  });
});
