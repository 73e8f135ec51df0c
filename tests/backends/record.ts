// What the conformance suite records beside pass/fail, for run.ts to print:
// every skip with its reason, and the errno each backend answered for the
// bad-input cases (which must agree across backends).

/**
 * Backend name → how results print it ("kqueue (emulated)" where the build
 * is not the real thing), filled by conformance.test.ts.
 */
export const labels = new Map<string, string>();

/** The label results print for the backend `name`. */
export function labelOf(name: string): string {
  return labels.get(name) ?? name;
}

/** One skipped test and why it was skipped. */
export interface SkipRecord {
  backend: string;
  test: string;
  reason: string;
}

/** Every skip of this process, in order. */
export const skips: SkipRecord[] = [];

/** Lines a test wants a reader to see (a skip, a short-send count), in order. */
export const notes: string[] = [];

/**
 * Where {@link note} writes: inline under the test (mocha's spec output,
 * as in `npm test`), or only into {@link notes}, which `npm run
 * test:backends` prints after its summary.
 */
export const noteOptions = { inline: true };

/** Records a note and, unless the run prints them later, logs it under the current test. */
export function note(line: string): void {
  notes.push(line);
  if (noteOptions.inline) console.log(`      ${line}`);
}

/** case → backend → the error code it answered ('EBADF', 'ValueError'...). */
export const answers = new Map<string, Map<string, string>>();

/** Notes the answer `backend` gave in `kase`. */
export function recordAnswer(kase: string, backend: string, code: string): void {
  let byBackend = answers.get(kase);
  if (byBackend === undefined) answers.set(kase, (byBackend = new Map()));
  byBackend.set(labelOf(backend), code);
}

/** The cases where backends answered differently, one line each. */
export function disagreements(): string[] {
  const out: string[] = [];
  for (const [kase, byBackend] of answers) {
    if (new Set(byBackend.values()).size > 1) {
      out.push(`${kase}: ${[...byBackend].map(([b, c]) => `${b} ${c}`).join(', ')}`);
    }
  }
  return out;
}
