/**
 * Ping-pong between two parties through two unbuffered channels, one round
 * trip = one value each way (two rendezvous). Run: `npm run bench:pingpong`.
 *
 * Contenders (bench/contenders.ts):
 *   ours       two tasklets, Channel<number>, spawn() + run()
 *   promise    a minimal promise-based rendezvous channel (bench/promise-channel.ts)
 *   effection  effection 4 createChannel() + subscriptions, spawn(), run()
 *   js-csp     go blocks, chan(), put/take
 *   floor      not a contender: two bare generators, yield* of a one-suspension
 *              step, resumed in turn (V8's generator cost, the floor under ours)
 *
 * Method: every contender is warmed up, then timed over whole workloads of N
 * round trips with performance.now(), repetitions alternating the contenders
 * (ours and promise back to back, their order flipping each repetition, then
 * effection and js-csp), a forced GC before each timed run. Reported: the
 * median ns per round trip (wall clock; process CPU time beside it), and as
 * floor_ns_per_rt, ratio_vs_floor (ours ÷ floor) and floor_ratio_vs_promise,
 * and as the last line ratio_vs_promise = median(ours) / median(promise). ours and promise, the headline
 * pair, get more repetitions than effection and js-csp, which are ~15x slower
 * and would otherwise blow the time budget.
 *
 * Environment overrides: PINGPONG_N (round trips per run, default 1e6),
 * PINGPONG_REPS (ours/promise repetitions, default 11), PINGPONG_SLOW_REPS
 * (effection/js-csp repetitions, default 3), PINGPONG_ONLY=ours (profiling).
 */
import { performance } from 'node:perf_hooks';
import {
  expectedChecksum,
  pingpongCsp,
  pingpongEffection,
  pingpongFloor,
  pingpongOurs,
  pingpongPromise,
} from './contenders.js';
import { envInt, forceGc, loadLine, machineLine, median, sourceFingerprint } from './machine.js';

interface Contender {
  name: string;
  fn: (n: number) => Promise<number>;
  reps: number;
  /** Wall-clock ns per round trip, one per timed run. */
  samples: number[];
  /** Process CPU time (user + system, all threads) ns per round trip. */
  cpuSamples: number[];
}

const N = envInt('PINGPONG_N', 1_000_000);
const REPS = envInt('PINGPONG_REPS', 11);
const SLOW_REPS = envInt('PINGPONG_SLOW_REPS', 3);
const ONLY = process.env.PINGPONG_ONLY ?? '';

const all: Contender[] = [
  { name: 'ours', fn: pingpongOurs, reps: REPS, samples: [], cpuSamples: [] },
  { name: 'promise', fn: pingpongPromise, reps: REPS, samples: [], cpuSamples: [] },
  // The generator floor (bench/contenders.ts): what ours cannot go below.
  { name: 'floor', fn: pingpongFloor, reps: REPS, samples: [], cpuSamples: [] },
  { name: 'effection', fn: pingpongEffection, reps: SLOW_REPS, samples: [], cpuSamples: [] },
  { name: 'js-csp', fn: pingpongCsp, reps: SLOW_REPS, samples: [], cpuSamples: [] },
];
const contenders = ONLY === '' ? all : all.filter((c) => ONLY.split(',').includes(c.name));
if (contenders.length === 0) throw new Error(`PINGPONG_ONLY=${ONLY} names no contender`);

