/**
 * Name resolution: getaddrinfo, getnameinfo, gethostbyname(_ex),
 * gethostbyaddr, getfqdn, gethostname. Each that may ask the resolver is an
 * operation (`yield*`): the tasklet waits on Node's dns.lookup or
 * dns.lookupService (the C library's getaddrinfo/getnameinfo on libuv's
 * thread pool) through waitFor(), and the scheduler goes on. Numeric hosts,
 * the socket types and named services follow glibc's getaddrinfo, so the
 * lists and errors equal what CPython gets from it.
 */
import type { Int } from './pyargs.js';
import { ADDRCONFIG, ALL, promises as dns, V4MAPPED } from 'node:dns';
import { hostname } from 'node:os';
import { waitFor, type TaskletGenerator } from '@stackless-io/runtime';
import { idna, type Address } from './address.js';
import * as C from './constants.js';
import { AttributeError, gaiError, hError, messageError, OSError, OverflowError, UnicodeEncodeError } from './errors.js';
import { canonicalIPv6, formatIPv4, isV4Mapped, parseInetAton, parseIPv6 } from './inet.js';
import { pytype, toCInt, toCUIntWrapped, toHostArg } from './pyargs.js';
import { plainInt, toMember } from './intenum.js';
import { AddressFamily, SocketKind } from './module-constants.js';
import { dnsError, resolveHost, resolveNow } from './resolve.js';
import { indexOfInterface, nameOfInterface } from './interfaces.js';
import { serviceName, servicePort } from './services.js';
import { cExact, pyArity } from './arity.js';

/** One getaddrinfo() answer: `[family, type, proto, canonname, sockaddr]`, family and type as enum members, as CPython gives them. */
export type AddrInfo = [family: AddressFamily | number, type: SocketKind | number, proto: number, canonname: string, sockaddr: Address];

interface TypeProto {
  socktype: number;
  protocol: number;
  name: string;
  /** Part of the answer when neither type nor protocol is asked for. */
  byDefault: boolean;
  /** Any protocol number is fine, and no service may be named (raw). */
  raw: boolean;
}

/** glibc's gaih_inet_typeproto table. */
const TYPEPROTO: readonly TypeProto[] = [
  { socktype: C.SOCK_STREAM, protocol: C.IPPROTO_TCP, name: 'tcp', byDefault: true, raw: false },
  { socktype: C.SOCK_DGRAM, protocol: C.IPPROTO_UDP, name: 'udp', byDefault: true, raw: false },
  { socktype: 6 /* SOCK_DCCP */, protocol: 33 /* IPPROTO_DCCP */, name: 'dccp', byDefault: false, raw: false },
  { socktype: C.SOCK_DGRAM, protocol: C.IPPROTO_UDPLITE, name: 'udplite', byDefault: false, raw: false },
  { socktype: C.SOCK_STREAM, protocol: C.IPPROTO_SCTP, name: 'sctp', byDefault: false, raw: false },
  { socktype: C.SOCK_SEQPACKET, protocol: C.IPPROTO_SCTP, name: 'sctp', byDefault: false, raw: false },
  { socktype: C.SOCK_RAW, protocol: 0, name: 'raw', byDefault: true, raw: true },
];

const AI_KNOWN = C.AI_PASSIVE | C.AI_CANONNAME | C.AI_NUMERICHOST | C.AI_V4MAPPED | C.AI_ALL | C.AI_ADDRCONFIG | C.AI_NUMERICSERV | 0x40 | 0x80;
const NI_KNOWN = 0xff;

interface Entry {
  socktype: number;
  protocol: number;
  port: number;
}

