// A schedule callback runs between two tasklets, where nobody can catch an
// error: as in Stackless, its error is reported (the unraisable hook) and
// ignored, and scheduling carries on.
import { expect } from 'chai';
import { run, schedule, setScheduleCallback, setUnraisableHook, tasklet } from '@stackless-io/runtime';

describe('runtime: a schedule callback that throws', () => {
  it('is reported to the unraisable hook, and every tasklet still runs', () => {
    const reported: string[] = [];
    const log: string[] = [];
    setUnraisableHook((e, where) => reported.push(`${where}: ${(e as Error).message}`));
    setScheduleCallback(() => {
      throw new Error('callback failed');
    });
    try {
      tasklet(function* () {
        log.push('a1');
        yield* schedule();
        log.push('a2');
      })();
      tasklet(function* () {
        log.push('b');
      })();
      expect(run()).to.equal(null);
    } finally {
      setScheduleCallback(null);
      setUnraisableHook(null);
    }
    expect(log).to.deep.equal(['a1', 'b', 'a2']);
    // One report per switch: into a, into b, into a again, back to main.
    expect(reported).to.deep.equal(Array(4).fill('the schedule callback: callback failed'));
  });

  it('setUnraisableHook rejects what is not a function', () => {
    expect(() => setUnraisableHook(5 as never)).to.throw(TypeError);
  });
});
