/**
 * Socket addresses between the contract's {@link SockAddr} and Node's
 * strings: validation at the edge (the contract passes numeric hosts only)
 * and conversion of what Node reports.
 */
import { isIP } from 'node:net';
import type { Family, InetAddress, SockAddr, UnixAddress } from '@stackless-io/runtime';

/**
 * The addresses Node's sockets have (this backend makes inet, inet6 and
 * unix sockets only, and checkAddr() refuses any other address first).
 */
export type NodeSockAddr = InetAddress | UnixAddress;
import { EAFNOSUPPORT, EINVAL } from './errno.js';

/** sun_path holds 108 bytes on Linux, the terminating NUL included. */
const UNIX_PATH_MAX = 108;

/**
 * 0 when `addr` suits a socket of `family`, else `-errno` as the kernel
 * answers: EAFNOSUPPORT for an address of another family (EINVAL on a Unix
 * socket), EINVAL for a malformed one.
 */
export function checkAddr(family: Family, addr: SockAddr | null): number {
  if (addr === null || typeof addr !== 'object') return EINVAL;
  if (addr.family !== family) return family === 'unix' ? EINVAL : EAFNOSUPPORT;
  if (addr.family !== 'unix' && addr.family !== 'inet' && addr.family !== 'inet6') return EAFNOSUPPORT;
  if (addr.family === 'unix') {
    if (typeof addr.path !== 'string' || addr.path === '') return EINVAL;
    return Buffer.byteLength(addr.path) >= UNIX_PATH_MAX ? EINVAL : 0;
  }
  if (typeof addr.host !== 'string' || isIP(addr.host) !== (addr.family === 'inet' ? 4 : 6)) return EINVAL;
  if (!Number.isInteger(addr.port) || addr.port < 0 || addr.port > 65535) return EINVAL;
  return 0;
}

/** Whether an IPv6 host is an IPv4-mapped address (::ffff:a.b.c.d, however it is written). */
export function isV4Mapped(host: string): boolean {
  let canonical: string;
  try {
    // The URL parser writes an IPv6 address in its one canonical form.
    canonical = new URL(`http://[${host.replace(/%.*$/, '')}]/`).hostname;
  } catch {
    return false;
  }
  return /^\[::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}\]$/.test(canonical);
}

/** The host string Node wants: an IPv6 scope id travels as "%<id>". */
export function nodeHost(addr: InetAddress): string {
  return addr.family === 'inet6' && addr.scopeId !== undefined && addr.scopeId !== 0 ? `${addr.host}%${addr.scopeId}` : addr.host;
}

/** The wildcard address of a family, port 0: what an unbound socket reports. */
export function anyAddr(family: 'inet' | 'inet6'): InetAddress {
  return family === 'inet' ? { family, host: '0.0.0.0', port: 0 } : { family, host: '::', port: 0, flowinfo: 0, scopeId: 0 };
}

/**
 * An address as Node reports it ({ address, port, family: 'IPv4' | 'IPv6' }
 * or the separate remote* fields). A numeric scope suffix becomes scopeId; a
 * named one (fe80::1%eth0) is dropped, as Node gives no index for it.
 */
export function fromNode(host: string | undefined, port: number | undefined, nodeFamily: string | number | undefined): InetAddress | null {
  if (typeof host !== 'string' || typeof port !== 'number') return null;
  const v6 = nodeFamily === 'IPv6' || nodeFamily === 6 || host.includes(':');
  if (!v6) return { family: 'inet', host, port };
  let scopeId = 0;
  const pct = host.indexOf('%');
  if (pct >= 0) {
    const scope = Number(host.slice(pct + 1));
    if (Number.isInteger(scope)) scopeId = scope;
    host = host.slice(0, pct);
  }
  return { family: 'inet6', host, port, flowinfo: 0, scopeId };
}
