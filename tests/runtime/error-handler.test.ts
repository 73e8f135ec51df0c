// setErrorHandler(handler): Stackless' set_error_handler. Uncaught tasklet
// errors go to the handler, called with the failing tasklet current; a
// handler that throws sends its own error where the original would have gone.
import { expect } from 'chai';
import { block, getcurrent, nestedRun, run, scheduleRemove, setErrorHandler, tasklet, type ErrorHandler, type Tasklet } from '@stackless-io/runtime';

class Boom extends Error {}

/** Runs `body` with `h` installed, and proves the previous handler (none) is back afterwards. */
function withHandler(h: ErrorHandler, body: () => void): void {
  expect(setErrorHandler(h)).to.equal(null);
  try {
    body();
  } finally {
    expect(setErrorHandler(null)).to.equal(h);
  }
}

describe('runtime: setErrorHandler()', () => {
  it('rejects what is not a function with TypeError; no argument removes the handler', () => {
    for (const bad of [1, 'f', {}, true]) expect(() => setErrorHandler(bad as never), String(bad)).to.throw(TypeError);
    const h: ErrorHandler = () => {};
    expect(setErrorHandler(h)).to.equal(null);
    expect(setErrorHandler()).to.equal(h);
    expect(setErrorHandler()).to.equal(null);
  });

  it("gets the error's class, the error and its stack, with the failing tasklet current; run() goes on to the next tasklet", () => {
    const calls: unknown[][] = [];
    let current: Tasklet<any[], any> | null = null;
    const order: string[] = [];
    const a = tasklet(function* () {
      order.push('a');
      throw new Boom('a failed');
    })();
    tasklet(function* () {
      order.push('b');
    })();
    withHandler(
      (type, value, tb) => {
        calls.push([type, value, tb]);
        current = getcurrent();
      },
      () => expect(run()).to.equal(null),
    );
    expect(order).to.deep.equal(['a', 'b']);
    expect(calls).to.have.length(1);
    const [type, value, tb] = calls[0] as [unknown, Boom, unknown];
    expect(type).to.equal(Boom);
    expect(value.message).to.equal('a failed');
    expect(tb).to.equal(value.stack);
    expect(current).to.equal(a);
  });

  it('a thrown primitive has no class and no stack: null, null', () => {
    const calls: unknown[][] = [];
    tasklet(function* () {
      throw 42;
    })();
    withHandler((...args) => calls.push(args), () => run());
    expect(calls).to.deep.equal([[null, 42, null]]);
  });

  it('TaskletExit (a killed tasklet) never reaches it', () => {
    let calls = 0;
    let exited = false;
    const t = tasklet(function* () {
      try {
        yield* scheduleRemove(); // paused until killed
      } finally {
        exited = true;
      }
    })();
    withHandler(() => calls++, () => {
      block(t.run());
      expect(t.paused).to.equal(true);
      block(t.kill());
    });
    expect(exited).to.equal(true);
    expect(calls).to.equal(0);
    expect(t.alive).to.equal(false);
  });

  it('an awaited tasklet rejects its join() as before; the handler is not called', async () => {
    let calls = 0;
    const t = tasklet(function* () {
      throw new Boom('awaited');
    })();
    const joined = t.join();
    withHandler(() => calls++, () => run());
    let caught: unknown;
    try {
      await joined;
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(Boom);
    expect(calls).to.equal(0);
  });

  it("a handler's own error goes where the tasklet's would have gone: to a nested run()", () => {
    let got: unknown;
    tasklet(function* () {
      try {
        yield* nestedRun();
      } catch (e) {
        got = e;
      }
    })();
    tasklet(function* () {
      throw new Boom('original');
    })();
    withHandler(() => {
      throw new RangeError('from the handler');
    }, () => run());
    expect(got).to.be.instanceOf(RangeError);
  });
});
