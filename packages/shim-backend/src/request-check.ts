/**
 * submit()'s checks of a request against the contract and this backend's
 * limits, made once at the public edge: past them, the backend trusts the
 * request.
 */
import { constants } from 'node:os';
import { IoOp, MsgFlag, recvBufferOk, recvLength, type IoRequest } from '@stackless-io/runtime';
import { MSG_KNOWN, SOCK_STREAM } from './linux.js';

const { EINVAL, EMSGSIZE, EOPNOTSUPP } = constants.errno;

/** checkRequest()'s answer for a request that goes on to the shim (results it completes with are never positive). */
export const VALID = 1;

/** checkRequest()'s answer for a valid SENDMSG or RECVMSG, which the backend starts on a path of its own. */
export const MESSAGE = 2;

/**
 * VALID (MESSAGE for SENDMSG and RECVMSG), or the result a request completes with at once: -errno, or 0 for
 * a recv of nothing. `type` is the SOCK_* type of its (open) handle,
 * `maxIo` the most bytes one transfer moves.
 */
export function checkRequest(req: IoRequest, type: number, maxIo: number): number {
  switch (req.op) {
    case IoOp.RECV:
    case IoOp.RECVFROM:
      if (!recvBufferOk(req)) return -EINVAL;
      if ((req.flags & ~MSG_KNOWN) !== 0) return -EOPNOTSUPP;
      // As CPython's recv(0): nothing to wait for (the kernel would wait
      // for data it then could not hand over).
      if (req.op === IoOp.RECV && recvLength(req) === 0) return 0;
      return VALID;
    case IoOp.SEND:
    case IoOp.SENDTO:
      if (!(req.buf instanceof Uint8Array)) return -EINVAL;
      if ((req.flags & ~MSG_KNOWN) !== 0) return -EOPNOTSUPP;
      // A datagram cannot be split: one larger than a transfer fails as
      // the kernel fails one larger than its limit. A send that does not
      // wait goes from the caller's buffer (sendNow): the kernel says.
      if ((req.flags & MsgFlag.DONTWAIT) === 0 && (req.op === IoOp.SENDTO || type !== SOCK_STREAM) && req.buf.length > maxIo) return -EMSGSIZE;
      return VALID;
    case IoOp.RECVMSG:
      if (!recvBufferOk(req)) return -EINVAL;
      if ((req.flags & ~MSG_KNOWN) !== 0) return -EOPNOTSUPP;
      return Number.isInteger(req.ancSize) && req.ancSize >= 0 ? MESSAGE : -EINVAL;
    case IoOp.SENDMSG:
      if (!(req.buf instanceof Uint8Array)) return -EINVAL;
      if ((req.flags & ~MSG_KNOWN) !== 0) return -EOPNOTSUPP;
      if (req.ancillary !== null && !ancillaryOk(req.ancillary)) return -EINVAL;
      // As SEND: a datagram cannot be split across transfers.
      if (type !== SOCK_STREAM && req.buf.length > maxIo) return -EMSGSIZE;
      return MESSAGE;
    case IoOp.SENDFILE:
      // The file is the caller's descriptor (the kernel answers for a bad
      // one); the offset and count must fit the shim's fields.
      if (!isCInt(req.fileFd) || !Number.isSafeInteger(req.offset) || req.offset < 0) return -EINVAL;
      if (!Number.isInteger(req.size) || req.size < 0 || req.size > 0x7fffffff) return -EINVAL;
      return (req.flags & ~MsgFlag.DONTWAIT) !== 0 ? -EOPNOTSUPP : VALID;
    case IoOp.CONNECT:
      // The contract: a connect cannot be tried once.
      return (req.flags & MsgFlag.DONTWAIT) !== 0 ? -EINVAL : VALID;
    case IoOp.ACCEPT:
    case IoOp.POLL_IN:
    case IoOp.POLL_OUT:
      return VALID;
    default:
      return -EINVAL;
  }
}

/** Ancillary items as the contract describes them: C int level and type, bytes of data. */
function ancillaryOk(items: unknown): boolean {
  if (!Array.isArray(items)) return false;
  for (const item of items as { level?: unknown; type?: unknown; data?: unknown }[]) {
    if (item === null || typeof item !== 'object') return false;
    if (!isCInt(item.level) || !isCInt(item.type) || !(item.data instanceof Uint8Array)) return false;
  }
  return true;
}

function isCInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
}
