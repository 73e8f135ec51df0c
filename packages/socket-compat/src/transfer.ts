/**
 * The data calls of a socket once their arity is checked: recv, recv_into,
 * recvfrom, recvfrom_into, send, sendall and sendto convert and check their
 * arguments in CPython's order, then run on a call object (call-pool.ts).
 */
import type { Int } from './pyargs.js';
import { completed, IoOp, ValueError, type Operation, type TaskletGenerator } from '@stackless-io/runtime';
import { addressNow, addressOp, parseAddress, toPython, type Address } from './address.js';
import { runRequest, takeCall } from './call-pool.js';
import * as C from './constants.js';
import { errorFor, MemoryError } from './errors.js';
import { toBytes, toCInt, toSsize, toWritableBytes } from './pyargs.js';
import type { socket } from './socket.js';

/** Largest buffer recv() allocates; CPython would raise MemoryError far beyond what a socket returns. */
const MAX_RECV = 0x7fffffff;

/** Bytes, a view or an ArrayBuffer: what the data calls take. */
type BytesLike = Uint8Array | ArrayBufferView | ArrayBuffer;

function valueError(message: string): Error {
  return new ValueError(message);
}

/**
 * CPython's recv and recv_into make no system call for 0 bytes
 * (sock_recv_guts returns at once), so they answer b"" and 0 in every
 * state: on a closed socket, with flags the kernel would refuse, with
 * nothing to read. recvfrom and recvfrom_into have no such shortcut.
 */
const NOTHING: Operation<Buffer> = completed(Buffer.alloc(0));
const ZERO: Operation<number> = completed(0);

/**
 * A non-blocking connect that failed in the background and whose failure
 * nothing has reported yet: the kernel hands it (sk_err) to the next send
 * or receive, once, as getsockopt(SO_ERROR) would. The backends finish the
 * connect themselves, so the failure is the socket's to report.
 */
function connectFailure(sock: socket): void {
  const bg = sock._background;
  if (sock._type !== C.SOCK_STREAM || bg === null || !bg.done || bg.result >= 0 || bg.cleared || sock._handleNow() < 0) return;
  bg.cleared = true;
  throw errorFor(-bg.result);
}

/** recv(bufsize, flags): up to `bufsize` bytes. */
export function recv(sock: socket, bufsize: Int, flags: Int): Operation<Buffer> {
  const n = toSsize(bufsize);
  const f = toCInt(flags);
  if (n < 0) throw valueError('negative buffersize in recv');
  if (n > MAX_RECV) throw new MemoryError('');
  if (n === 0) return NOTHING;
  connectFailure(sock);
  // The buffer is allocated once the data is there, at its size (IoRequest.size).
  return takeCall(sock).recv(n, f) as Operation<unknown> as Operation<Buffer>;
}

/** recv_into(buffer, nbytes, flags): the byte count. */
export function recvInto(sock: socket, buffer: BytesLike, nbytes: Int, flags: Int): Operation<number> {
  const b = toWritableBytes(buffer, 'recv_into');
  const n = toSsize(nbytes);
  const f = toCInt(flags);
  if (n < 0) throw valueError('negative buffersize in recv_into');
  if (n > b.length) throw valueError('buffer too small for requested bytes');
  // nbytes 0 means the whole buffer: 0 bytes only when the buffer is empty.
  if (b.length === 0) return ZERO;
  connectFailure(sock);
  return takeCall(sock).transfer(IoOp.RECV, n === 0 ? b : b.subarray(0, n), f) as Operation<unknown> as Operation<number>;
}

/** recvfrom(bufsize, flags): `[data, address]`. */
export function recvfrom(sock: socket, bufsize: Int, flags: Int): TaskletGenerator<[Buffer, Address | null]> {
  const n = toSsize(bufsize);
  const f = toCInt(flags);
  if (n < 0) throw valueError('negative buffersize in recvfrom');
  if (n > MAX_RECV) throw new MemoryError('');
  return receiveFrom(sock, null, n, f);
}

/** recvfrom_into(buffer, nbytes, flags): `[nbytes, address]`. */
export function recvfromInto(sock: socket, buffer: BytesLike, nbytes: Int, flags: Int): TaskletGenerator<[number, Address | null]> {
  const b = toWritableBytes(buffer, 'recvfrom_into');
  const n = toSsize(nbytes);
  const f = toCInt(flags);
  if (n < 0) throw valueError('negative buffersize in recvfrom_into');
  if (n > b.length) throw valueError('nbytes is greater than the length of the buffer');
  return receiveFrom(sock, n === 0 ? b : b.subarray(0, n), 0, f) as TaskletGenerator<[unknown, Address | null]> as TaskletGenerator<[number, Address | null]>;
}

/** recvfrom (buf null: a new buffer of the datagram's size, at most `size`) and recvfrom_into (the count). */
function* receiveFrom(sock: socket, buf: Uint8Array | null, size: number, flags: number): TaskletGenerator<[Buffer, Address | null]> {
  // A zero-length receive does not reach the error (tcp_recvmsg reads nothing).
  if ((buf === null ? size : buf.length) > 0) connectFailure(sock);
  const req = yield* runRequest(sock, IoOp.RECVFROM, buf, size, null, flags);
  // Linux fills in no address for a TCP stream, nor for an unbound
  // Unix-domain sender; Python then gives None. A Unix stream names the
  // sender of the bytes it read (the peer's name).
  const a = req.addr;
  // socketpair()'s emulated sockets (_unnamed) met through a path that is
  // gone; a real pair is unnamed.
  const none = a === null || (sock._type === C.SOCK_STREAM && (a.family !== 'unix' || sock._unnamed)) || (a.family === 'unix' && a.path === '');
  const data = buf === null ? (req.buf as Buffer) : (req.result as unknown as Buffer);
  return [data, none ? null : toPython(a)];
}

/** send(data, flags): the byte count the kernel took. */
export function send(sock: socket, data: BytesLike, flags: Int): Operation<number> {
  const b = toBytes(data);
  const f = toCInt(flags);
  connectFailure(sock);
  return takeCall(sock).transfer(IoOp.SEND, b, f) as Operation<unknown> as Operation<number>;
}

/** sendall(data, flags): every byte, the socket's timeout covering the whole call. */
export function sendall(sock: socket, data: BytesLike, flags: Int): Operation<void> {
  const b = toBytes(data);
  const f = toCInt(flags);
  connectFailure(sock);
  return takeCall(sock).sendall(b, f) as Operation<unknown> as Operation<void>;
}

/** sendto(data, address) (`hasFlags` false, `flags` unread) or sendto(data, flags, address): the byte count. */
export function sendto(sock: socket, data: BytesLike, hasFlags: boolean, flags: unknown, address: unknown): TaskletGenerator<number> {
  const b = toBytes(data);
  const f = hasFlags ? toCInt(flags) : 0;
  const p = parseAddress(sock._family, address, 'sendto');
  const now = addressNow(p, 'sendto');
  return (function* (): TaskletGenerator<number> {
    const sa = now ?? (yield* addressOp(p, 'sendto'));
    const req = yield* runRequest(sock, IoOp.SENDTO, b, 0, sa, f);
    return req.result;
  })();
}
