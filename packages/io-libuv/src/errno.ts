/**
 * Errors, translated in one place: Node's error objects and libuv's error
 * numbers become `-errno` with the numbering of the running platform
 * (`os.constants.errno`), as the backend contract asks.
 */
import { constants } from 'node:os';
import { getSystemErrorName } from 'node:util';

const E = constants.errno as Record<string, number | undefined>;

function neg(name: string): number {
  const n = E[name];
  if (n === undefined) throw new Error(`this platform has no ${name}`);
  return -n;
}

export const EAGAIN = neg('EAGAIN');
export const EBADF = neg('EBADF');
export const EINVAL = neg('EINVAL');
export const EIO = neg('EIO');
export const EPIPE = neg('EPIPE');
export const ECONNRESET = neg('ECONNRESET');
export const ENOTCONN = neg('ENOTCONN');
export const EISCONN = neg('EISCONN');
export const EALREADY = neg('EALREADY');
export const ECANCELED = neg('ECANCELED');
export const EADDRINUSE = neg('EADDRINUSE');
export const EAFNOSUPPORT = neg('EAFNOSUPPORT');
export const EPROTONOSUPPORT = neg('EPROTONOSUPPORT');
export const ENOPROTOOPT = neg('ENOPROTOOPT');
export const ENOSYS = neg('ENOSYS');
/**
 * Node's errno table has no ESOCKTNOSUPPORT; Linux's number stands in, the
 * numbering the contract's errors follow where the running platform's
 * table is silent (socket-compat names it the same way).
 */
export const ESOCKTNOSUPPORT = -((constants.errno as Record<string, number | undefined>).ESOCKTNOSUPPORT ?? 94);
export const EOPNOTSUPP = neg('EOPNOTSUPP');
export const EDESTADDRREQ = neg('EDESTADDRREQ');
export const ENETUNREACH = neg('ENETUNREACH');

/** Node's own (non-system) error codes that stand for a socket error. */
const NODE_CODES: Record<string, number> = {
  ERR_STREAM_WRITE_AFTER_END: EPIPE,
  ERR_STREAM_DESTROYED: EPIPE,
  ERR_SOCKET_CLOSED: EBADF,
  ERR_SOCKET_DGRAM_NOT_RUNNING: EBADF,
  ERR_SOCKET_DGRAM_IS_CONNECTED: EISCONN,
  ERR_SOCKET_DGRAM_NOT_CONNECTED: ENOTCONN,
  ERR_SOCKET_BAD_PORT: EINVAL,
  ERR_INVALID_ARG_TYPE: EINVAL,
  ERR_INVALID_ARG_VALUE: EINVAL,
  ERR_OUT_OF_RANGE: EINVAL,
  ERR_INVALID_ADDRESS_FAMILY: EAFNOSUPPORT,
  ERR_INVALID_HANDLE_TYPE: EOPNOTSUPP,
};

/** A libuv error number (negative, as Node's bindings return them) as `-errno`. */
export function fromUv(code: number): number {
  let name: string;
  try {
    name = getSystemErrorName(code);
  } catch {
    return EIO;
  }
  const n = E[name];
  return n === undefined ? EIO : -n;
}

/** A Node error (an 'error' event, a callback's error, a throw) as `-errno`. */
export function fromNode(err: unknown): number {
  const e = err as { code?: unknown; errno?: unknown } | null;
  if (e !== null && typeof e === 'object') {
    if (typeof e.code === 'string') {
      const n = E[e.code];
      if (n !== undefined) return -n;
      const m = NODE_CODES[e.code];
      if (m !== undefined) return m;
    }
    if (typeof e.errno === 'number' && e.errno < 0) return fromUv(e.errno);
  }
  return EIO;
}
