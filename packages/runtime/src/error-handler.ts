/**
 * Stackless' set_error_handler: a function that receives the errors that
 * tasklets do not catch. Without one (the default), such an error goes to
 * main (raised from run() or from block() where main waits) or to the
 * innermost nested run(). With one, the scheduler calls it as the tasklet
 * ends, with the tasklet still current (getcurrent() is the failing
 * tasklet); if it returns, the error is handled and the scheduler goes on;
 * if it throws, what it throws takes the error's place and goes where the
 * error would have gone. TaskletExit (a killed tasklet) is no error and
 * never reaches it, and an error that someone awaits through join() goes to
 * the awaiting code, which has caught it.
 */
import type { TaskletCore } from './core.js';
import { S } from './scheduler.js';

/**
 * Receives an uncaught tasklet error, as Stackless' `handler(type, value,
 * tb)`: the error's class (its constructor; null for a thrown primitive),
 * the error, and its stack trace (JavaScript has no traceback object; null
 * when the error has none). The return value is ignored.
 */
export type ErrorHandler = (type: Function | null, value: unknown, traceback: string | null) => void;

/**
 * Installs the error handler (`null`, or no argument, removes it) and
 * returns the previous one, or null.
 *
 * @example
 * ```ts
 * const old = setErrorHandler((type, value) => console.error('tasklet failed:', value));
 * try {
 *   run();
 * } finally {
 *   setErrorHandler(old);
 * }
 * ```
 */
export function setErrorHandler(handler: ErrorHandler | null = null): ErrorHandler | null {
  if (handler !== null && typeof handler !== 'function') throw new TypeError('the error handler must be a function or null');
  const old = S.errorHandler;
  S.errorHandler = handler;
  return old;
}

/**
 * Calls the error handler for `c`'s uncaught `error`, with `c` current.
 * Returns normally when the error is handled; throws what the handler throws.
 */
export function callErrorHandler(handler: ErrorHandler, c: TaskletCore, error: unknown): void {
  const type = error !== null && typeof error === 'object' ? ((error as object).constructor as Function | undefined) ?? null : null;
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : null;
  const prev = S.current;
  S.current = c;
  try {
    handler(type, error, stack);
  } finally {
    S.current = prev;
  }
}
