/**
 * Our ping-pong, two (or more) builds of the runtime and channel packages
 * compared in one process (not part of the npm scripts):
 *
 *   node build/bench/ab-pingpong.js DIR_A DIR_B [DIR_C ...]
 *
 * Each DIR has node_modules/@stackless-io/runtime and .../channel, built
 * (package.json and dist/): a checkout of the repository after
 * `npm run build`, or a copy of the two packages' package.json and dist/
 * (bench/RESULTS.md shows how to make one of an older commit).
 *
 * Why in one process: on a shared machine two processes run minutes apart
 * see different loads, and the difference between two builds of the hot
 * path (a few percent) drowns in it. Here every build is its own module
 * instance (its own scheduler), the runs alternate A, B, B, A, ... with a
 * forced GC before each, and each run's process CPU time is paired with the
 * other builds' runs of the same repetition. Reported per build: the 10th,
 * 25th and 50th percentile of CPU ns per round trip, and the median of the
 * per-repetition ratios to the first build. Swap the order of the
 * arguments for a second opinion: the build loaded first can come out a
 * few percent apart from an identical copy.
 *
 * Environment overrides: AB_N (round trips per run, default 500,000),
 * AB_REPS (repetitions, default 21).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { envInt, forceGc, machineLine } from './machine.js';

type PingPong = (n: number) => void;

// The workload of contenders.ts' pingpongOurs, compiled once per build so
// that no build's code shares type feedback with another's.
const source = `
  return function pingpong(n) {
    const ping = new Channel();
    const pong = new Channel();
    let sum = 0;
    spawn(function* pinger() {
      for (let i = 0; i < n; i++) {
        yield* ping.send(i);
        sum += yield* pong.receive();
      }
    });
    spawn(function* ponger() {
      for (let i = 0; i < n; i++) {
        const v = yield* ping.receive();
        yield* pong.send(v + 1);
      }
    });
    run();
    if (sum !== (n * (n + 1)) / 2) throw new Error('wrong checksum ' + sum);
  };`;

interface Build {
  dir: string;
  pingpong: PingPong;
  cpu: number[];
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) * q)] as number;
};

async function load(dir: string): Promise<Build> {
  const pkg = (name: string): string =>
    pathToFileURL(path.resolve(dir, 'node_modules', '@stackless-io', name, 'dist', 'index.js')).href;
  const runtime = (await import(pkg('runtime'))) as { run: unknown; spawn: unknown };
  const channel = (await import(pkg('channel'))) as { Channel: unknown };
  const make = new Function('run', 'spawn', 'Channel', source) as (...a: unknown[]) => PingPong;
  return { dir, pingpong: make(runtime.run, runtime.spawn, channel.Channel), cpu: [] };
}

async function main(): Promise<void> {
  const dirs = process.argv.slice(2);
  if (dirs.length < 2) throw new Error('usage: node build/bench/ab-pingpong.js DIR_A DIR_B [DIR_C ...]');
  const N = envInt('AB_N', 500_000);
  const REPS = envInt('AB_REPS', 21);
  console.log(machineLine());
  const builds: Build[] = [];
  for (const d of dirs) builds.push(await load(d));
  // Warm-up: every path compiled, then one full-size run each.
  for (const b of builds) {
    for (let k = 0; k < 3; k++) b.pingpong(20_000);
    b.pingpong(N);
  }
  for (let r = 0; r < REPS; r++) {
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    for (const b of order) {
      forceGc();
      const c0 = process.cpuUsage();
      b.pingpong(N);
      const c = process.cpuUsage(c0);
      b.cpu.push(((c.user + c.system) * 1e3) / N);
    }
  }
  console.log(`${N} round trips per run, ${REPS} runs each; CPU ns per round trip`);
  for (const b of builds) {
    console.log(
      `${b.dir}: p10 ${quantile(b.cpu, 0.1).toFixed(1)}  p25 ${quantile(b.cpu, 0.25).toFixed(1)}  median ${quantile(b.cpu, 0.5).toFixed(1)}`,
    );
  }
  const first = builds[0] as Build;
  for (const b of builds.slice(1)) {
    const ratios = b.cpu.map((x, i) => x / (first.cpu[i] as number));
    console.log(`paired_cpu_ratio ${b.dir} / ${first.dir} = ${quantile(ratios, 0.5).toFixed(3)}`);
  }
}

await main();
