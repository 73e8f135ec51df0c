/**
 * Socket options and message flags: Python's (level, optname) pairs and
 * MSG_* bits mapped onto the backend contract's portable SockOpt and MsgFlag
 * codes. An option the contract does not carry answers ENOPROTOOPT, as the
 * kernel does for an unknown one; SO_DOMAIN and SO_PROTOCOL are answered
 * from what the socket object knows (they never change).
 */
import { MsgFlag, SockOpt, type SockOptCode } from '@stackless-io/runtime';
import * as C from './constants.js';
import { errno, errorFor } from './errors.js';

/** How one option is served. */
export type OptionRoute = { kind: 'contract'; code: SockOptCode; size: number } | { kind: 'local'; optname: number };

const SIZE_INT = 4;
/** struct linger { int l_onoff; int l_linger; } */
const SIZE_LINGER = 8;

const key = (level: number, optname: number): string => `${level}:${optname}`;

const ROUTES = new Map<string, OptionRoute>([
  [key(C.SOL_SOCKET, C.SO_REUSEADDR), { kind: 'contract', code: SockOpt.REUSEADDR, size: SIZE_INT }],
  [key(C.SOL_SOCKET, C.SO_REUSEPORT), { kind: 'contract', code: SockOpt.REUSEPORT, size: SIZE_INT }],
  [key(C.SOL_SOCKET, C.SO_KEEPALIVE), { kind: 'contract', code: SockOpt.KEEPALIVE, size: SIZE_INT }],
  [key(C.SOL_SOCKET, C.SO_BROADCAST), { kind: 'contract', code: SockOpt.BROADCAST, size: SIZE_INT }],
  [key(C.SOL_SOCKET, C.SO_RCVBUF), { kind: 'contract', code: SockOpt.RCVBUF, size: SIZE_INT }],
  [key(C.SOL_SOCKET, C.SO_SNDBUF), { kind: 'contract', code: SockOpt.SNDBUF, size: SIZE_INT }],
  [key(C.SOL_SOCKET, C.SO_ERROR), { kind: 'contract', code: SockOpt.ERROR, size: SIZE_INT }],
  [key(C.SOL_SOCKET, C.SO_TYPE), { kind: 'contract', code: SockOpt.TYPE, size: SIZE_INT }],
  [key(C.SOL_SOCKET, C.SO_LINGER), { kind: 'contract', code: SockOpt.LINGER, size: SIZE_LINGER }],
  [key(C.IPPROTO_TCP, C.TCP_NODELAY), { kind: 'contract', code: SockOpt.NODELAY, size: SIZE_INT }],
  [key(C.IPPROTO_IPV6, C.IPV6_V6ONLY), { kind: 'contract', code: SockOpt.V6ONLY, size: SIZE_INT }],
  [key(C.SOL_SOCKET, C.SO_DOMAIN), { kind: 'local', optname: C.SO_DOMAIN }],
  [key(C.SOL_SOCKET, C.SO_PROTOCOL), { kind: 'local', optname: C.SO_PROTOCOL }],
  [key(C.SOL_SOCKET, C.SO_ACCEPTCONN), { kind: 'contract', code: SockOpt.ACCEPTCONN, size: SIZE_INT }],
]);

/**
 * How (level, optname) is served. An option the contract lacks raises what
 * Linux answers for an option it does not know at that level: ENOPROTOOPT,
 * except EOPNOTSUPP for levels an AF_UNIX socket has no handler for, and for
 * getsockopt() at a level an IPv4 socket's protocols do not handle.
 */
export function optionRoute(level: number, optname: number, family: number, type: number, set: boolean): OptionRoute {
  const r = ROUTES.get(key(level, optname));
  if (r !== undefined) return r;
  let code = 'ENOPROTOOPT';
  if (level !== C.SOL_SOCKET) {
    if (family === C.AF_UNIX) code = 'EOPNOTSUPP';
    else if (family === C.AF_INET && !set) {
      const own = type === C.SOCK_STREAM ? C.IPPROTO_TCP : C.IPPROTO_UDP;
      if (level !== own && level !== C.IPPROTO_IP) code = 'EOPNOTSUPP';
    }
  }
  throw errorFor(errno(code));
}

/** Native-endian C ints, as the kernel reads and writes option buffers. */
export function packInts(values: number[], length: number): Buffer {
  const ints = new Int32Array(values);
  return Buffer.from(new Uint8Array(ints.buffer, 0, Math.min(length, ints.byteLength)));
}

/** The C ints at the start of an option buffer. */
export function unpackInts(b: Uint8Array, count: number): number[] {
  const copy = new Uint8Array(count * 4);
  copy.set(b.subarray(0, count * 4));
  return [...new Int32Array(copy.buffer)];
}

/**
 * The contract's LINGER value (seconds, -1 off) as struct linger's two
 * ints. The kernel keeps l_linger while lingering is off; the contract does
 * not carry it, so the caller passes the value last set (`lastSeconds`).
 */
export function lingerInts(v: number, lastSeconds: number): [number, number] {
  return v < 0 ? [0, lastSeconds] : [1, v];
}

/** What the contract's TYPE answer means in Python's numbers. */
export function socketTypeOf(v: number): number {
  return v === 2 ? C.SOCK_DGRAM : C.SOCK_STREAM;
}

/** MSG_* flags the backends carry, and MSG_DONTWAIT (sock-call.ts decides what it does). */
export interface MsgFlags {
  /** The contract's {@link MsgFlag} bits. */
  bits: number;
  /** MSG_DONTWAIT: on a blocking socket this one call does not wait (with a timeout it changes nothing, as in CPython). */
  dontwait: boolean;
}

/**
 * Maps MSG_* flags. MSG_NOSIGNAL is accepted and has no effect (Node
 * ignores SIGPIPE, so no backend can raise it); a flag the contract cannot
 * carry (MSG_TRUNC, MSG_MORE, MSG_EOR...) raises OSError(EOPNOTSUPP).
 */
export function msgFlags(flags: number): MsgFlags {
  let bits = 0;
  let rest = flags;
  if (rest & C.MSG_OOB) bits |= MsgFlag.OOB;
  if (rest & C.MSG_PEEK) bits |= MsgFlag.PEEK;
  if (rest & C.MSG_WAITALL) bits |= MsgFlag.WAITALL;
  const dontwait = (rest & C.MSG_DONTWAIT) !== 0;
  rest &= ~(C.MSG_OOB | C.MSG_PEEK | C.MSG_WAITALL | C.MSG_DONTWAIT | C.MSG_NOSIGNAL);
  if (rest !== 0) throw errorFor(errno('EOPNOTSUPP'));
  return { bits, dontwait };
}
