/**
 * Memory held per blocked tasklet. Run: `npm run bench:memory`
 * (node --expose-gc build/bench/memory.js).
 *
 * Each variant runs in a fresh child process (so one variant's freed-but-kept
 * heap pages do not colour the next one's RSS) and does:
 *   1. a warm-up round of 1,000 (compiles the paths, grows the run queue);
 *   2. forced GC, baseline process.memoryUsage();
 *   3. COUNT waiters created and blocked (checked: all alive and blocked);
 *   4. forced GC, measure: (after - baseline) / COUNT for rss and heapUsed;
 *   5. release all of them (send or kill) and verify none is left.
 * What the figure includes, for every variant alike: the waiter, its channel
 * (or promise), and one array slot to reach it for the release.
 *
 * Variants:
 *   ours-own        tasklet blocked in `yield* ch.receive()` on its own Channel (headline), released by send
 *   ours-shared     tasklets blocked on one shared Channel, released by kill()
 *   promise-own     async function awaiting receive() on its own PromiseChannel, released by send
 *   promise-bare    async function awaiting a bare pending promise, released by resolve
 *   effection-own   effection task blocked on next() of its own createChannel() subscription, released by send
 *   effection-bare  effection task blocked on action(), released by resolve
 *   js-csp-own      go block blocked on take() of its own chan, released by putAsync
 *
 * The effection variants cost ~0.2-1 ms of CPU and up to ~35 KB per task
 * (100k of effection-own take ~90 s and ~3.7 GB peak RSS), so they run with
 * MEMORY_SLOW_COUNT waiters (default 20,000); their heapUsed per waiter is
 * the same at 20k and at 100k (measured), RSS per waiter within ~15%.
 * Every other variant runs MEMORY_RUNS times (default 3, fresh process each)
 * and the median per-waiter figures are reported.
 *
 * Environment: MEMORY_COUNT (default 100000), MEMORY_SLOW_COUNT (default
 * 20000), MEMORY_RUNS (default 3), MEMORY_ONLY=name,name.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, spawn, stats, type Tasklet, type TaskletGenerator } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';
import {
  action,
  createChannel,
  run as effRun,
  sleep as effSleep,
  spawn as effSpawn,
  type Channel as EffChannel,
  type Operation as EffOperation,
} from 'effection';
import csp from 'js-csp';
import { PromiseChannel } from './promise-channel.js';
import { forceGc, machineLine, median, sourceFingerprint } from './machine.js';

const COUNT = Number(process.env.MEMORY_COUNT ?? 100_000);
const SLOW_COUNT = Number(process.env.MEMORY_SLOW_COUNT ?? 20_000);
const RUNS = Number(process.env.MEMORY_RUNS ?? 3);
const WARMUP = 1_000;

interface Sample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

interface Result {
  variant: string;
  count: number;
  rssPer: number;
  heapPer: number;
  heapTotalPer: number;
  externalPer: number;
  leftAfterRelease: number;
  note: string;
}

function sample(): Sample {
  forceGc();
  forceGc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function assert(cond: boolean, what: string): void {
  if (!cond) throw new Error(`check failed: ${what}`);
}

/**
 * One variant: `block(n)` creates n waiters and resolves once all are
 * blocked; `release()` frees them and resolves with how many are left.
 * measure() runs a warm-up round, then the measured round.
 */
interface Variant {
  note: string;
  /** Too slow for 100k and several runs: SLOW_COUNT waiters, one run. */
  slow?: boolean;
  round(n: number, measured: (() => void) | null): Promise<number>;
}

// ---------------------------------------------------------------- ours

let oursReceived = 0;
function* receiver(ch: Channel<number>): TaskletGenerator<void> {
  const v: number = yield* ch.receive();
  oursReceived += v;
}

const oursOwn: Variant = {
  note: 'Channel + tasklet each; release: sends from one tasklet',
  async round(n, measured) {
    oursReceived = 0;
    const chans: Channel<number>[] = [];
    for (let i = 0; i < n; i++) {
      const ch = new Channel<number>();
      chans.push(ch);
      spawn(receiver, ch);
    }
    run();
    assert(stats().alive === n, `ours-own: ${n} tasklets alive (got ${stats().alive})`);
    assert(chans.every((c) => c.balance === -1), 'ours-own: every channel has one receiver waiting');
    measured?.();
    spawn(function* releaser() {
      for (let i = 0; i < chans.length; i++) yield* chans[i]!.send(1);
    });
    run();
    assert(oursReceived === n, 'ours-own: every tasklet received its value');
    assert(chans.every((c) => c.balance === 0), 'ours-own: channels empty');
    await tick();
    return stats().alive;
  },
};

