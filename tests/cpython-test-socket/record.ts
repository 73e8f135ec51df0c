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

/** Outcomes per backend, counted as the tests end. */
export const tallies = new Map<string, { passed: number; failed: number; skipped: number }>();

/**
 * Whether the frame prints the per-backend lines when the run ends (as in
 * `npm test`); run.ts prints its own summary and turns this off.
 */
export const summaryOptions = { printAtEnd: true };
