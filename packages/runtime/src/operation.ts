/**
 * The protocol between blocking operations and the scheduler.
 *
 * A tasklet is a generator. It blocks by delegating, with `yield*`, to an
 * {@link Operation}: an iterable whose iterator first tries to finish at once
 * (returning `{ done: true, value }`) and otherwise parks the calling tasklet
 * (takes it off the run queue, or re-queues it) and yields {@link SUSPEND}.
 * The generator hands that straight to the scheduler, which runs the next
 * runnable tasklet. When the tasklet is resumed the scheduler calls
 * `next(tempval)` (or `throw(error)`), which `yield*` forwards to the
 * operation, which returns the result. Because the result travels as the
 * iterator's return value, `const v: T = yield* op` keeps its type.
 */

/**
 * The type of {@link SUSPEND}. An object type rather than a `unique symbol`:
 * TypeScript widens a unique symbol to `symbol` when it infers a generator's
 * type, which would make every unannotated `function*` unfit for a tasklet.
 */
export interface Suspend {
  /** Brands the marker so no other value passes for it; always true. */
  readonly stacklessSuspend: true;
}

/** The only value a tasklet's generator ever yields to the scheduler. */
export const SUSPEND: Suspend = Object.freeze({ stacklessSuspend: true as const });

/**
 * A blocking operation that returns a `T`. Run it inside a tasklet with
 * `yield*`: the calling tasklet waits, every other tasklet goes on.
 *
 * @example
 * ```ts
 * function* worker(): Generator<Suspend, number> {
 *   yield* sleep(0.01);
 *   return 42;
 * }
 * ```
 */
export interface Operation<T> {
  /** Starts the operation: the iterator finishes at once with the result, or parks the tasklet and yields {@link SUSPEND} (see the protocol above). */
  [Symbol.iterator](): Iterator<Suspend, T, unknown>;
}

/** The generator a tasklet runs: it yields only {@link SUSPEND} (through `yield*`). */
export type TaskletGenerator<R = unknown> = Generator<Suspend, R, unknown>;

/** A generator function that a tasklet can run. */
export type TaskletFunction<A extends unknown[] = any[], R = unknown> = (...args: A) => TaskletGenerator<R>;

/**
 * One mutable result object for finished operations. `yield*` reads `done`
 * and `value` at once and drops it, so one object serves every completion and
 * the hot path allocates none.
 */
const doneResult: { done: boolean; value: unknown } = { done: true, value: SUSPEND };
doneResult.value = undefined;

/**
 * The result object an operation returns to park its tasklet. It is shared:
 * `yield*` hands it to the scheduler untouched and nobody keeps it. It has
 * the same shape as the done result (same keys, same order, not frozen), so
 * every `yield*` site sees a single object map.
 */
export const SUSPENDED: IteratorYieldResult<Suspend> = { done: false, value: SUSPEND };

/** Returns the shared "finished with value" iterator result. */
export function done<T>(value: T): IteratorReturnResult<T> {
  doneResult.value = value;
  return doneResult as unknown as IteratorReturnResult<T>;
}

class Completed<T> implements Operation<T>, Iterator<Suspend, T, unknown> {
  constructor(private readonly value: T) {}
  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    return this;
  }
  next(): IteratorResult<Suspend, T> {
    return done(this.value);
  }
  throw(error: unknown): IteratorResult<Suspend, T> {
    throw error;
  }
  return(value?: unknown): IteratorResult<Suspend, T> {
    return done(value as T);
  }
}

/** An operation that has already finished with `value` (it never blocks). */
export function completed<T>(value: T): Operation<T> {
  return new Completed(value);
}

/** True for generator functions (the only functions a tasklet can run). */
export function isGeneratorFunction(fn: unknown): fn is TaskletFunction {
  return typeof fn === 'function' && Object.prototype.toString.call(fn) === '[object GeneratorFunction]';
}
