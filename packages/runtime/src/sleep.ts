import type { Blocker, TaskletCore } from './core.js';
import { RuntimeError, ValueError } from './errors.js';
import { done as importedDone, SUSPENDED as importedSuspended, type Operation, type Suspend } from './operation.js';
import { S as importedS, wake as importedWake } from './scheduler.js';
import { refuseSwitch } from './switch-trap.js';
import type { TimerEntry, TimerOwner } from './timer-heap.js';

// Module-level consts for the hot path: V8 reads an imported (live) binding
// through its import cell at every use; a const of this module is folded
// in (see packages/channel/src/ops.ts and bench/RESULTS.md, ping-pong).
const S = importedS;
const wake = importedWake;
const done = importedDone;
const SUSPENDED = importedSuspended;

class SleepOp implements Operation<void>, Iterator<Suspend, void, unknown>, Blocker, TimerOwner {
  private started = false;
  private core: TaskletCore | null = null;
  private entry: TimerEntry | null = null;
  constructor(private readonly ms: number) {}

  [Symbol.iterator](): Iterator<Suspend, void, unknown> {
    return this;
  }

  next(): IteratorResult<Suspend, void> {
    if (this.started) return done(undefined);
    this.started = true;
    const c = S.current;
    if (c === S.main && !S.mainSync) throw new RuntimeError('sleep() blocks a tasklet: outside tasklets, await a timer or use block(sleep(s))');
    // A sleep blocks (a switch), and so does sleep(0) when another tasklet can run.
    if (S.switchTrap !== 0 && (this.ms > 0 || S.runq.length > 0)) refuseSwitch();
    if (this.ms <= 0) {
      // sleep(0) lets every other runnable tasklet run once, like schedule().
      c.inQueue = true;
      S.runq.push(c);
      return SUSPENDED;
    }
    this.core = c;
    c.blocker = this;
    this.entry = S.timers.add(this.ms, this);
    return SUSPENDED;
  }

  throw(error: unknown): IteratorResult<Suspend, void> {
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspend, void> {
    return done(value as void);
  }

  onTimer(): void {
    const c = this.core as TaskletCore;
    c.blocker = null;
    wake(c);
  }

  cancel(): void {
    if (this.entry !== null) S.timers.cancel(this.entry);
  }

  describe(): string {
    return `sleep(${this.ms / 1000})`;
  }
}

/**
 * Blocks the calling tasklet for `seconds` (fractions allowed); every other
 * tasklet and Node's event loop go on. `sleep(0)` lets the other runnable
 * tasklets run once. No thread sleeps and nothing polls: one Node timer is
 * armed for the earliest deadline of all sleeping tasklets.
 *
 * @example
 * ```ts
 * spawn(function* () {
 *   yield* sleep(0.25);
 *   console.log('a quarter second later');
 * });
 * ```
 */
export function sleep(seconds: number): Operation<void> {
  if (typeof seconds !== 'number') throw new TypeError(`sleep() takes a number of seconds, got ${typeof seconds}`);
  if (Number.isNaN(seconds)) throw new ValueError('sleep length must not be NaN');
  if (seconds < 0) throw new ValueError('sleep length must be non-negative');
  if (seconds === Infinity) throw new ValueError('sleep length must be finite');
  return new SleepOp(seconds * 1000);
}
