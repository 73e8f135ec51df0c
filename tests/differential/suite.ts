/**
 * The differential suite, written once for run.ts (npm run
 * test:differential) and differential.test.ts (npm test): make the
 * scenarios, run them on CPython (one python3 process per batch) and on
 * socket-compat with each backend, and compare.
 */
import { availableBackends, closeBackend, useBackend } from '@stackless-io/runtime';
import { avoided, compareTraces, loadIntended, stopRules, type Comparison, type Diff, type Intended } from './compare.js';
import { randomScenario } from './generator.js';
import { realise, type Action } from './model.js';
import { pythonFeatures, runPython } from './python.js';
import type { Scenario, Trace } from './scenario.js';
import { loadSocketCompat, runTsAll, type SocketModule } from './ts-runner.js';
import { writtenScenarios } from './written.js';

/** The fixed seed of `npm test` (the random run of npm run test:differential prints its own). */
export const CI_SEED = 20240611;

/** How many random scenarios a run makes unless told otherwise. */
export const DEFAULT_RANDOM = 2000;

/** Everything a run needs before it touches a backend. */
export interface Prepared {
  features: Record<string, boolean>;
  written: Scenario[];
  random: { scenario: Scenario; actions: Action[] }[];
  intended: Intended[];
  seed: number;
  /** CPython's traces of the written scenarios. */
  pythonWritten: Promise<Trace[]>;
  /** CPython's traces of the random scenarios (a second process, beside the first). */
  pythonRandom: Promise<Trace[]>;
  /** The random scenarios by set of capabilities avoided (see randomFor). */
  variants: Map<string, RandomSet>;
}

/** Random scenarios as one backend runs them, with CPython's traces. */
export interface RandomSet {
  scenarios: Scenario[];
  python: Promise<Trace[]>;
}

/** Makes the scenarios and starts CPython on them (the promise runs beside the TS side). */
export function prepare(seed: number, randomCount: number, filter?: (s: Scenario) => boolean): Prepared {
  const features = pythonFeatures();
  const written = writtenScenarios().filter(filter ?? (() => true));
  const random: Prepared['random'] = [];
  for (let i = 0; i < randomCount; i++) random.push(randomScenario(seed, i, features));
  const pythonWritten = runPython(written, features);
  const pythonRandom = random.length === 0 ? Promise.resolve([]) : runPython(random.map((r) => r.scenario), features);
  // Nobody may await them (a failed load of socket-compat); keep rejections handled.
  pythonWritten.catch(() => undefined);
  pythonRandom.catch(() => undefined);
  return { features, written, random, intended: loadIntended(), seed, pythonWritten, pythonRandom, variants: new Map() };
}

/**
 * The random scenarios as `backend` runs them. Where its intended
 * differences say the random model should avoid a capability there (say,
 * AF_UNIX datagram sockets), each scenario is replayed without the actions
 * that need it, so that the backend's random scenarios test what it can do
 * instead of meeting the same known difference again; CPython runs the
 * scenarios that changed (a small third batch, started at the first call).
 */
export function randomFor(p: Prepared, backend: string): RandomSet {
  const avoid = avoided(p.intended, backend);
  const key = [...avoid].sort().join(',');
  if (key === '') return { scenarios: p.random.map((r) => r.scenario), python: p.pythonRandom };
  let set = p.variants.get(key);
  if (set === undefined) {
    const scenarios: Scenario[] = [];
    const changed: number[] = [];
    p.random.forEach((r, i) => {
      const v = realise(r.scenario.name, r.actions, p.features, avoid);
      if (v.kept.length < r.actions.length) {
        changed.push(i);
        scenarios.push(v.scenario);
      } else {
        scenarios.push(r.scenario);
      }
    });
    const own = changed.length === 0 ? Promise.resolve([]) : runPython(changed.map((i) => scenarios[i]!), p.features);
    const python = Promise.all([p.pythonRandom, own]).then(([base, mine]) => {
      const out = [...base];
      changed.forEach((i, k) => (out[i] = mine[k]!));
      return out;
    });
    python.catch(() => undefined);
    set = { scenarios, python };
    p.variants.set(key, set);
  }
  return set;
}

