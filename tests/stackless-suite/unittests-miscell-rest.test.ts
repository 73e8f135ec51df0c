// Stackless/unittests/test_miscell.py: the classes not in
// unittests-miscell.test.ts -- the rest of TestBind, TestContextManager,
// TestModule, TestCstate and TestTaskletFinalizer -- and the contextlib test
// classes the file creates. Where a Python test also checks frames, weak
// references or C state, the rest of it is ported and a comment says what
// is left out.
import { expect } from 'chai';
import {
  block,
  debug,
  getdebug,
  getmain,
  getuncollectables,
  run,
  scheduleRemove,
  Tasklet,
  tasklet,
  uncollectables,
  RuntimeError,
} from '@stackless-io/runtime';
import { notExpressible, test } from './suite.js';

const C_STATE = 'C state: a tasklet here never has C frames on a C stack of its own (_teststackless.test_cstate, apply_not_stackless)';
const THREADS = 'threads: a JavaScript realm has one thread of tasklets';

describe('stackless-suite unittests: test_miscell contextlib classes', () => {
  notExpressible('test_contextlib classes as tasklets', "CPython's own test_contextlib classes, re-run inside tasklets: they test Python's contextlib module");
});

describe('stackless-suite unittests: test_miscell TestBind (the rest)', () => {
  let finallyRunCount = 0;
  beforeEach(() => {
    finallyRunCount = 0;
  });
  function* task(): Generator<any, void, unknown> {
    try {
      yield* scheduleRemove(null);
    } finally {
      finallyRunCount += 1;
    }
  }

  test('test_bind', () => {
    // Left out: t.frame, nesting_level, restorable and the weak reference
    // that proves the tasklet is collected (JavaScript collects at a time
    // of its own choosing).
    const t = new Tasklet<[], void>();
    expect(t.alive).to.equal(false);
    t.bind(null); // must not change the tasklet
    expect(t.alive).to.equal(false);
    t.bind(task);
    t.setup();
    run();
    expect(t.scheduled).to.equal(false);
    expect(t.alive).to.equal(true);
    t.insert();
    run();
    expect(t.alive).to.equal(false);
    expect(finallyRunCount).to.equal(1);
  });

  test('test_unbind_ok', () => {
    // Left out: nesting_level, t.frame and the weak reference (see test_bind).
    const t = tasklet(task)();
    run(); // a paused tasklet
    expect(t.scheduled).to.equal(false);
    expect(t.alive).to.equal(true);
    t.bind(null);
    expect(t.alive).to.equal(false);
    // Unbinding drops the suspended body without running its finally clause.
    expect(finallyRunCount).to.equal(0);
  });

  notExpressible('test_unbind_fail_cstate', C_STATE);

  test('test_unbind_main', () => {
    // Python runs this in a new thread only to have a main tasklet with
    // nesting level 0; here main always has none.
    let err: unknown;
    const other = tasklet(function* () {
      try {
        getmain().bind(null);
      } catch (e) {
        err = e;
      }
    })();
    block(other.switch());
    expect(err).to.be.instanceOf(RuntimeError);
    expect((err as Error).message).to.match(/can't unbind the main tasklet/);
  });

  notExpressible('test_rebind_main', `${THREADS}, and main stands for the code outside tasklets, which no function can replace`);
  notExpressible('test_rebind_recursion_depth', 'recursion_depth counts Python frames on the C stack; a generator has no such count');
  notExpressible('test_unbind_fail_cstate_no_thread', `${THREADS}; ${C_STATE}`);
});

describe('stackless-suite unittests: test_miscell TestContextManager', () => {
  notExpressible('test_nestingLevel', 'nesting_level counts C-stack nesting; JavaScript code has no C-stack switching to count');

  test('test_tasklet_switch_in_exitfunc_after_return', () => {
    // A context manager's __exit__ is a finally clause here: it switches to
    // main after the body's return (Stackless issue #159). The exit function
    // returning True to silence an exception has no finally counterpart;
    // _teststackless.test_cframe() is a C debugging aid.
    const t = tasklet(function* task() {
      try {
        return null;
      } finally {
        yield* scheduleRemove(4711); // soft switch to the main tasklet
      }
    })();
    block(t.run());
    expect(t.tempval).to.equal(4711); // back from the exit function
    block(t.run());
    expect(t.alive).to.equal(false); // tasklet done
  });
});

describe('stackless-suite unittests: test_miscell TestModule', () => {
  test('test_get_debug', () => {
    expect([true, false]).to.include(getdebug());
  });

  test('test_debug', () => {
    expect([true, false]).to.include(debug);
  });

  test('test_get_uncollectables', () => {
    expect(Array.isArray(getuncollectables())).to.equal(true);
  });

  test('test_uncollectables', () => {
    expect(Array.isArray(uncollectables)).to.equal(true);
  });

  notExpressible('test_get_threads', 'thread ids: a JavaScript realm has one thread of tasklets');
  notExpressible('test_threads', 'thread ids: a JavaScript realm has one thread of tasklets');
});

describe('stackless-suite unittests: test_miscell TestCstate', () => {
  const CSTACK = 'the C stacks that Stackless switches (tasklet.cstate, stackless.cstack): JavaScript never switches C stacks';
  notExpressible('test_cstate', CSTACK);
  notExpressible('test_str_size', CSTACK);
  notExpressible('test_nesting_level', CSTACK);
  notExpressible('test_chain', CSTACK);
});

describe('stackless-suite unittests: test_miscell TestTaskletFinalizer', () => {
  notExpressible(
    'test_zombie',
    "a finalizer called by hand (t.__del__()) and gc.garbage: JavaScript's collector calls no finalizer on a live object and keeps no list of uncollectable ones; the zombie also needs C state",
  );
});
