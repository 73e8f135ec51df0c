/**
 * sendmsg, recvmsg and recvmsg_into with ancillary data, and the module's
 * CMSG_LEN, CMSG_SPACE, send_fds and recv_fds, as CPython's: arguments
 * converted and checked in CPython's order, then one SENDMSG or RECVMSG
 * request (backend.ts) on a call object. Ancillary items are
 * `[level, type, data]` tuples, as CPython's `(level, type, data)`.
 */
import type { Int } from './pyargs.js';
import { cmsgLen, cmsgSpace, IoOp, ValueError, type AncillaryItem, type TaskletGenerator } from '@stackless-io/runtime';
import { addressNow, addressOp, parseAddress, toPython, type Address } from './address.js';
import { takeCall } from './call-pool.js';
import * as C from './constants.js';
import { MemoryError, OverflowError } from './errors.js';
import { pytype, toBytes, toCInt, toSsize, toWritableBytes } from './pyargs.js';
import type { socket } from './socket.js';

/** An ancillary data item as CPython's recvmsg returns it: `(level, type, data)`. */
export type Ancillary = [number, number, Buffer];

/** Largest buffer recvmsg() allocates (as recv()). */
const MAX_RECV = 0x7fffffff;
/** CPython's SOCKLEN_T_LIMIT: CMSG_LEN/CMSG_SPACE results must fit a C int. */
const SOCKLEN_LIMIT = 0x7fffffff;

/** PySequence_Fast: the items of an iterable, or CPython's TypeError with `message`. */
function items(v: unknown, message: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v !== null && v !== undefined && typeof v !== 'string' && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function') return [...(v as Iterable<unknown>)];
  if (typeof v === 'string') return [...v];
  throw new TypeError(message);
}

/** One ancillary item to send: PyArg_Parse(item, "(iiy*)"). */
function ancillaryItem(v: unknown): AncillaryItem {
  const where = '[sendmsg() ancillary data items]()';
  if (!Array.isArray(v)) throw new TypeError(`${where} argument must be sequence of length 3, not ${pytype(v)}`);
  if (v.length !== 3) throw new TypeError(`${where} argument must be sequence of length 3, not ${v.length}`);
  return { level: toCInt(v[0]), type: toCInt(v[1]), data: toBytes(v[2]) };
}

/** The bytes of several buffers as one (one message either way). */
function join(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts);
}

/** sendmsg(buffers[, ancdata[, flags[, address]]]): the byte count. */
export function sendmsg(sock: socket, argc: number, buffers: unknown, ancdata: unknown, flags: unknown, address: unknown): TaskletGenerator<number> {
  const f = argc >= 3 ? toCInt(flags) : 0;
  const p = argc >= 4 && address !== null && address !== undefined ? parseAddress(sock._family, address, 'sendmsg') : null;
  const now = p === null ? null : addressNow(p, 'sendmsg');
  const data = join(items(buffers, 'sendmsg() argument 1 must be an iterable').map(toBytes));
  const anc = argc >= 2 ? items(ancdata, 'sendmsg() argument 2 must be an iterable').map(ancillaryItem) : [];
  return (function* (): TaskletGenerator<number> {
    const sa = p === null ? null : (now ?? (yield* addressOp(p, 'sendmsg')));
    const req = yield* takeCall(sock).message(IoOp.SENDMSG, data, 0, sa, f, sock._timeoutNow(), anc, 0);
    return req.result;
  })();
}

/** recvmsg(bufsize[, ancbufsize[, flags]]): `[data, ancdata, msg_flags, address]`. */
export function recvmsg(sock: socket, argc: number, bufsize: unknown, ancbufsize: unknown, flags: unknown): TaskletGenerator<[Buffer, Ancillary[], number, Address | null]> {
  const n = toSsize(bufsize);
  const anc = argc >= 2 ? toSsize(ancbufsize) : 0;
  const f = argc >= 3 ? toCInt(flags) : 0;
  if (n < 0) throw new ValueError('negative buffer size in recvmsg()');
  if (anc < 0) throw new ValueError('negative ancillary buffer size in recvmsg()');
  if (n > MAX_RECV) throw new MemoryError('');
  return (function* (): TaskletGenerator<[Buffer, Ancillary[], number, Address | null]> {
    const [, req] = yield* receive(sock, null, n, anc, f);
    return [req.data, req.anc, req.flags, req.addr];
  })();
}

