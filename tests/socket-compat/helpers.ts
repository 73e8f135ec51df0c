// Shared frame of the socket-compat tests: the default backend (whatever
// useBackend() picks here, or $STACKLESS_IO_BACKEND), tasklet bodies run to
// completion with a hang guard, and the proof that a test closed every
// socket it made: no backend handle, no pending request, no descriptor
// (the root hooks check tasklets, timers, promises and IO).
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { closeBackend, currentBackend, spawn, stats, useBackend, waitFor, type Operation, type TaskletGenerator } from '@stackless-io/runtime';
import * as socketModule from '@stackless-io/socket-compat';
import { FdBaseline, skipBecause, until, warmUpNode } from '@stackless-io/test-support';

const { setdefaulttimeout } = socketModule;

/**
 * Installs the default backend for the enclosing describe() and checks that
 * each test closed its sockets: no backend handle or request, and the
 * process' descriptor count back where it was before the test.
 */
export function useDefaultBackend(): void {
  let fds: FdBaseline | null = null;
  before(async function () {
    await useBackend();
    // Node opens some descriptors once per process, on first use; they are
    // not a test's to give back.
    await warmUpNode();
  });
  beforeEach(function () {
    fds = new FdBaseline();
  });
  afterEach(async function () {
    setdefaulttimeout(null);
    const baseline = fds as FdBaseline;
    fds = null;
    // Completions owed by closed sockets arrive at the next rounds, and
    // sockets closed in Node's net give their descriptors back there too.
    const clean = (): boolean => {
      const s = currentBackend().stats();
      return s.handles === 0 && s.pending === 0 && baseline.leaked() === 0;
    };
    await until('the test closed everything', clean, 5000).catch(() => undefined);
    if (this.currentTest?.state === 'failed') {
      // The failure is reported already; a fresh backend (destroy() closes
      // every handle) keeps it from failing the next tests too.
      if (!clean()) {
        closeBackend();
        await useBackend();
      }
      return;
    }
    const s = currentBackend().stats();
    expect({ handles: s.handles, pending: s.pending }, 'backend handles and requests left behind').to.deep.equal({ handles: 0, pending: 0 });
    expect(baseline.leaked(), baseline.report()).to.equal(0);
  });
  after(function () {
    closeBackend();
  });
}

/** Runs `body` as a tasklet and awaits its result (with a hang guard). */
export async function inTasklet<R>(body: () => TaskletGenerator<R>, limitMs = 10_000): Promise<R> {
  const t = spawn(function* () {
    return yield* body();
  });
  let guard: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      t.join() as Promise<R>,
      new Promise<never>((_, reject) => {
        guard = setTimeout(() => {
          if (t.alive) t.kill();
          reject(new Error(`tasklet still running after ${limitMs} ms`));
        }, limitMs);
      }),
    ]);
  } finally {
    clearTimeout(guard);
  }
}

/**
 * Waits, inside a tasklet, until the runtime holds exactly `n` IO
 * operations: "the peer is blocked in recv" as a state, not a sleep.
 */
export function* untilPending(n: number): TaskletGenerator<void> {
  yield* waitFor(until(`${n} IO operations waiting`, () => stats().io === n));
}

/** Waits, inside a tasklet, for another tasklet's result. */
export function* waitJoin<R>(t: { join(): Promise<R> }): TaskletGenerator<R> {
  return (yield* waitFor(t.join())) as R;
}

