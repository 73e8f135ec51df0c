/**
 * Echo benchmark across backends: each server in its own process (pinned to
 * CPU 0 when taskset works), the C closed-loop load generator on CPU 1, at
 * 1, 100 and 1,000 connections, 64-byte requests.
 *
 *   npm run bench:echo-backend
 *
 * All servers are started first and stay idle while another is measured;
 * the runs are interleaved (for each round, for each connection count, every
 * server in turn) and each cell reports the best round by req/s, with the
 * other rounds' req/s beside it. On a shared machine, other work only ever
 * makes a run slower, so the best round is the least disturbed one; the
 * spread shows how disturbed they were: each round as "req/s / CPU other
 * processes used meanwhile (% of one CPU)".
 *
 * Environment: ECHO_SERVERS (comma list, default all), ECHO_CONNS
 * (default 1,100,1000), ECHO_SIZE (64), ECHO_ROUNDS (2), ECHO_DURATION
 * (2 s per run), ECHO_WARMUP (1 s), ECHO_JSON (also write the raw results
 * there).
 * "server CPU µs/request": the server process's CPU time (user + system, all
 * threads) during a run divided by the responses of that run; on a busy
 * machine it is much steadier than req/s, and "CPU efficiency" (C's or
 * Node's µs/request over ours) is the throughput ratio the two servers
 * would have if each had a whole core to itself.
 * "ramp ms": from the first connect() to the last connection's first
 * response (how fast the server accepts); warm-up and measurement start after it.
 * Last line: ratio_vs_c_epoll_100=<ours-epoll default / C epoll at 100 conns>.
 */
import fs from 'node:fs';
import os from 'node:os';
import {
  compileNative,
  sourcesHash,
  cpuBusy,
  fmtInt,
  PIN,
  runLoad,
  serverSpecs,
  sleepMs,
  startServer,
  stopServer,
  table,
  type LoadResult,
  type Results,
  bestRun,
  resultsTable,
  type Server,
} from './harness.js';

const ALL = ['ours-epoll', 'ours-epoll-excl', 'ours-libuv', 'node-net', 'c-epoll'];
const servers = (process.env.ECHO_SERVERS ?? ALL.join(',')).split(',').filter((s) => s !== '');
const connsList = (process.env.ECHO_CONNS ?? '1,100,1000').split(',').map(Number);
const size = Number(process.env.ECHO_SIZE ?? 64);
const rounds = Number(process.env.ECHO_ROUNDS ?? 2);
const duration = Number(process.env.ECHO_DURATION ?? 2);
const warmup = Number(process.env.ECHO_WARMUP ?? 1);
const BUDGET_MS = 165_000;

const t0 = Date.now();
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
compileNative();
const specs = serverSpecs();
/** results[server][conns] = every round's result (or why it failed). */
const results: Results = {};
const running = new Map<string, Server>();

console.log(`echo benchmark: ${size}-byte requests, closed loop, ${rounds} interleaved round(s) of ${warmup} s warm-up + ${duration} s per run, best round shown`);
console.log(`machine: node ${process.version} | ${os.cpus()[0]?.model.trim()} | ${os.cpus().length} cores | ${os.platform()} ${os.release()}`);
console.log(`date ${new Date().toISOString()} | sources ${sourcesHash()}`);
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
  for (let round = 1; round <= rounds; round++) {
    for (const conns of connsList) {
      for (const [name, srv] of running) {
        const cell = (results[name]![conns] ??= []);
        if (Date.now() - t0 + (duration + warmup + 11) * 1000 > BUDGET_MS) {
          cell.push('skipped (time budget)');
          continue;
        }
        if (srv.child.exitCode !== null || srv.child.signalCode !== null) {
          cell.push(`server died: ${srv.stderr().slice(0, 300)}`);
          continue;
        }
        try {
          const r = await runLoad(srv.port, { conns, size, duration, warmup, serverPid: srv.child.pid });
          cell.push(r);
          console.log(
            `  round ${round} ${name.padEnd(16)} ${String(conns).padStart(5)} conns: ${fmtInt(r.req_per_s).padStart(9)} req/s  p50 ${r.p50_us.toFixed(1)} µs  p99 ${r.p99_us.toFixed(1)} µs  errors ${r.errors}  ramp ${r.ramp_ms.toFixed(0)} ms  server CPU ${r.cpu_us_per_req?.toFixed(2) ?? '?'} µs/req  client CPU ${r.client_cpu_pct}%  others ${r.others_cpu_pct?.toFixed(0) ?? '?'}%`,
          );
        } catch (e) {
          cell.push((e as Error).message.slice(0, 300));
          console.log(`  round ${round} ${name} ${conns} conns: FAILED ${(e as Error).message.slice(0, 300)}`);
        }
        await sleepMs(200);
      }
    }
  }
} finally {
  for (const srv of running.values()) await stopServer(srv);
}

const best = (name: string, c: number): LoadResult | null => bestRun(results, name, c);
console.log('');
console.log(resultsTable(results, servers, connsList));

const rps = (name: string, c: number): number | null => best(name, c)?.req_per_s ?? null;
const ratio = (a: number | null, b: number | null): string => (a !== null && b !== null ? (a / b).toFixed(3) : 'n/a');
console.log('');
const rhead = ['ratio (req/s, best rounds)'];
for (const c of connsList) rhead.push(`${c}c`);
const rrows: string[][] = [];
for (const ours of servers.filter((s) => s.startsWith('ours-'))) {
  for (const ref of ['c-epoll', 'node-net']) {
    rrows.push([`${ours} / ${ref}`, ...connsList.map((c) => ratio(rps(ours, c), rps(ref, c)))]);
  }
}
console.log(table(rhead, rrows));

// Server CPU per request (user + system, all threads, over the whole load
// run): what a request costs the server, much steadier than req/s when other
// processes take CPU time. Lowest round shown.
const cpuPerReq = (name: string, c: number): number | null => {
  const xs = (results[name]?.[c] ?? []).flatMap((r) => (typeof r === 'object' && r.cpu_us_per_req !== undefined && r.cpu_us_per_req > 0 ? [r.cpu_us_per_req] : []));
  return xs.length === 0 ? null : Math.min(...xs);
};
console.log('');
const chead = ['server CPU µs/request'];
for (const c of connsList) chead.push(`${c}c`);
console.log(
  table(
    chead,
    servers.map((name) => [name, ...connsList.map((c) => cpuPerReq(name, c)?.toFixed(2) ?? '-')]),
  ),
);
console.log('');
const ehead = ['CPU efficiency (ref µs/req ÷ ours)'];
for (const c of connsList) ehead.push(`${c}c`);
const erows: string[][] = [];
for (const ours of servers.filter((s) => s.startsWith('ours-'))) {
  for (const ref of ['c-epoll', 'node-net']) {
    erows.push([`${ours} vs ${ref}`, ...connsList.map((c) => ratio(cpuPerReq(ref, c), cpuPerReq(ours, c)))]);
  }
}
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
console.log(`ratio_vs_c_epoll_100=${ratio(rps('ours-epoll', 100), rps('c-epoll', 100))}`);
