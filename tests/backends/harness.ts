// The frame every conformance test runs in, written once for all backends
// (libuv's test-list.h, mio's tests/util): the test body, a hang guard, and
// the proof that nothing leaked (MAKE_VALGRIND_HAPPY) — no tasklet, timer,
// promise or IO operation left, no backend handle or pending request, and
// the process' descriptor count back where it started.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  closeBackend,
  currentBackend,
  io,
  liveTasklets,
  spawn,
  stats,
  useBackend,
  type IoBackend,
  type Tasklet,
} from '@stackless-io/runtime';
import { fdCount, skipBecause, until } from '@stackless-io/test-support';
import { labelOf, skips } from './record.js';

/** Backends that run operations through our own native shim (their fds are ours). */
const NATIVE = new Set(['epoll', 'io_uring', 'kqueue', 'iocp']);

/** What one test may use besides the io layer. */
export class TestEnv {
  private readonly dirs: string[] = [];

  constructor(
    private readonly ctx: Mocha.Context,
    /** The backend's name. */
    readonly name: string,
  ) {}

  /** The backend under test. */
  get backend(): IoBackend {
    return currentBackend();
  }

  /** True for backends whose operations are the kernel's own (a short send is the kernel's answer). */
  get native(): boolean {
    return NATIVE.has(this.name);
  }

  /** Skips the rest of the test, recording (and printing) why. */
  skip(reason: string): never {
    const test = this.ctx.test?.fullTitle() ?? '(unknown test)';
    skips.push({ backend: labelOf(this.name), test, reason });
    skipBecause(this.ctx, reason);
  }

  /**
   * The backend says it cannot do something (it answered ENOPROTOOPT,
   * EOPNOTSUPP...), which the contract allows: skip, naming the answer.
   * Except a native backend on Linux: the kernel can do all the contract
   * asks, so such an answer is a failure there, not a skip.
   */
  cannot(what: string, answer: string): never {
    if (this.native && process.platform === 'linux') {
      throw new Error(`${what}: the ${this.name} backend answered ${answer}, but Linux can do it`);
    }
    return this.skip(`the backend cannot ${what} (it answered ${answer})`);
  }

  /** A fresh private directory (for Unix-domain socket paths), removed after the test. */
  tmpdir(): string {
    const d = mkdtempSync(join(tmpdir(), 'sio-conf-'));
    this.dirs.push(d);
    return d;
  }

