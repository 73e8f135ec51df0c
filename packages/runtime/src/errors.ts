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
  override name = 'TaskletExit';
  constructor(message = 'tasklet killed') {
    super(message);
  }
}

/** A call that is not valid in the scheduler's current state (Stackless' RuntimeError). */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/** A value of the right type but not acceptable here (Python's ValueError). */
export class ValueError extends Error {
  override name = 'ValueError';
}

/**
 * Raised when tasklets wait for something that can never happen: the process
 * has nothing left that could wake them. {@link DeadlockError.blocked} names
 * each blocked tasklet and what it waits on.
 */
export class DeadlockError extends RuntimeError {
  override name = 'DeadlockError';
  constructor(message: string, readonly blocked: readonly string[]) {
    super(message);
  }
}
