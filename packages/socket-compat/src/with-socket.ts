/**
 * Deterministic release, as Python's `with socket(...) as s:` gives it.
 * Node 20 has Symbol.dispose but no `using` statement: this helper runs a
 * tasklet body with the resource and closes it however the body ends
 * (return, exception, or the tasklet being killed).
 */
import type { Operation, TaskletGenerator } from '@stackless-io/runtime';

/** Anything with a close(): a socket (close() returns at once) or a makefile() object (close() is an operation). */
export interface Closeable {
  /** Releases the resource; an operation is run with `yield*`. */
  close(): void | Operation<void>;
}

function isOperation(v: unknown): v is Operation<void> {
  return typeof v === 'object' && v !== null && typeof (v as Operation<void>)[Symbol.iterator] === 'function';
}

/**
 * Runs `body(resource)` inside the calling tasklet and closes `resource`
 * afterwards, whatever happens; returns what the body returns.
 *
 * @example
 * ```ts
 * spawn(function* () {
 *   const reply = yield* withSocket(yield* create_connection(['127.0.0.1', 8080]), function* (s) {
 *     yield* s.sendall(Buffer.from('ping'));
 *     return yield* s.recv(100);
 *   });
 * });
 * ```
 */
export function* withSocket<S extends Closeable, R>(resource: S, body: (resource: S) => TaskletGenerator<R>): TaskletGenerator<R> {
  if (typeof body !== 'function') throw new TypeError('withSocket() takes a resource and a generator function');
  try {
    return yield* body(resource);
  } finally {
    const r = resource.close();
    if (isOperation(r)) yield* r;
  }
}
