/**
 * The portable codes of the backend contract translated to Linux numbers:
 * socket kinds and message flags (socket options take Linux's numbers
 * already: see the runtime's sockopt-layer.ts). Address families are in
 * sockaddr.ts.
 */
import { MsgFlag, type SocketKind } from '@stackless-io/runtime';

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;

export const SOCK_RAW = 3;
/** Linux's SOCK_RDM. */
export const SOCK_RDM = 4;
export const SOCK_SEQPACKET = 5;

/** The SOCK_* number of a kind, or 0 for none of ours. */
export function sockType(kind: SocketKind): number {
  switch (kind) {
    case 'stream':
      return SOCK_STREAM;
    case 'dgram':
      return SOCK_DGRAM;
    case 'seqpacket':
      return SOCK_SEQPACKET;
    case 'raw':
      return SOCK_RAW;
    case 'rdm':
      return SOCK_RDM;
    default:
      return 0;
  }
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
