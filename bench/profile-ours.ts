/**
 * Allocation profile of our ping-pong (not part of the npm scripts):
 *
 *   npx tsc -b && node --min-semi-space-size=128 --max-semi-space-size=128 build/bench/profile-ours.js
 *
 * 1. bytes allocated per round trip: young-generation growth over a run of
 *    N round trips during which no GC happens (checked with a 'gc'
 *    PerformanceObserver; the big semi-space keeps scavenges away);
 * 2. where they come from: V8's sampling heap profiler over the same kind
 *    of run (no GC, so every sample stays), aggregated by allocating function.
 *
 * CPU time and deopts are profiled with node's own flags, see RESULTS.md.
 */
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { pingpongOurs, pingpongPromise } from './contenders.js';
import { forceGc, machineLine, sourceFingerprint } from './machine.js';

const N = Number(process.env.PROFILE_N ?? 100_000);
const gcStarts: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcStarts.push(e.startTime);
}).observe({ entryTypes: ['gc'] });
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

function newSpaceUsed(): number {
  const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  return s === undefined ? 0 : s.space_used_size;
}

async function bytesPerRoundTrip(name: string, fn: (n: number) => Promise<number>, n: number): Promise<void> {
  for (let k = 0; k < 5; k++) await fn(n); // warm up, get optimized
  const samples: number[] = [];
  for (let k = 0; k < 5; k++) {
    forceGc();
    await settle();
    const t0 = performance.now();
    const before = newSpaceUsed();
    await fn(n);
    const after = newSpaceUsed();
    const t1 = performance.now();
    await settle(); // let the gc observer report
    if (!gcStarts.some((t) => t >= t0 && t <= t1)) samples.push((after - before) / n);
  }
  if (samples.length === 0) console.log(`${name}: a GC hit every run; use a larger --max-semi-space-size`);
  else console.log(`${name}: ${Math.min(...samples).toFixed(1)} bytes allocated per round trip (min of ${samples.length} GC-free runs)`);
}

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: Node[];
}

async function allocationSites(): Promise<void> {
  const session = new Session();
  session.connect();
  forceGc();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
  await pingpongOurs(N);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: Node } };
  session.disconnect();
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (n: Node, parent: string): void => {
    const cf = n.callFrame;
    const here = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(packages|bench)\//, '$1/')}:${cf.lineNumber + 1}`;
    if (n.selfSize > 0) {
      const key = `${here}  <- ${parent}`;
      bySite.set(key, (bySite.get(key) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) walk(c, cf.functionName || '(anonymous)');
  };
  walk(profile.head, '');
  console.log(`sampled allocations during one run of ${N} round trips (ours): ${(total / N).toFixed(1)} bytes/round trip`);
  for (const [k, b] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${(b / N).toFixed(1).padStart(7)} B/rt  ${k}`);
  }
}

console.log(machineLine());
console.log(`sources: ${sourceFingerprint()}`);
await bytesPerRoundTrip('ours', pingpongOurs, N);
await bytesPerRoundTrip('promise', pingpongPromise, Math.ceil(N / 10));
await allocationSites();
