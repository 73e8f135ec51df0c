import { S } from './scheduler.js';

/**
 * The seam where an IO backend plugs into the scheduler.
 *
 * The scheduler calls `poll()` once per round (after the runnable tasklets
 * have run): the backend submits what the tasklets asked for and reaps what
 * the kernel finished, in one batch, without blocking, and makes the waiting
 * tasklets runnable. It returns how many completions it delivered. When the
 * backend's kernel object becomes ready while the scheduler is idle, the
 * backend calls `armPump()` from Node's event loop so that a round runs: the
 * scheduler itself never blocks Node's loop.
 *
 * The operations themselves (socket, accept, recv, ...), their tokens and
 * cancellation are the backend contract proper, defined by the IO packages;
 * this is only the scheduler's side of it.
 */
export interface Poller {
  /** Submits queued operations and delivers finished ones; never blocks. */
  poll(): number;
  /** Operations in flight (for leak checks and deadlock reports). */
  pending(): number;
}

/** Plugs a backend into the scheduler's rounds. */
export function addPoller(p: Poller): void {
  if (!S.pollers.includes(p)) S.pollers.push(p);
}

/** Unplugs a backend (after its last operation finished). */
export function removePoller(p: Poller): void {
  const i = S.pollers.indexOf(p);
  if (i >= 0) S.pollers.splice(i, 1);
}