/** recvmsg_into(buffers[, ancbufsize[, flags]]): `[nbytes, ancdata, msg_flags, address]`. */
export function recvmsgInto(sock: socket, argc: number, buffers: unknown, ancbufsize: unknown, flags: unknown): TaskletGenerator<[number, Ancillary[], number, Address | null]> {
  const anc = argc >= 2 ? toSsize(ancbufsize) : 0;
  const f = argc >= 3 ? toCInt(flags) : 0;
  if (anc < 0) throw new ValueError('negative ancillary buffer size in recvmsg_into()');
  const targets = items(buffers, 'recvmsg_into() argument 1 must be an iterable').map((b) => {
    try {
      return toWritableBytes(b, 'recvmsg_into');
    } catch {
      throw new TypeError('recvmsg_into() argument 1 must be an iterable of single-segment read-write buffers');
    }
  });
  return (function* (): TaskletGenerator<[number, Ancillary[], number, Address | null]> {
    // The buffers are filled in order, as the kernel scatters into iovecs.
    const one = targets.length === 1 ? targets[0]! : null;
    const total = targets.reduce((s, b) => s + b.length, 0);
    const [count, req] = yield* receive(sock, one ?? Buffer.allocUnsafe(total), 0, anc, f);
    if (one === null) {
      let at = 0;
      for (const b of targets) {
        if (at >= count) break;
        const k = Math.min(b.length, count - at);
        b.set(req.data.subarray(at, at + k));
        at += k;
      }
    }
    return [count, req.anc, req.flags, req.addr];
  })();
}

interface Received {
  data: Buffer;
  anc: Ancillary[];
  flags: number;
  addr: Address | null;
}

/** One RECVMSG: the count and what came with it. */
function* receive(sock: socket, buf: Uint8Array | null, size: number, ancSize: number, flags: number): TaskletGenerator<[number, Received]> {
  const req = yield* takeCall(sock).message(IoOp.RECVMSG, buf, size, null, flags, sock._timeoutNow(), null, ancSize);
  const anc = (req.ancillary ?? []).map((i): Ancillary => [i.level, i.type, Buffer.from(i.data)]);
  req.ancillary = null;
  const data = buf === null ? (req.buf as Buffer) : Buffer.from(buf.buffer, buf.byteOffset, req.result);
  return [req.result, { data, anc, flags: req.msgFlags, addr: toPython(req.addr) }];
}

/** CMSG_LEN(length): the cmsg_len of an item of `length` data bytes. */
export function CMSG_LEN(length: Int): number {
  const n = toSsize(length);
  if (n < 0 || n > SOCKLEN_LIMIT - cmsgLen(0)) throw new OverflowError('CMSG_LEN() argument out of range');
  return cmsgLen(n);
}

/** CMSG_SPACE(length): the control room an item of `length` data bytes takes, padding included. */
export function CMSG_SPACE(length: Int): number {
  const n = toSsize(length);
  if (n < 0 || n > SOCKLEN_LIMIT - cmsgSpace(1) || cmsgSpace(n) > SOCKLEN_LIMIT) throw new OverflowError('CMSG_SPACE() argument out of range');
  return cmsgSpace(n);
}

/** The C ints of `fds` as bytes (array.array("i", fds)). */
function intArray(fds: unknown): Uint8Array {
  const list = items(fds, `'${pytype(fds)}' object is not iterable`).map((fd) => toCInt(fd));
  const out = Buffer.alloc(list.length * 4);
  list.forEach((fd, i) => out.writeInt32LE(fd, i * 4));
  return out;
}

/**
 * send_fds(sock, buffers, fds[, flags[, address]]): the descriptors (int
 * handles) with SCM_RIGHTS. As CPython 3.11's, `flags` and `address` are
 * accepted and not used.
 */
export function send_fds(sock: socket, buffers: unknown, fds: unknown, flags: unknown = 0, address: unknown = null): TaskletGenerator<number> {
  void flags;
  void address;
  return sock.sendmsg(buffers as Uint8Array[], [[C.SOL_SOCKET, C.SCM_RIGHTS, intArray(fds)]]);
}

/**
 * recv_fds(sock, bufsize, maxfds[, flags]): `[data, fds, msg_flags,
 * address]`, room for `maxfds` descriptors. As CPython 3.11's, `flags` is
 * accepted and not used.
 */
export function* recv_fds(sock: socket, bufsize: Int, maxfds: Int, flags: Int = 0): TaskletGenerator<[Buffer, number[], number, Address | null]> {
  void flags;
  const [msg, anc, f, addr] = yield* sock.recvmsg(bufsize, CMSG_LEN(toSsize(maxfds) * 4));
  const fds: number[] = [];
  for (const [level, type, data] of anc) {
    if (level !== C.SOL_SOCKET || type !== C.SCM_RIGHTS) continue;
    for (let i = 0; i + 4 <= data.length; i += 4) fds.push(data.readInt32LE(i));
  }
  return [msg, fds, f, addr];
}
