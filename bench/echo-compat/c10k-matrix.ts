/**
 * Runs the c10k demo (examples/c10k/main.js) once per configuration and
 * tabulates server RSS per connection and latency: the socket-compat echo
 * server with several recv() sizes and V8 young-generation caps, Node's
 * `net` and the C epoll server for comparison, and other connection counts.
 *
 *   npm run build && node build/bench/echo-compat/c10k-matrix.js
 *
 * Environment: C10K_SECONDS (run length of each, default 10), C10K_ONLY
 * (comma list of row numbers to run, 1-based).
 * Every run is the demo itself, so every bound and cleanup of the demo
 * applies; each one also has a hard deadline here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fmtInt, ROOT, table } from '../echo/harness.js';

const seconds = Number(process.env.C10K_SECONDS ?? 10);
const CONFIGS: { label: string; args: string[] }[] = [
  { label: 'compat recv(1024), V8 defaults (npm start)', args: [] },
  { label: 'compat recv(1024), semi-space 1 MB', args: ['--semi-space', '1'] },
  { label: 'compat recv(256)', args: ['--bufsize', '256'] },
  { label: 'compat recv(65536)', args: ['--bufsize', '65536'] },
  { label: 'compat, 5,000 conns', args: ['--connections', '5000'] },
  { label: 'compat, 15,000 conns', args: ['--connections', '15000'] },
  { label: 'compat, libuv backend', args: ['--backend', 'libuv'] },
  { label: 'Node net, V8 defaults', args: ['--server', 'node'] },
  { label: 'Node net, semi-space 1 MB', args: ['--server', 'node', '--semi-space', '1'] },
  { label: 'C epoll', args: ['--server', 'c'] },
];
const only = (process.env.C10K_ONLY ?? '').split(',').filter((s) => s !== '').map(Number);

interface Result {
  connections: number;
  rss_before: number;
  rss_idle: number | null;
  rss_peak: number;
  open_at_idle: number;
  rss_per_conn: number | null;
  server_cpu_s: number | null;
  client: { peak_open: number; errors: number; ramp_ms: number; requests: number; req_per_s: number; p50_us: number; p99_us: number; p999_us: number } | null;
}

/** The demo run now, killed should this script exit first (the demo then kills its own children). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGTERM');
});

function runOne(args: string[]): Promise<Result | string> {
  const main = path.join(ROOT, 'build', 'examples', 'c10k', 'main.js');
  const child = spawn(process.execPath, [main, '--seconds', String(seconds), '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // The demo stops its children on SIGTERM; SIGKILL is the last resort.
  const killer = setTimeout(() => {
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  }, (seconds + 60) * 1000);
  running.add(child);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      running.delete(child);
      clearTimeout(killer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as Result);
      } catch {
        resolve(`exit ${code}: ${err.trim().split('\n').pop() ?? ''}`);
      }
    });
  });
}

const mib = (b: number | null | undefined): string => (b === null || b === undefined ? '-' : (b / 2 ** 20).toFixed(1));
console.log(`c10k matrix: ${seconds} s per run | node ${process.version} | ${os.cpus()[0]?.model.trim()} x ${os.cpus().length} | ${os.platform()} ${os.release()} | ${new Date().toISOString()}`);
const rows: string[][] = [];
for (const [i, c] of CONFIGS.entries()) {
  if (only.length > 0 && !only.includes(i + 1)) continue;
  const r = await runOne(c.args);
  if (typeof r === 'string') {
    rows.push([c.label, r.slice(0, 80), '', '', '', '', '', '', '']);
    console.log(`  ${c.label}: FAILED ${r}`);
    continue;
  }
  const cl = r.client;
  const row = [
    c.label,
    fmtInt(cl?.peak_open ?? 0) + (cl !== null && cl.errors > 0 ? ` (${cl.errors} err)` : ''),
    mib(r.rss_before),
    mib(r.rss_idle),
    mib(r.rss_peak),
    r.rss_per_conn === null ? '-' : fmtInt(r.rss_per_conn),
    cl === null ? '-' : (cl.ramp_ms / 1000).toFixed(2),
    cl === null ? '-' : `${fmtInt(cl.req_per_s)} / ${(cl.p50_us / 1000).toFixed(2)} / ${(cl.p99_us / 1000).toFixed(2)}`,
    r.server_cpu_s === null ? '-' : r.server_cpu_s.toFixed(2),
  ];
  rows.push(row);
  console.log(`  ${row.join(' | ')}`);
}
console.log('');
console.log(
  table(['configuration', 'peak open', 'RSS before MiB', 'RSS idle MiB', 'RSS peak MiB', 'B/conn', 'ramp s', 'req/s / p50 ms / p99 ms', 'server CPU s'], rows),
);
