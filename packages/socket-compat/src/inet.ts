/**
 * Address text ⇄ packed bytes and byte-order helpers: inet_pton, inet_ntop,
 * inet_aton, inet_ntoa, htons, ntohs, htonl, ntohl. The parsers follow the
 * C library's rules (glibc's inet_pton is strict; inet_aton takes the old
 * forms "127.1" and "0x7f.1"), and the formatter prints IPv6 the way
 * glibc's inet_ntop does, so results equal CPython's byte for byte.
 */
import type { Int } from './pyargs.js';
import { ValueError } from '@stackless-io/runtime';
import { AF_INET, AF_INET6 } from './constants.js';
import { errno, errorFor, messageError, OSError, OverflowError } from './errors.js';
import { noNul, pytype, toBytes, toCIntStrict, toStr } from './pyargs.js';
import { plainInt } from './intenum.js';
import { cExact, cOne } from './arity.js';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** glibc's inet_pton4: exactly four decimal parts, no leading zeros; null when invalid. */
export function parseIPv4(s: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let sawDigit = false;
  let octets = 0;
  let tp = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      const v = out[tp]! * 10 + (c - 48);
      if (sawDigit && out[tp] === 0) return null;
      if (v > 255) return null;
      out[tp] = v;
      if (!sawDigit) {
        if (++octets > 4) return null;
        sawDigit = true;
      }
    } else if (c === 46 && sawDigit) {
      if (octets === 4) return null;
      tp++;
      sawDigit = false;
    } else {
      return null;
    }
  }
  return octets < 4 ? null : out;
}

/** glibc's inet_pton6; null when invalid. */
export function parseIPv6(s: string): Uint8Array | null {
  const out = new Uint8Array(16);
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return null;
    i = 1;
  }
  let tp = 0;
  let colonp = -1;
  let curtok = i;
  let sawXdigit = false;
  let digits = 0;
  let val = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i++);
    const d = hexValue(c);
    if (d >= 0) {
      if (digits === 4) return null;
      val = (val << 4) | d;
      digits++;
      sawXdigit = true;
      continue;
    }
    if (c === 58) {
      curtok = i;
      if (!sawXdigit) {
        if (colonp !== -1) return null;
        colonp = tp;
        continue;
      }
      if (i >= s.length) return null;
      if (tp + 2 > 16) return null;
      out[tp++] = val >> 8;
      out[tp++] = val & 0xff;
      sawXdigit = false;
      digits = 0;
      val = 0;
      continue;
    }
    if (c === 46 && tp + 4 <= 16) {
      const v4 = parseIPv4(s.slice(curtok));
      if (v4 === null) return null;
      out.set(v4, tp);
      tp += 4;
      sawXdigit = false;
      break;
    }
    return null;
  }
  if (sawXdigit) {
    if (tp + 2 > 16) return null;
    out[tp++] = val >> 8;
    out[tp++] = val & 0xff;
  }
  if (colonp !== -1) {
    if (tp === 16) return null;
    const n = tp - colonp;
    out.copyWithin(16 - n, colonp, tp);
    out.fill(0, colonp, 16 - n);
    tp = 16;
  }
  return tp === 16 ? out : null;
}

/** True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Dotted-quad text of 4 bytes. */
export function formatIPv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** glibc's inet_ntop6: the longest run of two or more zero groups becomes "::". */
export function formatIPv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else {
        curLen++;
      }
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += formatIPv4(b.subarray(12, 16));
      return out;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** The canonical text of a numeric IPv6 address (as the C library prints it), or `s` unchanged. */
