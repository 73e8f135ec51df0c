// The watchdog and deadlock tests that Stackless keeps in two files with the
// same bodies: stackless_testsuite/v3_1/test_watchdog.py and
// Stackless/unittests/test_watchdog.py. The watchdog here counts
// resumptions, so a tasklet body that never switches cannot be interrupted;
// the Python loops that call schedule() port as is.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import {
  atomic,
  block,
  getcurrent,
  getruncount,
  run,
  RuntimeError,
  schedule,
  tasklet,
  type Tasklet,
  type TaskletGenerator,
} from '@stackless-io/runtime';
import { notExpressible, test } from './suite.js';

type T = Tasklet<any[], any>;

/** The Python SimpleScheduler: runs with the watchdog and reinserts what it interrupts. */
class SimpleScheduler {
  scheduleCount = 0;
  constructor(
    readonly bytecodes = 25,
    readonly soft = false,
  ) {}
  scheduleCb(task: T | null): void {
    this.scheduleCount++;
    if (task !== null) task.insert();
  }
  autoschedule(): void {
    while (getruncount() > 1) {
      let returned: T | null;
      try {
        returned = run(this.bytecodes, { soft: this.soft });
      } catch (e) {
        while (getruncount() > 1) (getcurrent().next as T).kill();
        throw e;
      }
      this.scheduleCb(returned);
    }
  }
}

function* runtask2(name: string): TaskletGenerator<string> {
  let x = 0;
  for (let ii = 0; ii < 1000; ii++) {
    if (ii % 50 === 0) yield* schedule();
    x += 1;
  }
  return name;
}

function* runtask4(name: string, channel: Channel<string>): TaskletGenerator<void> {
  for (let ii = 0; ii < 1000; ii++) if (ii % 50 === 0) yield* channel.send(name);
}

function* recurseLevelThenDoSchedule(count: number): TaskletGenerator<void> {
  if (count === 0) yield* schedule();
  else yield* recurseLevelThenDoSchedule(count - 1);
}

function* runtask5(_name: string): TaskletGenerator<void> {
  for (const ii of [1, 10, 100, 500]) yield* recurseLevelThenDoSchedule(ii);
}

function* runtaskAtomic(_name: string): TaskletGenerator<void> {
  for (let k = 0; k < 10; k++) {
    for (const count of [1, 10, 100, 500]) {
      const hold = getcurrent().setAtomic(true);
      for (let ii = 0; ii < count; ii++) {
        // busy, as the Python helper
      }
      getcurrent().setAtomic(hold);
    }
  }
}

class UserWarning extends Error {}
function* runtaskBad(_name: string): TaskletGenerator<void> {
  throw new UserWarning();
}

function runTasklets(fn: (name: string) => TaskletGenerator<unknown>, n: number, soft: boolean): number {
  const scheduler = new SimpleScheduler(n, soft);
  const tasklets = ['t1', 't2', 't3'].map((name) => tasklet(fn)(name));
  scheduler.autoschedule();
  for (const t of tasklets) expect(t.alive).to.equal(false);
  return scheduler.scheduleCount;
}

