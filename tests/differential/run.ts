// `npm run test:differential`: every written scenario and a batch of random
// ones on CPython and on socket-compat with each available backend. Prints
// the seed, the differences (with a minimal reproduction of each random
// scenario that differs) and, as its last three lines,
//   written_scenarios=<n>
//   random_scenarios=<n>
//   diffs=<n>
// Exits non-zero when diffs > 0.
//
//   node build/tests/differential/run.js [--seed N] [--random N] [--backend NAME] [--only PREFIX]
//   (or DIFF_SEED / DIFF_RANDOM / DIFF_BACKEND / DIFF_ONLY in the environment)
//
// Where python3 cannot run (Windows Node under Wine), CPython's answers are
// recorded first on the host and replayed (see python.ts):
//   node run.js --record FILE --backend iocp [--seed N ...]    runs CPython only, writes FILE
//   node.exe run.js --replay FILE --backend iocp [--seed N ...] compares against FILE
// With --record, --backend names the backend the replay will run (it need
// not be usable here): its random variants are recorded too.
import '../helpers/test-env.js';
import { formatDiff, type Diff } from './compare.js';
import { pythonVersion, saveRecording } from './python.js';
import {
  backends,
  DEFAULT_RANDOM,
  randomFor,
  loadSocketCompat,
  prepare,
  runBackend,
  scenarioJson,
  scenarioScn,
  shrink,
  sideBySide,
  type BackendResult,
} from './suite.js';
import { useBackend, closeBackend } from '@stackless-io/runtime';

function option(name: string, env: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  return process.env[env];
}

const seed = Number(option('seed', 'DIFF_SEED') ?? Math.floor(Math.random() * 2 ** 31));
const randomCount = Number(option('random', 'DIFF_RANDOM') ?? DEFAULT_RANDOM);
const onlyBackend = option('backend', 'DIFF_BACKEND');
const only = option('only', 'DIFF_ONLY');
const verbose = process.argv.includes('--verbose') || process.env.DIFF_VERBOSE === '1';
const record = option('record', 'DIFF_RECORD');
const replay = option('replay', 'DIFF_REPLAY');
// python.ts reads these at its first call.
if (record !== undefined) process.env.DIFF_RECORD = record;
if (replay !== undefined) process.env.DIFF_REPLAY = replay;
const SHOW = Number(process.env.DIFF_SHOW ?? 40);
/** Kinds of random difference shrunk per backend, and the time all shrinking of a backend may take. */
const SHRINK_PER_BACKEND = 8;
const SHRINK_BUDGET_MS = 40_000;

/**
 * What kind of difference it is, to give one reproduction per kind: the
 * function or method called (with the socket constants of a constructor)
 * and the class of each side's answer.
 */
