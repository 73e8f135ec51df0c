/**
 * socket.getsockopt() and setsockopt() once their arity is checked: the
 * arguments converted and checked in CPython's order, the option routed
 * (sockopt.ts), and the values the contract does not carry filled in from
 * what the socket object knows.
 */
import { constants } from 'node:os';
import { SockOpt } from '@stackless-io/runtime';
import { check } from './check.js';
import * as C from './constants.js';
import { errorFor, messageError, OSError } from './errors.js';
import { toBytes, toCInt, toIndex } from './pyargs.js';
import { lingerInts, optionRoute, packInts, socketTypeOf, unpackInts } from './sockopt.js';
import type { socket } from './socket.js';

const { EFAULT, EINVAL, ENOPROTOOPT } = constants.errno;

/** An "I" (unsigned int) argument, wrapped as C does. */
function toCUInt(v: unknown): number {
  return toIndex(v) >>> 0;
}

/** getsockopt(level, optname[, buflen]): an int, or with `buflen` > 0 the option's bytes. */
export function getsockopt(sock: socket, level: number, optname: number, buflen: number): number | Buffer {
  const lv = toCInt(level);
  const opt = toCInt(optname);
  const len = toCInt(buflen);
  const h = sock._fd();
  if (len !== 0 && (len < 0 || len > 1024)) throw messageError(OSError, 'getsockopt buflen out of range');
  const route = optionRoute(lv, opt, sock.family, sock.type, false);
  let ints: number[];
  const bg = sock._background;
  if (route.kind === 'local') {
    ints = [route.optname === C.SO_DOMAIN ? sock.family : sock._soProtocol];
  } else if (route.code === SockOpt.ERROR && bg !== null && bg.done && bg.result < 0 && !bg.cleared) {
    // The failure of a connect left in the background is the pending error.
    bg.cleared = true;
    ints = [-bg.result];
  } else {
    const v = sock._backend.getsockopt(h, route.code);
    if (typeof v === 'object') throw errorFor(v.errno);
    ints = route.code === SockOpt.LINGER ? lingerInts(v, sock._lingerSeconds) : route.code === SockOpt.TYPE ? [socketTypeOf(v)] : [v];
  }
  if (len === 0) return ints[0]!;
  return packInts(ints, len);
}

/** setsockopt(level, optname, value) or setsockopt(level, optname, null, optlen). */
export function setsockopt(sock: socket, level: number, optname: number, value: number | Uint8Array | null, optlen: number | undefined): void {
  const lv = toCInt(level);
  const opt = toCInt(optname);
  let bytes: Uint8Array | null = null;
  let intValue = 0;
  let isInt = false;
  if (value === null || value === undefined) {
    if (optlen === undefined) throw new TypeError("a bytes-like object is required, not 'NoneType'");
    const n = toCUInt(optlen);
    sock._fd();
    optionRoute(lv, opt, sock.family, sock.type, true);
    // No buffer: the kernel reads optlen bytes from a null pointer.
    throw errorFor(n > 0 ? EFAULT : EINVAL);
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    try {
      intValue = toCInt(value);
      isInt = true;
    } catch {
      // CPython then tries the bytes form, whose message is the one seen.
      throw new TypeError(`a bytes-like object is required, not 'int'`);
    }
  } else {
    bytes = toBytes(value);
  }
  const h = sock._fd();
  const route = optionRoute(lv, opt, sock.family, sock.type, true);
  if (route.kind === 'local') throw errorFor(ENOPROTOOPT);
  const size = isInt ? 4 : bytes!.length;
  if (size < route.size) throw errorFor(EINVAL);
  let v: number;
  if (route.code === SockOpt.LINGER) {
    const [onoff, secs] = unpackInts(bytes!, 2) as [number, number];
    v = onoff === 0 ? -1 : Math.max(0, secs);
    check(sock._backend.setsockopt(h, route.code, v));
    // Linux keeps l_linger when lingering is turned off.
    if (onoff !== 0) sock._lingerSeconds = secs;
    return;
  } else {
    v = isInt ? intValue : unpackInts(bytes!, 1)[0]!;
  }
  check(sock._backend.setsockopt(h, route.code, v));
}
