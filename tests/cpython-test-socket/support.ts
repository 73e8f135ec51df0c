// Small helpers the ported tests share: CPython's assertRaises as a
// function (synchronous or inside a tasklet), the loopback hosts, the
// message CPython's tests send, and the fixtures of its base classes.
import { expect } from 'chai';
import type { Operation, TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';

/** socket_helper.HOST: the IPv4 loopback. */
export const HOST = '127.0.0.1';
/** socket_helper.HOSTv6: the IPv6 loopback. */
export const HOSTv6 = '::1';
/** The message CPython's tests send: UTF-8 with a non-ASCII character and CR LF. */
export const MSG = Buffer.from('Michael Gilfix was here\u1234\r\n', 'utf8');

/** A class of error, matched by instanceof. */
type ErrorClass = abstract new (...args: any[]) => Error;

/** assertRaises for a synchronous call: the error `fn` throws, which must be an instance of `cls`. */
export function raisesNow<E extends Error>(cls: ErrorClass, fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    expect(e, `expected ${cls.name}, got ${String(e)}`).to.be.instanceOf(cls);
    return e as E;
  }
  throw new Error(`expected ${cls.name}, got no error`);
}

/** assertRaises for an operation, inside a tasklet. */
export function* raises<E extends Error>(cls: ErrorClass, op: () => Operation<unknown>): TaskletGenerator<E> {
  try {
    yield* op();
  } catch (e) {
    expect(e, `expected ${cls.name}, got ${String(e)}`).to.be.instanceOf(cls);
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

/** A bound UDP socket on the loopback (SocketUDPTest.setUp). */
export function* udpServer(): TaskletGenerator<{ serv: socket.socket; port: number }> {
  const serv = new socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const port = yield* bindPort(serv);
  return { serv, port };
}

/** Bytes of a string (Python's b'...'). */
export const b = (s: string): Buffer => Buffer.from(s, 'latin1');