const oursShared: Variant = {
  note: 'one Channel for all; release: kill() each',
  async round(n, measured) {
    const ch = new Channel<number>();
    const ts: Tasklet<[Channel<number>], void>[] = [];
    for (let i = 0; i < n; i++) ts.push(spawn(receiver, ch));
    run();
    assert(stats().alive === n, `ours-shared: ${n} tasklets alive (got ${stats().alive})`);
    assert(ch.balance === -n, 'ours-shared: all receivers queued on the channel');
    measured?.();
    for (const t of ts) t.kill({ pending: true });
    run();
    assert(ch.balance === 0, 'ours-shared: channel empty after kill');
    await tick();
    return stats().alive;
  },
};

// ---------------------------------------------------------------- promise

let live = 0;
let received = 0;

async function promiseReceiver(ch: PromiseChannel<number>): Promise<void> {
  live++;
  const v = await ch.receive();
  received += v;
  live--;
}

const promiseOwn: Variant = {
  note: 'PromiseChannel + async function each; release: send',
  async round(n, measured) {
    received = 0;
    const chans: PromiseChannel<number>[] = [];
    const done: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const ch = new PromiseChannel<number>();
      chans.push(ch);
      void promiseReceiver(ch);
    }
    await tick();
    assert(live === n, 'promise-own: all waiting');
    measured?.();
    for (const ch of chans) done.push(ch.send(1));
    await Promise.all(done);
    await tick();
    assert(received === n, 'promise-own: every receiver got its value');
    return live;
  },
};

async function bareWaiter(resolvers: ((v: number) => void)[]): Promise<void> {
  live++;
  const v = await new Promise<number>((resolve) => resolvers.push(resolve));
  received += v;
  live--;
}

const promiseBare: Variant = {
  note: 'async function awaiting its own pending promise; release: resolve',
  async round(n, measured) {
    received = 0;
    const resolvers: ((v: number) => void)[] = [];
    for (let i = 0; i < n; i++) void bareWaiter(resolvers);
    await tick();
    assert(live === n, 'promise-bare: all waiting');
    measured?.();
    for (const r of resolvers) r(1);
    await tick();
    assert(received === n, 'promise-bare: every waiter got its value');
    return live;
  },
};

// ---------------------------------------------------------------- effection

function* waitAll(target: () => boolean): EffOperation<void> {
  while (!target()) yield* effSleep(0);
}

const effectionOwn: Variant = {
  slow: true,
  note: 'createChannel() + subscription + spawned task each; release: send',
  round(n, measured) {
    return effRun(function* () {
      let blocked = 0;
      let finished = 0;
      let got = 0;
      const chans: EffChannel<number, void>[] = [];
      for (let i = 0; i < n; i++) {
        const ch = createChannel<number, void>();
        chans.push(ch);
        yield* effSpawn(function* () {
          const sub = yield* ch;
          blocked++;
          const r = yield* sub.next();
          if (!r.done) got += r.value;
          finished++;
        });
      }
      yield* waitAll(() => blocked === n);
      measured?.();
      for (const ch of chans) yield* ch.send(1);
      yield* waitAll(() => finished === n);
      assert(got === n, 'effection-own: every task got its value');
      return n - finished;
    });
  },
};

const effectionBare: Variant = {
  slow: true,
  note: 'spawned task blocked on action(); release: resolve',
  round(n, measured) {
    return effRun(function* () {
      let finished = 0;
      let got = 0;
      const resolvers: ((v: number) => void)[] = [];
      for (let i = 0; i < n; i++) {
        yield* effSpawn(function* () {
          const v = yield* action<number>((resolve) => {
            resolvers.push(resolve);
            return () => {};
          });
          got += v;
          finished++;
        });
      }
      yield* waitAll(() => resolvers.length === n);
      measured?.();
      for (const r of resolvers) r(1);
      yield* waitAll(() => finished === n);
      assert(got === n, 'effection-bare: every task got its value');
      return n - finished;
    });
  },
};

// ---------------------------------------------------------------- js-csp

const cspOwn: Variant = {
  note: 'chan() + go block each; release: putAsync',
  async round(n, measured) {
    let blocked = 0;
    let finished = 0;
    let got = 0;
    const chans: ReturnType<typeof csp.chan>[] = [];
    for (let i = 0; i < n; i++) {
      const ch = csp.chan();
      chans.push(ch);
      csp.go(function* () {
        blocked++;
        const v = (yield csp.take(ch)) as number;
        got += v;
        finished++;
      });
    }
    while (blocked < n) await tick();
    await tick();
    measured?.();
    for (const ch of chans) csp.putAsync(ch, 1);
    while (finished < n) await tick();
    assert(got === n, 'js-csp-own: every go block got its value');
    return n - finished;
  },
};

