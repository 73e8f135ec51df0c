// What the port records beside pass/fail, for run.ts to print after its
// summary: every skipped test with its backend and reason.

/** One skipped test: which backend, which Python test, and why. */
export interface SkipRecord {
  backend: string;
  test: string;
  reason: string;
}

/** Every skip of this process, in order. */
export const skips: SkipRecord[] = [];
