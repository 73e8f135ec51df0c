/**
 * Descriptors over backend handles. A backend with a real dup() (the
 * contract's, epoll's dup(2)) makes each duplicate a handle of its own.
 * One that answers ENOSYS (libuv) gets the emulation here: socket-compat
 * keeps the kernel's two levels itself: descriptors (what fileno() shows,
 * what dup(), detach() and close(fd) deal in) refer to open sockets
 * (backend handles), and a socket is closed in the backend when its last
 * descriptor is closed.
 *
 * A socket's first descriptor is its handle's number. dup() reserves a new
 * number by opening a placeholder socket in the backend (as dup(2) takes a
 * descriptor), so a duplicate's number differs from the original's and no
 * other socket can be given it while it is open; closing the duplicate
 * closes its placeholder. Once a socket's first descriptor is closed, its
 * handle number (still open for the duplicates) is no descriptor any more:
 * socket(fileno=n) and close(n) answer EBADF, as for a closed fd. A number
 * socket-compat never gave out (a handle made with the runtime's io
 * functions) is taken as its own descriptor. Tables are kept per backend
 * instance: a replaced backend's numbers mean nothing to the next one.
 */
import { constants } from 'node:os';
import type { IoBackend } from '@stackless-io/runtime';

const { EBADF, ENOSYS } = constants.errno;

interface Table {
  /** Descriptor → the handle it refers to. */
  fds: Map<number, number>;
  /** Handle → how many descriptors refer to it. */
  refs: Map<number, number>;
}

const tables = new WeakMap<IoBackend, Table>();

function table(b: IoBackend): Table {
  let t = tables.get(b);
  if (t === undefined) tables.set(b, (t = { fds: new Map(), refs: new Map() }));
  return t;
}

/**
 * A handle the backend just made (socket(), accept()): its own one
 * descriptor, whatever stale entries said. That is what a number with no
 * entries means (resolve() answers it as its own handle, release() closes
 * it), so nothing is stored: 10,000 connections hold no table entries.
 * Entries appear only once a socket has a duplicate (duplicate(), adopt()).
 */
export function fresh(b: IoBackend, h: number): void {
  const t = table(b);
  if (t.fds.size === 0 && t.refs.size === 0) return;
  t.fds.delete(h);
  t.refs.delete(h);
}

/** The handle descriptor `fd` refers to, or -1 when `fd` is not an open descriptor. */
export function resolve(b: IoBackend, fd: number): number {
  if (fd < 0) return -1;
  const t = table(b);
  const h = t.fds.get(fd);
  if (h !== undefined) return h;
  // A handle kept open only by other descriptors is no descriptor itself.
  return t.refs.has(fd) ? -1 : fd;
}

/**
 * socket(fileno=fd): the new object takes over descriptor `fd` (a number
 * seen for the first time becomes its own descriptor). Returns the handle,
 * or -1 when `fd` is not an open descriptor.
 */
export function adopt(b: IoBackend, fd: number): number {
  const h = resolve(b, fd);
  if (h < 0) return -1;
  const t = table(b);
  if (!t.fds.has(fd)) {
    t.fds.set(fd, fd);
    t.refs.set(fd, 1);
  }
  return h;
}

/** dup(fd): a new descriptor for the socket of the open descriptor `fd`; or -errno (EBADF, or the backend's EMFILE...). */
export function duplicate(b: IoBackend, fd: number): number {
  const h = resolve(b, fd);
  if (h < 0) return -EBADF;
  adopt(b, fd);
  const d = b.dup(h);
  if (d >= 0) fresh(b, d);
  if (d !== -ENOSYS) return d;
  const p = b.socket('inet', 'stream', 0);
  if (p < 0) return p;
  const t = table(b);
  t.fds.set(p, h);
  t.refs.set(h, (t.refs.get(h) ?? 1) + 1);
  return p;
}

/**
 * Closes descriptor `fd` (and its placeholder); the socket is closed in the
 * backend with its last descriptor. Returns 0 or -errno (the backend's
 * answer for the socket, or EBADF for a descriptor that is not open).
 */
export function release(b: IoBackend, fd: number): number {
  const h = resolve(b, fd);
  if (h < 0) return -EBADF;
  const t = table(b);
  t.fds.delete(fd);
  // A duplicate's number is a placeholder socket: close it with the descriptor.
  if (fd !== h) b.close(fd);
  const n = t.refs.get(h) ?? 1;
  if (n > 1) {
    t.refs.set(h, n - 1);
    return 0;
  }
  t.refs.delete(h);
  return b.close(h);
}
