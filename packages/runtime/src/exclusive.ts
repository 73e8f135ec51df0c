/**
 * Exclusive mode: the tasklets own the thread. Instead of returning to
 * Node's event loop when every tasklet waits, the scheduler blocks in the
 * backend's kernel wait (epoll_wait, GetQueuedCompletionStatusEx...) until
 * IO or the next timer, which saves the trip through libuv. Node's timers,
 * promises and other callbacks do not run meanwhile, so this is opt-in.
 */
import { currentBackend } from './backend-select.js';
import { requireMain, drive, S } from './scheduler.js';

/**
 * Runs tasklets, blocking in the kernel while all of them wait on IO or
 * timers, until no tasklet is alive or the only ones left wait on something
 * exclusive mode cannot deliver (a promise, a channel nobody else can send
 * to). Returns the number of tasklets still alive.
 */
export function runExclusive(): number {
  requireMain('runExclusive()');
  const backend = currentBackend();
  for (;;) {
    drive(-1, 0);
    if (S.live.size === 0) return 0;
    const io = backend.pending();
    const next = S.timers.nextDeadline();
    if (io === 0 && next === Infinity) return S.live.size;
    const timeout = next === Infinity ? -1 : Math.max(0, Math.ceil(next - performance.now()));
    backend.wait(timeout);
    if (S.timers.size > 0) S.timers.fireDue(performance.now());
  }
}
