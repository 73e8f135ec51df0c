// Stackless keeps a tasklet's bound function in tempval until it starts, and
// a tasklet that switched away with t.run() or t.switch() gets its tempval
// back as the call's result when it resumes.
import { expect } from 'chai';
import { getcurrent, getmain, run, schedule, tasklet, type TaskletGenerator } from '@stackless-io/runtime';

describe('runtime: tempval (Stackless)', () => {
  it('a new tasklet holds its function in tempval until bound to arguments, and bind(fn) puts the new one there', () => {
    function* f(): TaskletGenerator<void> {}
    function* g(): TaskletGenerator<void> {}
    const t = tasklet(f);
    expect(t.tempval).to.equal(f);
    t.bind(g);
    expect(t.tempval).to.equal(g);
    t.bind(null);
    expect(t.tempval).to.equal(undefined);
    t.bind(f, []);
    expect(t.tempval).to.equal(undefined);
    t.insert();
    run();
    expect(t.alive).to.equal(false);
    expect(t.tempval).to.equal(undefined);
  });

  it('inside a tasklet, yield* t.run() and yield* t.switch() return the caller\'s tempval at its resumption', () => {
    const got: unknown[] = [];
    let caller: ReturnType<typeof getcurrent> | null = null;
    const target = tasklet(function* () {
      (caller as NonNullable<typeof caller>).tempval = 'back from run';
      yield* schedule();
      (caller as NonNullable<typeof caller>).tempval = 'back from switch';
      (caller as NonNullable<typeof caller>).insert();
    });
    tasklet(function* () {
      caller = getcurrent();
      target();
      got.push(yield* target.run());
      got.push(yield* target.switch());
    })();
    run();
    expect(got).to.deep.equal(['back from run', 'back from switch']);
  });

  it('from main, t.run() returns main\'s tempval at its resumption', () => {
    const main = getmain();
    const t = tasklet(function* () {
      main.tempval = 'for main';
    })();
    const op = t.run();
    const r = op[Symbol.iterator]().next();
    expect(r).to.deep.equal({ done: true, value: 'for main' });
    expect(main.tempval).to.equal(undefined);
  });
});
