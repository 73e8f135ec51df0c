/**
 * The same ping-pong written four ways: two parties, two channels; party A
 * sends i on `ping` and waits for the answer on `pong`, party B receives on
 * `ping` and answers i + 1 on `pong`. One round trip = two rendezvous. Each
 * function resolves with a checksum so no contender can skip work.
 */
import { run, spawn, stats } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';
import { createChannel, run as effRun, spawn as effSpawn } from 'effection';
import csp from 'js-csp';
import { PromiseChannel } from './promise-channel.js';

/** What every correct run returns: sum over i of (i + 1). */
export function expectedChecksum(n: number): number {
  return (n * (n + 1)) / 2;
}

/** Ours: two tasklets, typed channel operations, driven by run(). */
export function pingpongOurs(n: number): Promise<number> {
  const ping = new Channel<number>();
  const pong = new Channel<number>();
  let sum = 0;
  spawn(function* pinger() {
    for (let i = 0; i < n; i++) {
      yield* ping.send(i);
      const v: number = yield* pong.receive();
      sum += v;
    }
  });
  spawn(function* ponger() {
    for (let i = 0; i < n; i++) {
      const v: number = yield* ping.receive();
      yield* pong.send(v + 1);
    }
  });
  run();
  if (stats().alive !== 0) throw new Error('ours: tasklets left alive after run()');
  return Promise.resolve(sum);
}

/** Baseline: the promise channel of promise-channel.ts with two async functions. */
export async function pingpongPromise(n: number): Promise<number> {
  const ping = new PromiseChannel<number>();
  const pong = new PromiseChannel<number>();
  let sum = 0;
  async function pinger(): Promise<void> {
    for (let i = 0; i < n; i++) {
      await ping.send(i);
      const v = await pong.receive();
      sum += v;
    }
  }
  async function ponger(): Promise<void> {
    for (let i = 0; i < n; i++) {
      const v = await ping.receive();
      await pong.send(v + 1);
    }
  }
  await Promise.all([pinger(), ponger()]);
  return sum;
}

/**
 * effection 4: its Channel (a stream; each subscriber has its own queue). The
 * subscriptions are taken before the ponger is spawned so no message is
 * dropped (an effection channel drops messages nobody is subscribed to).
 */
export function pingpongEffection(n: number): Promise<number> {
  return effRun(function* () {
    const ping = createChannel<number, void>();
    const pong = createChannel<number, void>();
    const pings = yield* ping;
    const pongs = yield* pong;
    let sum = 0;
    const ponger = yield* effSpawn(function* () {
      for (let i = 0; i < n; i++) {
        const r = yield* pings.next();
        if (r.done) throw new Error('effection: ping closed');
        yield* pong.send(r.value + 1);
      }
    });
    for (let i = 0; i < n; i++) {
      yield* ping.send(i);
      const r = yield* pongs.next();
      if (r.done) throw new Error('effection: pong closed');
      sum += r.value;
    }
    yield* ponger;
    return sum;
  });
}

/** js-csp: two go blocks over two unbuffered chans, put/take. */
export function pingpongCsp(n: number): Promise<number> {
  const ping = csp.chan();
  const pong = csp.chan();
  csp.go(function* () {
    for (let i = 0; i < n; i++) {
      const v = (yield csp.take(ping)) as number;
      yield csp.put(pong, v + 1);
    }
  });
  const pinger = csp.go(function* () {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      yield csp.put(ping, i);
      sum += (yield csp.take(pong)) as number;
    }
    return sum;
  });
  return new Promise<number>((resolve) => csp.takeAsync(pinger, resolve));
}

/**
 * A step that suspends once and then returns: what `yield*` of a channel
 * operation costs at the least (the iterator protocol, one suspension). One
 * object per party, reused for every step, as ours reuses its operations.
 */
class SuspendOnce implements Iterator<undefined, void> {
  private suspended = false;
  next(): IteratorResult<undefined, void> {
    if (this.suspended) {
      this.suspended = false;
      return { done: true, value: undefined };
    }
    this.suspended = true;
    return { done: false, value: undefined };
  }
  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * The floor under ours (not a contender): the same ping-pong as two bare
 * generators that hand a value over through a shared box, each `yield*`ing
 * a reusable one-suspension step per message, driven by a loop that resumes
 * them in turn (two generator resumptions per round trip, as two tasklet
 * switches are in ours). No scheduler, no channel, no queue: what V8's
 * generator resumption and `yield*` delegation cost by themselves.
 */
export function pingpongFloor(n: number): Promise<number> {
  let box = 0;
  let sum = 0;
  function* pinger(): Generator<undefined, void, unknown> {
    const step = new SuspendOnce();
    for (let i = 0; i < n; i++) {
      box = i;
      yield* step;
      sum += box;
    }
  }
  function* ponger(): Generator<undefined, void, unknown> {
    const step = new SuspendOnce();
    for (;;) {
      box = box + 1;
      yield* step;
    }
  }
  const a = pinger();
  const b = ponger();
  // a: sends i (suspends); b: answers i + 1 (suspends); a: takes it, sends the next.
  while (!a.next().done) b.next();
  b.return(undefined);
  return Promise.resolve(sum);
}