/** The (socktype, protocol, port) entries glibc answers for a service and hints. */
function entries(service: string | null, type: number, proto: number, flags: number): Entry[] {
  let tp: TypeProto | null = null;
  if (type !== 0 || proto !== 0) {
    tp = TYPEPROTO.find((t) => (type === 0 || type === t.socktype) && (proto === 0 || t.raw || proto === t.protocol)) ?? null;
    if (tp === null) throw gaiError(type !== 0 ? C.EAI_SOCKTYPE : C.EAI_SERVICE);
  }
  let port = 0;
  if (service !== null) {
    if (tp?.raw) throw gaiError(C.EAI_SERVICE);
    if (!/^\d*$/.test(service)) {
      if (flags & C.AI_NUMERICSERV) throw gaiError(C.EAI_NONAME);
      const out: Entry[] = [];
      for (const t of tp === null ? TYPEPROTO.filter((x) => x.byDefault && !x.raw) : [tp]) {
        const p = servicePort(service, t.name);
        if (p >= 0) out.push({ socktype: t.socktype, protocol: t.protocol, port: p });
      }
      if (out.length === 0) throw gaiError(C.EAI_SERVICE);
      return out;
    }
    // strtoul, then a 16-bit port: "70000" becomes 4464, as in C.
    port = service === '' ? 0 : Number(BigInt(service) & 0xffffn);
  }
  if (tp !== null) return [{ socktype: tp.socktype, protocol: tp.raw ? proto : tp.protocol, port }];
  return TYPEPROTO.filter((t) => t.byDefault).map((t) => ({ socktype: t.socktype, protocol: t.protocol, port }));
}

interface Host {
  family: number;
  host: string;
  scopeId: number;
}

/** fe80::/10 or a link-local multicast address (ffx2::/16): where a scope names an interface. */
function linkLocal(v6: Uint8Array): boolean {
  return (v6[0] === 0xfe && (v6[1]! & 0xc0) === 0x80) || (v6[0] === 0xff && (v6[1]! & 0x0f) === 2);
}

/** A numeric host as glibc's AI_NUMERICHOST reads it, or null. */
function numericHost(name: string, family: number, flags: number): Host[] | null {
  const v4 = parseInetAton(name);
  if (v4 !== null && !/\s/.test(name)) {
    if (family === C.AF_INET6) {
      if (flags & C.AI_V4MAPPED) return [{ family: C.AF_INET6, host: `::ffff:${formatIPv4(v4)}`, scopeId: 0 }];
      throw gaiError(C.EAI_ADDRFAMILY);
    }
    return [{ family: C.AF_INET, host: formatIPv4(v4), scopeId: 0 }];
  }
  const pct = name.indexOf('%');
  const addr = pct < 0 ? name : name.slice(0, pct);
  const v6 = parseIPv6(addr);
  if (v6 !== null) {
    const scopeText = pct < 0 ? '0' : name.slice(pct + 1);
    let scope: number;
    if (/^\d+$/.test(scopeText)) scope = Number(scopeText);
    else {
      // glibc takes an interface name only for a link-local address (unicast or multicast).
      scope = linkLocal(v6) ? indexOfInterface(scopeText) : 0;
      if (scope === 0) throw gaiError(C.EAI_NONAME);
    }
    if (family === C.AF_INET) {
      // glibc answers a v4-mapped address (::ffff:a.b.c.d) asked as IPv4 with a.b.c.d.
      if (isV4Mapped(v6)) return [{ family: C.AF_INET, host: formatIPv4(v6.subarray(12)), scopeId: 0 }];
      throw gaiError(C.EAI_ADDRFAMILY);
    }
    return [{ family: C.AF_INET6, host: canonicalIPv6(addr), scopeId: scope >>> 0 }];
  }
  return null;
}

