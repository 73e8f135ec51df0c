/**
 * Connection-storm benchmark: N clients connect at once, each sends one
 * 64-byte message and waits for its echo; the figure is the time from the
 * first connect() until every client has its echo. Compared in the same
 * run: the socket-compat echo example as it ships (examples/echo-server, on
 * the epoll and the libuv backend), the C epoll echo server of bench/echo
 * and Node's `net` echo server.
 *
 *   npm run bench:accept      (builds, then node build/bench/accept/run.js)
 *
 * Each server runs in its own process (pinned to CPU 0 when taskset works),
 * the client (bench/accept/storm.c, compiled with gcc -O2) in another on
 * CPU 1. All servers start first and stay idle while another is measured;
 * rounds are interleaved (each round, each N, every server in turn), and a
 * cell shows the median round with every round in brackets. The client
 * resets its connections at the end (SO_LINGER 0), so no TIME_WAIT piles up,
 * and waits until the server has closed them before the next storm.
 * 10,000 connections need 10,000 descriptors in the server and the client:
 * `ulimit -n` of at least 10,100 (the run says so and skips that size).
 *
 * Environment: ACCEPT_SERVERS (comma list of compat-epoll, compat-libuv,
 * c-epoll, node-net; default all; also compat-uring, the echo example on
 * the io_uring backend, only when named), ACCEPT_CONNS (1000,10000), ACCEPT_ROUNDS
 * (3), ACCEPT_TIMEOUT (s per storm, 20), ACCEPT_BEFORE (the directory of
 * another built checkout: its echo example runs too, as before-epoll and
 * before-libuv, for before/after figures in one run). Bounded: rounds x sizes x servers
 * storms, each within its timeout; the whole run stops starting storms after
 * 110 s.
 * "server CPU ms" is the server process's CPU time (user + system, all
 * threads) during a storm, from /proc (the clock tick is 10 ms: compare
 * medians of several rounds); it moves less than times under load.
 * Last line: accept_ratio_vs_c_1000=<compat-epoll median ms ÷ C epoll median ms at 1,000>.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errSummary, gitRev, NATIVE_DIR, PIN, procCpuSeconds, ROOT, serverSpecs, sleepMs, startServer, stopServer, table, compileNative, type Server, type ServerSpec } from '../echo/harness.js';

const STORM_BIN = path.join(NATIVE_DIR, 'storm');

interface StormResult {
  conns: number;
  done: number;
  errors: number;
  all_ms: number;
  p50_ms: number;
  p99_ms: number;
  connect_ms: number;
  /** CPU the server process used during the storm (user + system, all threads), ms: steadier than time under load. */
  server_cpu_ms?: number;
}

function compileStorm(): void {
  fs.mkdirSync(NATIVE_DIR, { recursive: true });
  const src = path.join(ROOT, 'bench', 'accept', 'storm.c');
  if (fs.existsSync(STORM_BIN) && fs.statSync(STORM_BIN).mtimeMs >= fs.statSync(src).mtimeMs) return;
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-o', STORM_BIN, src], { stdio: 'inherit' });
}

function compatSpec(name: string, backend: string, root = ROOT): ServerSpec {
  const main = path.join(root, 'build', 'examples', 'echo-server', 'main.js');
  return { name, cmd: process.execPath, args: [main, '--port', '0', '--backend', backend, '--max-seconds', '300'] };
}

/** Descriptors a process may open (the soft limit the children inherit). */
function fdLimit(): number {
  const r = spawnSync('sh', ['-c', 'ulimit -n']);
  const v = r.stdout.toString().trim();
  return v === 'unlimited' ? Infinity : Number(v);
}

/** Open descriptors of a process (the server's connections), or -1. */
function openFds(pid: number | undefined): number {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/** One storm against `port`. */
function storm(port: number, conns: number, timeoutS: number): Promise<StormResult> {
  const args = ['-p', String(port), '-c', String(conns), '-s', '64', '-t', String(timeoutS)];
  const [cmd, argv] = PIN === null ? [STORM_BIN, args] : ['taskset', ['-c', PIN.load, STORM_BIN, ...args]];
  const child = spawn(cmd, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 10) * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(kill);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line) as StormResult;
        resolve(r);
      } catch {
        reject(new Error(`storm client failed (${code ?? signal}): ${err.trim()} ${out.trim()}`));
      }
    });
  });
}

