/**
 * The module-level helpers of Python's socket.py that make sockets:
 * create_connection, create_server, socketpair, fromfd, has_dualstack_ipv6.
 * They are written as CPython writes them, over the socket class.
 */
import { plainInt } from './intenum.js';
import type { Int } from './pyargs.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentBackend, SockOpt, ValueError, waitFor, type TaskletGenerator } from '@stackless-io/runtime';
import type { AddressLike } from './address.js';
import * as C from './constants.js';
import { errno, errorFor, messageError, OSError } from './errors.js';
import { getaddrinfo } from './netdb.js';
import { pytype, toCInt, toIndex, toTimeout } from './pyargs.js';
import { pyrepr } from './pyrepr.js';
import { socket } from './socket.js';
import { getdefaulttimeout } from './timeouts.js';
import { cOne, pyArity } from './arity.js';
import { duplicate, fresh, release, resolve } from './handles.js';
import { contractKind } from './socket-open.js';

/** Python's `socket._GLOBAL_DEFAULT_TIMEOUT`: "use getdefaulttimeout()" (so does undefined). */
export const _GLOBAL_DEFAULT_TIMEOUT: unique symbol = Symbol('_GLOBAL_DEFAULT_TIMEOUT');

/** `host, port = address`, with Python's unpacking errors. */
function unpackPair(address: unknown): [unknown, unknown] {
  let items: unknown[];
  if (Array.isArray(address)) items = address;
  else if (typeof address === 'string') items = [...address];
  else throw new TypeError(`cannot unpack non-iterable ${pytype(address)} object`);
  if (items.length < 2) throw new ValueError(`not enough values to unpack (expected 2, got ${items.length})`);
  if (items.length > 2) throw new ValueError('too many values to unpack (expected 2)');
  return [items[0], items[1]];
}

/** Options of {@link create_connection}. */
export interface CreateConnectionOptions {
  /** Raise every attempt's error (as an AggregateError), not only the last one. */
  all_errors?: boolean;
}

/**
 * Connects a TCP socket to `[host, port]`, trying each address the resolver
 * gives in turn; returns the connected socket. `timeout` (seconds, null for
 * none) is set on the socket before connecting; undefined keeps the default.
 *
 * @example
 * ```ts
 * spawn(function* () {
 *   const s = yield* create_connection(['localhost', 8080], 5);
 *   yield* s.sendall(Buffer.from('ping'));
 *   s.close();
 * });
 * ```
 */
export function create_connection(
  address: readonly [host: string | Uint8Array | null, port: number | string],
  timeout: number | null | typeof _GLOBAL_DEFAULT_TIMEOUT = _GLOBAL_DEFAULT_TIMEOUT,
  source_address: AddressLike | null = null,
  options: CreateConnectionOptions = {},
): TaskletGenerator<socket> {
  pyArity('create_connection', arguments.length, ['address', 'timeout', 'source_address'], 1, false, 1);
  const [host, port] = unpackPair(address);
  const useDefault = timeout === _GLOBAL_DEFAULT_TIMEOUT || timeout === undefined;
  const t = useDefault ? null : toTimeout(timeout);
  const allErrors = options.all_errors === true;
  return (function* (): TaskletGenerator<socket> {
    const errors: unknown[] = [];
    for (const [af, socktype, proto, , sa] of yield* getaddrinfo(host as string, port as number, 0, C.SOCK_STREAM)) {
      let sock: socket | null = null;
      try {
        sock = new socket(af, socktype, proto);
        if (!useDefault) sock.settimeout(t);
        if (source_address !== null && source_address !== undefined) yield* sock.bind(source_address);
        yield* sock.connect(sa);
        return sock;
      } catch (e) {
        sock?.close();
        if (!(e instanceof OSError)) throw e;
        if (!allErrors) errors.length = 0;
        errors.push(e);
      }
    }
    if (errors.length > 0) {
      if (allErrors) throw new AggregateError(errors, 'create_connection failed');
      throw errors[0];
    }
    throw messageError(OSError, 'getaddrinfo returns an empty list');
  })();
}

