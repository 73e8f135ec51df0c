/**
 * 1-byte ping-pong round-trip latency over loopback TCP: the C load
 * generator with one connection and 1-byte messages (another process)
 * against each echo server, in two placements (when taskset works):
 *   split:  server on CPU 0, client on CPU 1 (each round trip wakes the
 *           other CPU; on a VM that cross-CPU wake-up is costly);
 *   shared: server and client both on CPU 0 (no cross-CPU wake-up: measures
 *           the software path).
 *
 *   npm run bench:latency
 *
 * "server CPU µs/rt": the server's CPU time (user + system, all threads)
 * per round trip, warm-up included. "others %": CPU time other processes
 * took meanwhile (% of one CPU): above ~10 the row is disturbed.
 *
 * All servers start first (pinned to CPU 0) and idle while another is
 * measured; runs are interleaved over LAT_ROUNDS rounds and each row shows
 * the round in which other processes took the least CPU.
 *
 * Environment: LAT_SERVERS (default: ours-epoll, ours-uring,
 * ours-epoll-excl, ours-libuv, node-net, c-epoll; ours-uring-excl too), LAT_ROUNDS (2),
 * LAT_DURATION (3 s), LAT_WARMUP (1 s), LAT_PLACEMENTS (split,shared).
 */
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
  type Server,
} from '../echo/harness.js';

const servers = (process.env.LAT_SERVERS ?? 'ours-epoll,ours-uring,ours-epoll-excl,ours-libuv,node-net,c-epoll').split(',').filter((s) => s !== '');
const duration = Number(process.env.LAT_DURATION ?? 3);
const rounds = Number(process.env.LAT_ROUNDS ?? 2);
const warmup = Number(process.env.LAT_WARMUP ?? 1);
const label: Record<string, string> = {
  'ours-epoll': 'ours, epoll, default mode',
  'ours-epoll-excl': 'ours, epoll, exclusive mode',
  'ours-uring': 'ours, io_uring, default mode',
  'ours-uring-excl': 'ours, io_uring, exclusive mode',
  'ours-libuv': 'ours, libuv backend',
  'node-net': 'Node net',
  'c-epoll': 'C epoll (reference)',
};

compileNative();
const specs = serverSpecs();
console.log(`1-byte ping-pong over loopback TCP, 1 connection, ${rounds} interleaved round(s) of ${warmup} s warm-up + ${duration} s; least disturbed round shown`);
console.log(`machine: node ${process.version} | ${os.cpus()[0]?.model.trim()} | ${os.cpus().length} cores | ${os.platform()} ${os.release()}`);
console.log(`date ${new Date().toISOString()} | sources ${sourcesHash()}`);
const busy = await cpuBusy(1000);
console.log(`CPU busy before the run (other processes): ${busy === null ? 'n/a' : `${busy.toFixed(0)}%`}${busy !== null && busy > 10 ? '  WARNING: the machine is not idle, numbers are noisy' : ''}`);
console.log(`load avg ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

const placements: { name: string; client?: string }[] = PIN
  ? [
      { name: 'split', client: PIN.load },
      { name: 'shared', client: PIN.server },
    ].filter((p) => (process.env.LAT_PLACEMENTS ?? 'split,shared').split(',').includes(p.name))
  : [{ name: 'unpinned' }];

const running = new Map<string, Server>();
const failed = new Map<string, string>();
/** results[placement][server] = every round's result. */
const results = new Map<string, Map<string, LoadResult[]>>();
try {
  for (const name of servers) {
    const spec = specs[name];
    try {
      if (spec === undefined) throw new Error('unknown server');
      running.set(name, await startServer(spec));
    } catch (e) {
      failed.set(name, (e as Error).message.split('\n')[0]!.slice(0, 300));
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const place of placements) {
      const byServer = results.get(place.name) ?? new Map<string, LoadResult[]>();
      results.set(place.name, byServer);
      for (const [name, srv] of running) {
        try {
          const r = await runLoad(srv.port, { conns: 1, size: 1, duration, warmup, cpu: place.client, serverPid: srv.child.pid });
          byServer.set(name, [...(byServer.get(name) ?? []), r]);
        } catch (e) {
          failed.set(name, (e as Error).message.split('\n')[0]!.slice(0, 300));
        }
        await sleepMs(200);
      }
    }
  }
} finally {
  for (const srv of running.values()) await stopServer(srv);
}

/** The least disturbed round of a server in a placement, or null. */
function pick(place: string, name: string): LoadResult | null {
  const rs = results.get(place)?.get(name) ?? [];
  return rs.length === 0 ? null : rs.reduce((a, b) => ((b.others_cpu_pct ?? 0) < (a.others_cpu_pct ?? 0) ? b : a));
}

for (const place of placements) {
  const rows: string[][] = [];
  for (const name of servers) {
    const r = pick(place.name, name);
    if (r === null) {
      rows.push([label[name] ?? name, '-', '-', '-', 'failed', '-', '-']);
      continue;
    }
    rows.push([
      label[name] ?? name,
      r.p50_us.toFixed(1),
      r.p99_us.toFixed(1),
      r.p999_us.toFixed(1),
      fmtInt(r.req_per_s) + (r.errors > 0 ? ` (${r.errors} err)` : ''),
      r.cpu_us_per_req?.toFixed(1) ?? '-',
      r.others_cpu_pct?.toFixed(0) ?? '-',
    ]);
  }
  const where = place.client === undefined ? 'unpinned' : `server on CPU ${PIN!.server}, client on CPU ${place.client}`;
  console.log('');
  console.log(`placement ${place.name} (${where}):`);
  console.log(table(['server', 'p50 µs', 'p99 µs', 'p99.9 µs', 'round trips/s', 'server CPU µs/rt', 'others %'], rows));
}
for (const [name, why] of failed) console.log(`  ${name}: ${why}`);
// io_uring against epoll, head to head (the default Linux backend is the
// faster one): p50 round trip and server CPU per round trip, a ÷ b (< 1: a
// is faster or cheaper), per placement.
console.log('');
for (const [a, b] of [
  ['ours-uring', 'ours-epoll'],
  ['ours-uring-excl', 'ours-epoll-excl'],
] as const) {
  for (const place of placements) {
    const ra = pick(place.name, a);
    const rb = pick(place.name, b);
    if (ra === null || rb === null) continue;
    const cpu = ra.cpu_us_per_req !== undefined && rb.cpu_us_per_req ? (ra.cpu_us_per_req / rb.cpu_us_per_req).toFixed(3) : 'n/a';
    console.log(`ratio_${a}_vs_${b}_${place.name}: p50 ${(ra.p50_us / rb.p50_us).toFixed(3)}, cpu/rt ${cpu}`);
  }
}
