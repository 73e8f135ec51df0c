/**
 * Shared plumbing for the echo and latency benchmarks: compiles the C
 * programs, starts servers in their own (pinned) processes, runs the C load
 * generator, and makes sure every child is killed at the end, even on failure.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from build/bench/echo/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const NATIVE_DIR = path.join(ROOT, 'build', 'bench-native');
export const LOAD_BIN = path.join(NATIVE_DIR, 'load');
export const C_SERVER_BIN = path.join(NATIVE_DIR, 'c-epoll-server');

/** Compiles bench/echo/*.c with gcc -O2 when the binary is missing or older than its source. */
export function compileNative(): void {
  fs.mkdirSync(NATIVE_DIR, { recursive: true });
  for (const [src, bin] of [
    ['load.c', LOAD_BIN],
    ['c-epoll-server.c', C_SERVER_BIN],
  ] as const) {
    const file = path.join(ROOT, 'bench', 'echo', src);
    const fresh = fs.existsSync(bin) && fs.statSync(bin).mtimeMs >= fs.statSync(file).mtimeMs;
    if (fresh) continue;
    execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-o', bin, file], { stdio: 'inherit' });
  }
}

/** CPUs for the server and the load generator (taskset), or null when pinning is not possible. */
export const PIN: { server: string; load: string } | null = (() => {
  if (process.env.BENCH_NO_PIN === '1') return null;
  if (os.cpus().length < 2) return null;
  const ok = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return ok ? { server: '0', load: '1' } : null;
})();

