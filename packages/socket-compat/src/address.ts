/**
 * Python socket addresses ⇄ the backend contract's SockAddr, with CPython's
 * checks (getsockaddrarg, makesockaddr): a tuple (JS array) `[host, port]`
 * for AF_INET, `[host, port, flowinfo, scope_id]` for AF_INET6 (the last
 * two optional on input), a path (string or bytes) for AF_UNIX, `[pid,
 * groups]` for AF_NETLINK and `[cid, port]` for AF_VSOCK (unsigned ints,
 * wrapped to 32 bits as CPython's "II" format does).
 */
import { domainToASCII } from 'node:url';
import { ValueError, type SockAddr, type TaskletGenerator } from '@stackless-io/runtime';
import * as C from './constants.js';
import { errno, errorFor, messageError, OSError, OverflowError } from './errors.js';
import { indexOfInterface, nameOfInterface } from './interfaces.js';
import { canonicalIPv6 } from './inet.js';
import { pytype, toBytes, toCInt, toCUIntWrapped } from './pyargs.js';
import { resolveHost, resolveNow, type Resolved } from './resolve.js';
import { unixPath } from './unix-path.js';

/** An AF_INET address: `[host, port]`. */
export type Inet4Address = [host: string, port: number];
/** An AF_INET6 address: `[host, port, flowinfo, scope_id]`. */
export type Inet6Address = [host: string, port: number, flowinfo: number, scope_id: number];
/** An AF_NETLINK address: `[pid, groups]`. */
export type NetlinkAddress = [pid: number, groups: number];
/** An AF_PACKET address: `[ifname, proto, pkttype, hatype, addr]` (the last three optional on input). */
export type PacketAddress = [ifname: string, proto: number, pkttype: number, hatype: number, addr: Buffer];
/** An AF_VSOCK address: `[cid, port]`. */
export type VsockAddress = [cid: number, port: number];
/** A socket address as Python spells it: a tuple for IP, netlink and vsock, a path for AF_UNIX (bytes for Linux's abstract names). */
export type Address = Inet4Address | Inet6Address | NetlinkAddress | PacketAddress | VsockAddress | string | Buffer;
/** What the address arguments accept. */
export type AddressLike =
  | string
  | Uint8Array
  | readonly [host: string | Uint8Array, port: number]
  | readonly [host: string | Uint8Array, port: number, flowinfo?: number, scope_id?: number]
  | readonly [number, number]
  | readonly [ifname: string, proto: number, pkttype?: number, hatype?: number, addr?: Uint8Array];

/** An address whose types are checked; its host may still need the resolver. */
export type ParsedAddress =
  | { family: 'unix'; path: string }
  | { family: 'packet'; protocol: number; ifindex: number; pkttype: number; hatype: number; addr: Uint8Array }
  | { family: 'netlink'; pid: number; groups: number }
  | { family: 'vsock'; cid: number; port: number }
  | { family: 'inet' | 'inet6'; host: string; port: number; flowinfo: number; scopeId: number };

/** A host name as Python's idna codec encodes it; ASCII names pass through unchanged. */
export function idna(v: string): string {
  return /^[\x00-\x7f]*$/.test(v) ? v : domainToASCII(v) || v;
}

/** CPython's idna_converter: str (IDNA-encoded), bytes or bytearray. */
export function hostArg(v: unknown): string {
  let s: string;
  if (typeof v === 'string') {
    s = idna(v);
  } else if (v instanceof Uint8Array) {
    s = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
  } else {
    throw new TypeError(`str, bytes or bytearray expected, not ${pytype(v)}`);
  }
  if (s.includes('\0')) throw new TypeError('host name must not contain null character');
  return s;
}

/** The sun_path limit of sockaddr_un. */
const SUN_PATH = 108;

/** Checks an address argument's shape and types (no resolver), as getsockaddrarg() does. */
export function parseAddress(family: number, addr: unknown, caller: string): ParsedAddress {
  if (family === C.AF_UNIX) {
    let bytes: Buffer;
    // A str is encoded first, so its encoding error comes before any length check (as CPython's).
    if (typeof addr === 'string') bytes = Buffer.from(unixPath(addr), 'utf8');
    else if (addr instanceof Uint8Array) bytes = Buffer.from(addr.buffer, addr.byteOffset, addr.byteLength);
    else throw new TypeError(`a bytes-like object is required, not '${pytype(addr)}'`);
    const abstract = bytes.length > 0 && bytes[0] === 0;
    if (abstract ? bytes.length > SUN_PATH : bytes.length >= SUN_PATH) throw messageError(OSError, 'AF_UNIX path too long');
    return { family: 'unix', path: unixPath(typeof addr === 'string' ? addr : bytes) };
  }
  if (family === C.AF_NETLINK) {
    if (!Array.isArray(addr)) throw new TypeError(`${caller}(): AF_NETLINK address must be tuple, not ${pytype(addr)}`);
    if (addr.length !== 2) throw new TypeError('AF_NETLINK address must be a pair (pid, groups)');
    return { family: 'netlink', pid: toCUIntWrapped(addr[0]), groups: toCUIntWrapped(addr[1]) };
  }
  if (family === C.AF_PACKET) return parsePacket(addr, caller);
  if (family === C.AF_VSOCK) {
    // CPython words these two without the caller's name (PyArg_ParseTuple's own message for the count).
    if (!Array.isArray(addr)) throw new TypeError(`getsockaddrarg: AF_VSOCK address must be tuple, not ${pytype(addr)}`);
    if (addr.length !== 2) throw new TypeError(`getsockaddrarg() takes exactly 2 arguments (${addr.length} given)`);
    return { family: 'vsock', cid: toCUIntWrapped(addr[0]), port: toCUIntWrapped(addr[1]) };
  }
  if (family !== C.AF_INET && family !== C.AF_INET6) throw messageError(OSError, `${caller}(): bad family`);
  const inet6 = family === C.AF_INET6;
  const fname = inet6 ? 'AF_INET6' : 'AF_INET';
  if (!Array.isArray(addr)) throw new TypeError(`${caller}(): ${fname} address must be tuple, not ${pytype(addr)}`);
  if (inet6 ? addr.length < 2 || addr.length > 4 : addr.length !== 2) {
    throw new TypeError(inet6 ? 'AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])' : 'AF_INET address must be a pair (host, port)');
  }
  const host = hostArg(addr[0]);
  let port: number;
  try {
    port = toCInt(addr[1]);
  } catch (e) {
    // CPython rewords the parser's overflow as its own range message.
    if (e instanceof OverflowError) throw new OverflowError(`${caller}(): port must be 0-65535.`);
    throw e;
  }
  const flowinfo = addr.length > 2 ? toCUIntWrapped(addr[2]) : 0;
  const scopeId = addr.length > 3 ? toCUIntWrapped(addr[3]) : 0;
  return { family: inet6 ? 'inet6' : 'inet', host, port, flowinfo, scopeId };
}