/** Options of {@link create_server}. */
export interface CreateServerOptions {
  /** AF_INET (default) or AF_INET6. */
  family?: Int;
  /** listen() backlog; null: listen()'s default. */
  backlog?: number | null;
  /** Set SO_REUSEPORT, so that several processes can listen on the port. */
  reuse_port?: boolean;
  /** Accept IPv4 too on an AF_INET6 socket (IPV6_V6ONLY off). */
  dualstack_ipv6?: boolean;
}

/**
 * A TCP socket bound to `address` and listening, with SO_REUSEADDR set.
 * An operation because binding to a host name resolves it.
 *
 * @example
 * ```ts
 * spawn(function* () {
 *   const server = yield* create_server(['127.0.0.1', 0]);
 *   const [conn, peer] = yield* server.accept();
 * });
 * ```
 */
export function create_server(address: AddressLike, options: CreateServerOptions = {}): TaskletGenerator<socket> {
  pyArity('create_server', arguments.length, ['address'], 1, false, 1);
  const family = plainInt(options.family ?? C.AF_INET);
  const backlog = options.backlog ?? null;
  const reusePort = options.reuse_port ?? false;
  const dualstack = options.dualstack_ipv6 ?? false;
  if (dualstack) {
    if (!has_dualstack_ipv6()) throw new ValueError('dualstack_ipv6 not supported on this platform');
    if (family !== C.AF_INET6) throw new ValueError('dualstack_ipv6 requires AF_INET6 family');
  }
  const sock = new socket(family, C.SOCK_STREAM);
  return (function* (): TaskletGenerator<socket> {
    try {
      // CPython sets SO_REUSEADDR except on Windows, where it means something
      // else; the backend contract's REUSEADDR is the portable meaning.
      try {
        sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEADDR, 1);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
      }
      if (reusePort) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
      if (family === C.AF_INET6) sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, dualstack ? 0 : 1);
      try {
        yield* sock.bind(address);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        const err = e as OSError;
        const msg = `${err.strerror} (while attempting to bind on address ${pyrepr(address)})`;
        throw err.errno === null ? messageError(OSError, msg) : errorFor(err.errno, msg);
      }
      if (backlog === null) sock.listen();
      else sock.listen(backlog);
      return sock;
    } catch (e) {
      sock.close();
      throw e;
    }
  })();
}

/** True when an AF_INET6 socket can also accept IPv4 connections (IPV6_V6ONLY can be turned off). */
export function has_dualstack_ipv6(): boolean {
  pyArity('has_dualstack_ipv6', arguments.length, [], 0);
  let sock: socket | null = null;
  try {
    sock = new socket(C.AF_INET6, C.SOCK_STREAM);
    sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0);
    return true;
  } catch (e) {
    if (e instanceof OSError) return false;
    throw e;
  } finally {
    sock?.close();
  }
}

/**
 * A new socket object over an existing handle (Python duplicates the file
 * descriptor; here the handle is shared, see the README).
 */
export function fromfd(fd: Int, family: Int, type: Int, proto: Int = 0): socket {
  pyArity('fromfd', arguments.length, ['fd', 'family', 'type', 'proto'], 3);
  const h = toIndex(fd);
  const f = toCInt(family);
  const t = toCInt(type);
  const p = toCInt(proto);
  return new socket(f, t, p, dup(h));
}

/**
 * Duplicates a descriptor (Python's socket.dup(fd)): a new descriptor of the
 * same socket, which stays open until every descriptor of it is closed
 * (handles.ts).
 */
export function dup(fd: Int): number {
  cOne('_socket.dup', arguments.length);
  const n = toIndex(fd);
  const b = currentBackend();
  const h = resolve(b, n);
  if (h < 0 || typeof b.getOption(h, SockOpt.TYPE) === 'object') throw errorFor(errno('EBADF'));
  const d = duplicate(b, n);
  if (d < 0) throw errorFor(-d);
  return d;
}