export function canonicalIPv6(s: string): string {
  const b = parseIPv6(s);
  return b === null ? s : formatIPv6(b);
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** glibc's inet_aton: 1 to 4 parts in decimal, octal or hex; text after white space is ignored. */
export function parseInetAton(s: string): Uint8Array | null {
  const parts: number[] = [];
  let i = 0;
  let val = 0;
  for (;;) {
    if (!isDigit(s.charCodeAt(i))) return null;
    let base = 10;
    if (s.charCodeAt(i) === 48) {
      const x = s.charCodeAt(i + 1);
      if ((x === 120 || x === 88) && hexValue(s.charCodeAt(i + 2)) >= 0) {
        base = 16;
        i += 2;
      } else {
        base = 8;
      }
    }
    val = 0;
    for (;;) {
      const d = hexValue(s.charCodeAt(i));
      if (d < 0 || d >= base) break;
      // Anything past 32 bits is invalid in every position; stop growing.
      val = Math.min(val * base + d, 2 ** 33);
      i++;
    }
    if (s.charCodeAt(i) === 46) {
      if (parts.length > 2 || val > 0xff) return null;
      parts.push(val);
      i++;
    } else {
      break;
    }
  }
  if (i < s.length && !isSpace(s.charCodeAt(i))) return null;
  const max = [0xffffffff, 0xffffff, 0xffff, 0xff][parts.length]!;
  if (val > max) return null;
  const out = new Uint8Array(4);
  parts.forEach((p, k) => (out[k] = p));
  for (let k = 3; k >= parts.length; k--) {
    out[k] = val & 0xff;
    val = Math.floor(val / 256);
  }
  return out;
}

/**
 * Converts an address from text to packed bytes (4 for AF_INET, 16 for
 * AF_INET6). Raises OSError for text that is not an address, and
 * OSError(EAFNOSUPPORT) for another family.
 *
 * @example
 * ```ts
 * inet_pton(AF_INET6, '::1'); // 15 zero bytes, then 1
 * ```
 */
export function inet_pton(address_family: Int, ip_string: string): Buffer {
  cExact('inet_pton', arguments.length, 2);
  const af = toCIntStrict(address_family);
  const s = noNul(toStr(ip_string, 'inet_pton', 2));
  let b: Uint8Array | null;
  if (af === AF_INET) b = parseIPv4(s);
  else if (af === AF_INET6) b = parseIPv6(s);
  else throw errorFor(errno('EAFNOSUPPORT'));
  if (b === null) throw messageError(OSError, 'illegal IP address string passed to inet_pton');
  return Buffer.from(b);
}

/** Converts a packed address (4 or 16 bytes) to its text. */
export function inet_ntop(address_family: Int, packed_ip: Uint8Array): string {
  cExact('inet_ntop', arguments.length, 2);
  const af = toCIntStrict(address_family);
  const b = toBytes(packed_ip);
  if (af === AF_INET) {
    if (b.length !== 4) throw new ValueError('invalid length of packed IP address string');
    return formatIPv4(b);
  }
  if (af === AF_INET6) {
    if (b.length !== 16) throw new ValueError('invalid length of packed IP address string');
    return formatIPv6(b);
  }
  throw new ValueError(`unknown address family ${af}`);
}

/** Converts IPv4 text in any of the old forms ("127.1", "0x7f.0.0.1") to 4 packed bytes. */
export function inet_aton(ip_string: string): Buffer {
  cExact('inet_aton', arguments.length, 1);
  const s = noNul(toStr(ip_string, 'inet_aton', 1));
  const b = parseInetAton(s);
  if (b === null) throw messageError(OSError, 'illegal IP address string passed to inet_aton');
  return Buffer.from(b);
}

/** Converts 4 packed bytes to dotted-quad text. */
export function inet_ntoa(packed_ip: Uint8Array): string {
  cExact('inet_ntoa', arguments.length, 1);
  const b = toBytes(packed_ip);
  if (b.length !== 4) throw messageError(OSError, 'packed IP wrong length for inet_ntoa');
  return formatIPv4(b);
}

/** True on hosts whose native byte order is little-endian (network order is big-endian). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swap16(x: number): number {
  return LITTLE_ENDIAN ? ((x & 0xff) << 8) | (x >>> 8) : x;
}

function swap32(x: number): number {
  return LITTLE_ENDIAN ? (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0 : x;
}

function u16(x: unknown, fn: string): number {
  x = plainInt(x);
  if (typeof x !== 'number' && typeof x !== 'bigint' && typeof x !== 'boolean') {
    throw new TypeError(`'${pytype(x)}' object cannot be interpreted as an integer`);
  }
  if (typeof x === 'number' && !Number.isInteger(x)) throw new TypeError("'float' object cannot be interpreted as an integer");
  const n = Number(x);
  if (n < 0) throw new OverflowError(`${fn}: can't convert negative Python int to C 16-bit unsigned integer`);
  if (n > 0xffff) throw new OverflowError(`${fn}: Python int too large to convert to C 16-bit unsigned integer`);
  return n;
}

function u32(x: unknown): number {
  x = plainInt(x);
  if (!(typeof x === 'number' && Number.isInteger(x)) && typeof x !== 'bigint' && typeof x !== 'boolean') {
    throw new TypeError(`expected int, ${pytype(x)} found`);
  }
  const n = Number(x);
  if (n < 0) throw new OverflowError("can't convert negative value to unsigned int");
  if (n > 0xffffffff) throw new OverflowError('int larger than 32 bits');
  return n;
}

/** Host to network byte order, 16 bits. */
export function htons(x: Int): number {
  cExact('htons', arguments.length, 1);
  return swap16(u16(x, 'htons'));
}

/** Network to host byte order, 16 bits. */
export function ntohs(x: Int): number {
  cExact('ntohs', arguments.length, 1);
  return swap16(u16(x, 'ntohs'));
}

/** Host to network byte order, 32 bits. */
export function htonl(x: Int): number {
  cOne('_socket.htonl', arguments.length);
  return swap32(u32(x));
}

/** Network to host byte order, 32 bits. */
export function ntohl(x: Int): number {
  cOne('_socket.ntohl', arguments.length);
  return swap32(u32(x));
}
