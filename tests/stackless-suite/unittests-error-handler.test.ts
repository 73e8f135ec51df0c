// Stackless/unittests/test_miscell.py: TestErrorHandler. Python's handler
// (exc, val, tb) is (type, value, traceback) here; handlerctxt() is a
// try/finally around the body.
import { expect } from 'chai';
import { block, getcurrent, run, schedule, setErrorHandler, tasklet, type ErrorHandler, type Tasklet } from '@stackless-io/runtime';
import { test } from './suite.js';

class IndexError extends Error {}
class ZeroDivisionError extends Error {}

describe('stackless-suite unittests: test_miscell TestErrorHandler', () => {
  let handled = 0;
  let ran = 0;
  let handledTasklet: Tasklet<any[], any> | null = null;
  beforeEach(() => {
    handled = ran = 0;
    handledTasklet = null;
  });

  const handler: ErrorHandler = (exc) => {
    expect(exc).to.be.a('function');
    handled = 1;
    handledTasklet = getcurrent();
  };

  const borkenHandler: ErrorHandler = () => {
    handled = 1;
    throw new IndexError('we are the mods');
  };

  function handlerctxt(h: ErrorHandler, body: () => void): void {
    const old = setErrorHandler(h);
    try {
      body();
    } finally {
      setErrorHandler(old);
    }
  }

  function getHandler(): ErrorHandler | null {
    const h = setErrorHandler(null);
    setErrorHandler(h);
    return h;
  }

  function* func(h: ErrorHandler): Generator<any, void, unknown> {
    ran = 1;
    expect(getHandler()).to.equal(h);
    throw new ZeroDivisionError('I am borken');
  }

  test('test_set', () => {
    const foo: ErrorHandler = () => {};
    expect(setErrorHandler(foo)).to.equal(null);
    expect(setErrorHandler(null)).to.equal(foo);
    expect(setErrorHandler(null)).to.equal(null);
  });

  test('test_handler', () => {
    tasklet(func)(handler);
    handlerctxt(handler, () => run());
    expect(ran).to.equal(1);
    expect(handled).to.equal(1);
  });

  test('test_borken_handler', () => {
    tasklet(func)(borkenHandler);
    handlerctxt(borkenHandler, () => expect(() => run()).to.throw(IndexError, /mods/));
    expect(ran).to.equal(1);
    expect(handled).to.equal(1);
  });

  test('test_early_hrow', () => {
    // Errors thrown before the tasklet function runs are handled too.
    const s = tasklet(func)(handler);
    handlerctxt(handler, () => block(s.throw(new ZeroDivisionError('thrown error'))));
    expect(ran).to.equal(0);
    expect(handled).to.equal(1);
  });

  test('test_getcurrent', () => {
    // The error handler runs in the context of the exiting tasklet.
    let s = tasklet(func)(handler);
    handlerctxt(handler, () => block(s.throw(new ZeroDivisionError('thrown error'))));
    expect(handledTasklet).to.equal(s);

    handledTasklet = null;
    s = tasklet(func)(handler);
    handlerctxt(handler, () => block(s.run()));
    expect(handledTasklet).to.equal(s);
  });

  test('test_throw_pending', () => {
    // Throwing a pending error does not throw at once.
    const s = tasklet(function* (h: ErrorHandler) {
      ran = 1;
      yield* schedule();
      yield* func(h);
    })(handler);
    block(s.run());
    expect(ran).to.equal(1);
    expect(handled).to.equal(0);
    handlerctxt(handler, () => block(s.throw(new ZeroDivisionError('thrown error'), { pending: true })));
    expect(handledTasklet).to.equal(null);
    handlerctxt(handler, () => block(s.run()));
    expect(handledTasklet).to.equal(s);
  });
});
