// stackless-testsuite: stackless_testsuite/v3_1/test_functionality.py and
// test_content.py (the module-level functions of `stackless`).
import { expect } from 'chai';
import {
  atomic,
  block,
  getcurrent,
  getmain,
  getruncount,
  run,
  schedule,
  scheduleRemove,
  Tasklet,
  tasklet,
  type Tasklet as TaskletT,
} from '@stackless-io/runtime';
import { notExpressible, test } from './suite.js';

describe('stackless-suite v3_1: AtomicTest', () => {
  test('testAtomicCtxt', () => {
    const t = tasklet(function* () {
      const old = getcurrent().atomic;
      getcurrent().setAtomic(false);
      try {
        yield* atomic(
          (function* () {
            expect(getcurrent().atomic).to.equal(true);
          })(),
        );
      } finally {
        getcurrent().setAtomic(old);
      }
    })();
    run();
    expect(t.alive).to.equal(false);
  });

  test('testAtomicNopCtxt', () => {
    tasklet(function* () {
      getcurrent().setAtomic(true);
      yield* atomic(
        (function* () {
          expect(getcurrent().atomic).to.equal(true);
        })(),
      );
      expect(getcurrent().atomic).to.equal(true);
    })();
    run();
  });
});

describe('stackless-suite v3_1: OtherTestCases', () => {
  test('testSig_run', () => {
    // Positional form; the keyword form is listed below.
    expect(run()).to.equal(null);
    expect(run(0)).to.equal(null);
    expect(run(0, { soft: false, totaltimeout: false })).to.equal(null);
  });

  test('testSig_schedule', () => {
    const done: boolean[] = [];
    tasklet(function* () {
      expect(yield* schedule()).to.equal(getcurrent());
      const o = {};
      expect(yield* schedule(o)).to.equal(o);
      done.push(true);
    })();
    run();
    expect(done).to.deep.equal([true]);
  });

  test('testSig_schedule_remove', () => {
    const done: boolean[] = [];
    const t = tasklet(function* () {
      const tlet = getcurrent();
      expect(yield* scheduleRemove()).to.equal(tlet);
      const o = {};
      expect(yield* scheduleRemove(o)).to.equal(o);
      done.push(true);
    })();
    tasklet(function* (tl: TaskletT) {
      while (tl.alive) {
        tl.insert();
        yield* schedule();
      }
    })(t);
    run();
    expect(done).to.deep.equal([true]);
  });

  notExpressible('testSig_get_thread_info', 'thread ids: a JavaScript realm has one thread of tasklets');

  test('testSig_getcurrent', () => {
    expect(getcurrent()).to.be.instanceOf(Tasklet);
  });

  test('testSig_getmain', () => {
    expect(getmain()).to.be.instanceOf(Tasklet);
  });

  test('testSig_getruncount', () => {
    expect(getruncount()).to.be.a('number');
  });

  notExpressible('testStackless', 'the module referring to itself (stackless.stackless) is a Python module attribute');

  test('testMain', () => {
    expect(getmain()).to.equal(getmain());
    expect(getmain().isMain).to.equal(true);
  });

  test('testCurrent', () => {
    expect(getcurrent()).to.equal(getmain());
  });

  test('testCurrent2', () => {
    const current: TaskletT[] = [];
    const task = new Tasklet().bind(function* () {
      current.push(getcurrent());
    }, []);
    block(task.run());
    expect(current[0]).to.equal(task);
    expect(task).to.not.equal(getcurrent());
  });

  notExpressible('testMainIsCurrentInThread', 'threads: a JavaScript realm has one thread of tasklets');

  test('testMainIsCurrentInMainThread', () => {
    // A fresh process starts in main (the subprocess of the Python test is this process here).
    expect(getmain()).to.equal(getcurrent());
  });

  test('testRuncount', () => {
    const rc1 = getruncount();
    expect(rc1).to.be.at.least(1);
    const c: number[] = [];
    const tlet = tasklet(function* () {
      c.push(getruncount());
      c.push(getruncount());
    })();
    expect(getruncount()).to.equal(rc1 + 1);
    block(tlet.run());
    expect(c).to.deep.equal([rc1 + 1, rc1 + 1]);
    expect(getruncount()).to.equal(rc1);
  });

  notExpressible('GetThreadInfoTest.testWithTasklets', 'get_thread_info takes a thread id');
  notExpressible('GetThreadInfoTest.testAllThreads', 'thread ids');
  notExpressible('GetThreadInfoTest.testThreads_main', 'stackless.threads lists thread ids');
});
