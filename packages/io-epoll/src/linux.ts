/**
 * The portable codes of the backend contract translated to Linux numbers:
 * socket kinds, socket options and message flags. Address families are in
 * sockaddr.ts.
 */
import { MsgFlag, SockOpt, type SocketKind } from '@stackless-io/runtime';

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;

/** The SOCK_* number of a kind, or 0 for none of ours. */
export function sockType(kind: SocketKind): number {
  return kind === 'stream' ? SOCK_STREAM : kind === 'dgram' ? SOCK_DGRAM : 0;
}

const SOL_SOCKET = 1;
const IPPROTO_TCP = 6;
const IPPROTO_IPV6 = 41;

/** SO_LINGER's value is a struct linger { int l_onoff; int l_linger; }. */
export const SO_LINGER = 13;

/**
 * Per SockOpt code: level and optname, packed as level << 16 | optname
 * (0: the contract code is unknown).
 */
const OPTIONS = new Int32Array(16);
OPTIONS[SockOpt.REUSEADDR] = (SOL_SOCKET << 16) | 2;
OPTIONS[SockOpt.TYPE] = (SOL_SOCKET << 16) | 3;
OPTIONS[SockOpt.ERROR] = (SOL_SOCKET << 16) | 4;
OPTIONS[SockOpt.BROADCAST] = (SOL_SOCKET << 16) | 6;
OPTIONS[SockOpt.SNDBUF] = (SOL_SOCKET << 16) | 7;
OPTIONS[SockOpt.RCVBUF] = (SOL_SOCKET << 16) | 8;
OPTIONS[SockOpt.KEEPALIVE] = (SOL_SOCKET << 16) | 9;
OPTIONS[SockOpt.LINGER] = (SOL_SOCKET << 16) | SO_LINGER;
OPTIONS[SockOpt.REUSEPORT] = (SOL_SOCKET << 16) | 15;
OPTIONS[SockOpt.NODELAY] = (IPPROTO_TCP << 16) | 1;
OPTIONS[SockOpt.V6ONLY] = (IPPROTO_IPV6 << 16) | 26;
OPTIONS[SockOpt.ACCEPTCONN] = (SOL_SOCKET << 16) | 30;

/** level << 16 | optname for a SockOpt code, or 0 when there is no such code. */
export function linuxOption(option: number): number {
  return Number.isInteger(option) && option >= 0 && option < OPTIONS.length ? OPTIONS[option]! : 0;
}

const MSG_OOB = 0x1;
const MSG_PEEK = 0x2;
const MSG_WAITALL = 0x100;

/** Every MsgFlag bit the contract defines. */
export const MSG_KNOWN = MsgFlag.PEEK | MsgFlag.OOB | MsgFlag.WAITALL | MsgFlag.DONTWAIT;

/**
 * MSG_* bits for MsgFlag bits (all known: checked at submission). DONTWAIT
 * has none: every fd of the shim is non-blocking, and not parking is the
 * shim's SQE_NOWAIT (or sendNow).
 */
export function msgFlags(flags: number): number {
  if (flags === 0) return 0;
  return (
    (flags & MsgFlag.PEEK ? MSG_PEEK : 0) | (flags & MsgFlag.OOB ? MSG_OOB : 0) | (flags & MsgFlag.WAITALL ? MSG_WAITALL : 0)
  );
}
