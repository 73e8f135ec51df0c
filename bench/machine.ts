import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

/** One line naming the machine: Node version, CPU model, cores, OS. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus.length > 0 ? cpus[0]!.model.trim() : 'unknown CPU';
  return `node ${process.version} (V8 ${process.versions.v8}) | CPU: ${model} | ${cpus.length} logical cores | ${os.platform()} ${os.release()} ${os.arch()}`;
}

/** A full garbage collection, with or without --expose-gc. */
export const forceGc: () => void = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * A short hash of the sources under test (packages/runtime/src and
 * packages/channel/src), so a recorded result names the code it measured.
 */
export function sourceFingerprint(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const h = createHash('sha256');
  let files = 0;
  for (const pkg of ['runtime', 'channel']) {
    const dir = path.join(root, 'packages', pkg, 'src');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      h.update(`${pkg}/${f}\0`);
      h.update(fs.readFileSync(path.join(dir, f)));
      files++;
    }
  }
  return `${h.digest('hex').slice(0, 12)} (${files} files in packages/{runtime,channel}/src)`;
}

/** The 1/5/15-minute load averages, flagged when other work competes for the cores. */
export function loadLine(): string {
  const [a, b, c] = os.loadavg() as [number, number, number];
  const cores = os.cpus().length;
  const busy = a > 0.5 * cores ? `  WARNING: other processes are using the CPU (load ${a.toFixed(2)} on ${cores} cores): timings are noisy` : '';
  return `${a.toFixed(2)} ${b.toFixed(2)} ${c.toFixed(2)}${busy}`;
}

/** A positive integer from the environment variable `name`, or `dflt` when it is unset or empty. */
export function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
}
