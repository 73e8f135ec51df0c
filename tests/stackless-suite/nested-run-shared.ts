// Class TestNewWatchdog of stackless_testsuite/v3_1/test_watchdog.py and
// Stackless/unittests/test_watchdog.py (same bodies): run() called from a
// tasklet (nestedRun() here, since inside a tasklet it must be yield*-ed)
// and nested run() invocations.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { atomic, block, getmain, getruncount, nestedRun, run, RuntimeError, schedule, tasklet, type Tasklet } from '@stackless-io/runtime';
import { test } from './suite.js';

/** setUp: a worker that schedules once, then counts itself done. */
function setUp(): { done: number } {
  const self = { done: 0 };
  tasklet(function* worker() {
    yield* schedule();
    self.done += 1;
  })();
  return self;
}

function* busyTask(): Generator<any, never, unknown> {
  for (;;) {
    for (let i = 0; i < 1000; i++) {
      // busy, as the Python task
    }
    yield* schedule();
  }
}

function watchdogOnTasklet(soft: boolean): void {
  const self = setUp();
  let t1: Tasklet<[], never> | null = null;
  let t2: Tasklet<[], never> | null = null;
  t1 = tasklet(busyTask)();
  t2 = tasklet(busyTask)();
  tasklet(function* runner() {
    yield* nestedRun(2, { soft, totaltimeout: true });
    if (getruncount() > 1) self.done += 1; // we were interrupted
    (t1 as Tasklet<[], never>).kill();
    (t2 as Tasklet<[], never>).kill();
  })();
  run();
  expect(self.done).to.equal(2);
}

function watchdogPriority(soft: boolean): void {
  const self = setUp();
  let awoken = 0;
  const t1 = tasklet(busyTask)();
  const t2 = tasklet(busyTask)();
  const runnerFunc = function* (recursive: number, start: number): Generator<any, void, unknown> {
    if (recursive) tasklet(runnerFunc)(recursive - 1, start);
    let a = -1;
    yield* atomic(
      (function* () {
        yield* nestedRun(10000, { soft, totaltimeout: true });
        a = awoken;
        awoken += 1;
      })(),
    );
    if (recursive === start) {
      expect(a).to.equal(0); // the first to wake up
      self.done += 1; // we were interrupted
    }
    if (t1.alive) yield* t1.kill();
    if (t2.alive) yield* t2.kill();
  };
  tasklet(runnerFunc)(3, 3);
  run();
  expect(self.done).to.equal(2);
}

/** Registers the shared tests under `source`'s name; `extra` registers that file's own. */
export function nestedRunTests(source: string, extra: () => void = () => {}): void {
  describe(`stackless-suite ${source}: TestNewWatchdog`, () => {
    extra();
    test('test_run_from_worker', () => {
      const self = setUp();
      const t = tasklet(function* runner() {
        yield* nestedRun();
        self.done += 1;
      })();
      while (!self.done) block(schedule());
      expect(self.done).to.equal(1);
      block(t.run());
      expect(self.done).to.equal(2);
    });

    test('test_run_from_worker_main_blocked', () => {
      const self = setUp();
      const c = new Channel<null>();
      tasklet(function* runner() {
        yield* nestedRun();
        self.done += 1;
        yield* c.send(null);
      })();
      block(c.receive());
      expect(self.done).to.equal(2);
    });

    test('test_run_from_worker_main_running', () => {
      const self = setUp();
      tasklet(function* runner() {
        yield* nestedRun();
        expect(self.done).to.equal(1);
        self.done += 1;
      })();
      run();
      expect(self.done).to.equal(2);
    });

    test('test_inner_run_completes_first', () => {
      const self = setUp();
      tasklet(function* runner() {
        yield* nestedRun();
        expect(getmain().paused).to.equal(true);
        self.done += 1;
      })();
      run();
      expect(self.done).to.equal(2);
    });

    test('test_inner_run_gets_error', () => {
      const self = setUp();
      tasklet(function* runner() {
        tasklet(function* errfunc() {
          throw new RuntimeError('foo');
        })();
        let err: unknown;
        try {
          yield* nestedRun();
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(RuntimeError);
        expect((err as Error).message).to.match(/foo/);
        self.done += 1;
      })();
      run();
      expect(self.done).to.equal(2);
    });

    test('test_manual_wakeup', () => {
      const self = setUp();
      tasklet(function* runner() {
        tasklet(function* wakeupfunc() {
          yield* getmain().run();
          self.done += 1;
        })();
        yield* nestedRun();
        self.done += 1;
      })();
      run();
      expect(self.done).to.equal(1); // only the worker has run now
      run();
      expect(self.done).to.equal(3); // all tasklets have completed
    });

    test('test_main_exiting', () => {
      const self = setUp();
      const t = tasklet(function* runner() {
        yield* nestedRun();
        self.done += 1;
      })();
      while (!self.done) block(schedule());
      expect(self.done).to.equal(1); // only the worker has finished
      run();
      expect(self.done).to.equal(1);
      run();
      expect(self.done).to.equal(1); // the other tasklet is blocked
      block(schedule());
      expect(self.done).to.equal(1);
      expect(t.alive).to.equal(true);
      t.kill();
      expect(t.alive).to.equal(false);
    });

    test('test_watchdog_on_tasklet_soft', () => watchdogOnTasklet(true));
    test('test_watchdog_on_tasklet_hard', () => watchdogOnTasklet(false));
    test('test_watchdog_priority_soft', () => watchdogPriority(true));
    test('test_watchdog_priority_hard', () => watchdogPriority(false));
  });
}
