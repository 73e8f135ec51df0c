/**
 * Echo benchmark of the socket-compat echo server (examples/echo-server: one
 * tasklet per connection, `recv` + `sendall`) against Node's `net` echo
 * server and the C epoll echo server, in the same run.
 *
 *   npm run bench:echo      (builds, then node build/bench/echo-compat/run.js)
 *
 * Each server runs in its own process (pinned to CPU 0 when taskset works);
 * the closed-loop C load generator of bench/echo (load.c: 64-byte requests,
 * each connection waits for the whole echo before sending the next) runs in
 * another process on CPU 1, at 1, 100 and 1,000 connections. All servers
 * are started first and stay idle while another one is measured; the runs
 * are interleaved (for each round, for each connection count, every server
 * in turn) and each cell shows the best round by req/s, with every round as
 * "req/s / CPU other processes used meanwhile (% of one CPU)". "server CPU
 * µs/request" is the server process's CPU time (user + system, all threads)
 * over the responses of a run: the measure that noise on a shared machine
 * moves least. The plumbing (compiling the C programs, pinning, killing
 * children) is bench/echo/harness.ts.
 *
 * Environment: ECHO_SERVERS (comma list of compat, compat-into, compat-4k,
 * node-net, c-epoll, ours-epoll; default compat, compat-into, node-net,
 * c-epoll). compat is the example as it ships (recv(1024) + sendall);
 * compat-into runs it with --recv-into (recv_into one buffer per
 * connection + sendall of a view); compat-4k with --bufsize 4096;
 * ours-epoll is bench/echo's server on the raw io layer (no socket-compat).
 * ECHO_CONNS (1,100,1000), ECHO_ROUNDS (2), ECHO_DURATION (2 s),
 * ECHO_WARMUP (1 s), ECHO_RETRIES (2: how many times a run during which
 * other processes took over 10% of a CPU is repeated, when the 170 s
 * budget leaves time for it), ECHO_SIZE (64), COMPAT_FLAGS (extra flags for every
 * compat server), BENCH_NODE_FLAGS (extra node flags for the Node servers),
 * ECHO_JSON (also write the raw results there).
 * Last line: ratio_vs_c_epoll_100=<compat req/s ÷ C epoll req/s at 100 connections>.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  compileNative,
  cpuBusy,
  fmtInt,
  PIN,
  ROOT,
  runLoad,
  serverSpecs,
  sleepMs,
  startServer,
  stopServer,
  table,
  type LoadResult,
  type Results,
  bestRun,
  okRuns,
  resultsTable,
  type Server,
  type ServerSpec,
} from '../echo/harness.js';

const DEFAULT = ['compat', 'compat-into', 'node-net', 'c-epoll'];
const servers = (process.env.ECHO_SERVERS ?? DEFAULT.join(',')).split(',').filter((s) => s !== '');
const connsList = (process.env.ECHO_CONNS ?? '1,100,1000').split(',').map(Number);
const size = Number(process.env.ECHO_SIZE ?? 64);
const rounds = Number(process.env.ECHO_ROUNDS ?? 2);
const duration = Number(process.env.ECHO_DURATION ?? 2);
const warmup = Number(process.env.ECHO_WARMUP ?? 1);
const compatFlags = (process.env.COMPAT_FLAGS ?? '').split(' ').filter((s) => s !== '');
/** Stop starting runs after this long (each run is bounded by load.c's own deadlines too). */
const BUDGET_MS = 170_000;
/** A run during which other processes took more than this (% of one CPU) is run again, time allowing. */
const NOISY_PCT = 10;
const retries = Number(process.env.ECHO_RETRIES ?? 2);

/** The socket-compat echo server, as a user runs it (plus a lifetime bound and `flags`). */
function compatSpec(name: string, flags: string[]): ServerSpec {
  const main = path.join(ROOT, 'build', 'examples', 'echo-server', 'main.js');
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((s) => s !== '');
  return { name, cmd: process.execPath, args: [...extra, main, '--port', '0', '--max-seconds', '300', ...flags, ...compatFlags] };
}

