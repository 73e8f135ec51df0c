/**
 * Host names to addresses, as CPython's setipaddr() does it for bind,
 * connect and sendto: the empty string is the wildcard, "<broadcast>" is
 * 255.255.255.255, numeric addresses need no resolver, and everything else
 * goes to the C library's getaddrinfo through Node's dns.lookup, awaited by
 * the tasklet (waitFor), so a slow resolver never blocks the scheduler.
 */
import { promises as dns } from 'node:dns';
import { getSystemErrorName } from 'node:util';
import { waitFor, type TaskletGenerator } from '@stackless-io/runtime';
import * as C from './constants.js';
import { gaiError, messageError, OSError, type gaierror } from './errors.js';
import { canonicalIPv6, formatIPv4, isV4Mapped, parseIPv4, parseIPv6 } from './inet.js';

/** A numeric address the resolver settled on. */
export interface Resolved {
  family: 'inet' | 'inet6';
  host: string;
  /** IPv6 scope id given as "%n" in the text (0 when absent). */
  scopeId: number;
}

/** Node's resolver error names (uv's EAI_*) → the platform's EAI codes. */
const EAI: Record<string, number> = {
  EAI_ADDRFAMILY: C.EAI_ADDRFAMILY,
  EAI_AGAIN: C.EAI_AGAIN,
  EAI_BADFLAGS: C.EAI_BADFLAGS,
  EAI_FAIL: C.EAI_FAIL,
  EAI_FAMILY: C.EAI_FAMILY,
  EAI_MEMORY: C.EAI_MEMORY,
  EAI_NODATA: C.EAI_NODATA,
  EAI_NONAME: C.EAI_NONAME,
  EAI_OVERFLOW: C.EAI_OVERFLOW,
  EAI_SERVICE: C.EAI_SERVICE,
  EAI_SOCKTYPE: C.EAI_SOCKTYPE,
};

/** The gaierror for an error of Node's dns module (its `errno` is uv's EAI code). */
export function dnsError(e: unknown): gaierror {
  const err = e as { errno?: number; code?: string };
  let name = err.code ?? '';
  if (typeof err.errno === 'number') {
    try {
      name = getSystemErrorName(err.errno);
    } catch {
      // Not a uv error number: keep the code.
    }
  }
  if (name === 'ENOTFOUND') name = 'EAI_NONAME';
  return gaiError(EAI[name] ?? C.EAI_SYSTEM);
}

/** Splits "fe80::1%2" into the address and a numeric scope id; null when the scope is an interface name. */
function splitScope(s: string): { addr: string; scopeId: number } | null {
  const i = s.indexOf('%');
  if (i < 0) return { addr: s, scopeId: 0 };
  const scope = s.slice(i + 1);
  if (!/^\d+$/.test(scope)) return null;
  return { addr: s.slice(0, i), scopeId: Number(scope) >>> 0 };
}

/**
 * What setipaddr() settles without the resolver: the wildcard, broadcast
 * and numeric addresses (and the family errors getaddrinfo would give for
 * them). Null when `name` needs a lookup. `af` is AF_INET, AF_INET6 or
 * AF_UNSPEC.
 */
export function resolveNow(name: string, af: number): Resolved | null {
  if (name === '') {
    if (af === C.AF_INET) return { family: 'inet', host: '0.0.0.0', scopeId: 0 };
    if (af === C.AF_INET6) return { family: 'inet6', host: '::', scopeId: 0 };
    throw messageError(OSError, 'wildcard resolved to multiple address');
  }
  if (name === '255.255.255.255' || name === '<broadcast>') {
    if (af !== C.AF_INET && af !== C.AF_UNSPEC) throw messageError(OSError, 'address family mismatched');
    return { family: 'inet', host: '255.255.255.255', scopeId: 0 };
  }
  const v4 = parseIPv4(name);
  if (v4 !== null) {
    if (af === C.AF_INET6) throw gaiError(C.EAI_ADDRFAMILY);
    return { family: 'inet', host: formatIPv4(v4), scopeId: 0 };
  }
  const scoped = splitScope(name);
  const v6 = scoped === null ? null : parseIPv6(scoped.addr);
  if (scoped !== null && v6 !== null) {
    if (af === C.AF_INET) {
      // getaddrinfo() answers a v4-mapped address asked as IPv4 with the IPv4 address.
      if (isV4Mapped(v6)) return { family: 'inet', host: formatIPv4(v6.subarray(12)), scopeId: 0 };
      throw gaiError(C.EAI_ADDRFAMILY);
    }
    return { family: 'inet6', host: canonicalIPv6(scoped.addr), scopeId: scoped.scopeId };
  }
  return null;
}

function nodeFamily(af: number): 0 | 4 | 6 {
  return af === C.AF_INET ? 4 : af === C.AF_INET6 ? 6 : 0;
}

/** Looks a host name up with the system resolver (getaddrinfo) without blocking the scheduler; the first answer. */
export function* resolveName(name: string, af: number): TaskletGenerator<Resolved> {
  let r: { address: string; family: number };
  try {
    r = yield* waitFor(dns.lookup(name, { family: nodeFamily(af), hints: 0, verbatim: true }));
  } catch (e) {
    throw dnsError(e);
  }
  const fam = r.family === 6 ? 'inet6' : 'inet';
  if ((af === C.AF_INET && fam !== 'inet') || (af === C.AF_INET6 && fam !== 'inet6')) throw gaiError(C.EAI_ADDRFAMILY);
  if (fam === 'inet') return { family: fam, host: r.address, scopeId: 0 };
  const scoped = splitScope(r.address);
  if (scoped === null) throw gaiError(C.EAI_NONAME);
  return { family: fam, host: canonicalIPv6(scoped.addr), scopeId: scoped.scopeId };
}

/** setipaddr(): {@link resolveNow}, else the resolver. */
export function* resolveHost(name: string, af: number): TaskletGenerator<Resolved> {
  return resolveNow(name, af) ?? (yield* resolveName(name, af));
}
