/**
 * Socket options and message flags: which (level, optname) pairs are the
 * contract's portable ones or answered locally, and MSG_* bits mapped onto
 * the contract's MsgFlag codes.
 */
import { MsgFlag, optionPair, SockOpt } from '@stackless-io/runtime';
import * as C from './constants.js';
import { errno, errorFor } from './errors.js';

/**
 * Whether (level, optname) is one of the contract's portable options
 * (SockOpt), which every backend carries. The runtime keeps the one table
 * of their (level, optname) pairs (optionPair); this only looks it up.
 */
export function portableOption(level: number, optname: number): boolean {
  if (level < 0 || level > 0x7fff || optname < 0 || optname > 0xffff) return false;
  const pair = (level << 16) | optname;
  for (const code of Object.values(SockOpt)) if (optionPair(code) === pair) return true;
  return false;
}

/** SO_DOMAIN or SO_PROTOCOL, answered from the socket object; null for any other option. */
export function localOption(level: number, optname: number): number | null {
  return level === C.SOL_SOCKET && (optname === C.SO_DOMAIN || optname === C.SO_PROTOCOL) ? optname : null;
}

/**
 * What Linux answers for an option it lacks: ENOPROTOOPT, except
 * EOPNOTSUPP for levels an AF_UNIX socket has no handler for, and for
 * getsockopt() at a level an IPv4 socket's protocols do not handle.
 */
export function unknownOptionErrno(level: number, family: number, type: number, set: boolean): number {
  let code = 'ENOPROTOOPT';
  if (level !== C.SOL_SOCKET) {
    if (family === C.AF_UNIX) code = 'EOPNOTSUPP';
    else if (family === C.AF_INET && !set) {
      const own = type === C.SOCK_STREAM ? C.IPPROTO_TCP : C.IPPROTO_UDP;
      if (level !== own && level !== C.IPPROTO_IP) code = 'EOPNOTSUPP';
    }
  }
  return errno(code);
}

/** Native-endian C ints, as the kernel reads and writes option buffers. */
export function packInts(values: number[], length: number): Buffer {
  const ints = new Int32Array(values);
  return Buffer.from(new Uint8Array(ints.buffer, 0, Math.min(length, ints.byteLength)));
}

/** What the contract's TYPE answer means in Python's numbers (the same as Linux's). */
export function socketTypeOf(v: number): number {
  return v === C.SOCK_DGRAM || v === C.SOCK_RAW || v === C.SOCK_SEQPACKET ? v : C.SOCK_STREAM;
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
