/**
 * One echo benchmark session, shared by bench/echo/run.ts (the backends'
 * raw io servers) and bench/echo-compat/run.ts (the socket-compat example):
 * start every server, run the interleaved rounds (for each round, for each
 * connection count, every server in turn; a run disturbed by other
 * processes is repeated while the time budget allows), then print the
 * results table, the ratios to C epoll and Node `net` by req/s and by p99,
 * the server CPU per request, the ratio to C epoll round by round, then
 * `ratio_vs_c_epoll_1000=` (median round) and `worst_ratio_vs_c_epoll_1000=`
 * (worst round) for the headline server, and the last line
 * `ratio_vs_c_epoll_100=`.
 */
import fs from 'node:fs';
import os from 'node:os';
import {
  bestRun,
  cpuBusy,
  fmtInt,
  okRuns,
  PIN,
  resultsTable,
  runLoad,
  sleepMs,
  startServer,
  stopServer,
  table,
  type LoadResult,
  type Results,
  type Server,
  type ServerSpec,
} from './harness.js';

/** What a session runs. */
export interface MatrixOptions {
  /** First line's title, e.g. "echo benchmark (socket-compat)". */
  title: string;
  /** The code under test, for the header ("sources 12d0ae8ea59f (72 files)"). */
  code: string;
  /** Servers to measure, by name, and how to start each. */
  servers: string[];
  specs: Record<string, ServerSpec>;
  /** Which servers are ours (compared with C epoll and Node net). */
  ours: (name: string) => boolean;
  /** The server whose req/s over C epoll's at 100 connections is the last line. */
  headline: string;
  connsList: number[];
  size: number;
  rounds: number;
  duration: number;
  warmup: number;
  /** Repeats of a run during which other processes took over `noisyPct` % of a CPU. */
  retries: number;
  noisyPct: number;
  /** No run starts after this long. */
  budgetMs: number;
  /**
   * Pairs [a, b] of servers compared head to head (a's req/s ÷ b's, b's CPU
   * µs/request ÷ a's), each also printed as `ratio_<a>_vs_<b>_<conns>=`
   * lines before the last line (e.g. io_uring against epoll).
   */
  compare?: [string, string][];
}

/** Server CPU µs per request of a server's lowest round, or null. */
function cpuPerReq(results: Results, name: string, c: number): number | null {
  const xs = okRuns(results, name, c).flatMap((r) => (r.cpu_us_per_req !== undefined && r.cpu_us_per_req > 0 ? [r.cpu_us_per_req] : []));
  return xs.length === 0 ? null : Math.min(...xs);
}

const ratio = (a: number | null, b: number | null): string => (a !== null && b !== null ? (a / b).toFixed(3) : 'n/a');

/** A table of a ÷ b per connection count, a row per label. */
function ratioTable(title: string, connsList: number[], rows: [label: string, a: (c: number) => number | null, b: (c: number) => number | null][]): string {
  return table(
    [title, ...connsList.map((c) => `${c}c`)],
    rows.map(([label, a, b]) => [label, ...connsList.map((c) => ratio(a(c), b(c)))]),
  );
}

/** Starts every server; one that cannot start gets "unavailable" in every cell. */
async function startAll(o: MatrixOptions, results: Results): Promise<Map<string, Server>> {
  const running = new Map<string, Server>();
  for (const name of o.servers) {
    results[name] = {};
    const spec = o.specs[name];
    try {
      if (spec === undefined) throw new Error('unknown server');
      const srv = await startServer(spec);
      running.set(name, srv);
      console.log(`  ${name}: ${srv.banner}`);
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0]!.slice(0, 300);
      for (const c of o.connsList) results[name]![c] = [`unavailable: ${msg}`];
      console.log(`  ${name}: ${msg}`);
    }
  }
  return running;
}