function signature(d: Diff): string {
  const step = d.where.replace(/^\S+\s+/, '');
  const call = /(?:^|[\s=(])(\w+)\(/.exec(step.replace(/^[^=]*=\s*/, ''));
  const m = /\.(\w+)\(/.exec(step.replace(/^[^=]*=\s*/, ''));
  let what = m !== null ? `.${m[1]}()` : call !== null ? `${call[1]}()` : step;
  if (what === 'socket()' || what === 'socketpair()') what += ` ${(step.match(/\b(AF|SOCK)_\w+/g) ?? []).join(' ')}`;
  const answer = (s: string): string => (/^\w+\(errno=/.test(s) ? s.replace(/\(errno=(\w+|None)\).*$/, '($1)') : /^\(/.test(s) ? s : 'a value');
  if (d.where.startsWith('(scenario)')) return `scenario  =>  CPython ${d.python.slice(0, 60)}, TS ${d.ts.slice(0, 60)}`;
  return `${what}  =>  CPython ${answer(d.python)}, TS ${answer(d.ts)}`;
}

const t0 = performance.now();
let diffs = 0;
let writtenCount = 0;
let randomRun = 0;
console.log(`differential: seed=${seed} (rerun: node build/tests/differential/run.js --seed ${seed})`);
try {
  console.log(`CPython: ${pythonVersion()}`);
  const p = prepare(seed, only === undefined ? randomCount : 0, only === undefined ? undefined : (s) => s.name.startsWith(only));
  if (record !== undefined) {
    // CPython only: every batch the replaying backend will ask for.
    await p.pythonWritten;
    await p.pythonRandom;
    if (onlyBackend !== undefined) await randomFor(p, onlyBackend).python;
    console.log(`recorded ${saveRecording()} CPython traces in ${record}`);
    process.exit(0);
  }
  writtenCount = p.written.length;
  randomRun = p.random.length;
  console.log(`features: ${Object.entries(p.features).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log(`scenarios: ${p.written.length} written, ${randomRun} random`);

  const mod = await loadSocketCompat();
  const { usable, unusable, label } = await backends();
  for (const b of unusable) console.log(`backend ${b.name}: not run (${b.why})`);
  const chosen = usable.filter((b) => onlyBackend === undefined || b === onlyBackend);
  const total = p.written.length + randomRun;
  if (typeof mod === 'string') {
    console.log(`\nFAILED: ${mod}; no scenario was compared`);
    diffs += total;
  } else if (chosen.length === 0) {
    console.log(`\nFAILED: no backend to run on${onlyBackend ? ` named ${onlyBackend}` : ''}; no scenario was compared`);
    diffs += total;
  } else {
    const results: BackendResult[] = [];
    // Starts CPython on each backend's own random variants now, beside the rest.
    for (const b of chosen) randomFor(p, b);
    for (const b of chosen) {
      const r = await runBackend(p, b, mod);
      results.push(r);
      const intended = [...r.intended].map(([id, n]) => `${id}×${n}`).join(', ');
      console.log(
        `backend ${label(b)}: ${r.writtenDiffs.length} diffs in written scenarios, ${r.randomDiffs.length} in random ones (${r.randomFailures.length} random scenarios differ); ` +
          `${r.skipped} skipped on both sides; intended differences applied: ${intended || 'none'}; ${(r.ms / 1000).toFixed(1)} s`,
      );
    }
    for (const r of results) {
      const shown: Diff[] = [...r.writtenDiffs, ...r.randomDiffs].slice(0, SHOW);
      diffs += r.writtenDiffs.length + r.randomDiffs.length;
      if (shown.length === 0) continue;
      console.log(`\nDifferences on ${label(r.backend)} (first ${shown.length} of ${r.writtenDiffs.length + r.randomDiffs.length}):`);
      for (const d of shown) console.log(formatDiff(d));
      if (verbose) {
        console.log(`\nTraces side by side on ${label(r.backend)}:`);
        for (const f of r.failed) console.log(sideBySide(f.scenario, f.py, f.ts));
      }
      if (r.randomFailures.length === 0) continue;
      // One reproduction per kind of difference: many random scenarios often
      // meet the same bug.
      const kinds = new Map<string, number[]>();
      for (const i of r.randomFailures) {
        const name = p.random[i]!.scenario.name;
        const first = r.randomDiffs.find((d) => d.scenario === name)!;
        const sig = signature(first);
        if (!kinds.has(sig)) kinds.set(sig, []);
        kinds.get(sig)!.push(i);
      }
      console.log(`\nRandom scenarios that differ on ${label(r.backend)}, by kind of (first) difference:`);
      for (const [sig, is] of kinds) console.log(`  ${String(is.length).padStart(4)} × ${sig}`);
      await useBackend(r.backend);
      try {
        const end = performance.now() + SHRINK_BUDGET_MS;
        const firsts = [...kinds.values()].map((is) => is[0]!);
        for (const [k, i] of firsts.entries()) {
          const { scenario, actions } = p.random[i]!;
          const left = end - performance.now();
          if (replay !== undefined) {
            // Shrinking runs new scenarios on CPython, which a replay cannot.
            console.log(`\nNot shrunk (CPython's answers are replayed): rerun with python3 and --seed ${seed} --backend ${r.backend} --verbose`);
            break;
          }
          if (k >= SHRINK_PER_BACKEND || left < 2000) {
            const rest = firsts.slice(k).map((j) => p.random[j]!.scenario.name);
            console.log(`\nNot shrunk (time or count limit): ${rest.join(', ')}; rerun with --seed ${seed} --backend ${r.backend} --verbose to see them whole`);
            break;
          }
          const small = await shrink(scenario.name, actions, mod, p.features, r.backend, p.intended, Math.min(15_000, left));
          console.log(`\nMinimal reproduction of ${scenario.name} on ${label(r.backend)} (seed ${seed}, index ${i}): ${small.scenario.actors.main!.length} steps`);
          console.log(scenarioJson(small.scenario));
          console.log('As .scn:');
          console.log(scenarioScn(small.scenario));
          for (const d of small.diffs) console.log(formatDiff(d));
        }
      } finally {
        closeBackend();
      }
    }
  }
} catch (e) {
  // Whatever broke, the run compared nothing it can vouch for.
  console.log(`\nFAILED: ${(e as Error)?.stack ?? String(e)}`);
  diffs += Math.max(1, writtenCount + randomRun);
}
console.log(`\ntook ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`written_scenarios=${writtenCount}`);
console.log(`random_scenarios=${randomRun}`);
console.log(`diffs=${diffs}`);
process.exitCode = diffs > 0 ? 1 : 0;
setTimeout(() => {
  console.error('test:differential: something kept the event loop alive after the run');
  process.exit(process.exitCode === 0 ? 1 : process.exitCode);
}, 10_000).unref();