function* hosts(name: string | null, family: number, flags: number): TaskletGenerator<Host[]> {
  if (name === null) {
    // glibc's answer for no host: the wildcard (AI_PASSIVE) or the loopback, in its order.
    const passive = (flags & C.AI_PASSIVE) !== 0;
    const v4: Host = { family: C.AF_INET, host: passive ? '0.0.0.0' : '127.0.0.1', scopeId: 0 };
    const v6: Host = { family: C.AF_INET6, host: passive ? '::' : '::1', scopeId: 0 };
    if (family === C.AF_INET) return [v4];
    if (family === C.AF_INET6) return [v6];
    return passive ? [v4, v6] : [v6, v4];
  }
  const numeric = numericHost(name, family, flags);
  if (numeric !== null) return numeric;
  if (name === '' || flags & C.AI_NUMERICHOST) throw gaiError(C.EAI_NONAME);
  let hints = 0;
  if (flags & C.AI_ADDRCONFIG) hints |= ADDRCONFIG;
  if (flags & C.AI_V4MAPPED) hints |= V4MAPPED;
  if (flags & C.AI_ALL) hints |= ALL;
  let answers: { address: string; family: number }[];
  try {
    answers = yield* waitFor(dns.lookup(name, { all: true, family: family === C.AF_INET ? 4 : family === C.AF_INET6 ? 6 : 0, hints, verbatim: true }));
  } catch (e) {
    throw dnsError(e);
  }
  return answers.map((a) => {
    if (a.family === 4) return { family: C.AF_INET, host: a.address, scopeId: 0 };
    const pct = a.address.indexOf('%');
    const scope = pct < 0 ? 0 : Number(a.address.slice(pct + 1)) >>> 0;
    return { family: C.AF_INET6, host: canonicalIPv6(pct < 0 ? a.address : a.address.slice(0, pct)), scopeId: scope };
  });
}

function sockaddr(h: Host, port: number): Address {
  return h.family === C.AF_INET ? [h.host, port] : [h.host, port, 0, h.scopeId];
}

/**
 * Resolves a host and a port into the addresses to connect or bind to:
 * `[family, type, proto, canonname, sockaddr]` for each (socket) type the
 * hints allow, in the resolver's order. Raises gaierror as getaddrinfo(3).
 *
 * @example
 * ```ts
 * spawn(function* () {
 *   for (const [family, type, proto, , addr] of yield* getaddrinfo('localhost', 80, 0, SOCK_STREAM)) {
 *     console.log(family, type, proto, addr); // 2 1 6 ['127.0.0.1', 80]
 *   }
 * });
 * ```
 */
export function getaddrinfo(
  host: string | Uint8Array | null,
  port: string | Int | Uint8Array | null,
  family: Int = 0,
  type: Int = 0,
  proto: Int = 0,
  flags: Int = 0,
): TaskletGenerator<AddrInfo[]> {
  pyArity('getaddrinfo', arguments.length, ['host', 'port', 'family', 'type', 'proto', 'flags'], 2);
  let h: string | null;
  if (host === null || host === undefined) h = null;
  else if (typeof host === 'string') h = idna(host);
  else if (host instanceof Uint8Array) h = Buffer.from(host.buffer, host.byteOffset, host.byteLength).toString('latin1');
  else throw new TypeError('getaddrinfo() argument 1 must be string or None');
  let service: string | null;
  port = plainInt(port);
  if ((typeof port === 'number' && Number.isInteger(port)) || typeof port === 'bigint') service = String(port);
  else if (typeof port === 'string') service = utf8Service(port);
  else if (port instanceof Uint8Array) service = Buffer.from(port.buffer, port.byteOffset, port.byteLength).toString('latin1');
  else if (port === null || port === undefined) service = null;
  else throw messageError(OSError, 'Int or String expected');
  const af = toCInt(family);
  const st = toCInt(type);
  const pr = toCInt(proto);
  const fl = toCInt(flags);
  return getaddrinfoOp(h, service, af, st, pr, fl);
}

/**
 * A service name as CPython passes it to getaddrinfo(3): encoded to UTF-8,
 * so a lone surrogate (which has no UTF-8 form) raises UnicodeEncodeError
 * naming it and its position in code points.
 */