async function timed(c: Contender, n: number): Promise<{ wall: number; cpu: number }> {
  forceGc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sum = await c.fn(n);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (sum !== expectedChecksum(n)) throw new Error(`${c.name}: wrong checksum ${sum} (expected ${expectedChecksum(n)})`);
  return { wall: (ms * 1e6) / n, cpu: ((cpu.user + cpu.system) * 1e3) / n };
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(`sources: ${sourceFingerprint()}`);
  console.log(`load average at start: ${loadLine()}`);
  console.log(`pingpong: ${N} round trips per run; ${REPS} timed runs of ours/promise, ${SLOW_REPS} of effection/js-csp`);
  const started = performance.now();

  // Warm-up: small runs to get every path compiled, then one full-size run
  // for the fast pair (their optimized code and heap reach a steady state).
  for (let k = 0; k < 3; k++) for (const c of contenders) await timed(c, 20_000);
  for (const c of contenders) await timed(c, c.reps === REPS ? N : Math.min(N, 100_000));

  // Each repetition runs the fast pair back to back (so each ours/promise
  // pair sees the same machine conditions), then the slow ones; the order
  // within each group alternates from one repetition to the next.
  const fast = contenders.filter((c) => c.reps === REPS);
  const slow = contenders.filter((c) => c.reps !== REPS);
  const pairRatios: number[] = [];
  const maxReps = Math.max(...contenders.map((c) => c.reps));
  for (let r = 0; r < maxReps; r++) {
    const order = [...(r % 2 === 0 ? fast : [...fast].reverse()), ...(r % 2 === 0 ? slow : [...slow].reverse())];
    for (const c of order) {
      if (c.samples.length >= c.reps) continue;
      const t = await timed(c, N);
      c.samples.push(t.wall);
      c.cpuSamples.push(t.cpu);
    }
    const o = contenders.find((c) => c.name === 'ours');
    const p = contenders.find((c) => c.name === 'promise');
    if (o !== undefined && p !== undefined && o.samples.length === r + 1 && p.samples.length === r + 1) {
      pairRatios.push(o.samples[r]! / p.samples[r]!);
    }
  }

  console.log('');
  console.log('contender   median ns/rt    min ns/rt    max ns/rt  runs  round trips/s   median CPU ns/rt');
  for (const c of contenders) {
    const med = median(c.samples);
    console.log(
      `${c.name.padEnd(10)} ${med.toFixed(1).padStart(13)} ${Math.min(...c.samples).toFixed(1).padStart(12)} ` +
        `${Math.max(...c.samples).toFixed(1).padStart(12)} ${String(c.samples.length).padStart(5)} ` +
        `${Math.round(1e9 / med).toLocaleString('en-US').padStart(14)} ${median(c.cpuSamples).toFixed(1).padStart(18)}`,
    );
  }
  for (const c of contenders) {
    console.log(`samples ${c.name}: ${c.samples.map((s) => s.toFixed(1)).join(' ')}`);
  }
  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s; load average at end: ${loadLine()}`);
  const ours = contenders.find((c) => c.name === 'ours');
  const promise = contenders.find((c) => c.name === 'promise');
  if (ours !== undefined && promise !== undefined) {
    // CPU time (all threads of the process) is less disturbed by other
    // processes competing for the cores than wall-clock time; shown as a check.
    console.log(`cpu_ratio_vs_promise=${(median(ours.cpuSamples) / median(promise.cpuSamples)).toFixed(3)} (CPU-time medians; informative)`);
    console.log(
      `paired_ratio_vs_promise=${median(pairRatios).toFixed(3)} (median of ours/promise over back-to-back pairs; ` +
        `informative, robust to load drift; pairs: ${pairRatios.map((x) => x.toFixed(2)).join(' ')})`,
    );
    const floor = contenders.find((c) => c.name === 'floor');
    if (floor !== undefined) {
      // V8's generator resumption is the floor under ours: how far above it ours is.
      console.log(`floor_ns_per_rt=${median(floor.samples).toFixed(1)} (two bare generators, yield* of a one-suspension step)`);
      console.log(`ratio_vs_floor=${(median(ours.samples) / median(floor.samples)).toFixed(3)} (ours ÷ the floor; target <= 1.3)`);
      console.log(`floor_ratio_vs_promise=${(median(floor.samples) / median(promise.samples)).toFixed(3)} (the lowest ratio_vs_promise generators allow)`);
    }
    const ratio = median(ours.samples) / median(promise.samples);
    console.log(`ratio_vs_promise=${ratio.toFixed(3)}`);
  }
}

await main();
