/**
 * How an IO backend wakes the scheduler from Node's event loop (a libuv
 * poll callback, a socket's 'data' event): run a round right there, so a
 * completion reaches its tasklet without another trip around the event loop.
 */
import { armPump, drive, S, SLICE_MS } from './scheduler.js';

export function wakeFromLoop(): void {
  if (S.driving !== 0) return; // the round in progress polls before it ends
  try {
    drive(-1, SLICE_MS);
  } catch (e) {
    // The caller is native code or an event emitter that must not see our
    // errors; an uncaught tasklet error still reaches Node, never swallowed.
    armPump();
    process.nextTick(() => {
      throw e;
    });
  }
}