/** Closes a bare handle (from detach() or dup()), as Python's socket.close(fd). */
export function close(fd: Int): void {
  cOne('_socket.close', arguments.length);
  const h = toIndex(fd);
  const b = currentBackend();
  const res = release(b, h);
  if (res < 0 && res !== -errno('ECONNRESET')) throw errorFor(-res);
}

/**
 * A pair of connected sockets (AF_UNIX by default): the backend's
 * socketpair(2). A backend that cannot make kernel pairs (it answers
 * ENOSYS: libuv) gets an emulation: two Unix-domain sockets connected
 * through a path in a fresh private directory, removed at once, whose
 * getsockname() and getpeername() then answer '' as for a kernel pair.
 */
export function socketpair(family: Int | null = null, type: Int = C.SOCK_STREAM, proto: Int = 0): TaskletGenerator<[socket, socket]> {
  pyArity('socketpair', arguments.length, ['family', 'type', 'proto'], 0);
  const fam = family === null || family === undefined ? C.AF_UNIX : toCInt(family);
  const typ = toCInt(type);
  const pro = toCInt(proto);
  if (fam !== C.AF_UNIX) throw errorFor(errno(fam === C.AF_INET || fam === C.AF_INET6 ? 'EOPNOTSUPP' : 'EAFNOSUPPORT'));
  const nonblocking = (typ & C.SOCK_NONBLOCK) !== 0;
  const kind = typ & ~(C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
  const real = kernelPair(kind, pro, nonblocking);
  if (real !== null) return (function* (): TaskletGenerator<[socket, socket]> {
    return real;
  })();
  return (function* (): TaskletGenerator<[socket, socket]> {
    const made: socket[] = [];
    const dir = yield* waitFor(mkdtemp(join(tmpdir(), 'sio-pair-')));
    try {
      const open = (): socket => {
        const s = new socket(C.AF_UNIX, kind, pro);
        made.push(s);
        s.settimeout(null);
        return s;
      };
      let a: socket;
      let b: socket;
      if (kind === C.SOCK_DGRAM) {
        a = open();
        b = open();
        yield* a.bind(join(dir, 'a'));
        yield* b.bind(join(dir, 'b'));
        yield* a.connect(join(dir, 'b'));
        yield* b.connect(join(dir, 'a'));
      } else {
        const listener = open();
        yield* listener.bind(join(dir, 'l'));
        listener.listen(1);
        a = open();
        yield* a.connect(join(dir, 'l'));
        [b] = yield* listener.accept();
        made.push(b);
        listener.close();
      }
      for (const s of [a, b]) {
        s._unnamed = true;
        s.settimeout(nonblocking ? 0 : getdefaulttimeout());
      }
      made.length = 0;
      return [a, b];
    } finally {
      for (const s of made) s.close();
      yield* waitFor(rm(dir, { recursive: true, force: true }));
    }
  })();
}

/**
 * The backend's own socketpair(2) as two socket objects, or null when the
 * backend cannot make one (ENOSYS) or the kind is not the contract's (the
 * emulation then raises what it raises).
 */
function kernelPair(kind: number, proto: number, nonblocking: boolean): [socket, socket] | null {
  if (kind !== C.SOCK_STREAM && kind !== C.SOCK_DGRAM && kind !== C.SOCK_SEQPACKET) return null;
  const b = currentBackend();
  const r = b.socketpair('unix', contractKind(kind), proto);
  if (r === -errno('ENOSYS')) return null;
  if (typeof r === 'number') throw errorFor(-r);
  const pair = r.map((h) => {
    fresh(b, h);
    const s = new socket(C.AF_UNIX, kind, proto, h);
    s.settimeout(nonblocking ? 0 : getdefaulttimeout());
    return s;
  });
  return [pair[0]!, pair[1]!];
}
