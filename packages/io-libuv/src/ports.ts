/**
 * The part of Linux's TCP bind rules that libuv hides. libuv sets
 * SO_REUSEADDR on every TCP socket it binds, so on its own two sockets of
 * this process could bind one address where the kernel would answer
 * EADDRINUSE, and a port in TIME_WAIT would be bound again at once. This
 * registry keeps the TCP addresses this process holds (one per process, as
 * the kernel's table is) and applies the rule on top of what the kernel
 * still checks: addresses overlap when equal or when one is a wildcard, and
 * overlapping sockets conflict unless both set SO_REUSEADDR and the one
 * already there does not listen. An address the process closed actively
 * stays in TIME_WAIT for 60 s, and conflicts the same way (with the
 * SO_REUSEADDR of the socket that closed: a connection accepted from a
 * listener without it blocks even a bind that sets it).
 *
 * A bind to port 0 takes the port the kernel picks unless it conflicts
 * here (stream.ts then asks for another).
 */
import type { InetAddress } from '@stackless-io/runtime';

/** A socket holding a TCP address. */
export interface PortUser {
  readonly reuseAddr: boolean;
  readonly v6Only: boolean;
  readonly listening: boolean;
}

interface Holder {
  user: PortUser;
  addr: InetAddress;
}

/** Linux's TCP_TIMEWAIT_LEN. */
const TIME_WAIT_MS = 60_000;

const held = new Map<number, Holder[]>();
const timeWait = new Map<number, { addr: InetAddress; reuse: boolean; until: number }[]>();

function wildcard(a: InetAddress): boolean {
  return a.host === '0.0.0.0' || a.host === '::';
}

function overlap(a: InetAddress, aV6Only: boolean, b: InetAddress, bV6Only: boolean): boolean {
  if (a.family === b.family) return a.host === b.host || wildcard(a) || wildcard(b);
  // An IPv6 socket that is not V6ONLY also holds the IPv4 side of its address.
  const [v6, v6Only, v4] = a.family === 'inet6' ? [a, aV6Only, b] : [b, bV6Only, a];
  if (v6Only) return false;
  return v6.host === '::' || v6.host === `::ffff:${v4.host}` || (v4.host === '0.0.0.0' && v6.host.startsWith('::ffff:'));
}

/** Whether `user` binding `addr` (port > 0) conflicts with a socket or TIME_WAIT entry of this process. */
export function conflicts(user: PortUser, addr: InetAddress): boolean {
  for (const h of held.get(addr.port) ?? []) {
    if (h.user === user || !overlap(addr, user.v6Only, h.addr, h.user.v6Only)) continue;
    if (!(user.reuseAddr && h.user.reuseAddr && !h.user.listening)) return true;
  }
  const now = performance.now();
  const waits = timeWait.get(addr.port);
  if (waits === undefined) return false;
  const live = waits.filter((w) => w.until > now);
  if (live.length === 0) timeWait.delete(addr.port);
  else if (live.length < waits.length) timeWait.set(addr.port, live);
  return live.some((w) => (w.addr.host === addr.host || wildcard(addr)) && !(user.reuseAddr && w.reuse));
}

/** Records that `user` holds `addr`. */
export function claim(user: PortUser, addr: InetAddress): void {
  let list = held.get(addr.port);
  if (list === undefined) held.set(addr.port, (list = []));
  list.push({ user, addr });
}

/** Forgets `user`'s hold on `addr`. */
export function release(user: PortUser, addr: InetAddress): void {
  const list = held.get(addr.port);
  if (list === undefined) return;
  const i = list.findIndex((h) => h.user === user);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) held.delete(addr.port);
}

/** The side that sent the first FIN keeps its address in TIME_WAIT. */
export function enterTimeWait(addr: InetAddress, reuse: boolean): void {
  let list = timeWait.get(addr.port);
  if (list === undefined) timeWait.set(addr.port, (list = []));
  list.push({ addr: { ...addr }, reuse, until: performance.now() + TIME_WAIT_MS });
}
