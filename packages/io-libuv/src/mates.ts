/**
 * The other end of a stream connection, when it is a record of this
 * process too (a loopback connection, a socketpair()).
 *
 * On loopback the kernel moves bytes, FINs and resets from one socket to
 * the other within the sending call, while Node reports them to the other
 * record only when its event loop turns. Knowing the mate lets a record
 * answer as the kernel does: a receive waits for the bytes the mate already
 * handed the kernel (at most one loop turn, see StreamSock), a Unix send to
 * a mate that is gone answers EPIPE without making Node drop the unread
 * data, and a reset reaches the mate's SO_ERROR at once.
 *
 * TCP ends find each other exactly, by their address pairs. A Unix client
 * is paired with the next connection accepted by a listener of this
 * process on the path it connected to (the kernel queues them in that
 * order); a client of another process connecting to the same path at the
 * same moment could be paired wrongly, which is why what depends on a Unix
 * pairing is either bounded (the wait) or harmless when wrong.
 */
import type { InetAddress } from '@stackless-io/runtime';
import type { NodeSockAddr as SockAddr } from './addr.js';

/** What a record offers its mate. */
export interface MateEnd {
  /** Bytes this end handed the kernel (so the mate will receive them). */
  sentToKernel(): number;
  /** This end sent its FIN (shut down for writing, or closed, with nothing left unsent). */
  finSent(): boolean;
  /** The mate reset the connection (closed with unread data, or SO_LINGER 0). */
  peerReset(): void;
  /** The mate is closed, or shut down for reading (a Unix send then fails). */
  readonly refusesData: boolean;
  /** Bytes this end's receives have taken (read ahead from Node does not count). */
  consumed(): number;
  /** The mate's receives took bytes: room may have opened for this end's sends. */
  peerRead(): void;
  /** Links this end to its mate. */
  pair(mate: MateEnd): void;
}

/** A v4-mapped IPv6 address (either case): the IPv4 one as seen from an AF_INET6 socket. */
const V4_MAPPED = /^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i;

function inetKey(a: InetAddress): string {
  // Node names IPv4 ends in dotted form, lower case already: only an IPv6
  // name needs folding (one per accepted connection otherwise, in a storm).
  const host = a.family === 'inet' ? a.host : a.host.toLowerCase().replace(V4_MAPPED, '');
  return `${host}|${a.port}`;
}

/** Connected TCP ends by "local>peer". */
const tcpEnds = new Map<string, MateEnd>();

/** Registers a connected TCP end; returns its mate if that is registered already. */
export function addTcpEnd(end: MateEnd, local: SockAddr, peer: SockAddr): MateEnd | null {
  if (local.family === 'unix' || peer.family === 'unix') return null;
  tcpEnds.set(`${inetKey(local)}>${inetKey(peer)}`, end);
  return tcpEnds.get(`${inetKey(peer)}>${inetKey(local)}`) ?? null;
}

/** Forgets a TCP end (closed). */
export function removeTcpEnd(end: MateEnd, local: SockAddr | null, peer: SockAddr | null): void {
  if (local === null || peer === null || local.family === 'unix' || peer.family === 'unix') return;
  const k = `${inetKey(local)}>${inetKey(peer)}`;
  if (tcpEnds.get(k) === end) tcpEnds.delete(k);
}

/** Unix clients of this process waiting to be paired, by the path of a listener of this process; with its kernel backlog. */
const unixPaths = new Map<string, { backlog: number; clients: MateEnd[] }>();

/** A listener of this process serves `path` (its kernel backlog is `backlog`). */
export function serveUnix(path: string, backlog: number): void {
  unixPaths.set(path, { backlog, clients: [] });
}

/** The listener of `path` stopped. */
export function unserveUnix(path: string): void {
  unixPaths.delete(path);
}

/**
 * A client connects to `path`. When a listener of this process serves it,
 * the client is queued for pairing, unless the kernel's queue may be full
 * (then the kernel refuses with EAGAIN and no connection comes).
 */
export function unixConnecting(path: string, client: MateEnd): void {
  const p = unixPaths.get(path);
  if (p !== undefined && p.clients.length <= p.backlog) p.clients.push(client);
}

/** The listener of `path` accepted a connection: its client, if it is of this process. */
export function unixAccepted(path: string): MateEnd | null {
  return unixPaths.get(path)?.clients.shift() ?? null;
}