/** Registers the shared tests under `source`'s name. */
export function watchdogTests(source: string): void {
  for (const soft of [false, true]) {
    const cls = soft ? 'TestWatchdogSoft' : 'TestWatchdog';
    describe(`stackless-suite ${source}: ${cls}`, () => {
      notExpressible('test_simple', 'its tasklets loop without switching, and a generator cannot be interrupted');
      test('test_nested', () => {
        runTasklets(runtask5, 100, soft);
      });
      test('test_nested2', () => {
        runTasklets(runtask5, 0, soft);
      });
      notExpressible('test_tasklet_with_schedule', 'it compares with tasklets interrupted inside a loop that never switches');
      notExpressible('test_exec_tasklet', 'exec() of a loop that never switches');

      test('test_send_recv', () => {
        class StopIteration extends Error {}
        const chan = new Channel<string>();
        let count = 0;
        tasklet(function* servertask() {
          for (;;) {
            yield* chan.receive();
            count++;
          }
        })();
        const scheduler = new SimpleScheduler(100, soft);
        for (const name of ['client1', 'client2', 'client3']) tasklet(runtask4)(name, chan);
        scheduler.autoschedule();
        expect(count).to.equal(60);
        // Kill the server: the exception it does not catch comes back to main.
        expect(() => block(chan.sendException(StopIteration))).to.throw(StopIteration);
      });

      test('test_atomic', () => {
        runTasklets(runtaskAtomic, 100, soft);
      });

      test('test_exception', () => {
        expect(() => runTasklets(runtaskBad, 100, soft)).to.throw(UserWarning);
      });

      notExpressible('test_pickle', 'pickling');
      notExpressible('test_run_return', 'it unpickles a tasklet first (pickling)');

      test('test_lone_receive', () => {
        const t = tasklet(function* () {
          yield* new Channel<number>().receive();
        })();
        run();
        t.kill();
      });

      // runtask2 (schedule() every 50 steps) is the expressible half of test_tasklet_with_schedule.
      test('test_tasklet_with_schedule (runtask2 half)', () => {
        expect(runTasklets(runtask2, 100, soft)).to.be.at.least(1);
      });

      if (soft) {
        test('test_channelchain', () => {
          const chans = [new Channel<number>(), new Channel<number>(), new Channel<number>()];
          const c = [0, 1, 2].map(() =>
            tasklet(function* channelTasklet(i: number) {
              const a = i;
              const b = (i + 1) % 3;
              let recv = false;
              for (;;) {
                if (i !== 0 || recv) yield* (chans[a] as Channel<number>).receive();
                recv = true;
                let j = 0;
                const n = 100 + Math.floor(Math.random() * 901);
                for (let k = 0; k < n; k++) j = k + k;
                yield* (chans[b] as Channel<number>).send(j);
              }
            }),
          );
          [...c].reverse().forEach((t, i) => t(i));
          try {
            for (let i = 0; i < 10; i++) {
              run(50000, { soft: true, totaltimeout: true });
              expect([3, 4]).to.include(getruncount());
            }
          } finally {
            for (const t of c) t.kill();
          }
        });
      }
    });
  }

  describe(`stackless-suite ${source}: TestDeadlock`, () => {
    test('testReceiveOnMain', () => {
      expect(() => block(new Channel<number>().receive())).to.throw(RuntimeError, /Deadlock/);
    });

    test('test_main_receiving_endttasklet', () => {
      const c = new Channel<number>();
      tasklet(function* () {})();
      expect(() => block(c.receive())).to.throw(RuntimeError, /receiving/);
    });

    test('test_main_sending_enddtasklet', () => {
      const c = new Channel<null>();
      tasklet(function* () {})();
      expect(() => block(c.send(null))).to.throw(RuntimeError, /sending/);
    });

    test('test_main_gets_exception', () => {
      class ZeroDivisionError extends Error {}
      tasklet(function* () {
        throw new ZeroDivisionError('mumbai');
      })();
      expect(() => block(new Channel<number>().receive())).to.throw(ZeroDivisionError, 'mumbai');
    });

    test('test_tasklet_deadlock', () => {
      const mc = new Channel<null>();
      tasklet(function* () {
        const c = new Channel<number>();
        let err: unknown;
        try {
          yield* c.receive();
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(RuntimeError);
        expect((err as Error).message).to.match(/Deadlock/);
        yield* mc.send(null);
      })();
      block(mc.receive());
    });

    test('test_tasklet_and_main_receive', () => {
      const mc = new Channel<null>();
      tasklet(function* () {
        yield* new Channel<number>().receive();
      })();
      expect(() => block(mc.receive())).to.throw(RuntimeError, /Deadlock/);
    });

    test('test_error_propagation_when_not_deadlock', () => {
      class ZeroDivisionError extends Error {}
      tasklet(function* () {
        yield* schedule();
      })();
      tasklet(function* () {
        throw new ZeroDivisionError('bar');
      })();
      expect(() => run()).to.throw(ZeroDivisionError, 'bar');
      run();
    });
  });
}

void atomic;
