// Test helpers: a fresh libuv backend for every test, installed in the
// runtime the way backend selection installs it, and the leak check that ends
// each test (no handle open, no request pending in the backend, no
// descriptor left open in the process).
import { expect } from 'chai';
import { closeBackend, installBackend, io, spawn, type InetAddress, type TaskletGenerator } from '@stackless-io/runtime';
import { wakeFromLoop } from '@stackless-io/runtime/internal';
import { backend as libuv, type LibuvBackend } from '@stackless-io/io-libuv';
import { FdBaseline, until, warmUpNode } from '@stackless-io/test-support';

export const LO = '127.0.0.1';

/** One turn of Node's event loop. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Registers hooks that install a fresh libuv backend before each test and,
 * after it, prove that the test closed every handle, left no request
 * pending and gave back every descriptor, then destroy the backend.
 */
export function withLibuv(): { readonly b: LibuvBackend } {
  let current: LibuvBackend | null = null;
  let fds: FdBaseline | null = null;
  before(async () => {
    // Node opens some descriptors once per process, on first use (one on
    // /dev/null at the first listen); they are not a test's to give back.
    await warmUpNode();
  });
  beforeEach(() => {
    fds = new FdBaseline();
    current = installBackend(libuv.create(wakeFromLoop)) as LibuvBackend;
  });
  afterEach(async function () {
    // Completions made by close() or a kill are delivered from the loop.
    await turn();
    await turn();
    const b = current as LibuvBackend;
    const baseline = fds as FdBaseline;
    current = null;
    fds = null;
    const s = b.stats();
    closeBackend();
    if (this.currentTest?.state === 'failed') return;
    expect(s, 'backend stats at the end of the test').to.deep.equal({ handles: 0, pending: 0 });
    // A closed Node socket gives its descriptor back at once or within a
    // loop turn or two; wait for that state (bounded), then count.
    await until('the descriptors given back', () => baseline.leaked() === 0, 5000).catch(() => undefined);
    expect(baseline.leaked(), baseline.report()).to.equal(0);
  });
  return {
    get b() {
      return current as LibuvBackend;
    },
  };
}

/** Runs a tasklet and awaits its result. */
export function run<T>(fn: () => TaskletGenerator<T>): Promise<T> {
  return spawn(fn).join();
}

/** A TCP listener on 127.0.0.1:<ephemeral>: [handle, port]. */
export function listener(backlog = 16): [number, number] {
  const l = io.socket('inet', 'stream');
  io.bind(l, { family: 'inet', host: LO, port: 0 });
  io.listen(l, backlog);
  return [l, (io.getsockname(l) as InetAddress).port];
}

/** A connected TCP pair over loopback, and the listener: { c, s, l }. */
export function* tcpPair(): TaskletGenerator<{ c: number; s: number; l: number }> {
  const [l, port] = listener();
  const c = io.socket('inet', 'stream');
  // The connection completes in the listen queue, before anyone accepts it.
  yield* io.connect(c, { family: 'inet', host: LO, port });
  const { handle: s } = yield* io.accept(l);
  return { c, s, l };
}

/** A port nothing listens on (bound, then released). */
export function freePort(): number {
  const h = io.socket('inet', 'stream');
  io.bind(h, { family: 'inet', host: LO, port: 0 });
  const port = (io.getsockname(h) as InetAddress).port;
  io.close(h);
  return port;
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}
