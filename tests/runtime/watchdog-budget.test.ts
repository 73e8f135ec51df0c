// run(timeout, { soft, totaltimeout }): Stackless' watchdog. Without
// totaltimeout the budget restarts whenever another tasklet starts running,
// so tasklets that take turns are never interrupted; with it, every
// resumption counts. soft stops the scheduler without taking the tasklet out.
import { expect } from 'chai';
import { getruncount, run, schedule, tasklet, type Tasklet } from '@stackless-io/runtime';

function alternating(turns: number, counts: number[], i: number): Tasklet<[], void> {
  return tasklet(function* () {
    for (let k = 0; k < turns; k++) {
      counts[i]++;
      yield* schedule();
    }
  })();
}

describe('runtime: run() watchdog budget', () => {
  it('two tasklets alternating 2000 schedule() calls each both finish under run(1000), which returns null', () => {
    const counts = [0, 0];
    const a = alternating(2000, counts, 0);
    const b = alternating(2000, counts, 1);
    expect(run(1000)).to.equal(null);
    expect(counts).to.deep.equal([2000, 2000]);
    expect(a.alive || b.alive).to.equal(false);
  });

  it('with totaltimeout the budget counts every resumption: run(1000) interrupts after 1000 in all', () => {
    const counts = [0, 0];
    const a = alternating(2000, counts, 0);
    const b = alternating(2000, counts, 1);
    try {
      const t = run(1000, { totaltimeout: true });
      expect(counts[0] + counts[1]).to.equal(1000);
      expect(t).to.equal(b); // 1000 resumptions: a and b 500 each, b last
      expect(b.scheduled).to.equal(false);
      expect(a.scheduled).to.equal(true);
    } finally {
      a.kill();
      b.kill();
    }
  });

  it('a tasklet that keeps the scheduler to itself is interrupted after the budget', () => {
    let turns = 0;
    const t = tasklet(function* () {
      for (;;) {
        turns++;
        yield* schedule();
      }
    })();
    try {
      expect(run(50)).to.equal(t);
      expect(turns).to.equal(50);
    } finally {
      t.kill();
    }
  });

  it('soft: run() returns null when the budget is spent and the tasklet stays in the run queue', () => {
    let turns = 0;
    const t = tasklet(function* () {
      for (;;) {
        turns++;
        yield* schedule();
      }
    })();
    try {
      expect(run(10, { soft: true })).to.equal(null);
      expect(turns).to.equal(10);
      expect(t.scheduled).to.equal(true);
      expect(getruncount()).to.equal(2);
    } finally {
      t.kill();
    }
  });

  it('rejects options that are not an object of booleans', () => {
    expect(() => run(1, 5 as never)).to.throw(TypeError);
    expect(() => run(1, { soft: 1 } as never)).to.throw(TypeError);
    expect(() => run(1, { totaltimeout: 'yes' } as never)).to.throw(TypeError);
  });
});
