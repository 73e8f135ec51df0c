// run() from a tasklet is nestedRun(): the tasklet pauses as a watchdog
// until nothing else is runnable. The Stackless suite's TestNewWatchdog
// covers the semantics; here, the entry points and their bad input.
import { expect } from 'chai';
import { nestedRun, run, RuntimeError, schedule, tasklet, ValueError } from '@stackless-io/runtime';

describe('runtime: nestedRun()', () => {
  it('returns null in the tasklet once the others have run', () => {
    const log: string[] = [];
    tasklet(function* () {
      log.push('other 1');
      yield* schedule();
      log.push('other 2');
    })();
    tasklet(function* () {
      expect(yield* nestedRun()).to.equal(null);
      log.push('watchdog back');
    })();
    run();
    expect(log).to.deep.equal(['other 1', 'other 2', 'watchdog back']);
  });

  it('from main raises RuntimeError; run() inside a tasklet raises RuntimeError naming nestedRun()', () => {
    expect(() => nestedRun()).to.throw(RuntimeError);
    let caught: unknown;
    tasklet(function* () {
      try {
        run();
      } catch (e) {
        caught = e;
      }
    })();
    run();
    expect(caught).to.be.instanceOf(RuntimeError);
    expect((caught as Error).message).to.contain('nestedRun()');
  });

  it('rejects a bad timeout or options, as run() does', () => {
    const errors: unknown[] = [];
    tasklet(function* () {
      for (const bad of [() => nestedRun('1' as never), () => nestedRun(-1), () => nestedRun(1, { soft: 'yes' } as never)]) {
        try {
          bad();
        } catch (e) {
          errors.push(e);
        }
      }
    })();
    run();
    expect(errors.map((e) => (e as Error).constructor)).to.deep.equal([TypeError, ValueError, TypeError]);
  });
});