function pinned(cpu: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [cmd, args] : ['taskset', ['-c', cpu, cmd, ...args]];
}

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** A benchmark server to start. */
export interface ServerSpec {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

/** The servers both benchmarks know. */
export function serverSpecs(): Record<string, ServerSpec> {
  const ours = path.join(ROOT, 'build', 'bench', 'echo', 'ours-server.js');
  const nodeServer = path.join(ROOT, 'build', 'bench', 'echo', 'node-server.js');
  // Extra node flags (e.g. BENCH_NODE_FLAGS=--cpu-prof) and extra server
  // flags for ours (e.g. BENCH_OURS_FLAGS=--alloc). Every server exits by
  // itself after 300 s, should this process die without killing it.
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((s) => s !== '');
  const oursExtra = (process.env.BENCH_OURS_FLAGS ?? '').split(' ').filter((s) => s !== '');
  const life = ['--max-seconds', '300'];
  return {
    'ours-epoll': { name: 'ours-epoll', cmd: process.execPath, args: [...extra, ours, '--backend', 'epoll', ...oursExtra, ...life] },
    'ours-epoll-excl': {
      name: 'ours-epoll-excl',
      cmd: process.execPath,
      args: [...extra, ours, '--backend', 'epoll', '--exclusive', ...oursExtra, ...life],
    },
    'ours-uring': { name: 'ours-uring', cmd: process.execPath, args: [...extra, ours, '--backend', 'io_uring', ...oursExtra, ...life] },
    'ours-uring-excl': {
      name: 'ours-uring-excl',
      cmd: process.execPath,
      args: [...extra, ours, '--backend', 'io_uring', '--exclusive', ...oursExtra, ...life],
    },
    'ours-libuv': { name: 'ours-libuv', cmd: process.execPath, args: [...extra, ours, '--backend', 'libuv', ...oursExtra, ...life] },
    'node-net': { name: 'node-net', cmd: process.execPath, args: [...extra, nodeServer, ...life] },
    'c-epoll': { name: 'c-epoll', cmd: C_SERVER_BIN, args: ['-t', '300'] },
  };
}

/** A running server. */
export interface Server {
  name: string;
  port: number;
  banner: string;
  child: ChildProcess;
  stderr: () => string;
}

/** Starts a server (pinned to the server CPU) and waits for its "listening <port>" line. */
export function startServer(spec: ServerSpec, opts: { cpu?: string; timeoutMs?: number } = {}): Promise<Server> {
  const timeoutMs = opts.timeoutMs ?? 15000;
  const [cmd, args] = pinned('cpu' in opts ? opts.cpu : PIN?.server, spec.cmd, spec.args);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...spec.env } });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (err.length < 20000) err += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stopServer({ name: spec.name, port: 0, banner: '', child, stderr: () => err });
      reject(new Error(`${spec.name}: no "listening" line within ${timeoutMs} ms: ${errSummary(err)}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited (${code ?? signal}) before listening: ${errSummary(err)}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening (\d+)(.*)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ name: spec.name, port: Number(m[1]), banner: m[0], child, stderr: () => err });
      }
    });
  });
}

/** The telling line of a child's stderr: the first "...Error: ..." line, else the last line. */
export function errSummary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const e = lines.find((l) => /^[A-Za-z]*Error\b|^Error:/.test(l));
  return (e ?? lines[lines.length - 1] ?? '(no stderr)').slice(0, 400);
}

/** Stops a server: SIGTERM, then SIGKILL after 2 s. */
export async function stopServer(s: Server): Promise<void> {
  const c = s.child;
  if (c.exitCode !== null || c.signalCode !== null) {
    children.delete(c);
    return;
  }
  const gone = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 2000);
  await gone;
  clearTimeout(t);
  children.delete(c);
}

/** What the load generator reports. */
export interface LoadResult {
  conns: number;
  size: number;
  requests: number;
  seconds: number;
  req_per_s: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
  errors: number;
  connected: number;
  /** From the first connect() to the last connection's first response (accept rate). */
  ramp_ms: number;
  /** Every response of the run, ramp and warm-up included. */
  total_requests: number;
  /** The load generator's own CPU use during the measurement, in percent of one CPU. */
  client_cpu_pct: number;
  /** CPU seconds the server used while the load generator ran (user + system, all threads), when its pid was given. */
  server_cpu_s?: number;
  /** server_cpu_s / total_requests, in µs: the server's CPU cost per request, steady under noise. */
  cpu_us_per_req?: number;
  /** CPU time other processes (neither the server nor the load generator) took during the run, in percent of one CPU. */
  others_cpu_pct?: number;
}

const childCpu = new Map<number, number>();

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system, all threads) a process used so far, or null. */
export function procCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Runs the C load generator (pinned to the load CPU) against 127.0.0.1:port. */
export function runLoad(
  port: number,
  opts: { conns: number; size: number; duration: number; warmup: number; cpu?: string; serverPid?: number },
): Promise<LoadResult> {
  const cpu0 = procCpuSeconds(opts.serverPid);
  const sys0 = cpuTimes();
  const wall0 = performance.now();
  const [cmd, args] = pinned('cpu' in opts ? opts.cpu : PIN?.load, LOAD_BIN, [
    '-p', String(port),
    '-c', String(opts.conns),
    '-s', String(opts.size),
    '-d', String(opts.duration),
    '-w', String(opts.warmup),
    '-t', '10',
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  // The load generator's CPU time, sampled while it runs (its last sample
  // comes when it prints its result, just before it exits).
  const sampleClient = () => {
    const c = procCpuSeconds(child.pid);
    if (c !== null && child.pid !== undefined) childCpu.set(child.pid, c);
  };
  const sampler = setInterval(sampleClient, 200);
  child.stdout!.on('data', (d: Buffer) => {
    sampleClient();
    out += d.toString();
  });
  child.on('exit', () => clearInterval(sampler));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const limitMs = (opts.duration + opts.warmup + 10 + 10) * 1000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`);
        const r = JSON.parse(line) as LoadResult;
        const cpu1 = procCpuSeconds(opts.serverPid);
        const sys1 = cpuTimes();
        const wall = (performance.now() - wall0) / 1000;
        if (cpu0 !== null && cpu1 !== null) {
          r.server_cpu_s = cpu1 - cpu0;
          r.cpu_us_per_req = r.total_requests > 0 ? (1e6 * r.server_cpu_s) / r.total_requests : 0;
          const client = childCpu.get(child.pid ?? -1) ?? 0;
          const busy = (sys1.task - sys0.task) / CLK_TCK;
          if (sys1.total > 0 && wall > 0) r.others_cpu_pct = Math.max(0, (100 * (busy - r.server_cpu_s - client)) / wall);
        }
        resolve(r);
      } catch (e) {
        reject(new Error(`load generator failed (${(e as Error).message}): ${err.trim()} ${out.trim()}`));
      }
    });
  });
}