function utf8Service(port: string): string {
  let pos = 0;
  for (const ch of port) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      throw new UnicodeEncodeError(`'utf-8' codec can't encode character '\\u${cp.toString(16)}' in position ${pos}: surrogates not allowed`);
    }
    pos++;
  }
  return port;
}

function* getaddrinfoOp(host: string | null, service: string | null, family: number, type: number, proto: number, flags: number): TaskletGenerator<AddrInfo[]> {
  if (host === '*') host = null;
  if (service === '*') service = null;
  if (host === null && service === null) throw gaiError(C.EAI_NONAME);
  if (flags & ~AI_KNOWN) throw gaiError(C.EAI_BADFLAGS);
  if (flags & C.AI_CANONNAME && host === null) throw gaiError(C.EAI_BADFLAGS);
  if (family !== C.AF_UNSPEC && family !== C.AF_INET && family !== C.AF_INET6) throw gaiError(C.EAI_FAMILY);
  const kinds = entries(service, type, proto, flags);
  const addrs = yield* hosts(host, family, flags);
  const out: AddrInfo[] = [];
  for (const a of addrs) {
    for (const k of kinds) {
      const canon = out.length === 0 && flags & C.AI_CANONNAME ? (host ?? '') : '';
      out.push([toMember(AddressFamily, a.family), toMember(SocketKind, k.socktype), k.protocol, canon, sockaddr(a, k.port)]);
    }
  }
  return out;
}

/**
 * Translates a socket address into a host name and a service name (or
 * their numbers, with NI_NUMERICHOST and NI_NUMERICSERV). The host must be
 * numeric. Returns `[host, port]`.
 */
export function getnameinfo(sockaddr: readonly unknown[], flags: Int): TaskletGenerator<[host: string, port: string]> {
  cExact('getnameinfo', arguments.length, 2);
  if (!Array.isArray(sockaddr)) throw new TypeError('getnameinfo() argument 1 must be a tuple');
  const fl = toCInt(flags);
  if (sockaddr.length < 2 || sockaddr.length > 4 || typeof sockaddr[0] !== 'string') {
    throw new TypeError('getnameinfo(): illegal sockaddr argument');
  }
  const host = sockaddr[0] as string;
  const port = toCInt(sockaddr[1]);
  const flowinfo = sockaddr.length > 2 ? toCUIntWrapped(sockaddr[2]) : 0;
  const scopeId = sockaddr.length > 3 ? toCUIntWrapped(sockaddr[3]) : 0;
  if (flowinfo > 0xfffff) throw new OverflowError('getnameinfo(): flowinfo must be 0-1048575.');
  return getnameinfoOp(host, port, sockaddr.length, fl, scopeId);
}

function* getnameinfoOp(host: string, port: number, tupleLength: number, flags: number, scopeId = 0): TaskletGenerator<[string, string]> {
  // CPython asks getaddrinfo(host, "%d" % port, SOCK_DGRAM, AI_NUMERICHOST) first.
  const [first] = yield* getaddrinfoOp(host, String(port), C.AF_UNSPEC, C.SOCK_DGRAM, 0, C.AI_NUMERICHOST);
  const [family, , , , sa] = first!;
  if (Number(family) === C.AF_INET && tupleLength !== 2) throw messageError(OSError, 'IPv4 sockaddr must be 2 tuple');
  if (flags & ~NI_KNOWN) throw gaiError(C.EAI_BADFLAGS);
  const numericHost = (sa as [string, number])[0];
  const p = (sa as [string, number])[1];
  let name: string | null = null;
  if (!(flags & C.NI_NUMERICHOST)) {
    try {
      name = (yield* waitFor(dns.lookupService(numericHost, p))).hostname;
    } catch (e) {
      if (flags & C.NI_NAMEREQD) throw dnsError(e);
    }
  }
  // CPython puts the tuple's scope id (0 when absent) into the sockaddr; glibc
  // writes a numeric IPv6 host with it: the interface's name for a link-local
  // address, else the number.
  if (name === null) name = Number(family) === C.AF_INET6 && scopeId !== 0 ? `${numericHost}%${scopeText(numericHost, scopeId)}` : numericHost;
  const serv = flags & C.NI_NUMERICSERV ? String(p) : (serviceName(p, flags & C.NI_DGRAM ? 'udp' : 'tcp') ?? String(p));
  return [name, serv];
}

