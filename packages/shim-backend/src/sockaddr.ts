/**
 * struct sockaddr codecs for Linux, written straight into (and read from)
 * the shim's arena: sockaddr_in (16 bytes), sockaddr_in6 (28), sockaddr_un
 * (110), sockaddr_nl (12), sockaddr_ll (20) and sockaddr_vm (16). Families are host-endian (little-endian: the shim
 * refuses other machines), ports and sin6_flowinfo network-endian.
 *
 * Hosts are numeric only, as the backend contract says; anything else is
 * -EINVAL. Names are resolved above the backend (socket-compat).
 */
import { constants } from 'node:os';
import { isIPv6 } from 'node:net';
import type { Family, SockAddr } from '@stackless-io/runtime';

const EINVAL = constants.errno.EINVAL;
const EAFNOSUPPORT = constants.errno.EAFNOSUPPORT;

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const AF_TIPC = 30;
export const AF_CAN = 29;
export const AF_ALG = 38;
export const AF_VSOCK = 40;

/** Linux's number for each family of the contract. */
export const FAMILY_NUMBER: Record<Family, number> = {
  inet: AF_INET,
  inet6: AF_INET6,
  unix: AF_UNIX,
  netlink: AF_NETLINK,
  packet: AF_PACKET,
  vsock: AF_VSOCK,
  alg: AF_ALG,
  can: AF_CAN,
  tipc: AF_TIPC,
};

/** Linux's number for a contract family, or 0 for something else. */
export function familyNumber(family: unknown): number {
  return typeof family === 'string' && Object.hasOwn(FAMILY_NUMBER, family) ? FAMILY_NUMBER[family as Family] : 0;
}

/** Bytes that hold any address (sizeof(struct sockaddr_storage) is 128). */
export const SOCKADDR_MAX = 128;

/** sizeof(sockaddr_un.sun_path). */
const SUN_PATH = 108;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * Writes `addr` at `off` (SOCKADDR_MAX bytes available) and returns its
 * length, or -errno for an address that is not a valid numeric one.
 */
export function encodeSockaddr(addr: SockAddr | null, u8: Uint8Array, dv: DataView, off: number): number {
  if (addr === null || typeof addr !== 'object') return -EINVAL;
  switch (addr.family) {
    case 'inet': {
      const port = addr.port;
      if (!validPort(port) || typeof addr.host !== 'string') return -EINVAL;
      const ip = parseIPv4(addr.host, 0, addr.host.length);
      if (ip < 0) return -EINVAL;
      dv.setUint16(off, AF_INET, true);
      dv.setUint16(off + 2, port, false);
      dv.setUint32(off + 4, ip, false);
      dv.setUint32(off + 8, 0);
      dv.setUint32(off + 12, 0);
      return 16;
    }
    case 'inet6': {
      const { port, host } = addr;
      const flowinfo = addr.flowinfo ?? 0;
      let scopeId = addr.scopeId ?? 0;
      if (!validPort(port) || typeof host !== 'string') return -EINVAL;
      // sin6_flowinfo carries 20 bits (CPython: "flowinfo must be 0-1048575").
      if (!Number.isInteger(flowinfo) || flowinfo < 0 || flowinfo > 0xfffff) return -EINVAL;
      if (!Number.isInteger(scopeId) || scopeId < 0 || scopeId > 0xffffffff) return -EINVAL;
      let end = host.length;
      const pct = host.indexOf('%');
      if (pct >= 0) {
        // A numeric zone ("fe80::1%2") is a scope id; naming an interface
        // would need if_nametoindex, i.e. resolution, which is not ours.
        const zone = host.slice(pct + 1);
        if (!/^[0-9]{1,10}$/.test(zone) || Number(zone) > 0xffffffff) return -EINVAL;
        scopeId = Number(zone);
        end = pct;
      }
      dv.setUint16(off, AF_INET6, true);
      dv.setUint16(off + 2, port, false);
      dv.setUint32(off + 4, flowinfo, false);
      if (!parseIPv6(host.slice(0, end), dv, off + 8)) return -EINVAL;
      dv.setUint32(off + 24, scopeId, true);
      return 28;
    }
    case 'unix': {
      const path = addr.path;
      if (typeof path !== 'string') return -EINVAL;
      dv.setUint16(off, AF_UNIX, true);
      // Encode into the whole sockaddr_storage room to learn the length,
      // then check it against sun_path.
      const { read, written } = utf8.encodeInto(path, u8.subarray(off + 2, off + SOCKADDR_MAX));
      if (read !== path.length) return -EINVAL;
      const abstract = written > 0 && u8[off + 2] === 0;
      // As CPython: an abstract name (leading NUL) may fill sun_path, a path
      // needs room for its terminating NUL, which the length leaves out.
      if (abstract ? written > SUN_PATH : written >= SUN_PATH) return -EINVAL;
      if (!abstract) u8[off + 2 + written] = 0;
      return 2 + written;
    }
    case 'netlink': {
      if (!isU32(addr.pid) || !isU32(addr.groups)) return -EINVAL;
      dv.setUint16(off, AF_NETLINK, true);
      dv.setUint16(off + 2, 0, true);
      dv.setUint32(off + 4, addr.pid, true);
      dv.setUint32(off + 8, addr.groups, true);
      return 12;
    }
    case 'packet': {
      const { protocol, ifindex, pkttype, hatype } = addr;
      const hw = addr.addr;
      if (!isU16(protocol) || !isU16(hatype) || !Number.isInteger(pkttype) || pkttype < 0 || pkttype > 255) return -EINVAL;
      if (!Number.isInteger(ifindex) || ifindex < -0x80000000 || ifindex > 0x7fffffff) return -EINVAL;
      if (!(hw instanceof Uint8Array) || hw.length > 8) return -EINVAL;
      dv.setUint16(off, AF_PACKET, true);
      dv.setUint16(off + 2, protocol, false);
      dv.setInt32(off + 4, ifindex, true);
      dv.setUint16(off + 8, hatype, true);
      u8[off + 10] = pkttype;
      u8[off + 11] = hw.length;
      u8.fill(0, off + 12, off + 20);
      u8.set(hw, off + 12);
      return 20;
    }
    case 'vsock': {
      if (!isU32(addr.cid) || !isU32(addr.port)) return -EINVAL;
      dv.setUint16(off, AF_VSOCK, true);
      dv.setUint16(off + 2, 0, true);
      dv.setUint32(off + 4, addr.port, true);
      dv.setUint32(off + 8, addr.cid, true);
      dv.setUint32(off + 12, 0, true);
      return 16;
    }
    default:
      return -EAFNOSUPPORT;
  }
}