export const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Right-aligns cells into a plain-text table. */
export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The commit, if any, for the record. */
export function gitRev(): string {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

/**
 * System-wide CPU times from /proc/stat, in clock ticks (all CPUs). `task`:
 * user + nice + system, the time charged to processes (interrupt and softirq
 * time, much of it our own loopback traffic, is left out).
 */
function cpuTimes(): { idle: number; total: number; task: number } {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { idle, total: v.reduce((a, b) => a + b, 0), task: (v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) };
  } catch {
    return { idle: 0, total: 0, task: 0 };
  }
}

/** Percent of all CPUs busy over the next `ms` (others' work, when nothing of ours runs); null off Linux. */
export async function cpuBusy(ms = 1000): Promise<number | null> {
  const a = cpuTimes();
  await sleepMs(ms);
  const b = cpuTimes();
  const total = b.total - a.total;
  return total > 0 ? 100 * (1 - (b.idle - a.idle) / total) : null;
}

/** A short hash of the files directly in `dirs` (relative to the repository), and how many there were. */
export function codeHash(dirs: string[]): string {
  const h = createHash('sha256');
  let files = 0;
  for (const rel of dirs) {
    const dir = path.join(ROOT, rel);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, f);
      if (!fs.statSync(file).isFile()) continue;
      h.update(`${path.relative(ROOT, file)}\0`);
      h.update(fs.readFileSync(file));
      files++;
    }
  }
  return `${h.digest('hex').slice(0, 12)} (${files} files)`;
}

/** The hash of the code the backend benchmarks measure: packages/{runtime,channel,shim-backend,io-epoll,io-uring,io-libuv}/src and native/. */
export function sourcesHash(): string {
  return codeHash([...['runtime', 'channel', 'shim-backend', 'io-epoll', 'io-uring', 'io-libuv'].map((p) => `packages/${p}/src`), 'native']);
}

/** Every round's outcome per server and connection count: a result, or the error text. */
export type Results = Record<string, Record<number, (LoadResult | string)[]>>;

/** The rounds of `name` at `c` connections that produced a result. */
export function okRuns(results: Results, name: string, c: number): LoadResult[] {
  return (results[name]?.[c] ?? []).filter((r): r is LoadResult => typeof r === 'object');
}

/** The round with the most req/s (load from other processes only ever slows a round down). */
export function bestRun(results: Results, name: string, c: number): LoadResult | null {
  const xs = okRuns(results, name, c);
  return xs.length === 0 ? null : xs.reduce((a, b) => (b.req_per_s > a.req_per_s ? b : a));
}

/** The table of best rounds: req/s (with every round's req/s and others' CPU), p50, p99, ramp time. */
export function resultsTable(results: Results, servers: string[], connsList: number[]): string {
  const spread = (name: string, c: number): string =>
    ` [${okRuns(results, name, c).map((r) => `${Math.round(r.req_per_s / 1000)}k/${r.others_cpu_pct?.toFixed(0) ?? '?'}%`).join(' ')}]`;
  const head = ['server'];
  for (const c of connsList) head.push(`${c}c req/s`, `${c}c p50 µs`, `${c}c p99 µs`);
  const maxConns = Math.max(...connsList);
  head.push(`${maxConns}c ramp ms`);
  const rows = servers.map((name) => {
    const row = [name];
    for (const c of connsList) {
      const r = bestRun(results, name, c);
      if (r === null) {
        row.push('-', '-', '-');
        continue;
      }
      const bad = r.errors > 0 ? ` (${r.errors} err)` : '';
      row.push(fmtInt(r.req_per_s) + bad + spread(name, c), r.p50_us.toFixed(1), r.p99_us.toFixed(1));
    }
    const r = bestRun(results, name, maxConns);
    row.push(r === null ? '-' : r.ramp_ms.toFixed(0));
    return row;
  });
  return table(head, rows);
}
