// bind(null) is Stackless' bind(None): with no arguments it unbinds the
// tasklet, whose function then never runs.
import { expect } from 'chai';
import { RuntimeError, run, tasklet } from '@stackless-io/runtime';

describe('runtime: bind(null) unbinds', () => {
  it('a paused tasklet bound with bind(null) is no longer alive and its function never runs', () => {
    let ran = false;
    const t = tasklet(function* () {
      ran = true;
    })();
    t.remove();
    expect(t.paused).to.equal(true);
    t.bind(null);
    expect(t.alive).to.equal(false);
    expect(t.paused).to.equal(false);
    run();
    expect(ran).to.equal(false);
    // Unbound, it cannot be inserted, as a dead tasklet cannot.
    expect(() => t.insert()).to.throw(RuntimeError, 'not alive');
  });

  it('bind(null, args) keeps the function and binds new arguments', () => {
    const got: number[] = [];
    const t = tasklet(function* (n: number) {
      got.push(n);
    });
    t.bind(null, [7]);
    expect(t.alive).to.equal(true);
    t.insert();
    run();
    expect(got).to.deep.equal([7]);
  });

  it('bind() on a scheduled tasklet raises RuntimeError and changes nothing', () => {
    let ran = false;
    const t = tasklet(function* () {
      ran = true;
    })();
    expect(() => t.bind(null)).to.throw(RuntimeError, 'scheduled');
    expect(t.alive).to.equal(true);
    run();
    expect(ran).to.equal(true);
  });
});
