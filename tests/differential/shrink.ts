/**
 * Shrinks a random scenario that differs from CPython to a minimal one:
 * drops actions while the difference persists, replaying the model so that
 * every candidate is a valid scenario (CPython must still finish it in
 * time). Candidates of a round run as one batch on each side.
 */
import { avoided, compareTraces, stopRules, type Diff, type Intended } from './compare.js';
import { realise, type Action } from './model.js';
import { runPython } from './python.js';
import type { Scenario } from './scenario.js';
import { runTsAll, type SocketModule } from './ts-runner.js';

/** Whether a scenario still differs (and is still valid: CPython finished it in time). */
async function differs(scenarios: Scenario[], mod: SocketModule, features: Record<string, boolean>, backend: string, intended: Intended[]): Promise<boolean[]> {
  const py = await runPython(scenarios, features);
  const ts = await runTsAll(scenarios, mod, features, stopRules(intended, backend));
  return scenarios.map((s, i) => py[i]!.watchdog === undefined && compareTraces(s, py[i]!, ts[i]!, backend, intended).diffs.length > 0);
}

/**
 * Shrinks a differing random scenario: drops actions (halves, then quarters,
 * ..., then single actions) while the difference persists, replaying the
 * model so every candidate is a valid scenario. The backend must be in use.
 */
export async function shrink(
  name: string,
  actions: Action[],
  mod: SocketModule,
  features: Record<string, boolean>,
  backend: string,
  intended: Intended[],
  budgetMs = 20_000,
): Promise<{ scenario: Scenario; diffs: Diff[] }> {
  const end = performance.now() + budgetMs;
  // The backend's own variant of the scenario (without what it avoids).
  const avoid = avoided(intended, backend);
  let cur = realise(name, actions, features, avoid).kept;
  for (let chunk = Math.max(1, Math.floor(cur.length / 2)); chunk >= 1 && performance.now() < end; ) {
    const candidates: Action[][] = [];
    for (let at = 0; at < cur.length; at += chunk) {
      const cand = realise(name, [...cur.slice(0, at), ...cur.slice(at + chunk)], features, avoid).kept;
      if (cand.length < cur.length) candidates.push(cand);
    }
    const verdicts = candidates.length === 0 ? [] : await differs(candidates.map((c) => realise(name, c, features, avoid).scenario), mod, features, backend, intended);
    const hit = verdicts.indexOf(true);
    if (hit >= 0) {
      cur = candidates[hit]!;
      chunk = Math.min(chunk, Math.max(1, Math.floor(cur.length / 2)));
    } else if (chunk === 1) {
      break;
    } else {
      chunk = Math.floor(chunk / 2);
    }
  }
  const scenario = realise(name, cur, features, avoid).scenario;
  const py = await runPython([scenario], features);
  const ts = await runTsAll([scenario], mod, features, stopRules(intended, backend));
  return { scenario, diffs: compareTraces(scenario, py[0]!, ts[0]!, backend, intended).diffs };
}
