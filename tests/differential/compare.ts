/**
 * Compares a CPython trace with a socket-compat trace: ephemeral ports are
 * renamed to $P0, $P1, ... in order of first appearance (so both sides name
 * the same port the same way), then entries are matched by actor and step
 * and must agree on the value, or on the exception class and errno. The
 * intended differences (intended-differences.json) are applied here.
 */
import { readFileSync } from 'node:fs';
import { INTENDED_FILE } from './paths.js';
import { CAPABILITIES } from './model.js';
import { stepText, type Entry, type Scenario, type Trace, type Value } from './scenario.js';

/** An intended difference: where it applies and what each side answers. */
export interface Intended {
  id: string;
  reason: string;
  /** Regular expression on the scenario name (default: every scenario). */
  scenario?: string;
  /** Regular expression on the step's text (default: every step). */
  step?: string;
  /** Backends it applies to (default: all). */
  backends?: string[];
  /** What CPython's entry holds (a subset of ok/err/errno), or { missing: true }. */
  python?: Record<string, unknown>;
  /** What socket-compat's entry holds, likewise. */
  ts?: Record<string, unknown>;
  /**
   * The TS runner stops the scenario at a step whose answer matches this
   * difference (scenario, step, backends, ts): the steps after it depend on
   * it and would only differ too, or wait until the watchdog. They are not
   * compared; the stopping step itself must match the whole entry.
   */
  stop?: boolean;
  /**
   * A capability of the random model (model-types.ts, CAPABILITIES) that random
   * scenarios do not use on these backends, since this difference is all
   * they would find there.
   */
  avoid?: string;
}

/** One difference between the two sides. */
export interface Diff {
  scenario: string;
  backend: string;
  /** "actor:step  source", or "(scenario)" for a whole-trace difference. */
  where: string;
  python: string;
  ts: string;
}

export function loadIntended(file = INTENDED_FILE): Intended[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { differences: Intended[] };
  const ids = new Set<string>();
  for (const d of doc.differences) {
    if (typeof d.id !== 'string' || typeof d.reason !== 'string' || d.reason.trim() === '') {
      throw new Error(`${file}: every intended difference needs an id and a reason`);
    }
    if (ids.has(d.id)) throw new Error(`${file}: intended difference ${d.id} appears twice`);
    ids.add(d.id);
    if (d.stop === true && d.ts === undefined) throw new Error(`${file}: ${d.id} stops scenarios, so it must say what the TS side answers`);
    if (d.avoid !== undefined && !(CAPABILITIES as readonly string[]).includes(d.avoid)) {
      throw new Error(`${file}: ${d.id} avoids ${d.avoid}, which the random model does not know (${CAPABILITIES.join(', ')})`);
    }
  }
  return doc.differences;
}

function applies(r: Intended, backend: string): boolean {
  return r.backends === undefined || r.backends.includes(backend);
}

/** The intended differences that stop scenarios on `backend` (for the TS runner). */
export function stopRules(rules: Intended[], backend: string): Intended[] {
  return rules.filter((r) => r.stop === true && applies(r, backend));
}

/** The capabilities random scenarios avoid on `backend`. */
export function avoided(rules: Intended[], backend: string): Set<string> {
  return new Set(rules.filter((r) => r.avoid !== undefined && applies(r, backend)).map((r) => r.avoid!));
}

/**
 * The stop rule a TS entry matches, if any: the TS runner asks while it
 * runs, knowing only its own side (the comparison checks CPython's).
 */
export function stopsAt(rules: Intended[], scenario: string, step: string, ts: Entry): Intended | undefined {
  return rules.find(
    (r) =>
      (r.scenario === undefined || new RegExp(r.scenario).test(scenario)) &&
      (r.step === undefined || new RegExp(r.step).test(step)) &&
      matchesSide(r.ts, ts),
  );
}

/** JSON with object keys sorted, for comparing values. */
export function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Ports below this are the scenario's own literals (80, 443); the rest are ephemeral. */
const FIRST_EPHEMERAL = 1024;

function isPort(p: Value | undefined): p is number {
  return typeof p === 'number' && p >= FIRST_EPHEMERAL;
}

/** The ephemeral ports of a value, in order. */
function portsOf(v: Value | undefined, out: number[] = []): number[] {
  if (Array.isArray(v)) for (const x of v) portsOf(x, out);
  else if (v !== null && typeof v === 'object' && 'addr' in v) {
    if (isPort(v.addr[1])) out.push(v.addr[1]);
    for (const x of v.addr) portsOf(x, out);
  }
  return out;
}

function renamePorts(v: Value, names: Map<number, string>): Value {
  if (Array.isArray(v)) return v.map((x) => renamePorts(x, names));
  if (v !== null && typeof v === 'object' && 'addr' in v) {
    const a = v.addr.map((x) => renamePorts(x, names));
    if (isPort(a[1])) a[1] = names.get(a[1]) ?? '$P?';
    return { addr: a };
  }
  return v;
}

/**
 * Both traces with their ephemeral ports named $P0, $P1, ... by order of
 * first appearance. The two sides are named together, entry by entry, so
 * that a port one side never showed (its step failed) does not shift the
 * names of all the ports after it.
 */
