/**
 * socket.sendfile() through the backend's SENDFILE (sendfile(2) on epoll):
 * CPython's _sendfile_use_sendfile. It gives up, for the caller to read and
 * send itself (sendfile.ts), where CPython gives up on os.sendfile: a file
 * without a descriptor, one fstat() refuses, or a first transfer that fails
 * (the backend cannot send from that file, or has no SENDFILE at all:
 * libuv answers ENOSYS).
 */
import { fstat } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { TIMEOUT, ValueError, waitFor, type TaskletGenerator } from '@stackless-io/runtime';
import { takeCall } from './call-pool.js';
import { errorFor, timeoutError } from './errors.js';
import type { socket } from './socket.js';

/** useSendfile()'s answer when the caller must read and send itself. */
export const GIVE_UP = Symbol('give up on sendfile');

/** A Python-like file object's descriptor, if it has a fileno() (null: it has none). */
export function filenoOf(file: number | FileHandle | { fileno?: unknown }, isHandle: boolean): number | null {
  if (typeof file === 'number') return file;
  if (isHandle) return (file as FileHandle).fd;
  const f = (file as { fileno?: unknown }).fileno;
  if (typeof f !== 'function') return null;
  const fd: unknown = f.call(file);
  if (typeof fd !== 'number' || !Number.isInteger(fd)) throw new TypeError('fileno() must return an int');
  return fd;
}

function fileSize(fd: number): Promise<number> {
  return new Promise((resolve, reject) => fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size))));
}

/**
 * Sends `count` bytes (null: up to the end) of the file descriptor `fd`
 * from `offset` with SENDFILE requests, each waiting up to the socket's
 * timeout for room; then moves a Python-like file past the bytes sent, as
 * CPython does. The count sent, or GIVE_UP.
 */
export function* useSendfile(sock: socket, fd: number, seek: ((offset: number) => unknown) | null, offset: number, count: number | null): TaskletGenerator<number | typeof GIVE_UP> {
  let size: number;
  try {
    size = yield* waitFor(fileSize(fd));
  } catch {
    return GIVE_UP;
  }
  if (size === 0) return 0;
  if (sock._timeoutNow() === 0) throw new ValueError('non-blocking sockets are not supported');
  // CPython registers the socket's fileno() (-1 once closed) with a selector here.
  if (sock._handleNow() < 0) throw new ValueError('Invalid file descriptor: -1');
  // CPython sends at most 1 GiB per call (bpo-38319).
  let block = Math.min(count ?? size, 2 ** 30);
  const timeout = sock._timeoutNow();
  let total = 0;
  let at = offset;
  try {
    for (;;) {
      if (count !== null) {
        block = count - total;
        if (block <= 0) break;
      }
      const r = yield* takeCall(sock).sendfile(fd, at, Math.min(block, 0x7fffffff), timeout);
      if (r === TIMEOUT) throw timeoutError();
      if (r < 0) {
        if (total === 0) return GIVE_UP;
        throw errorFor(-r);
      }
      if (r === 0) break; // the file's end
      at += r;
      total += r;
    }
    return total;
  } finally {
    if (total > 0 && seek !== null) seek(at);
  }
}
