/**
 * socket.sendfile(). A file with a descriptor (a number, a FileHandle's fd,
 * a file object's fileno()) goes through the backend's SENDFILE
 * (sendfile-native.ts), as CPython uses os.sendfile; where that gives up
 * (no descriptor, a backend without SENDFILE, a file it cannot send from),
 * this is CPython's own fallback (_sendfile_use_send): read a block, send
 * all of it, repeat, with the checks and errors of the sendfile(2) path.
 * File reads go through Node's fs and are awaited by the tasklet, never by
 * the scheduler.
 */
import { read as fsRead } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ValueError, waitFor, type Operation, type TaskletGenerator } from '@stackless-io/runtime';
import * as C from './constants.js';
import { AttributeError, errno, errorFor } from './errors.js';
import { isInt, pytype, toIndex } from './pyargs.js';
import { pyrepr } from './pyrepr.js';
import { filenoOf, GIVE_UP, useSendfile } from './sendfile-native.js';
import type { socket } from './socket.js';

/** A Python-like file object: read(n) gives bytes (or a promise or operation of them); seek() is optional. */
export interface ReadableFileLike {
  /** Up to `size` bytes (fewer, or none, at the end of the file). */
  read(size: number): Uint8Array | PromiseLike<Uint8Array> | Operation<Uint8Array>;
  /** Moves to `offset`: to sendfile()'s offset before reading, and past the bytes sent afterwards, as CPython does. */
  seek?(offset: number): unknown;
  /** When present, must contain 'b' (binary), as CPython requires. */
  mode?: string;
  /** The file's descriptor, when it has one: sendfile(2) sends from it (and seek() moves the file past the bytes sent). */
  fileno?(): number;
}

/** What sendfile() can read from: a file descriptor, a FileHandle, or a file-like object. */
export type SendfileSource = number | FileHandle | ReadableFileLike;

const BLOCK = 64 * 1024;

function isFileHandle(f: unknown): f is FileHandle {
  return typeof f === 'object' && f !== null && typeof (f as FileHandle).fd === 'number' && typeof (f as FileHandle).stat === 'function';
}

function readFd(fd: number, buf: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fsRead(fd, buf, 0, buf.length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

function* settle(v: Uint8Array | PromiseLike<Uint8Array> | Operation<Uint8Array>): TaskletGenerator<Uint8Array> {
  if (v instanceof Uint8Array) return v;
  if (typeof (v as PromiseLike<Uint8Array>).then === 'function') return yield* waitFor(v as PromiseLike<Uint8Array>);
  if (typeof (v as Operation<Uint8Array>)[Symbol.iterator] === 'function') return yield* v as Operation<Uint8Array>;
  throw new TypeError('read() must return bytes');
}

/** socket.sendfile(file, offset, count); see {@link socket.sendfile}. */
export function sendfile(sock: socket, file: SendfileSource, offset: number, count: number | null): TaskletGenerator<number> {
  const mode = typeof file === 'object' && file !== null && 'mode' in file ? (file as ReadableFileLike).mode : undefined;
  if (typeof mode === 'string' && !mode.includes('b')) throw new ValueError('file should be opened in binary mode');
  if (!(sock._type & C.SOCK_STREAM)) throw new ValueError('only SOCK_STREAM type sockets are supported');
  if (count !== null && count !== undefined) {
    if (!isInt(count)) throw new TypeError(`count must be a positive integer (got ${pyrepr(count)})`);
    if (toIndex(count) <= 0) throw new ValueError(`count must be a positive integer (got ${pyrepr(count)})`);
  }
  const start = toIndex(offset);
  const limit = count === null || count === undefined ? Infinity : toIndex(count);
  return run(sock, file, start, limit);
}

function* run(sock: socket, file: SendfileSource, offset: number, limit: number): TaskletGenerator<number> {
  // os.sendfile() refuses a negative offset.
  if (offset < 0) throw errorFor(errno('EINVAL'));
  const handle = isFileHandle(file);
  const generic = typeof file === 'object' && file !== null && !handle ? (file as ReadableFileLike) : null;
  const fd = file === null || (typeof file !== 'object' && typeof file !== 'number') ? null : filenoOf(file, handle);
  if (fd !== null) {
    const seek = generic !== null && typeof generic.seek === 'function' ? (at: number) => generic.seek!(at) : null;
    const sent = yield* useSendfile(sock, fd, seek, offset, limit === Infinity ? null : limit);
    if (sent !== GIVE_UP) return sent;
  }
  // CPython's fallback (_sendfile_use_send) refuses a non-blocking socket
  // first, then asks the file for read. (The sendfile(2) path refuses it
  // only after finding the file not empty: useSendfile.)
  if (sock.gettimeout() === 0) throw new ValueError('non-blocking sockets are not supported');
  if (typeof file !== 'number' && !handle && (generic === null || typeof generic.read !== 'function')) {
    throw new AttributeError(`'${pytype(file)}' object has no attribute 'read'`);
  }
  let total = 0;
  if (generic !== null && offset !== 0) generic.seek?.(offset);
  try {
    while (total < limit) {
      const want = Math.min(BLOCK, limit - total);
      let data: Uint8Array;
      if (generic !== null) {
        data = yield* settle(generic.read(want));
        if (data.length > want) data = data.subarray(0, want);
      } else {
        const buf = Buffer.alloc(want);
        const n =
          typeof file === 'number'
            ? yield* waitFor(readFd(file, buf, offset + total))
            : (yield* waitFor((file as FileHandle).read(buf, 0, want, offset + total))).bytesRead;
        data = buf.subarray(0, n);
      }
      if (data.length === 0) break;
      let sent = 0;
      while (sent < data.length) sent += yield* sock.send(sent === 0 ? data : data.subarray(sent));
      total += sent;
    }
    return total;
  } finally {
    if (generic !== null && total > 0) generic.seek?.(offset + total);
  }
}
