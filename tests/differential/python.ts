/**
 * Runs scenarios on CPython: one python3 process per batch, the batch as
 * JSON on stdin, one trace per line on stdout.
 */
import { execFileSync, spawn } from 'node:child_process';
import { PYTHON_RUNNER } from './paths.js';
import type { Scenario, Trace } from './scenario.js';

/** The python executable ($PYTHON, else python3). */
export const PYTHON = process.env.PYTHON ?? 'python3';

/** What this machine offers (ipv6, unix, linux, dualstack), as CPython sees it. */
export function pythonFeatures(): Record<string, boolean> {
  return JSON.parse(execFileSync(PYTHON, [PYTHON_RUNNER, '--features'], { encoding: 'utf8' })) as Record<string, boolean>;
}

/** Runs a batch of scenarios on CPython; the traces come back in order. */
export function runPython(scenarios: Scenario[], features: Record<string, boolean>): Promise<Trace[]> {
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
      resolve(traces);
    });
    child.stdin.end(JSON.stringify({ features, scenarios }));
  });
}