const variants: Record<string, Variant> = {
  'ours-own': oursOwn,
  'ours-shared': oursShared,
  'promise-own': promiseOwn,
  'promise-bare': promiseBare,
  'effection-own': effectionOwn,
  'effection-bare': effectionBare,
  'js-csp-own': cspOwn,
};

async function child(name: string, count: number): Promise<void> {
  const v = variants[name];
  if (v === undefined) throw new Error(`unknown variant ${name}`);
  const COUNT = count;
  // Warm-up twice: compiles the paths and grows internal rings/tables once.
  for (let k = 0; k < 2; k++) assert((await v.round(WARMUP, null)) === 0, `${name}: warm-up left waiters`);
  await tick();
  const base = sample();
  let after: Sample | null = null;
  const left = await v.round(COUNT, () => {
    after = sample();
  });
  const a = after as Sample | null;
  if (a === null) throw new Error(`${name}: never measured`);
  const r: Result = {
    variant: name,
    count: COUNT,
    rssPer: (a.rss - base.rss) / COUNT,
    heapPer: (a.heapUsed - base.heapUsed) / COUNT,
    heapTotalPer: (a.heapTotal - base.heapTotal) / COUNT,
    externalPer: (a.external - base.external) / COUNT,
    leftAfterRelease: left,
    note: v.note,
  };
  process.send!(r);
}

function runChild(name: string, count: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const cp = fork(fileURLToPath(import.meta.url), ['--child', name, String(count)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: Result | null = null;
    cp.on('message', (m) => {
      result = m as Result;
    });
    cp.on('error', reject);
    cp.on('exit', (code) => {
      if (code === 0 && result !== null) resolve(result);
      else reject(new Error(`variant ${name}: child exited with code ${code}`));
    });
  });
}

async function parent(): Promise<void> {
  console.log(machineLine());
  console.log(`sources: ${sourceFingerprint()}`);
  console.log(
    `memory: ${COUNT} blocked waiters per variant (effection: ${SLOW_COUNT}), each run in a fresh process ` +
      `(--expose-gc) after 2 warm-up rounds of ${WARMUP}; median of ${RUNS} runs (effection: 1)`,
  );
  const only = process.env.MEMORY_ONLY;
  const names = only ? only.split(',') : Object.keys(variants);
  for (const name of names) if (variants[name] === undefined) throw new Error(`unknown variant ${name}`);
  const runs = new Map<string, Result[]>(names.map((n) => [n, []]));
  // Runs alternate the variants (all of run 1, then all of run 2...).
  for (let k = 0; k < RUNS; k++) {
    for (const name of names) {
      const slow = variants[name]!.slow === true;
      if (slow && k > 0) continue;
      runs.get(name)!.push(await runChild(name, slow ? SLOW_COUNT : COUNT));
    }
  }
  const results: Result[] = names.map((name) => {
    const rs = runs.get(name)!;
    const pick = (f: (r: Result) => number): number => median(rs.map(f));
    return {
      ...rs[0]!,
      rssPer: pick((r) => r.rssPer),
      heapPer: pick((r) => r.heapPer),
      heapTotalPer: pick((r) => r.heapTotalPer),
      externalPer: pick((r) => r.externalPer),
      leftAfterRelease: Math.max(...rs.map((r) => r.leftAfterRelease)),
    };
  });
  console.log('');
  console.log('variant           count  rss B/waiter  heapUsed B/waiter  heapTotal B/waiter  left  rss per run  | what');
  for (const r of results) {
    console.log(
      `${r.variant.padEnd(15)} ${String(r.count).padStart(7)} ${r.rssPer.toFixed(0).padStart(13)} ${r.heapPer.toFixed(0).padStart(18)} ` +
        `${r.heapTotalPer.toFixed(0).padStart(19)} ${String(r.leftAfterRelease).padStart(5)}  ` +
        `${runs.get(r.variant)!.map((x) => x.rssPer.toFixed(0)).join('/').padEnd(12)} | ${r.note}`,
    );
  }
  const bad = results.filter((r) => r.leftAfterRelease !== 0);
  if (bad.length > 0) {
    console.log(`LEAK: ${bad.map((r) => `${r.variant} left ${r.leftAfterRelease}`).join(', ')}`);
    process.exitCode = 1;
  } else {
    console.log('all released: 0 waiters left in every variant');
  }
  const head = results.find((r) => r.variant === 'ours-own');
  if (head !== undefined) console.log(`bytes_per_blocked_tasklet=${Math.round(head.rssPer)}`);
}

if (process.argv[2] === '--child') await child(process.argv[3] as string, Number(process.argv[4]));
else await parent();