/**
 * The backends this machine can run, and those it cannot with the reason;
 * `label` is how results print a backend ("kqueue (emulated)" where the build
 * is not the real thing: io-kqueue on Linux, run with SIO_KQUEUE_EMULATED=1).
 */
export async function backends(): Promise<{
  usable: string[];
  unusable: { name: string; why: string }[];
  label: (name: string) => string;
}> {
  const all = await availableBackends();
  const labels = new Map(all.map((b) => [b.name, b.label]));
  return {
    usable: all.filter((b) => b.unavailable === null).map((b) => b.name),
    unusable: all.filter((b) => b.unavailable !== null).map((b) => ({ name: b.label, why: b.unavailable! })),
    label: (name) => labels.get(name) ?? name,
  };
}

/** The result of one backend. */
export interface BackendResult {
  backend: string;
  writtenDiffs: Diff[];
  randomDiffs: Diff[];
  /** Random scenarios that differed (indexes into Prepared.random). */
  randomFailures: number[];
  intended: Map<string, number>;
  skipped: number;
  ms: number;
  /** Both traces of every scenario that differed, for side-by-side reports. */
  failed: { scenario: Scenario; py: Trace; ts: Trace }[];
}

function tally(into: Map<string, number>, c: Comparison): void {
  for (const id of c.intended) into.set(id, (into.get(id) ?? 0) + 1);
}

/** Compares scenarios' traces; returns the comparison of each. */
export function compareAll(scenarios: Scenario[], py: Trace[], ts: Trace[], backend: string, intended: Intended[]): Comparison[] {
  return scenarios.map((s, i) => compareTraces(s, py[i]!, ts[i]!, backend, intended));
}

/** Runs every scenario on one backend (which it selects, then closes) and compares with CPython. */
export async function runBackend(p: Prepared, backend: string, mod: SocketModule): Promise<BackendResult> {
  const t0 = performance.now();
  await useBackend(backend);
  try {
    const res: BackendResult = { backend, writtenDiffs: [], randomDiffs: [], randomFailures: [], intended: new Map(), skipped: 0, ms: 0, failed: [] };
    const stops = stopRules(p.intended, backend);
    const mine = randomFor(p, backend);
    const wTs = await runTsAll(p.written, mod, p.features, stops);
    const wPy = await p.pythonWritten;
    compareAll(p.written, wPy, wTs, backend, p.intended).forEach((c, i) => {
      if (wPy[i]!.skip !== undefined && wTs[i]!.skip !== undefined) res.skipped++;
      tally(res.intended, c);
      res.writtenDiffs.push(...c.diffs);
      if (c.diffs.length > 0) res.failed.push({ scenario: p.written[i]!, py: wPy[i]!, ts: wTs[i]! });
    });
    const random = mine.scenarios;
    const rTs = await runTsAll(random, mod, p.features, stops);
    const rPy = await mine.python;
    compareAll(random, rPy, rTs, backend, p.intended).forEach((c, i) => {
      if (rPy[i]!.skip !== undefined && rTs[i]!.skip !== undefined) res.skipped++;
      tally(res.intended, c);
      if (c.diffs.length > 0) {
        res.randomDiffs.push(...c.diffs);
        res.randomFailures.push(i);
        res.failed.push({ scenario: random[i]!, py: rPy[i]!, ts: rTs[i]! });
      }
    });
    res.ms = performance.now() - t0;
    return res;
  } finally {
    closeBackend();
  }
}

export { loadSocketCompat, runTsAll };
export { shrink } from './shrink.js';
export { scenarioJson, scenarioScn, sideBySide } from './report.js';