/** Waits (bounded) until the server holds no more than `base` descriptors: the last storm's connections are closed. */
async function settle(s: Server, base: number): Promise<void> {
  for (let i = 0; i < 100 && openFds(s.child.pid) > base; i++) await sleepMs(50);
  await sleepMs(100);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const ALL = ['compat-epoll', 'compat-libuv', 'c-epoll', 'node-net'];
// Another checkout of the project, built (npm run build, and its epoll
// shim): its echo example joins the run as before-epoll and before-libuv,
// for before/after comparisons in the same run.
const before = process.env.ACCEPT_BEFORE ?? '';
const servers = (process.env.ACCEPT_SERVERS ?? [...ALL, ...(before !== '' ? ['before-epoll', 'before-libuv'] : [])].join(',')).split(',').filter((s) => s !== '');
const limit = fdLimit();
const connsList = (process.env.ACCEPT_CONNS ?? '1000,10000')
  .split(',')
  .map(Number)
  .filter((c) => {
    if (c + 100 <= limit) return true;
    console.log(`skipping ${c} connections: ulimit -n is ${limit}, ${c + 100} needed (raise it: ulimit -n 20000)`);
    return false;
  });
const rounds = Number(process.env.ACCEPT_ROUNDS ?? 3);
const timeoutS = Number(process.env.ACCEPT_TIMEOUT ?? 20);
const budgetMs = 110_000;

compileNative();
compileStorm();
const specs: Record<string, ServerSpec> = {
  ...serverSpecs(),
  'compat-epoll': compatSpec('compat-epoll', 'epoll'),
  'compat-libuv': compatSpec('compat-libuv', 'libuv'),
  'compat-uring': compatSpec('compat-uring', 'io_uring'),
  ...(before !== '' ? { 'before-epoll': compatSpec('before-epoll', 'epoll', path.resolve(before)), 'before-libuv': compatSpec('before-libuv', 'libuv', path.resolve(before)) } : {}),
};
console.log(`accept benchmark (connection storms), ${new Date().toISOString()}, commit ${gitRev()}`);
console.log(`${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}, pinning ${PIN === null ? 'off' : `server cpu ${PIN.server}, client cpu ${PIN.load}`}`);
const running: Record<string, { server: Server; base: number }> = {};
const results: Record<string, Record<number, (StormResult | string)[]>> = {};
const t0 = performance.now();
try {
  for (const name of servers) {
    const spec = specs[name];
    if (spec === undefined) throw new Error(`unknown server ${name} (known: ${Object.keys(specs).join(', ')})`);
    const server = await startServer(spec);
    await sleepMs(200);
    running[name] = { server, base: openFds(server.child.pid) };
    results[name] = {};
  }
  outer: for (let round = 0; round < rounds; round++) {
    for (const conns of connsList) {
      for (const name of servers) {
        if (performance.now() - t0 > budgetMs) {
          console.log(`time budget spent: stopping after ${round} full rounds`);
          break outer;
        }
        const { server, base } = running[name]!;
        const cell = (results[name]![conns] ??= []);
        try {
          const cpu0 = procCpuSeconds(server.child.pid);
          const r = await storm(server.port, conns, timeoutS);
          const cpu1 = procCpuSeconds(server.child.pid);
          if (cpu0 !== null && cpu1 !== null) r.server_cpu_ms = (cpu1 - cpu0) * 1000;
          cell.push(r.errors > 0 ? `${r.errors} errors` : r);
        } catch (e) {
          cell.push((e as Error).message.slice(0, 200));
          if (server.child.exitCode !== null) cell.push(`server exited: ${errSummary(server.stderr())}`);
        }
        await settle(server, base);
      }
    }
  }
} finally {
  for (const { server } of Object.values(running)) await stopServer(server);
}

const ok = (name: string, c: number): StormResult[] => (results[name]?.[c] ?? []).filter((r): r is StormResult => typeof r === 'object');
const medianMs = (name: string, c: number): number => median(ok(name, c).map((r) => r.all_ms));
const head = ['server', ...connsList.flatMap((c) => [`${c}: all echoed, ms (median [rounds])`, `${c}: p50 ms`, `${c}: server CPU ms`])];
const rows = servers.map((name) => [
  name,
  ...connsList.flatMap((c) => {
    const xs = ok(name, c);
    const bad = (results[name]?.[c] ?? []).filter((r) => typeof r === 'string');
    const cell = xs.length === 0 ? '-' : `${medianMs(name, c).toFixed(1)} [${xs.map((r) => r.all_ms.toFixed(0)).join(' ')}]`;
    const cpu = xs.map((r) => r.server_cpu_ms).filter((v): v is number => v !== undefined);
    return [
      cell + (bad.length > 0 ? ` (${bad.length} failed: ${String(bad[0])})` : ''),
      xs.length === 0 ? '-' : median(xs.map((r) => r.p50_ms)).toFixed(1),
      cpu.length === 0 ? '-' : median(cpu).toFixed(0),
    ];
  }),
]);
console.log(table(head, rows));
for (const c of connsList) {
  const c0 = medianMs('c-epoll', c);
  for (const name of servers) {
    if (name === 'c-epoll') continue;
    const v = medianMs(name, c) / c0;
    if (Number.isFinite(v)) console.log(`${name}_vs_c_${c}=${v.toFixed(2)}`);
  }
}
for (const c of connsList) {
  const cpu = (name: string): number => median(ok(name, c).map((r) => r.server_cpu_ms ?? NaN));
  const v = cpu('compat-epoll') / cpu('c-epoll');
  if (Number.isFinite(v)) console.log(`cpu_ratio_vs_c_${c}=${v.toFixed(2)}`);
}
const headline = medianMs('compat-epoll', 1000) / medianMs('c-epoll', 1000);
console.log(`accept_ratio_vs_c_1000=${Number.isFinite(headline) ? headline.toFixed(2) : 'n/a'}`);