/** How getnameinfo(3) writes scope `scope` after the IPv6 address `host`. */
function scopeText(host: string, scope: number): string {
  const v6 = parseIPv6(host);
  return (v6 !== null && linkLocal(v6) ? nameOfInterface(scope) : null) ?? String(scope);
}

/** Resolves a host name to one IPv4 address ('' is 0.0.0.0). */
export function gethostbyname(hostname: string | Uint8Array): TaskletGenerator<string> {
  cExact('gethostbyname', arguments.length, 1);
  const name = toHostArg(hostname, 'gethostbyname');
  return (function* () {
    return (yield* resolveHost(name, C.AF_INET)).host;
  })();
}

/** Resolves a host name to `[hostname, aliaslist, ipaddrlist]` (IPv4 only). */
export function gethostbyname_ex(hostname: string | Uint8Array): TaskletGenerator<[string, string[], string[]]> {
  cExact('gethostbyname_ex', arguments.length, 1);
  const name = toHostArg(hostname, 'gethostbyname_ex');
  return (function* (): TaskletGenerator<[string, string[], string[]]> {
    const first = yield* resolveHost(name, C.AF_INET);
    // gethostbyname_r() itself: it knows no wildcard, but reads numeric text.
    if (name === '') throw hError(3);
    if (resolveNow(name, C.AF_INET) !== null) {
      if (name === '<broadcast>') throw hError(1);
      return [name, [], [first.host]];
    }
    let answers: { address: string }[];
    try {
      answers = yield* waitFor(dns.lookup(name, { all: true, family: 4, verbatim: true }));
    } catch {
      throw hError(1);
    }
    return [name, [], answers.map((a) => a.address)];
  })();
}

/** Looks up the host name of an address (or of a name's first address): `[hostname, aliaslist, ipaddrlist]`. */
export function gethostbyaddr(ip_address: string | Uint8Array): TaskletGenerator<[string, string[], string[]]> {
  cExact('gethostbyaddr', arguments.length, 1);
  const name = toHostArg(ip_address, 'gethostbyaddr');
  return (function* (): TaskletGenerator<[string, string[], string[]]> {
    const r = yield* resolveHost(name, C.AF_UNSPEC);
    try {
      const { hostname: h } = yield* waitFor(dns.lookupService(r.host, 0));
      return [h, [], [r.host]];
    } catch (e) {
      const code = dnsError(e).errno;
      // h_errno: HOST_NOT_FOUND, TRY_AGAIN, NO_RECOVERY.
      throw hError(code === C.EAI_NONAME ? 1 : code === C.EAI_AGAIN ? 2 : 3);
    }
  })();
}

/** The machine's host name. */
export function gethostname(): string {
  cExact('_socket.gethostname', arguments.length, 0);
  return hostname();
}

/**
 * The fully qualified domain name of `name` (default: this host): the first
 * of gethostbyaddr()'s names with a dot, else its host name, else `name`.
 */
export function getfqdn(name: string = ''): TaskletGenerator<string> {
  pyArity('getfqdn', arguments.length, ['name'], 0);
  if (typeof name !== 'string') throw new AttributeError(`'${pytype(name)}' object has no attribute 'strip'`);
  return (function* (): TaskletGenerator<string> {
    let n = name.trim();
    if (n === '' || n === '0.0.0.0' || n === '::') n = gethostname();
    try {
      const [h, aliases] = yield* gethostbyaddr(n);
      return [h, ...aliases].find((a) => a.includes('.')) ?? h;
    } catch (e) {
      if (e instanceof OSError) return n;
      throw e;
    }
  })();
}
