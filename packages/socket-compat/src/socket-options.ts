/**
 * socket.getsockopt() and setsockopt() once their arity is checked: the
 * arguments converted and checked in CPython's order, then any level and
 * option passed to the backend's generic setsockopt/getsockopt (int or
 * bytes, as CPython passes them to the kernel). SO_DOMAIN and SO_PROTOCOL
 * are answered from what the socket object knows (they never change), and
 * the failure of a connect left in the background is SO_ERROR.
 */
import type { Int } from './pyargs.js';
import { constants } from 'node:os';
import type { IoBackend } from '@stackless-io/runtime';
import { check } from './check.js';
import * as C from './constants.js';
import { errorFor, messageError, OSError } from './errors.js';
import { toBytes, toCInt, toIndex } from './pyargs.js';
import { plainInt } from './intenum.js';
import { localOption, packInts, portableOption, unknownOptionErrno } from './sockopt.js';
import type { socket } from './socket.js';

const { EFAULT, EINVAL, ENOPROTOOPT } = constants.errno;

/** An "I" (unsigned int) argument, wrapped as C does. */
function toCUInt(v: unknown): number {
  return toIndex(v) >>> 0;
}

/** getsockopt(level, optname[, buflen]): an int, or with `buflen` > 0 the option's bytes. */
export function getsockopt(sock: socket, level: Int, optname: Int, buflen: Int): number | Buffer {
  const lv = toCInt(level);
  const opt = toCInt(optname);
  const len = toCInt(buflen);
  const h = sock._fd();
  if (len !== 0 && (len < 0 || len > 1024)) throw messageError(OSError, 'getsockopt buflen out of range');
  const local = localOption(lv, opt);
  const bg = sock._background;
  let v: ReturnType<IoBackend['getsockopt']>;
  if (local !== null) {
    v = local === C.SO_DOMAIN ? sock._family : sock._soProtocol;
  } else if (lv === C.SOL_SOCKET && opt === C.SO_ERROR && bg !== null && bg.done && bg.result < 0 && !bg.cleared) {
    // The failure of a connect left in the background is the pending error.
    bg.cleared = true;
    v = -bg.result;
  } else {
    v = sock._backend.getsockopt(h, lv, opt, len);
    if (typeof v === 'object' && !(v instanceof Uint8Array)) throw errorFor(v.errno);
  }
  if (typeof v === 'number') return len === 0 ? v : packInts([v], len);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** setsockopt(level, optname, value) or setsockopt(level, optname, null, optlen). */
export function setsockopt(sock: socket, level: Int, optname: Int, value: Int | Uint8Array | null, optlen: Int | undefined): void {
  const lv = toCInt(level);
  const opt = toCInt(optname);
  if (value === null || value === undefined) {
    if (optlen === undefined) throw new TypeError("a bytes-like object is required, not 'NoneType'");
    const n = toCUInt(optlen);
    sock._fd();
    // No buffer: the kernel reads optlen bytes from a null pointer. Which
    // options exist is known here only for the portable ones (no backend
    // call reads a null pointer), so others answer as Linux does for an
    // option it lacks.
    if (!portableOption(lv, opt)) throw errorFor(unknownOptionErrno(lv, sock._family, sock._type, true));
    throw errorFor(n > 0 ? EFAULT : EINVAL);
  }
  let v: number | Uint8Array;
  value = plainInt(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    try {
      v = toCInt(value);
    } catch {
      // CPython then tries the bytes form, whose message is the one seen.
      throw new TypeError(`a bytes-like object is required, not 'int'`);
    }
  } else {
    v = toBytes(value);
  }
  const h = sock._fd();
  // SO_DOMAIN and SO_PROTOCOL are read-only, as in the kernel.
  if (localOption(lv, opt) !== null) throw errorFor(ENOPROTOOPT);
  check(sock._backend.setsockopt(h, lv, opt, v));
}