  /** @internal */
  removeDirs(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** Waits (event loop turns, no polling of our own) until `cond` holds; the bound is a hang guard. */
export function settle(what: string, cond: () => boolean, limitMs = 5000): Promise<void> {
  return until(what, cond, limitMs);
}

/** Waits until `t` is blocked and the backend has at least `pending` requests in flight. */
export function blockedInIo(t: Tasklet<any[], any>, pending = 1): Promise<void> {
  return settle(`${String(t)} blocked in IO`, () => t.blocked && currentBackend().stats().pending >= pending);
}

/**
 * Awaits every tasklet; the first error (an assertion inside a tasklet, an
 * unexpected OSError) kills the others, so a failure never leaves a peer
 * blocked forever, and is thrown here.
 */
export function joinAll<T extends readonly Tasklet<any[], any>[]>(...ts: T): Promise<{ [K in keyof T]: Awaited<ReturnType<T[K]['join']>> }> {
  return new Promise((resolve, reject) => {
    const out: unknown[] = new Array(ts.length);
    let left = ts.length;
    let failed = false;
    if (left === 0) resolve(out as never);
    ts.forEach((t, i) => {
      t.join().then(
        (v) => {
          out[i] = v;
          if (--left === 0 && !failed) resolve(out as never);
        },
        (e: unknown) => {
          if (failed) return;
          failed = true;
          for (const o of ts) if (o.alive) o.kill();
          reject(e);
        },
      );
    });
  });
}

/** The error `op` throws (a test failure if it returns). */
export function* raises(op: () => Generator<any, unknown, unknown>): Generator<any, Error, unknown> {
  try {
    yield* op();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, got none');
}

/** The error `fn` throws synchronously. */
export function raisesNow(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, got none');
}

/** The counters of a backend over a native shim (ShimBackend's `shim`), if it is one. */
function shimCounters(b: IoBackend): { opsParked: number; fdsOpen: number } | null {
  const shim = (b as { shim?: { stats?: () => { opsParked: number; fdsOpen: number } } }).shim;
  return typeof shim?.stats === 'function' ? shim.stats() : null;
}

/** What a test may have left behind: all of it must be zero. */
function leftovers(fd0: number): Record<string, number | string> {
  const s = stats();
  const backend = currentBackend();
  const b = backend.stats();
  // The shim's own count: operations it still holds (for IOCP, OVERLAPPED
  // records Windows has not given back, also those of closed sockets) and
  // sockets it has open.
  const shim = shimCounters(backend);
  return {
    tasklets: liveTasklets().map(String).join(', ') || 0,
    runnable: s.runnable,
    timers: s.timers,
    promises: s.promises,
    io: s.io,
    handles: b.handles,
    pending: b.pending,
    fds: fd0 < 0 ? 0 : fdCount() - fd0,
    shimOps: shim === null ? 0 : shim.opsParked,
    shimSockets: shim === null ? 0 : shim.fdsOpen,
  };
}

const CLEAN = { tasklets: 0, runnable: 0, timers: 0, promises: 0, io: 0, handles: 0, pending: 0, fds: 0, shimOps: 0, shimSockets: 0 };

function isClean(l: Record<string, number | string>): boolean {
  return Object.entries(CLEAN).every(([k, v]) => l[k] === v);
}

/**
 * Defines one conformance test: runs `body`, guards it against hanging
 * (`limitS` seconds, a hang guard only: no result depends on speed), then
 * proves nothing leaked. A test that failed or leaked leaves a fresh backend
 * behind, so one failure does not cascade into the next tests.
 */
export function conformance(name: string, title: string, body: (t: TestEnv) => Promise<void>, limitS = 30): void {
  it(title, async function () {
    this.timeout((limitS + 20) * 1000);
    const env = new TestEnv(this, name);
    const fd0 = fdCount();
    let failure: { error: unknown } | null = null;
    let guard: NodeJS.Timeout | undefined;
    try {
      const run = body(env);
      run.catch(() => undefined); // still awaited below; this only stops an "unhandled" report after a hang
      await Promise.race([
        run,
        new Promise<never>((_, reject) => {
          guard = setTimeout(() => reject(new Error(`hung: still running after ${limitS} s (alive: ${liveTasklets().map(String).join(', ') || 'none'})`)), limitS * 1000);
        }),
      ]);
    } catch (e) {
      failure = { error: e };
    } finally {
      clearTimeout(guard);
    }
    // A failed test may leave tasklets blocked: kill them (their operations
    // are cancelled) and let the backend deliver what it owes.
    const leakedTasklets = liveTasklets().map(String);
    for (const t of liveTasklets()) {
      try {
        t.kill({ pending: false });
      } catch {
        // Its error while dying is not this test's verdict: the leak report is.
      }
    }
    let left: Record<string, number | string> = {};
    try {
      await settle('nothing left behind', () => isClean((left = leftovers(fd0))), 3000);
    } catch {
      // Reported below with the details.
    }
    if (leakedTasklets.length > 0) left.tasklets = leakedTasklets.join(', ');
    env.removeDirs();
    if (!isClean(left)) {
      // Start the next test from a fresh backend: destroy() closes every handle.
      closeBackend();
      await useBackend(name);
    }
    if (failure !== null) throw failure.error;
    expect(left, 'left behind at the end of the test').to.deep.equal(CLEAN);
  });
}

/**
 * One loopback exchange before any test measures descriptors: Node's libuv
 * opens some descriptors once per process on first use (it reserves one on
 * /dev/null at the first listen, for its EMFILE handling), which no backend
 * can give back. Afterwards every descriptor a test leaves open is a leak.
 */
export async function warmUp(): Promise<void> {
  const lst = io.socket('inet', 'stream');
  io.bind(lst, { family: 'inet', host: '127.0.0.1', port: 0 });
  io.listen(lst);
  const addr = io.getsockname(lst);
  const udp = io.socket('inet', 'dgram');
  io.bind(udp, { family: 'inet', host: '127.0.0.1', port: 0 });
  await spawn(function* warmUp() {
    const c = io.socket('inet', 'stream');
    yield* io.connect(c, addr);
    const { handle } = yield* io.accept(lst);
    yield* io.sendto(udp, new Uint8Array(1), io.getsockname(udp));
    yield* io.recvfrom(udp, 1);
    io.close(c);
    io.close(handle);
  }).join();
  io.close(lst);
  io.close(udp);
}
