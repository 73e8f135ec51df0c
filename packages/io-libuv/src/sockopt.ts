/**
 * The generic setsockopt/getsockopt of the contract over the portable
 * options a record keeps: Node can set only those, so a (level, name) pair
 * that is not one of them answers what Linux answers for an option it does
 * not know at that level (an intended difference where the kernel has it:
 * tests/differential/intended-differences.json, "libuv-generic-options").
 */
import { optionPair, SockOpt, SOCKOPT_MAX, type SockOptCode } from '@stackless-io/runtime';
import { EINVAL, ENOPROTOOPT, EOPNOTSUPP } from './errno.js';
import type { Sock } from './sock.js';

const SOL_SOCKET = 1;
const IPPROTO_IP = 0;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** (level << 16 | name) → the portable code, for every code of the layer. */
const CODES = new Map<number, SockOptCode>();
for (const code of Object.values(SockOpt)) CODES.set(optionPair(code), code);

/**
 * What Linux answers for an option it lacks: ENOPROTOOPT, except EOPNOTSUPP
 * for a level an AF_UNIX socket has no handler for, and for getsockopt() at
 * a level an IPv4 socket's protocols do not handle.
 */
function unknownOption(sock: Sock, level: number, set: boolean): number {
  if (level === SOL_SOCKET) return ENOPROTOOPT;
  if (sock.family === 'unix') return EOPNOTSUPP;
  if (sock.family === 'inet' && !set) {
    const own = sock.kind === 'stream' ? IPPROTO_TCP : IPPROTO_UDP;
    if (level !== own && level !== IPPROTO_IP) return EOPNOTSUPP;
  }
  return ENOPROTOOPT;
}

/** A C int: what the kernel's level, option name and int value are. */
function isCInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
}

function codeOf(level: number, name: number): SockOptCode | undefined {
  if (level < 0 || level > 0x7fff || name < 0 || name > 0xffff) return undefined;
  return CODES.get((level << 16) | name);
}

/** Native-endian C ints at the start of `b`. */
function ints(b: Uint8Array, count: number): number[] {
  // A copy of exactly those bytes: `b` may be a view into a larger buffer
  // (a Node Buffer from its pool), and Buffer's own slice() is a view too.
  return [...new Int32Array(Uint8Array.prototype.slice.call(b, 0, count * 4).buffer)];
}

const IPPROTO_IPV6 = 41;
const IP_MULTICAST_TTL = 33;
const IP_MULTICAST_LOOP = 34;
const IPV6_MULTICAST_HOPS = 18;
const IPV6_MULTICAST_LOOP = 19;

/**
 * The multicast options Node can set (dgram's setMulticastTTL and
 * setMulticastLoopback), kept on every inet/inet6 record with Linux's
 * checks (IPv4's on inet6 sockets too, as Linux keeps them there; Node
 * applies the socket's own family's). null: not one of them here.
 */
function multicast(sock: Sock, level: number, name: number): 'ttl' | 'loop' | 'hops6' | 'loop6' | null {
  if (sock.family === 'unix') return null;
  if (level === IPPROTO_IP) return name === IP_MULTICAST_TTL ? 'ttl' : name === IP_MULTICAST_LOOP ? 'loop' : null;
  if (level === IPPROTO_IPV6 && sock.family === 'inet6') return name === IPV6_MULTICAST_HOPS ? 'hops6' : name === IPV6_MULTICAST_LOOP ? 'loop6' : null;
  return null;
}

/** setsockopt() of a multicast option, as Linux's ip_setsockopt/ipv6_setsockopt check it. */
function setMulticast(sock: Sock, which: 'ttl' | 'loop' | 'hops6' | 'loop6', value: number | Uint8Array): number {
  const len = typeof value === 'number' ? 4 : value.length;
  // IPv4 options take an int, or a single byte from a shorter buffer.
  const v = typeof value === 'number' ? value : len >= 4 ? ints(value, 1)[0]! : len >= 1 ? value[0]! : 0;
  switch (which) {
    case 'ttl':
      if (sock.kind === 'stream' || len < 1) return EINVAL;
      if (v < -1 || v > 255) return EINVAL;
      sock.mcastTtl = v === -1 ? 1 : v;
      break;
    case 'loop':
      if (len < 1) return EINVAL;
      sock.mcastLoop = v !== 0 ? 1 : 0;
      break;
    case 'hops6':
      if (sock.kind === 'stream') return ENOPROTOOPT;
      if (len < 4 || v < -1 || v > 255) return EINVAL;
      sock.mcastHops6 = v === -1 ? 1 : v;
      break;
    case 'loop6':
      if (len < 4 || (v !== 0 && v !== 1)) return EINVAL;
      sock.mcastLoop6 = v;
      break;
  }
  sock.multicastChanged();
  return 0;
}

/** IoBackend.setsockopt() on one record. */
export function setGeneric(sock: Sock, level: number, name: number, value: number | Uint8Array): number {
  // The same checks as a native backend's, so that bad input answers alike.
  if (!isCInt(level) || !isCInt(name)) return EINVAL;
  if (typeof value === 'number' ? !isCInt(value) : !(value instanceof Uint8Array) || value.length > SOCKOPT_MAX) return EINVAL;
  const mc = multicast(sock, level, name);
  if (mc !== null) return setMulticast(sock, mc, value);
  const code = codeOf(level, name);
  if (code === undefined) return unknownOption(sock, level, true);
  const linger = code === SockOpt.LINGER;
  if (typeof value === 'number') {
    // A C int is 4 bytes: too short for struct linger.
    if (linger) return EINVAL;
    return sock.setsockopt(code, value);
  }
  if (value.length < (linger ? 8 : 4)) return EINVAL;
  if (!linger) return sock.setsockopt(code, ints(value, 1)[0]!);
  const [onoff, secs] = ints(value, 2) as [number, number];
  const r = sock.setsockopt(code, onoff === 0 ? -1 : Math.max(0, secs));
  // Linux keeps l_linger when lingering is turned off.
  if (r === 0 && onoff !== 0) sock.lingerSeconds = secs;
  return r;
}

/** IoBackend.getsockopt() on one record. */
export function getGeneric(sock: Sock, level: number, name: number, buflen: number): number | Uint8Array | { errno: number } {
  if (!isCInt(level) || !isCInt(name) || !Number.isInteger(buflen) || buflen < 0 || buflen > SOCKOPT_MAX) return { errno: EINVAL };
  const mc = multicast(sock, level, name);
  if (mc !== null) {
    const v = mc === 'ttl' ? sock.mcastTtl : mc === 'loop' ? sock.mcastLoop : mc === 'hops6' ? sock.mcastHops6 : sock.mcastLoop6;
    if (buflen === 0) return v;
    // Linux answers an IPv4 byte-sized option in one byte to a short buffer; IPv6 copies what fits of the int.
    const n = mc === 'ttl' || mc === 'loop' ? (buflen < 4 ? 1 : 4) : Math.min(buflen, 4);
    return new Uint8Array(new Int32Array([v]).buffer, 0, n).slice();
  }
  const code = codeOf(level, name);
  if (code === undefined) return { errno: unknownOption(sock, level, false) };
  const v = sock.getsockopt(code);
  if (typeof v === 'object') return v;
  // TYPE's 1 and 2 are Linux's SOCK_STREAM and SOCK_DGRAM already.
  const values = code === SockOpt.LINGER ? (v < 0 ? [0, sock.lingerSeconds] : [1, v]) : [v];
  if (buflen === 0) return values[0]!;
  return new Uint8Array(new Int32Array(values).buffer, 0, Math.min(buflen, values.length * 4)).slice();
}