/**
 * Reads the address of `len` bytes at `off` (ACCEPT, RECVFROM, names); null
 * when there is none (len 0, AF_UNSPEC) or the family is not one of ours.
 */
export function decodeSockaddr(u8: Uint8Array, dv: DataView, off: number, len: number): SockAddr | null {
  if (len < 2) return null;
  switch (dv.getUint16(off, true)) {
    case AF_INET:
      if (len < 16) return null;
      return { family: 'inet', host: `${u8[off + 4]}.${u8[off + 5]}.${u8[off + 6]}.${u8[off + 7]}`, port: dv.getUint16(off + 2, false) };
    case AF_INET6:
      if (len < 28) return null;
      return {
        family: 'inet6',
        host: formatIPv6(u8, dv, off + 8),
        port: dv.getUint16(off + 2, false),
        flowinfo: dv.getUint32(off + 4, false),
        scopeId: dv.getUint32(off + 24, true),
      };
    case AF_UNIX: {
      const start = off + 2;
      const stop = off + Math.min(len, 2 + SUN_PATH);
      if (stop > start && u8[start] === 0) return { family: 'unix', path: fromUtf8.decode(u8.subarray(start, stop)) };
      let nul = start;
      while (nul < stop && u8[nul] !== 0) nul++;
      return { family: 'unix', path: fromUtf8.decode(u8.subarray(start, nul)) };
    }
    case AF_NETLINK:
      if (len < 12) return null;
      return { family: 'netlink', pid: dv.getUint32(off + 4, true), groups: dv.getUint32(off + 8, true) };
    case AF_PACKET: {
      if (len < 12) return null;
      const halen = Math.min(u8[off + 11]!, 8, len - 12);
      return {
        family: 'packet',
        protocol: dv.getUint16(off + 2, false),
        ifindex: dv.getInt32(off + 4, true),
        hatype: dv.getUint16(off + 8, true),
        pkttype: u8[off + 10]!,
        addr: u8.slice(off + 12, off + 12 + halen),
      };
    }
    case AF_VSOCK:
      if (len < 16) return null;
      return { family: 'vsock', cid: dv.getUint32(off + 8, true), port: dv.getUint32(off + 4, true) };
    default:
      return null;
  }
}

function isU16(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff;
}

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

function validPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 0xffff;
}

/**
 * host[from, to) as a dotted quad, the only form inet_pton(AF_INET) takes
 * (four decimal parts, no leading zeros): the address as a uint32, or -1.
 * No allocation: this runs for every sendto().
 */
function parseIPv4(host: string, from: number, to: number): number {
  let ip = 0;
  let parts = 0;
  let i = from;
  while (parts < 4) {
    const start = i;
    let v = 0;
    while (i < to) {
      const c = host.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || v > 255 || (digits > 1 && host.charCodeAt(start) === 48)) return -1;
    ip = ip * 256 + v;
    parts++;
    if (parts < 4) {
      if (i >= to || host.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === to ? ip : -1;
}

/** Writes the 16 bytes of an IPv6 literal at `off`; false if it is not one. */
function parseIPv6(host: string, dv: DataView, off: number): boolean {
  if (!isIPv6(host)) return false;
  const words = [0, 0, 0, 0, 0, 0, 0, 0];
  const halves = host.split('::');
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length > 1 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const groups = (parts: string[], into: number[]): boolean => {
    for (const p of parts) {
      if (p.includes('.')) {
        const ip = parseIPv4(p, 0, p.length);
        if (ip < 0) return false;
        into.push(ip >>> 16, ip & 0xffff);
      } else {
        into.push(parseInt(p, 16));
      }
    }
    return true;
  };
  const front: number[] = [];
  const back: number[] = [];
  if (!groups(head, front) || !groups(tail, back)) return false;
  if (front.length + back.length > 8 || (halves.length === 1 && front.length !== 8)) return false;
  front.forEach((w, i) => (words[i] = w));
  back.forEach((w, i) => (words[8 - back.length + i] = w));
  for (let i = 0; i < 8; i++) dv.setUint16(off + 2 * i, words[i]!, false);
  return true;
}

/**
 * The 16 bytes at `off` as glibc's inet_ntop writes them (so as CPython
 * shows them): the longest run of two or more zero groups (the first of
 * equals) becomes "::", and an IPv4-compatible (::a.b.c.d) or IPv4-mapped
 * (::ffff:a.b.c.d) address ends in dotted decimal.
 */
export function formatIPv6(u8: Uint8Array, dv: DataView, off: number): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (dv.getUint16(off + 2 * i, false) === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase >= 0) {
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase >= 0 && curLen > bestLen) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && dv.getUint16(off + 10, false) === 0xffff))) {
      out += `${u8[off + 12]}.${u8[off + 13]}.${u8[off + 14]}.${u8[off + 15]}`;
      return out;
    }
    out += dv.getUint16(off + 2 * i, false).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}
