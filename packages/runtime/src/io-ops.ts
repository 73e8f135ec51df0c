/**
 * Socket operations for tasklets over the selected IO backend: the portable
 * layer that socket-compat and the examples build on. Setup calls return at
 * once; the others are operations that block only the calling tasklet.
 * Every failure is an {@link OSError} subclass made by {@link osError};
 * an expired timeout (seconds) is a {@link TimeoutError} ("timed out").
 *
 * @example
 * ```ts
 * import { io, spawn, useBackend } from '@stackless-io/runtime';
 * await useBackend();
 * spawn(function* () {
 *   const h = io.socket('inet', 'stream');
 *   yield* io.connect(h, { family: 'inet', host: '127.0.0.1', port: 8000 });
 *   yield* io.sendAll(h, new TextEncoder().encode('hello'));
 *   const reply: Uint8Array = yield* io.recv(h, 4096);
 *   io.close(h);
 * });
 * ```
 */
import { constants } from 'node:os';
import {
  IoOp,
  IoRequest,
  type Family,
  type IoOpCode,
  type SockAddr,
  type SocketKind,
  type SockOptCode,
} from './backend.js';
import { currentBackend } from './backend-select.js';
import { ValueError } from './errors.js';
import { ioWait, TIMEOUT } from './io-wait.js';
import type { TaskletGenerator } from './operation.js';
import { osError, TimeoutError } from './os-error.js';

function check(res: number): number {
  if (res < 0) throw osError(res);
  return res;
}

function checkHandle(h: number): void {
  if (!Number.isInteger(h)) throw new TypeError(`a socket handle is an integer, got ${typeof h === 'number' ? h : typeof h}`);
}

function checkTimeout(timeout: number | null): number {
  if (timeout === null) return -1;
  if (typeof timeout !== 'number') throw new TypeError('timeout must be a number of seconds or null');
  if (Number.isNaN(timeout) || timeout < 0) throw new ValueError('timeout must be a non-negative number of seconds');
  return timeout;
}

const noop = (): void => undefined;

function* run(op: IoOpCode, h: number, buf: Uint8Array | null, addr: SockAddr | null, flags: number, timeout: number | null, size = 0): TaskletGenerator<IoRequest> {
  checkHandle(h);
  const t = checkTimeout(timeout);
  const req = new IoRequest(op, h, buf, addr, flags, noop);
  req.size = size;
  yield* ioWait(currentBackend(), req, t);
  if (req.result === TIMEOUT) throw new TimeoutError(constants.errno.ETIMEDOUT, 'timed out');
  check(req.result);
  return req;
}

/** Creates a socket; returns its handle. */
export function socket(family: Family, kind: SocketKind, protocol = 0): number {
  return check(currentBackend().socket(family, kind, protocol));
}

/** Binds a socket to a local address (port 0: any free port). */
export function bind(h: number, addr: SockAddr): void {
  checkHandle(h);
  check(currentBackend().bind(h, addr));
}

/** Makes a stream socket accept connections. */
export function listen(h: number, backlog = 128): void {
  checkHandle(h);
  check(currentBackend().listen(h, backlog));
}

/** Shuts down reading (0), writing (1) or both (2). */
export function shutdown(h: number, how: 0 | 1 | 2): void {
  checkHandle(h);
  check(currentBackend().shutdown(h, how));
}

/** The socket's local address. */
export function getsockname(h: number): SockAddr {
  checkHandle(h);
  const a = currentBackend().getsockname(h);
  if (typeof a === 'number') throw osError(a);
  return a;
}

/** The connected peer's address. */
export function getpeername(h: number): SockAddr {
  checkHandle(h);
  const a = currentBackend().getpeername(h);
  if (typeof a === 'number') throw osError(a);
  return a;
}

/** Sets a portable socket option. */
export function setsockopt(h: number, option: SockOptCode, value: number): void {
  checkHandle(h);
  check(currentBackend().setOption(h, option, value));
}

/** Reads a portable socket option. */
export function getsockopt(h: number, option: SockOptCode): number {
  checkHandle(h);
  const v = currentBackend().getOption(h, option);
  if (typeof v === 'object') throw osError(v.errno);
  return v;
}

/** Closes the socket; tasklets blocked on it raise OSError(EBADF). */
export function close(h: number): void {
  checkHandle(h);
  check(currentBackend().close(h));
}

