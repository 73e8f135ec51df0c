/**
 * Runs scenarios on CPython: one python3 process per batch, the batch as
 * JSON on stdin, one trace per line on stdout.
 *
 * Record and replay (for a process that cannot start python3, such as
 * Windows Node under Wine): with DIFF_RECORD=FILE every feature probe and
 * trace CPython gives is kept and `saveRecording()` writes them to FILE;
 * with DIFF_REPLAY=FILE nothing runs python3 and the answers come from
 * FILE, each trace found by its scenario's whole JSON. A scenario the
 * recording lacks is an error that names the fix (record with the same
 * seed, count and backend).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { PYTHON_RUNNER } from './paths.js';
import type { Scenario, Trace } from './scenario.js';

/** The python executable ($PYTHON, else python3). */
export const PYTHON = process.env.PYTHON ?? 'python3';

interface Recording {
  /** CPython's version line, for the report. */
  python: string;
  features: Record<string, boolean>;
  /** Scenario JSON → its trace. */
  traces: Record<string, Trace>;
}

// Read at the first call, so that an entry point may set them after loading.
let modes: { recorded: Recording | null; recording: Recording | null } | null = null;
function mode(): { recorded: Recording | null; recording: Recording | null } {
  modes ??= {
    recorded: process.env.DIFF_REPLAY !== undefined ? (JSON.parse(readFileSync(process.env.DIFF_REPLAY, 'utf8')) as Recording) : null,
    recording: process.env.DIFF_RECORD !== undefined ? { python: '', features: {}, traces: {} } : null,
  };
  return modes;
}

/** CPython's version line (from the recording when replaying). */
export function pythonVersion(): string {
  const { recorded, recording } = mode();
  if (recorded !== null) return `${recorded.python} (recorded)`;
  const v = execFileSync(PYTHON, ['--version'], { encoding: 'utf8' }).trim();
  if (recording !== null) recording.python = v;
  return v;
}

/** What this machine offers (ipv6, unix, linux, dualstack), as CPython sees it. */
export function pythonFeatures(): Record<string, boolean> {
  const { recorded, recording } = mode();
  if (recorded !== null) return recorded.features;
  const f = JSON.parse(execFileSync(PYTHON, [PYTHON_RUNNER, '--features'], { encoding: 'utf8' })) as Record<string, boolean>;
  // Features the replaying platform lacks (DIFF_FEATURES_OFF=unix,linux for
  // Windows under Wine): scenarios that need them skip on both sides, and
  // random ones do without.
  for (const name of (process.env.DIFF_FEATURES_OFF ?? '').split(',')) if (name !== '' && name in f) f[name] = false;
  if (recording !== null) recording.features = f;
  return f;
}

/** Runs a batch of scenarios on CPython; the traces come back in order. */
export function runPython(scenarios: Scenario[], features: Record<string, boolean>): Promise<Trace[]> {
  const { recorded, recording } = mode();
  if (recorded !== null) {
    const out: Trace[] = [];
    for (const s of scenarios) {
      const t = recorded.traces[JSON.stringify(s)];
      if (t === undefined) {
        return Promise.reject(new Error(`scenario ${s.name} is not in the recording ${process.env.DIFF_REPLAY}: record with the same --seed, --random, --only and --backend (run.js --record)`));
      }
      out.push(t);
    }
    return Promise.resolve(out);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PYTHON_RUNNER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8');
      const traces = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Trace);
      if (code !== 0 || traces.length !== scenarios.length) {
        reject(new Error(`python runner exited with ${code} after ${traces.length}/${scenarios.length} scenarios:\n${Buffer.concat(err).toString('utf8')}`));
        return;
      }
      if (recording !== null) scenarios.forEach((s, i) => (recording.traces[JSON.stringify(s)] = traces[i]!));
      resolve(traces);
    });
    child.stdin.end(JSON.stringify({ features, scenarios }));
  });
}

/** Writes what CPython answered so far to $DIFF_RECORD; the number of traces. */
export function saveRecording(): number {
  const { recording } = mode();
  if (recording === null || process.env.DIFF_RECORD === undefined) throw new Error('saveRecording() needs DIFF_RECORD');
  writeFileSync(process.env.DIFF_RECORD, JSON.stringify(recording));
  return Object.keys(recording.traces).length;
}
