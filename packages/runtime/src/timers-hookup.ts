// Connects the timer heap's Node timer to the scheduler. Kept apart so
// timer-heap.ts has no dependency on the scheduler.
import { armPump, drive, S, SLICE_MS } from './scheduler.js';

S.timers.onExpire = () => {
  if (S.driving === 0) drive(-1, SLICE_MS);
  else armPump();
};
