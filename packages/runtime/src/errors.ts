/**
 * The errors the runtime raises. Their names follow Stackless Python
 * (`TaskletExit`, `RuntimeError`, `ValueError`) so its documentation maps one
 * to one; each is a real `Error` subclass so stack traces and `instanceof` work.
 */

/**
 * Raised inside a tasklet by {@link Tasklet.kill}. A tasklet that lets it
 * propagate ends quietly: the scheduler does not report it as an uncaught
 * error. `finally` blocks run on the way out.
 */
export class TaskletExit extends Error {
  /** Always `'TaskletExit'`. */
  override name = 'TaskletExit';
  /** The exit code, as Python's SystemExit (from which TaskletExit derives) has one; undefined by default. */
  code: unknown = undefined;
  constructor(message = 'tasklet killed') {
    super(message);
  }
}

/** A call that is not valid in the scheduler's current state (Stackless' RuntimeError). */
export class RuntimeError extends Error {
  /** Always `'RuntimeError'`. */
  override name = 'RuntimeError';
}

/** A value of the right type but not acceptable here (Python's ValueError). */
export class ValueError extends Error {
  /** Always `'ValueError'`. */
  override name = 'ValueError';
}

/**
 * Raised when tasklets wait for something that can never happen: the process
 * has nothing left that could wake them. {@link DeadlockError.blocked} names
 * each blocked tasklet and what it waits on.
 */
export class DeadlockError extends RuntimeError {
  /** Always `'DeadlockError'`. */
  override name = 'DeadlockError';
  constructor(
    message: string,
    /** One line per blocked tasklet: its name and what it waits on, e.g. `tasklet #1 (client): receive on channel#1`. */
    readonly blocked: readonly string[],
  ) {
    super(message);
  }
}

/** Python's check that a bomb's class is an exception class: an Error subclass here. */
export function checkErrorClass(errorClass: unknown, what: string): void {
  if (typeof errorClass !== 'function' || !(errorClass === Error || errorClass.prototype instanceof Error)) {
    throw new TypeError(`${what} needs an Error subclass as first parameter`);
  }
}
