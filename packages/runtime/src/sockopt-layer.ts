/**
 * The portable {@link SockOpt} codes as a thin layer over the generic
 * setsockopt/getsockopt of the contract, for backends whose kernel takes
 * Linux's option numbers (epoll, io_uring): each code is one (level, name)
 * pair, and only LINGER (struct linger) and TYPE need their values decoded.
 */
import { constants } from 'node:os';
import { SockOpt, type IoBackend, type SockOptCode } from './backend.js';

const SOL_SOCKET = 1;
const IPPROTO_TCP = 6;
const IPPROTO_IPV6 = 41;
/** Linux's SO_LINGER, whose value is struct linger { int l_onoff; int l_linger; }. */
const SO_LINGER = 13;
const ENOPROTOOPT = -constants.errno.ENOPROTOOPT;
const EINVAL = -constants.errno.EINVAL;

/** Per SockOpt code: level << 16 | optname (0: no such code). */
const PAIRS = new Int32Array(16);
PAIRS[SockOpt.REUSEADDR] = (SOL_SOCKET << 16) | 2;
PAIRS[SockOpt.TYPE] = (SOL_SOCKET << 16) | 3;
PAIRS[SockOpt.ERROR] = (SOL_SOCKET << 16) | 4;
PAIRS[SockOpt.BROADCAST] = (SOL_SOCKET << 16) | 6;
PAIRS[SockOpt.SNDBUF] = (SOL_SOCKET << 16) | 7;
PAIRS[SockOpt.RCVBUF] = (SOL_SOCKET << 16) | 8;
PAIRS[SockOpt.KEEPALIVE] = (SOL_SOCKET << 16) | 9;
PAIRS[SockOpt.LINGER] = (SOL_SOCKET << 16) | SO_LINGER;
PAIRS[SockOpt.REUSEPORT] = (SOL_SOCKET << 16) | 15;
PAIRS[SockOpt.NODELAY] = (IPPROTO_TCP << 16) | 1;
PAIRS[SockOpt.V6ONLY] = (IPPROTO_IPV6 << 16) | 26;
PAIRS[SockOpt.ACCEPTCONN] = (SOL_SOCKET << 16) | 30;

/** level << 16 | optname of a SockOpt code in Linux's numbers, or 0 when there is no such code. */
export function optionPair(option: number): number {
  return Number.isInteger(option) && option >= 0 && option < PAIRS.length ? PAIRS[option]! : 0;
}

/** IoBackend.setOption() over the backend's generic setsockopt(). */
export function setOptionVia(b: IoBackend, handle: number, option: SockOptCode, value: number): number {
  const pair = optionPair(option);
  if (pair === 0) return ENOPROTOOPT;
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) return EINVAL;
  if (option !== SockOpt.LINGER) return b.setsockopt(handle, pair >>> 16, pair & 0xffff, value);
  // LINGER: seconds, or -1 for off.
  if (value < -1) return EINVAL;
  return b.setsockopt(handle, SOL_SOCKET, SO_LINGER, new Uint8Array(new Int32Array([value >= 0 ? 1 : 0, Math.max(0, value)]).buffer));
}

/** IoBackend.getOption() over the backend's generic getsockopt(). */
export function getOptionVia(b: IoBackend, handle: number, option: SockOptCode): ReturnType<IoBackend['getOption']> {
  const pair = optionPair(option);
  if (pair === 0) return { errno: ENOPROTOOPT };
  if (option !== SockOpt.LINGER) {
    const v = b.getsockopt(handle, pair >>> 16, pair & 0xffff, 0);
    return typeof v === 'number' ? v : v instanceof Uint8Array ? { errno: EINVAL } : v;
  }
  const v = b.getsockopt(handle, SOL_SOCKET, SO_LINGER, 8);
  if (!(v instanceof Uint8Array)) return typeof v === 'number' ? { errno: EINVAL } : v;
  // The kernel always writes the whole struct; anything shorter is a broken backend.
  if (v.length < 8) throw new Error(`getsockopt(SO_LINGER) gave ${v.length} bytes`);
  // Native-endian C ints, as the kernel wrote them.
  const ints = new Int32Array(v.slice(0, 8).buffer);
  return ints[0] !== 0 ? ints[1]! : -1;
}