/** The interleaved rounds; a noisy run is repeated while the budget leaves time for every run still planned. */
async function runRounds(o: MatrixOptions, running: Map<string, Server>, results: Results, t0: number, perRound: PerRound): Promise<void> {
  const width = Math.max(...o.servers.map((s) => s.length));
  let planned = o.rounds * o.connsList.length * running.size;
  const runSeconds = o.duration + o.warmup + 1.5;
  for (let round = 1; round <= o.rounds; round++) {
    for (const conns of o.connsList) {
      for (const [name, srv] of running) {
        planned--;
        const cell = (results[name]![conns] ??= []);
        for (let attempt = 0; attempt <= o.retries; attempt++) {
          if (Date.now() - t0 + (o.duration + o.warmup + 11) * 1000 > o.budgetMs) {
            if (attempt === 0) cell.push('skipped (time budget)');
            break;
          }
          if (srv.child.exitCode !== null || srv.child.signalCode !== null) {
            cell.push(`server died: ${srv.stderr().slice(0, 300)}`);
            break;
          }
          let r: LoadResult;
          try {
            r = await runLoad(srv.port, { conns, size: o.size, duration: o.duration, warmup: o.warmup, serverPid: srv.child.pid });
            cell.push(r);
            const key = `${name}@${conns}`;
            const rounds = perRound.get(key) ?? [];
            rounds[round - 1] = Math.max(rounds[round - 1] ?? 0, r.req_per_s);
            perRound.set(key, rounds);
            console.log(
              `  round ${round}${attempt > 0 ? ` (again)` : ''} ${name.padEnd(width)} ${String(conns).padStart(5)} conns: ${fmtInt(r.req_per_s).padStart(9)} req/s  p50 ${r.p50_us.toFixed(1)} µs  p99 ${r.p99_us.toFixed(1)} µs  errors ${r.errors}  ramp ${r.ramp_ms.toFixed(0)} ms  server CPU ${r.cpu_us_per_req?.toFixed(2) ?? '?'} µs/req  client CPU ${r.client_cpu_pct}%  others ${r.others_cpu_pct?.toFixed(0) ?? '?'}%`,
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
          const noisy = (r.others_cpu_pct ?? 0) > o.noisyPct;
          const spare = o.budgetMs - (Date.now() - t0) - planned * runSeconds * 1000;
          if (!noisy || spare < (runSeconds + 8) * 1000) break;
          await sleepMs(1000);
        }
      }
    }
  }
}

/** Each round's req/s (its best attempt) per `server@conns`, by round index. */
type PerRound = Map<string, number[]>;

/**
 * The ratio of `name` to C epoll at `conns`, per round: both measured in
 * the same round (interleaved, so under the same conditions). Rounds that
 * lack either are left out.
 */
function roundRatios(perRound: PerRound, name: string, conns: number): number[] {
  const ours = perRound.get(`${name}@${conns}`) ?? [];
  const c = perRound.get(`c-epoll@${conns}`) ?? [];
  const out: number[] = [];
  for (let i = 0; i < Math.max(ours.length, c.length); i++) {
    const a = ours[i];
    const b = c[i];
    if (a !== undefined && b !== undefined && b > 0) out.push(a / b);
  }
  return out;
}

function medianOf(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Runs the session and prints everything; returns the raw results. */
export async function runMatrix(o: MatrixOptions): Promise<Results> {
  const t0 = Date.now();
  const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`${o.title}: ${o.size}-byte requests, closed loop, ${o.rounds} interleaved round(s) of ${o.warmup} s warm-up + ${o.duration} s, best round shown`);
  console.log(`machine: node ${process.version} | ${os.cpus()[0]?.model.trim()} | ${os.cpus().length} vCPUs | ${os.platform()} ${os.release()} | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
  console.log(`date ${new Date().toISOString()} | code ${o.code}`);
  const busy = await cpuBusy(1000);
  console.log(`CPU busy before the run (other processes): ${busy === null ? 'n/a' : `${busy.toFixed(0)}%`}${busy !== null && busy > 10 ? '  WARNING: the machine is not idle, numbers are noisy' : ''}`);
  console.log(`pinning: ${PIN ? `servers on CPU ${PIN.server}, load generator on CPU ${PIN.load} (taskset)` : 'none'} | load avg ${load()}`);

  /** results[server][conns] = every round's result (or why it failed). */
  const results: Results = {};
  const perRound: PerRound = new Map();
  const running = await startAll(o, results);
  try {
    await runRounds(o, running, results, t0, perRound);
  } finally {
    for (const srv of running.values()) await stopServer(srv);
  }

  const { connsList } = o;
  const best = (name: string, c: number): LoadResult | null => bestRun(results, name, c);
  const rps = (name: string) => (c: number) => best(name, c)?.req_per_s ?? null;
  const p99 = (name: string) => (c: number) => best(name, c)?.p99_us ?? null;
  const cpu = (name: string) => (c: number) => cpuPerReq(results, name, c);
  const ours = o.servers.filter(o.ours);
  const pairs = ours.flatMap((s) => ['c-epoll', 'node-net'].map((ref) => [s, ref] as const));
  console.log('');
  console.log(resultsTable(results, o.servers, connsList));
  console.log('');
  console.log(ratioTable('ratio (req/s, best rounds)', connsList, pairs.map(([s, ref]) => [`${s} / ${ref}`, rps(s), rps(ref)])));
  // The p99 of the best round against Node's (socket-compat's target: no worse than Node net).
  console.log('');
  console.log(ratioTable('p99 ÷ node-net p99 (best rounds; <= 1 is as good)', connsList, ours.map((s) => [s, p99(s), p99('node-net')])));
  // Server CPU per request (user + system, all threads, over the whole load
  // run): what a request costs the server, much steadier than req/s when
  // other processes take CPU time. Lowest round shown.
  console.log('');
  console.log(table(['server CPU µs/request', ...connsList.map((c) => `${c}c`)], o.servers.map((name) => [name, ...connsList.map((c) => cpu(name)(c)?.toFixed(2) ?? '-')])));
  console.log('');
  console.log(ratioTable('CPU efficiency (ref µs/req ÷ ours)', connsList, pairs.map(([s, ref]) => [`${s} vs ${ref}`, cpu(ref), cpu(s)])));

  const compare = (o.compare ?? []).filter(([a, b]) => o.servers.includes(a) && o.servers.includes(b));
  if (compare.length > 0) {
    console.log('');
    console.log(ratioTable('head to head (req/s a ÷ b, best rounds)', connsList, compare.map(([a, b]) => [`${a} / ${b}`, rps(a), rps(b)])));
    console.log('');
    console.log(ratioTable('head to head (CPU µs/req b ÷ a; > 1: a is cheaper)', connsList, compare.map(([a, b]) => [`${a} vs ${b}`, cpu(b), cpu(a)])));
  }

  const failures = Object.entries(results).flatMap(([n, m]) =>
    Object.entries(m).flatMap(([c, rs]) => rs.filter((r): r is string => typeof r === 'string').map((r) => `${n}@${c}: ${r}`)),
  );
  if (failures.length > 0) {
    console.log('');
    console.log('not measured:');
    for (const f of [...new Set(failures)]) console.log(`  ${f}`);
  }
  if (process.env.ECHO_JSON) {
    fs.writeFileSync(process.env.ECHO_JSON, JSON.stringify({ date: new Date().toISOString(), size: o.size, rounds: o.rounds, duration: o.duration, warmup: o.warmup, results }, null, 2));
  }
  console.log(`total time ${((Date.now() - t0) / 1000).toFixed(1)} s | load avg at the end ${load()}`);
  // Round by round (each round's ours over the same round's C epoll): how
  // steady the 1,000-connection figure is, median and worst.
  console.log('');
  for (const c of connsList) {
    for (const name of ours) {
      const xs = roundRatios(perRound, name, c);
      if (xs.length > 0) console.log(`per-round ratio ${name} / c-epoll at ${c}: ${xs.map((x) => x.toFixed(3)).join(' ')}`);
    }
  }
  const at1000 = roundRatios(perRound, o.headline, 1000);
  const med = medianOf(at1000);
  console.log(`ratio_vs_c_epoll_1000=${med === null ? 'n/a' : med.toFixed(3)}`);
  console.log(`worst_ratio_vs_c_epoll_1000=${at1000.length === 0 ? 'n/a' : Math.min(...at1000).toFixed(3)}`);
  for (const [a, b] of compare) for (const c of connsList) console.log(`ratio_${a}_vs_${b}_${c}=${ratio(rps(a)(c), rps(b)(c))}`);
  console.log(`ratio_vs_c_epoll_100=${ratio(rps(o.headline)(100), rps('c-epoll')(100))}`);
  return results;
}
