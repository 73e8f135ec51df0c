/**
 * Stackless' introspection of the runtime itself: getdebug()/debug and
 * getuncollectables()/uncollectables. Both answers are fixed here, so the
 * attributes are constants (an ES module cannot compute an attribute on
 * access, and these never change).
 */

/**
 * Whether the runtime was built for debugging (Stackless' getdebug(): a
 * build with its debug checks compiled in). There is one build of this
 * runtime, so false.
 */
export function getdebug(): boolean {
  return debug;
}

/** Stackless' `stackless.debug`: see {@link getdebug}. */
export const debug = false;

/**
 * The tasklets that cannot be collected (Stackless' getuncollectables():
 * tasklets whose C state keeps them from being cleaned up). A tasklet here
 * has no C state, so the list is always empty; a new array each call, as
 * Stackless returns a new list.
 */
export function getuncollectables(): unknown[] {
  return [];
}

/** Stackless' `stackless.uncollectables`: see {@link getuncollectables} (frozen, always empty). */
export const uncollectables: readonly unknown[] = Object.freeze([]);
