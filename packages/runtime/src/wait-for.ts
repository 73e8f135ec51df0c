import type { Blocker, TaskletCore } from './core.js';
import { RuntimeError } from './errors.js';
import { done as importedDone, SUSPENDED as importedSuspended, type Operation, type Suspend } from './operation.js';
import { S as importedS, wake as importedWake } from './scheduler.js';
import { refuseSwitch } from './switch-trap.js';

// Module-level consts for the hot path: V8 reads an imported (live) binding
// through its import cell at every use; a const of this module is folded
// in (see packages/channel/src/ops.ts and bench/RESULTS.md, ping-pong).
const S = importedS;
const wake = importedWake;
const done = importedDone;
const SUSPENDED = importedSuspended;

class PromiseOp<T> implements Operation<T>, Iterator<Suspend, T, unknown>, Blocker {
  private started = false;
  private core: TaskletCore | null = null;
  /** Set when the wait is withdrawn (kill): a later settlement is then ignored. */
  private cancelled = false;
  constructor(private readonly promise: PromiseLike<T>) {}

  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    return this;
  }

  next(v: unknown): IteratorResult<Suspend, T> {
    if (this.started) return done(v as T);
    this.started = true;
    const c = S.current;
    if (c === S.main) throw new RuntimeError('waitFor() blocks a tasklet: outside tasklets, use await');
    if (S.switchTrap !== 0) refuseSwitch();
    this.core = c;
    c.blocker = this;
    S.pendingPromises++;
    this.promise.then(
      (value) => this.settle(value, false),
      (error: unknown) => this.settle(error, true),
    );
    return SUSPENDED;
  }

  throw(error: unknown): IteratorResult<Suspend, T> {
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspend, T> {
    return done(value as T);
  }

  private settle(value: unknown, failed: boolean): void {
    if (this.cancelled) return;
    this.cancelled = true;
    S.pendingPromises--;
    const c = this.core as TaskletCore;
    c.blocker = null;
    if (failed) {
      c.pendingError = value;
      c.hasPendingError = true;
    } else {
      c.tempval = value;
    }
    wake(c);
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    S.pendingPromises--;
  }

  describe(): string {
    return 'waitFor(promise)';
  }
}

/**
 * Blocks the calling tasklet until `promise` settles: returns its value or
 * throws its rejection. Other tasklets and Node's event loop go on.
 *
 * @example
 * ```ts
 * spawn(function* () {
 *   const text = yield* waitFor(fs.promises.readFile('notes.txt', 'utf8'));
 *   console.log(text.length);
 * });
 * ```
 */
export function waitFor<T>(promise: PromiseLike<T>): Operation<Awaited<T>> {
  if (promise === null || (typeof promise !== 'object' && typeof promise !== 'function') || typeof promise.then !== 'function') {
    throw new TypeError('waitFor() takes a promise (or any thenable)');
  }
  return new PromiseOp(promise as PromiseLike<Awaited<T>>);
}