/** The error `op` raises inside the tasklet (a failure if it returns). */
export function* raises(op: () => Operation<unknown>): TaskletGenerator<Error> {
  try {
    yield* op();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, got none');
}

/** The error `fn` throws at once. */
export function raisesNow(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, got none');
}

/** Asserts an error's class name, message and errno, as Python shows them. */
export function expectError(e: Error, name: string, message: string, errno?: number | null): void {
  expect({ name: e.name, message: e.message }).to.deep.equal({ name, message });
  if (errno !== undefined) expect((e as { errno?: unknown }).errno).to.equal(errno);
}

let python: boolean | null = null;

/** True when python3 runs here (the differential checks of constants and parsers need it). */
export function hasPython(): boolean {
  python ??= spawnSync('python3', ['-c', 'import socket'], { encoding: 'utf8' }).status === 0;
  return python;
}

/** Skips the test, saying why, when there is no python3 to ask (CPython is the oracle of these checks). */
export function needPython(ctx: Mocha.Context): void {
  if (!hasPython()) skipBecause(ctx, 'no python3 with a socket module here to compare with');
}

/** Runs a python3 snippet that prints JSON, and parses it. */
export function pythonJson<T>(code: string): T {
  const r = spawnSync('python3', ['-c', code], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * A call: a module-level function's name and its arguments, or ".method"
 * with the family and type of a fresh socket to call it on, then the
 * arguments ("socket" constructs one). Bytes are `{ $b: hex }`, writable
 * buffers (bytearray) `{ $ba: hex }`.
 */
export type Call = [fn: string, ...args: unknown[]];

const PY_RUNNER = `
import json, socket, sys
def dec(v):
    if isinstance(v, dict) and '$b' in v: return bytes.fromhex(v['$b'])
    if isinstance(v, dict) and '$ba' in v: return bytearray.fromhex(v['$ba'])
    if isinstance(v, list): return tuple(dec(x) for x in v)
    return v
def enc(v):
    if isinstance(v, socket.socket):
        r = [int(v.family), int(v.type), v.proto]
        v.close()
        return r
    if isinstance(v, (bytes, bytearray)): return {'$b': bytes(v).hex()}
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    if isinstance(v, int) and not isinstance(v, bool): return int(v)
    return v
out = []
for fn, *args in json.load(sys.stdin):
    sock = None
    try:
        if fn.startswith('.'):
            fam, typ, *args = args
            sock = socket.socket(fam, typ)
            f = getattr(sock, fn[1:])
        else:
            f = getattr(socket, fn)
        out.append({'ok': enc(f(*[dec(a) for a in args]))})
    except Exception as e: out.append({'err': [type(e).__name__, str(e), getattr(e, 'errno', None)]})
    finally:
        if sock is not None: sock.close()
print(json.dumps(out))
`;

function decodeArg(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeArg);
  if (v !== null && typeof v === 'object' && '$b' in v) return Buffer.from((v as { $b: string }).$b, 'hex');
  if (v !== null && typeof v === 'object' && '$ba' in v) return Buffer.from((v as { $ba: string }).$ba, 'hex');
  return v;
}

function encodeResult(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof socketModule.socket) {
    const r = [v.family, v.type, v.proto];
    v.close();
    return r;
  }
  if (v instanceof Uint8Array) return { $b: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(encodeResult);
  return v;
}

/** What CPython's socket module answers to each call (run by python3). */
export function pythonAnswers(calls: Call[]): unknown[] {
  const r = spawnSync('python3', ['-c', PY_RUNNER], { input: JSON.stringify(calls), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

/** What socket-compat answers to each call, in the same shape (operations run inside a tasklet). */
export async function ourAnswers(mod: Record<string, unknown>, calls: Call[]): Promise<unknown[]> {
  return inTasklet(function* () {
    const out: unknown[] = [];
    for (const [fn, ...rest] of calls) {
      let sock: InstanceType<typeof socketModule.socket> | null = null;
      try {
        let args = rest;
        let r: unknown;
        if (fn === 'socket') {
          r = new socketModule.socket(...(args.map(decodeArg) as []));
        } else if (fn.startsWith('.')) {
          const [fam, typ, ...more] = rest;
          args = more;
          sock = new socketModule.socket(fam as number, typ as number);
          const m = (sock as unknown as Record<string, (...a: unknown[]) => unknown>)[fn.slice(1)]!;
          r = m.call(sock, ...args.map(decodeArg));
        } else {
          const f = mod[fn] as (...a: unknown[]) => unknown;
          r = f(...args.map(decodeArg));
        }
        if (r !== null && typeof r === 'object' && typeof (r as Generator).next === 'function') r = yield* r as Generator<any, unknown, unknown>;
        out.push({ ok: encodeResult(r) });
      } catch (e) {
        const err = e as Error & { errno?: unknown };
        out.push({ err: [err.name, err.message, err.errno ?? null] });
      } finally {
        sock?.close();
      }
    }
    return out;
  });
}

/** Runs the calls on both and expects equal answers, call by call. */
export async function expectSameAsPython(mod: Record<string, unknown>, calls: Call[]): Promise<void> {
  const py = pythonAnswers(calls);
  const ours = await ourAnswers(mod, calls);
  const diffs = calls.map((c, i) => ({ call: JSON.stringify(c), python: py[i], ours: ours[i] })).filter((d) => JSON.stringify(d.python) !== JSON.stringify(d.ours));
  expect(diffs).to.deep.equal([]);
}