/** A short hash of the code under test: runtime, io-epoll, socket-compat sources, native/ and the example. */
function codeHash(): string {
  const h = createHash('sha256');
  let files = 0;
  const dirs = ['runtime', 'io-epoll', 'socket-compat'].map((p) => path.join(ROOT, 'packages', p, 'src'));
  dirs.push(path.join(ROOT, 'native'), path.join(ROOT, 'examples', 'echo-server'));
  for (const dir of dirs) {
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

const t0 = Date.now();
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
compileNative();
const specs: Record<string, ServerSpec> = {
  ...serverSpecs(),
  compat: compatSpec('compat', []),
  'compat-into': compatSpec('compat-into', ['--recv-into']),
  'compat-4k': compatSpec('compat-4k', ['--bufsize', '4096']),
};
/** results[server][conns] = every round's result (or why it failed). */
const results: Results = {};
const running = new Map<string, Server>();

console.log(`echo benchmark (socket-compat): ${size}-byte requests, closed loop, ${rounds} interleaved round(s) of ${warmup} s warm-up + ${duration} s, best round shown`);
console.log(`machine: node ${process.version} | ${os.cpus()[0]?.model.trim()} | ${os.cpus().length} vCPUs | ${os.platform()} ${os.release()} | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
console.log(`date ${new Date().toISOString()} | code ${codeHash()}`);
const busy = await cpuBusy(1000);
console.log(`CPU busy before the run (other processes): ${busy === null ? 'n/a' : `${busy.toFixed(0)}%`}${busy !== null && busy > 10 ? '  WARNING: the machine is not idle, numbers are noisy' : ''}`);
console.log(`pinning: ${PIN ? `servers on CPU ${PIN.server}, load generator on CPU ${PIN.load} (taskset)` : 'none'} | load avg ${load()}`);

try {
  for (const name of servers) {
    results[name] = {};
    const spec = specs[name];
    try {
      if (spec === undefined) throw new Error('unknown server');
      const srv = await startServer(spec);
      running.set(name, srv);
      console.log(`  ${name}: ${srv.banner}`);
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0]!.slice(0, 300);
      for (const c of connsList) results[name]![c] = [`unavailable: ${msg}`];
      console.log(`  ${name}: ${msg}`);
    }
  }
  // Runs still planned, so that retries of noisy runs never eat their time.
  let planned = rounds * connsList.length * running.size;
  const runSeconds = duration + warmup + 1.5;
  for (let round = 1; round <= rounds; round++) {
    for (const conns of connsList) {
      for (const [name, srv] of running) {
        planned--;
        const cell = (results[name]![conns] ??= []);
        for (let attempt = 0; attempt <= retries; attempt++) {
          if (Date.now() - t0 + (duration + warmup + 11) * 1000 > BUDGET_MS) {
            if (attempt === 0) cell.push('skipped (time budget)');
            break;
          }
          if (srv.child.exitCode !== null || srv.child.signalCode !== null) {
            cell.push(`server died: ${srv.stderr().slice(0, 300)}`);
            break;
          }
          let r: LoadResult;
          try {
            r = await runLoad(srv.port, { conns, size, duration, warmup, serverPid: srv.child.pid });
            cell.push(r);
            console.log(
              `  round ${round}${attempt > 0 ? ` (again)` : ''} ${name.padEnd(11)} ${String(conns).padStart(5)} conns: ${fmtInt(r.req_per_s).padStart(9)} req/s  p50 ${r.p50_us.toFixed(1)} µs  p99 ${r.p99_us.toFixed(1)} µs  errors ${r.errors}  ramp ${r.ramp_ms.toFixed(0)} ms  server CPU ${r.cpu_us_per_req?.toFixed(2) ?? '?'} µs/req  client CPU ${r.client_cpu_pct}%  others ${r.others_cpu_pct?.toFixed(0) ?? '?'}%`,
            );
          } catch (e) {
            cell.push((e as Error).message.slice(0, 300));
            console.log(`  round ${round} ${name} ${conns} conns: FAILED ${(e as Error).message.slice(0, 300)}`);
            break;
          } finally {
            await sleepMs(200);
          }
          // Other processes took CPU meanwhile: run it again if time allows
          // (their work only ever slows a run down; the best run is kept).
          const noisy = (r.others_cpu_pct ?? 0) > NOISY_PCT;
          const spare = BUDGET_MS - (Date.now() - t0) - planned * runSeconds * 1000;
          if (!noisy || spare < (runSeconds + 8) * 1000) break;
          await sleepMs(1000);
        }
      }
    }
  }
} finally {
  for (const srv of running.values()) await stopServer(srv);
}

const ok = (name: string, c: number): LoadResult[] => okRuns(results, name, c);
const best = (name: string, c: number): LoadResult | null => bestRun(results, name, c);
console.log('');
console.log(resultsTable(results, servers, connsList));

const rps = (name: string, c: number): number | null => best(name, c)?.req_per_s ?? null;
const ratio = (a: number | null, b: number | null): string => (a !== null && b !== null ? (a / b).toFixed(3) : 'n/a');
const ours = servers.filter((s) => s.startsWith('compat') || s.startsWith('ours-'));
console.log('');
const rhead = ['ratio (req/s, best rounds)'];
for (const c of connsList) rhead.push(`${c}c`);
const rrows: string[][] = [];
for (const o of ours) for (const ref of ['c-epoll', 'node-net']) rrows.push([`${o} / ${ref}`, ...connsList.map((c) => ratio(rps(o, c), rps(ref, c)))]);
console.log(table(rhead, rrows));

// p99 of the best round against Node's (target: no worse than Node net).
console.log('');
const phead = ['p99 ÷ node-net p99 (best rounds; <= 1 is as good)'];
for (const c of connsList) phead.push(`${c}c`);
console.log(
  table(
    phead,
    ours.map((o) => [o, ...connsList.map((c) => ratio(best(o, c)?.p99_us ?? null, best('node-net', c)?.p99_us ?? null))]),
  ),
);

// Server CPU per request: lowest round shown.
const cpuPerReq = (name: string, c: number): number | null => {
  const xs = ok(name, c).flatMap((r) => (r.cpu_us_per_req !== undefined && r.cpu_us_per_req > 0 ? [r.cpu_us_per_req] : []));
  return xs.length === 0 ? null : Math.min(...xs);
};
console.log('');
const chead = ['server CPU µs/request'];
for (const c of connsList) chead.push(`${c}c`);
console.log(table(chead, servers.map((name) => [name, ...connsList.map((c) => cpuPerReq(name, c)?.toFixed(2) ?? '-')])));
console.log('');
const ehead = ['CPU efficiency (ref µs/req ÷ ours)'];
for (const c of connsList) ehead.push(`${c}c`);
const erows: string[][] = [];
for (const o of ours) for (const ref of ['c-epoll', 'node-net']) erows.push([`${o} vs ${ref}`, ...connsList.map((c) => ratio(cpuPerReq(ref, c), cpuPerReq(o, c)))]);
console.log(table(ehead, erows));

const failures = Object.entries(results).flatMap(([n, m]) =>
  Object.entries(m).flatMap(([c, rs]) => rs.filter((r): r is string => typeof r === 'string').map((r) => `${n}@${c}: ${r}`)),
);
if (failures.length > 0) {
  console.log('');
  console.log('not measured:');
  for (const f of [...new Set(failures)]) console.log(`  ${f}`);
}
if (process.env.ECHO_JSON) {
  fs.writeFileSync(process.env.ECHO_JSON, JSON.stringify({ date: new Date().toISOString(), size, rounds, duration, warmup, results }, null, 2));
}
console.log(`total time ${((Date.now() - t0) / 1000).toFixed(1)} s | load avg at the end ${load()}`);
console.log(`ratio_vs_c_epoll_100=${ratio(rps('compat', 100), rps('c-epoll', 100))}`);
