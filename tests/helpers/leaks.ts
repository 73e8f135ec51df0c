import { expect } from 'chai';
import { liveTasklets, setErrorHandler, stats, switchTrap } from '@stackless-io/runtime';

/**
 * Proves that a test left nothing behind: no tasklet alive, none runnable,
 * no timer armed, no promise or IO operation waited on, no switch trap set
 * and no error handler installed (both are put back so that the next test
 * starts clean, as Stackless' own test case does).
 */
export function expectNoLeaks(): void {
  const trap = switchTrap(0);
  if (trap !== 0) switchTrap(-trap);
  expect(trap, 'switch trap level left set').to.equal(0);
  expect(setErrorHandler(null), 'error handler left installed').to.equal(null);
  const s = stats();
  const names = liveTasklets().map(String);
  expect({ alive: s.alive, runnable: s.runnable, timers: s.timers, promises: s.promises, io: s.io }, `left alive: ${names.join(', ')}`).to.deep.equal({
    alive: 0,
    runnable: 0,
    timers: 0,
    promises: 0,
    io: 0,
  });
}

/** Kills every tasklet still alive (after a failed test), so one failure does not cascade. */
export function killAll(): void {
  for (const t of liveTasklets()) {
    try {
      t.kill({ pending: false });
    } catch {
      // A tasklet that raises while dying has already been reported by its own test.
    }
  }
}
