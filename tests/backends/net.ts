// Loopback endpoints and test data shared by the conformance cases.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { constants } from 'node:os';
import { io, OSError, spawn, type Family, type SockAddr, type TaskletGenerator } from '@stackless-io/runtime';
import { joinAll, type TestEnv } from './harness.js';

export const E = constants.errno;

/** The loopback address of a family, port 0 (any free port). */
export function loopback(t: TestEnv, family: Family): SockAddr {
  if (family === 'inet') return { family, host: '127.0.0.1', port: 0 };
  if (family === 'inet6') return { family, host: '::1', port: 0 };
  if (family === 'unix') return { family, path: join(t.tmpdir(), 's.sock') };
  throw new Error(`no loopback address for ${family}`);
}

/**
 * Binds `h` to the family's loopback address; skips the test (with the
 * reason) when the machine has no such loopback (no ::1 configured).
 */
export function bindLoopback(t: TestEnv, h: number, family: Family): void {
  try {
    io.bind(h, loopback(t, family));
  } catch (e) {
    if (family === 'inet6' && e instanceof OSError && (e.errno === E.EADDRNOTAVAIL || e.errno === E.EAFNOSUPPORT)) {
      io.close(h);
      t.skip(`this machine has no IPv6 loopback (bind to ::1 answered ${e.code})`);
    }
    throw e;
  }
}

/** A listening stream socket on loopback: its handle and address. */
export function listener(t: TestEnv, family: Family, backlog = 128): { lst: number; addr: SockAddr } {
  if (family === 'inet6') requireIpv6(t);
  if (family === 'unix') requireUnix(t);
  const lst = io.socket(family, 'stream');
  bindLoopback(t, lst, family);
  io.listen(lst, backlog);
  return { lst, addr: io.getsockname(lst) };
}

/**
 * The test goes on only where the backend makes Unix-domain stream sockets
 * bound to paths: one that answers EAFNOSUPPORT (Wine's Winsock has no
 * AF_UNIX) or refuses a path cannot, which t.cannot() reports (a failure
 * for a native backend on Linux).
 */
export function requireUnix(t: TestEnv): void {
  let h: number;
  try {
    h = io.socket('unix', 'stream');
  } catch (e) {
    if (e instanceof OSError && e.errno === E.EAFNOSUPPORT) t.cannot('make Unix-domain sockets', e.code);
    throw e;
  }
  // libuv on Windows makes them from named pipes, which take only pipe
  // names: a path in a directory is refused (EACCES).
  try {
    io.bind(h, { family: 'unix', path: join(t.tmpdir(), 'probe.sock') });
  } catch (e) {
    io.close(h);
    if (e instanceof OSError && (e.errno === E.EACCES || e.errno === E.EINVAL)) t.cannot('bind a Unix-domain socket to a path', e.code);
    throw e;
  }
  io.close(h);
}

/** Skips the test when ::1 cannot be bound (checked with a throwaway datagram socket). */
export function requireIpv6(t: TestEnv): void {
  const h = io.socket('inet6', 'dgram');
  bindLoopback(t, h, 'inet6'); // closes h and skips when there is no ::1
  io.close(h);
}

/** Connects a new socket to `addr`; returns its handle (closed again if connect fails). */
export function* connectTo(family: Family, addr: SockAddr): TaskletGenerator<number> {
  const h = io.socket(family, 'stream');
  try {
    yield* io.connect(h, addr);
  } catch (e) {
    io.close(h);
    throw e;
  }
  return h;
}

/** A connected stream pair through `lst`: [client, accepted]. */
export function* pair(family: Family, lst: number, addr: SockAddr): TaskletGenerator<[number, number]> {
  // Loopback connects complete in the kernel before accept() is called (the
  // connection waits in the backlog), so one tasklet can do both in order.
  const c = yield* connectTo(family, addr);
  const { handle } = yield* io.accept(lst);
  return [c, handle];
}

/** A connected TCP pair over IPv4 loopback, [client, server]; the listener is closed already. */
export async function tcpPair(t: TestEnv): Promise<[number, number]> {
  const { lst, addr } = listener(t, 'inet');
  const [p] = await joinAll(spawn(function* connectPair() {
    return yield* pair('inet', lst, addr);
  }));
  io.close(lst);
  return p;
}

/** Receives until EOF or `limit` bytes; returns them concatenated. */
export function* recvAll(h: number, limit: number, chunk = 65536): TaskletGenerator<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i <= limit; i++) {
    const got = yield* io.recv(h, chunk);
    if (got.length === 0) break;
    parts.push(got);
    total += got.length;
    if (total > limit) throw new Error(`received ${total} bytes, more than the ${limit} sent`);
  }
  return concat(parts, total);
}

export function concat(parts: Uint8Array[], total = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const cache = new Map<number, Uint8Array>();

/** `n` deterministic pseudo-random bytes (xorshift32), so a reordering or a lost chunk shows. */
export function pattern(n: number): Uint8Array {
  let p = cache.get(n);
  if (p !== undefined) return p;
  p = new Uint8Array(n);
  const words = new Uint32Array(p.buffer, 0, n >>> 2);
  let x = 0x9e3779b9 ^ n;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < n; i++) p[i] = (i * 131 + 7) & 0xff;
  cache.set(n, p);
  return p;
}

/** Hex SHA-256 of some bytes. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Receives exactly `n` bytes (a stream may deliver them in pieces); fails at an early EOF. */
export function* recvExactly(h: number, n: number): TaskletGenerator<Uint8Array> {
  const out = new Uint8Array(n);
  let off = 0;
  for (let i = 0; i < n && off < n; i++) {
    const got = yield* io.recvInto(h, out.subarray(off));
    if (got === 0) throw new Error(`EOF after ${off} of ${n} bytes`);
    off += got;
  }
  return out;
}

/** Same endpoint? (host and port, or path; IPv6 flow info and scope ignored). */
export function sameAddr(a: SockAddr | null, b: SockAddr | null): boolean {
  if (a === null || b === null) return false;
  if (a.family !== b.family) return false;
  if (a.family === 'unix') return b.family === 'unix' && a.path === b.path;
  if ((a.family !== 'inet' && a.family !== 'inet6') || (b.family !== 'inet' && b.family !== 'inet6')) return false;
  return a.host === b.host && a.port === b.port;
}

/** Sets a socket option, or says (returns the errno name) why the backend cannot. */
export function trySetsockopt(h: number, option: Parameters<typeof io.setsockopt>[1], value: number): string | null {
  try {
    io.setsockopt(h, option, value);
    return null;
  } catch (e) {
    if (e instanceof OSError && (e.errno === E.ENOPROTOOPT || e.errno === E.EOPNOTSUPP || e.errno === E.ENOSYS)) return e.code;
    throw e;
  }
}
