/**
 * Binding a stream socket before listen() or connect(), which Node's public
 * API cannot do: `net._createServerHandle` (the helper Node's cluster module
 * binds with, in every Node release so far) binds a libuv handle at once and
 * reports the error at once, so getsockname() after bind(port 0) names the
 * port. A net.Server can then listen on that handle.
 */
import net from 'node:net';
import type { InetAddress, UnixAddress } from '@stackless-io/runtime';
import { fromNode as addrFromNode, nodeHost } from './addr.js';
import { EADDRINUSE, EOPNOTSUPP, fromUv } from './errno.js';

/** A bound, not yet listening libuv handle (TCPWrap or PipeWrap). */
export interface BoundHandle {
  getsockname(out: { address?: string; port?: number; family?: string }): number;
  close(): void;
}

type CreateServerHandle = (address: string, port: number, addressType: number, fd?: number, flags?: number) => BoundHandle | number;

export const createServerHandle = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;

/** libuv's UV_TCP_IPV6ONLY bind flag. */
const UV_TCP_IPV6ONLY = 1;

/** Binds a TCP handle to `addr`; the handle and the address it got, or -errno. */
export function bindTcp(addr: InetAddress, v6Only: boolean): { handle: BoundHandle; local: InetAddress } | number {
  if (createServerHandle === undefined) return EOPNOTSUPP;
  const h = createServerHandle(nodeHost(addr), addr.port, addr.family === 'inet' ? 4 : 6, undefined, v6Only ? UV_TCP_IPV6ONLY : 0);
  if (typeof h === 'number') return fromUv(h);
  const out: { address?: string; port?: number; family?: string } = {};
  const rc = h.getsockname(out);
  // libuv keeps a bind's EADDRINUSE for the later listen or connect (its
  // "delayed error") and leaves the socket unbound, which getsockname shows.
  const unbound = addr.port !== 0 ? out.port !== addr.port : out.port === 0;
  const local = addrFromNode(out.address, out.port, out.family);
  if (rc !== 0 || unbound || local === null) {
    h.close();
    return rc !== 0 ? fromUv(rc) : EADDRINUSE;
  }
  return { handle: h, local };
}

/** Binds a Unix-domain handle to `addr.path` (creating the socket file), or -errno. */
export function bindUnix(addr: UnixAddress): BoundHandle | number {
  if (createServerHandle === undefined) return EOPNOTSUPP;
  const h = createServerHandle(addr.path, -1, -1);
  return typeof h === 'number' ? fromUv(h) : h;
}