/** Waits for a connection; returns the new socket's handle and the peer's address. */
export function* accept(
  h: number,
  timeout: number | null = null,
): TaskletGenerator<{
  /** The new, connected socket's handle. */
  handle: number;
  /** The peer's address (null when the backend could not tell). */
  addr: SockAddr | null;
}> {
  const req = yield* run(IoOp.ACCEPT, h, null, null, 0, timeout);
  return { handle: req.result, addr: req.addr };
}

/** Connects to `addr`. */
export function* connect(h: number, addr: SockAddr, timeout: number | null = null): TaskletGenerator<void> {
  yield* run(IoOp.CONNECT, h, null, addr, 0, timeout);
}

/**
 * Receives up to `n` bytes (an empty array at EOF), in a buffer the backend
 * allocates once they have arrived, at their size.
 */
export function* recv(h: number, n: number, flags = 0, timeout: number | null = null): TaskletGenerator<Uint8Array> {
  const req = yield* run(IoOp.RECV, h, null, null, flags, timeout, checkLength(n));
  return req.buf as Uint8Array;
}

/** Receives into `buf`; returns the byte count (0 at EOF). */
export function* recvInto(h: number, buf: Uint8Array, flags = 0, timeout: number | null = null): TaskletGenerator<number> {
  if (!(buf instanceof Uint8Array)) throw new TypeError('recvInto() takes a Uint8Array');
  const req = yield* run(IoOp.RECV, h, buf, null, flags, timeout);
  return req.result;
}

/** Sends what the kernel takes of `data` at once; returns the byte count (maybe short). */
export function* send(h: number, data: Uint8Array, flags = 0, timeout: number | null = null): TaskletGenerator<number> {
  if (!(data instanceof Uint8Array)) throw new TypeError('send() takes a Uint8Array');
  const req = yield* run(IoOp.SEND, h, data, null, flags, timeout);
  return req.result;
}

/** Sends all of `data`, waiting as the peer reads; `timeout` covers the whole call. */
export function* sendAll(h: number, data: Uint8Array, timeout: number | null = null): TaskletGenerator<void> {
  if (!(data instanceof Uint8Array)) throw new TypeError('sendAll() takes a Uint8Array');
  const deadline = timeout === null ? 0 : performance.now() + checkTimeout(timeout) * 1000;
  let off = 0;
  do {
    const left = timeout === null ? null : Math.max(0, (deadline - performance.now()) / 1000);
    off += yield* send(h, off === 0 ? data : data.subarray(off), 0, left);
  } while (off < data.length);
}

/** Receives one datagram of up to `n` bytes with its sender. */
export function* recvfrom(
  h: number,
  n: number,
  flags = 0,
  timeout: number | null = null,
): TaskletGenerator<{
  /** The datagram (at most `n` bytes). */
  data: Uint8Array;
  /** The sender's address (null when the kernel gave none). */
  addr: SockAddr | null;
  /** The datagram was longer than `n`: the rest was discarded. */
  truncated: boolean;
}> {
  const req = yield* run(IoOp.RECVFROM, h, null, null, flags, timeout, checkLength(n));
  return { data: req.buf as Uint8Array, addr: req.addr, truncated: req.truncated };
}

/** Sends one datagram to `addr`; returns the byte count. */
export function* sendto(h: number, data: Uint8Array, addr: SockAddr, flags = 0, timeout: number | null = null): TaskletGenerator<number> {
  if (!(data instanceof Uint8Array)) throw new TypeError('sendto() takes a Uint8Array');
  const req = yield* run(IoOp.SENDTO, h, data, addr, flags, timeout);
  return req.result;
}

/** Waits until the socket is readable; returns poll(2) revents. */
export function* waitReadable(h: number, timeout: number | null = null): TaskletGenerator<number> {
  return (yield* run(IoOp.POLL_IN, h, null, null, 0, timeout)).result;
}

/** Waits until the socket is writable; returns poll(2) revents. */
export function* waitWritable(h: number, timeout: number | null = null): TaskletGenerator<number> {
  return (yield* run(IoOp.POLL_OUT, h, null, null, 0, timeout)).result;
}

function checkLength(n: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError('a length must be an integer');
  if (n < 0) throw new ValueError('negative buffersize in recv');
  if (n > 0x7fffffff) throw new ValueError('buffersize too large');
  return n;
}
