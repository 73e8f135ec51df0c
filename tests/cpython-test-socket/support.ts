// Small helpers the ported tests share: CPython's assertRaises as a
// function (synchronous or inside a tasklet), the loopback hosts, the
// message CPython's tests send, and the fixtures of its base classes.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { sleep, waitFor, type Operation, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';

/** socket_helper.HOST: the IPv4 loopback. */
export const HOST = '127.0.0.1';
/** socket_helper.HOSTv6: the IPv6 loopback. */
export const HOSTv6 = '::1';
/** The message CPython's tests send: UTF-8 with a non-ASCII character and CR LF. */
export const MSG = Buffer.from('Michael Gilfix was here\u1234\r\n', 'utf8');

/** A class of error, matched by instanceof. */
type ErrorClass = abstract new (...args: any[]) => Error;

/**
 * assertRaises for a synchronous call: the error `fn` throws, which must be
 * an instance of `cls`; another error propagates as it is (as in unittest),
 * so that its errno stays visible to the frame.
 */
export function raisesNow<E extends Error>(cls: ErrorClass, fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof cls)) throw e;
    return e as E;
  }
  throw new Error(`expected ${cls.name}, got no error`);
}

/** assertRaises for an operation, inside a tasklet (another error propagates as it is). */
export function* raises<E extends Error>(cls: ErrorClass, op: () => Operation<unknown>): TaskletGenerator<E> {
  try {
    yield* op();
  } catch (e) {
    if (!(e instanceof cls)) throw e;
    return e as E;
  }
  throw new Error(`expected ${cls.name}, got no error`);
}

/** socket_helper.bind_port: binds to the loopback on a free port and returns the port. */
export function* bindPort(s: socket.socket, host = HOST): TaskletGenerator<number> {
  yield* s.bind([host, 0]);
  return (s.getsockname() as [string, number])[1];
}

/** Closes each socket (null is skipped). */
export function closeAll(...socks: (socket.socket | null | undefined)[]): void {
  for (const s of socks) s?.close();
}

/** A listening TCP server on the loopback (SocketTCPTest.setUp). */
export function* tcpServer(): TaskletGenerator<{ serv: socket.socket; port: number }> {
  const serv = new socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  const port = yield* bindPort(serv);
  serv.listen();
  return { serv, port };
}

/** A bound UDP socket on the loopback (SocketUDPTest.setUp; SocketUDPLITETest's with IPPROTO_UDPLITE). */
export function* udpServer(proto = 0): TaskletGenerator<{ serv: socket.socket; port: number }> {
  const serv = new socket.socket(socket.AF_INET, socket.SOCK_DGRAM, proto);
  const port = yield* bindPort(serv);
  return { serv, port };
}

/** Bytes of a string (Python's b'...'). */
export const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** threading.Event for tasklets: set() once, wait() parks the calling tasklet until then. */
export class Event {
  private done = false;
  private resolve!: () => void;
  private readonly promise = new Promise<void>((r) => (this.resolve = r));

  /** Wakes every waiter, now and later. */
  set(): void {
    this.done = true;
    this.resolve();
  }

  /** True once set() was called. */
  is_set(): boolean {
    return this.done;
  }

  /** Waits, inside a tasklet, until set() was called. */
  *wait(): TaskletGenerator<void> {
    if (!this.done) yield* waitFor(this.promise);
  }
}

/**
 * select.select([sock], ...) followed by a non-blocking call: tries `op`
 * until it stops raising BlockingIOError, letting other tasklets run between
 * tries. There is no select module here; the bound is a hang guard, not a
 * verdict (the frame's time limit is).
 */
export function* whenReady<T>(op: () => Operation<T>, tries = 20_000): TaskletGenerator<T> {
  for (let i = 0; ; i++) {
    try {
      return yield* op();
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError) || i >= tries) throw e;
      yield* sleep(0.001);
    }
  }
}

/**
 * The descriptor's status flags (fcntl F_GETFL), read from
 * /proc/self/fdinfo: Node has no fcntl, and Linux shows the same flags there.
 */
export function fdFlags(fd: number): number {
  const m = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  if (m === null) throw new Error(`no flags for descriptor ${fd}`);
  return parseInt(m[1]!, 8);
}

/** O_CLOEXEC as /proc/self/fdinfo shows it (octal 02000000 on Linux). */
export const O_CLOEXEC = 0o2000000;
