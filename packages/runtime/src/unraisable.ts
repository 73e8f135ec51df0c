/**
 * Errors nobody can catch: a schedule callback runs between two tasklets,
 * so an error it raises has no caller to go to. As Stackless does with
 * Python's PyErr_WriteUnraisable, the scheduler reports such an error and
 * goes on. The report goes to a hook (Python's sys.unraisablehook), by
 * default a line on stderr.
 */

/** Receives an error that could not be raised anywhere, and where it came from. */
export type UnraisableHook = (error: unknown, where: string) => void;

function defaultHook(error: unknown, where: string): void {
  console.error(`Exception ignored in ${where}:`, error);
}

let hook: UnraisableHook = defaultHook;

/** Installs the hook that reports ignored errors (`null` restores the stderr report); returns the old one. */
export function setUnraisableHook(h: UnraisableHook | null): UnraisableHook | null {
  if (h !== null && typeof h !== 'function') throw new TypeError('the unraisable hook must be a function or null');
  const old = hook;
  hook = h ?? defaultHook;
  return old === defaultHook ? null : old;
}

/** Reports an error that is ignored; a hook that throws is itself reported on stderr. */
export function reportUnraisable(error: unknown, where: string): void {
  try {
    hook(error, where);
  } catch (e) {
    defaultHook(e, 'the unraisable hook');
  }
}