/**
 * CPython's AF_PACKET address ("si|iiy*"): the interface by name (looked up
 * here: ENODEV for none), then the hardware address's length, then the
 * protocol's range; pkttype and hatype are cut to their C fields.
 */
function parsePacket(addr: unknown, caller: string): ParsedAddress {
  if (!Array.isArray(addr)) throw new TypeError(`${caller}(): AF_PACKET address must be tuple, not ${pytype(addr)}`);
  const shape = 'AF_PACKET address must be a tuple of two to five elements';
  if (addr.length < 2 || addr.length > 5 || typeof addr[0] !== 'string') throw new TypeError(shape);
  const name = addr[0];
  if (name.includes('\0')) throw new ValueError('embedded null character');
  const protocol = toCInt(addr[1]);
  const pkttype = addr.length > 2 ? toCInt(addr[2]) : 0;
  const hatype = addr.length > 3 ? toCInt(addr[3]) : 0;
  const hw = addr.length > 4 ? toBytes(addr[4]) : new Uint8Array(0);
  // struct ifreq holds 15 bytes of name: a longer one names no interface.
  const ifindex = indexOfInterface(name);
  if (ifindex === 0) throw errorFor(errno('ENODEV'));
  if (hw.length > 8) throw new ValueError('Hardware address must be 8 bytes or less');
  if (protocol < 0 || protocol > 0xffff) throw new OverflowError(`${caller}(): proto must be 0-65535.`);
  return { family: 'packet', protocol, ifindex, pkttype: pkttype & 0xff, hatype: hatype & 0xffff, addr: new Uint8Array(hw) };
}

/** The range checks CPython makes after resolving the host. */
function finish(p: ParsedAddress & { family: 'inet' | 'inet6' }, r: Resolved, caller: string): SockAddr {
  if (p.port < 0 || p.port > 0xffff) throw new OverflowError(`${caller}(): port must be 0-65535.`);
  if (p.family === 'inet') return { family: 'inet', host: r.host, port: p.port };
  if (p.flowinfo > 0xfffff) throw new OverflowError(`${caller}(): flowinfo must be 0-1048575.`);
  return { family: 'inet6', host: r.host, port: p.port, flowinfo: p.flowinfo, scopeId: p.scopeId };
}

function afOf(p: ParsedAddress): number {
  return p.family === 'inet' ? C.AF_INET : C.AF_INET6;
}

/** The contract address at once, or null when the host needs the resolver. */
export function addressNow(p: ParsedAddress, caller: string): SockAddr | null {
  if (p.family !== 'inet' && p.family !== 'inet6') return p;
  const r = resolveNow(p.host, afOf(p));
  return r === null ? null : finish(p, r, caller);
}

/** The contract address, resolving the host name without blocking the scheduler. */
export function* addressOp(p: ParsedAddress, caller: string): TaskletGenerator<SockAddr> {
  if (p.family !== 'inet' && p.family !== 'inet6') return p;
  return finish(p, yield* resolveHost(p.host, afOf(p)), caller);
}

/** A contract address as Python returns it (makesockaddr); null stays null (None). */
export function toPython(a: SockAddr | null): Address | null {
  if (a === null) return null;
  switch (a.family) {
    case 'inet':
      return [a.host, a.port];
    case 'inet6': {
      const pct = a.host.indexOf('%');
      return [canonicalIPv6(pct < 0 ? a.host : a.host.slice(0, pct)), a.port, a.flowinfo ?? 0, a.scopeId ?? 0];
    }
    case 'unix':
      // Linux's abstract names start with a NUL byte; Python gives them as bytes.
      return a.path.startsWith('\0') ? Buffer.from(a.path, 'utf8') : a.path;
    case 'netlink':
      return [a.pid, a.groups];
    case 'packet':
      return [nameOfInterface(a.ifindex) ?? '', a.protocol, a.pkttype, a.hatype, Buffer.from(a.addr)];
    case 'vsock':
      return [a.cid, a.port];
  }
}

/** The Python family constant of a contract family. */
export function familyConstant(f: SockAddr['family']): number {
  switch (f) {
    case 'inet':
      return C.AF_INET;
    case 'inet6':
      return C.AF_INET6;
    case 'unix':
      return C.AF_UNIX;
    case 'netlink':
      return C.AF_NETLINK;
    case 'packet':
      return C.AF_PACKET;
    case 'vsock':
      return C.AF_VSOCK;
  }
}
