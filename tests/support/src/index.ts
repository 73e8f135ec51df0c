/**
 * Helpers shared by every test suite of the repository: the descriptor
 * count of the leak checks, skips that name their reason, a fake clock for
 * the runtime's timers, and waiting for a state instead of a fixed sleep.
 * Private to the repository (never published).
 */
export { fdCount, FdBaseline, warmUpNode } from './fds.js';
export { FakeClock } from './fake-clock.js';
export { skipBecause } from './skip.js';
export { until } from './until.js';
