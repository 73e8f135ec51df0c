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


/** Linux's TCP_TIMEWAIT_LEN. */
const TIME_WAIT_MS = 60_000;

/**
 * By port, each socket holding it and its address (a socket holds one
 * address: stream-address.ts releases the old before it claims a new one).
 * A map, not a list: every connection a listener accepted holds the
 * listener's port, so with 10,000 of them a list made each close a scan.
 */
const held = new Map<number, Map<PortUser, InetAddress>>();
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
  for (const [other, a] of held.get(addr.port) ?? []) {
    if (other === user || !overlap(addr, user.v6Only, a, other.v6Only)) continue;
    if (!(user.reuseAddr && other.reuseAddr && !other.listening)) return true;
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
  let users = held.get(addr.port);
  if (users === undefined) held.set(addr.port, (users = new Map()));
  users.set(user, addr);
}

/** Forgets `user`'s hold on `addr`. */
export function release(user: PortUser, addr: InetAddress): void {
  const users = held.get(addr.port);
  if (users === undefined) return;
  users.delete(user);
  if (users.size === 0) held.delete(addr.port);
}

/** The side that sent the first FIN keeps its address in TIME_WAIT. */
export function enterTimeWait(addr: InetAddress, reuse: boolean): void {
  let list = timeWait.get(addr.port);
  if (list === undefined) timeWait.set(addr.port, (list = []));
  list.push({ addr: { ...addr }, reuse, until: performance.now() + TIME_WAIT_MS });
}