export function canonicalPair(py: Trace, ts: Trace): [Trace, Trace] {
  const pyNames = new Map<number, string>();
  const tsNames = new Map<number, string>();
  let next = 0;
  const tsByKey = new Map(ts.entries.map((e) => [`${e.a}:${e.i}`, e]));
  const keys = [...new Set([...py.entries.map((e) => `${e.a}:${e.i}`), ...tsByKey.keys()])];
  const pyByKey = new Map(py.entries.map((e) => [`${e.a}:${e.i}`, e]));
  for (const k of keys) {
    const pp = portsOf(pyByKey.get(k)?.ok);
    const tp = portsOf(tsByKey.get(k)?.ok);
    for (let i = 0; i < Math.max(pp.length, tp.length); i++) {
      const p = pp[i];
      const t = tp[i];
      const known = (p !== undefined ? pyNames.get(p) : undefined) ?? (t !== undefined ? tsNames.get(t) : undefined);
      const name = known ?? `$P${next++}`;
      if (p !== undefined && !pyNames.has(p)) pyNames.set(p, name);
      if (t !== undefined && !tsNames.has(t)) tsNames.set(t, name);
    }
  }
  const apply = (t: Trace, names: Map<number, string>): Trace => ({
    ...t,
    entries: t.entries.map((e) => (e.ok === undefined ? e : { ...e, ok: renamePorts(e.ok, names) })),
  });
  return [apply(py, pyNames), apply(ts, tsNames)];
}

/** What an entry answered, as shown in reports. */
export function render(e: Entry | undefined): string {
  if (e === undefined) return '(no entry)';
  if (e.err !== undefined) return `${e.err}(errno=${e.errno ?? 'None'})${e.msg ? ` "${e.msg}"` : ''}`;
  return stable(e.ok);
}

function key(e: Entry | undefined): string {
  if (e === undefined) return 'missing';
  return e.err !== undefined ? `err:${e.err}:${stable(e.errno ?? null)}` : `ok:${stable(e.ok)}`;
}

function matchesSide(want: Record<string, unknown> | undefined, e: Entry | undefined): boolean {
  if (want === undefined) return true;
  if (want.missing === true) return e === undefined;
  if (e === undefined) return false;
  for (const [k, v] of Object.entries(want)) {
    if (stable((e as unknown as Record<string, unknown>)[k] ?? null) !== stable(v)) return false;
  }
  return true;
}

function findIntended(rules: Intended[], sc: string, backend: string, step: string, py: Entry | undefined, ts: Entry | undefined): Intended | undefined {
  return rules.find(
    (r) =>
      (r.scenario === undefined || new RegExp(r.scenario).test(sc)) &&
      (r.step === undefined || new RegExp(r.step).test(step)) &&
      applies(r, backend) &&
      matchesSide(r.python, py) &&
      matchesSide(r.ts, ts),
  );
}

/** The result of comparing one scenario on one backend. */
export interface Comparison {
  diffs: Diff[];
  /** Ids of the intended differences that applied. */
  intended: string[];
}

export function compareTraces(sc: Scenario, pyRaw: Trace, tsRaw: Trace, backend: string, rules: Intended[]): Comparison {
  const diffs: Diff[] = [];
  const intended: string[] = [];
  const whole = (python: string, ts: string): void => {
    diffs.push({ scenario: sc.name, backend, where: '(scenario)', python, ts });
  };
  if (pyRaw.skip !== undefined || tsRaw.skip !== undefined) {
    if ((pyRaw.skip === undefined) !== (tsRaw.skip === undefined)) whole(pyRaw.skip ?? 'ran', tsRaw.skip ?? 'ran');
    return { diffs, intended };
  }
  if (pyRaw.watchdog !== undefined) whole(`watchdog stopped ${pyRaw.watchdog.join(',')}: the scenario is not valid`, tsRaw.watchdog?.join(',') ?? '');
  else if (tsRaw.watchdog !== undefined) whole('finished in time', `watchdog stopped ${tsRaw.watchdog.join(',')}`);
  if (tsRaw.leak !== undefined) whole('nothing left behind', tsRaw.leak);
  const [py, ts] = canonicalPair(pyRaw, tsRaw);
  const byKey = (t: Trace): Map<string, Entry> => new Map(t.entries.map((e) => [`${e.a}:${e.i}`, e]));
  const pm = byKey(py);
  const tm = byKey(ts);
  const keys = [...new Set([...pm.keys(), ...tm.keys()])];
  const textOf = (k: string): string => {
    const [a, i] = k.split(':') as [string, string];
    const step = sc.actors[a]?.[Number(i)];
    return step === undefined ? '' : stepText(step);
  };
  // A scenario the TS runner stopped: the stopping step must be the intended
  // difference that stopped it (CPython's side included), or a step both
  // sides answered alike (the rule then says what follows differs: a
  // listener's shutdown(), after which Windows keeps what Linux resets);
  // then the steps the TS side never ran are not compared.
  let cutValid = false;
  const cut = tsRaw.cut;
  if (cut !== undefined) {
    const k = `${cut.a}:${cut.i}`;
    const rule = rules.find((r) => r.id === cut.id);
    const p = pm.get(k);
    const t = tm.get(k);
    const same = key(p) === key(t);
    cutValid = rule !== undefined && findIntended([same ? { ...rule, python: undefined } : rule], sc.name, backend, textOf(k), p, t) !== undefined;
    if (!cutValid) whole('the whole scenario compared', `stopped at ${k} by ${cut.id}, whose CPython side does not match: ${render(p)}`);
  }
  for (const k of keys) {
    const p = pm.get(k);
    const t = tm.get(k);
    if (key(p) === key(t)) continue;
    if (cutValid && t === undefined) continue;
    const text = textOf(k);
    const rule = findIntended(rules, sc.name, backend, text, p, t);
    if (rule !== undefined) {
      intended.push(rule.id);
      continue;
    }
    diffs.push({ scenario: sc.name, backend, where: `${k}  ${text}`, python: render(p), ts: render(t) });
  }
  return { diffs, intended };
}

/** A difference, as printed. */
export function formatDiff(d: Diff): string {
  return `  [${d.backend}] ${d.scenario}  ${d.where}\n      CPython:       ${d.python}\n      socket-compat: ${d.ts}`;
}
