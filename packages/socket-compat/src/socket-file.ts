/**
 * socket.makefile(): Python's SocketIO (raw, unbuffered) and the buffered
 * binary file over it (BufferedReader, BufferedWriter, BufferedRWPair in
 * one class). Reads, writes, flush and close are operations (`yield*`).
 * Reading follows CPython's BufferedReader exactly (what a read that raised
 * had gathered is lost, as there); bytes written stay buffered until the
 * socket took them, so a flush that raises (a timeout, say) can be retried.
 */
import { ValueError, type TaskletGenerator } from '@stackless-io/runtime';
import { errno, errorFor, messageError, OSError, TimeoutError, UnsupportedOperation } from './errors.js';
import { isInt, pytype, toBytes, toIndex, toWritableBytes } from './pyargs.js';
import { pyrepr } from './pyrepr.js';
import type { socket } from './socket.js';
import { checkTextOptions, TextSocketFile } from './text-file.js';

const DEFAULT_BUFFER_SIZE = 8192;
const EAGAIN = errno('EAGAIN');

/** Keyword arguments of makefile() for text mode. */
export interface MakefileOptions {
  /** Text encoding: 'utf-8' (default), 'latin-1' or 'ascii'. */
  encoding?: string | null;
  /** Decoding/encoding errors: 'strict' (default), 'replace' or 'ignore'. */
  errors?: string | null;
  /** null: universal newlines; '', '\n', '\r' or '\r\n' as in Python's open(). */
  newline?: string | null;
}

function isBlocking(e: unknown): boolean {
  return e instanceof OSError && e.errno === EAGAIN;
}

/**
 * The raw file over a socket (Python's socket.SocketIO): each read is one
 * recv, each write one send. In non-blocking mode they return null where
 * the socket would block.
 */
export class SocketIO {
  private sock: socket | null;
  private readonly reading: boolean;
  private readonly writing: boolean;
  private readonly _mode: string;
  private timedOut = false;

  constructor(sock: socket, mode: string) {
    if (!['r', 'w', 'rw', 'rb', 'wb', 'rwb'].includes(mode)) throw new ValueError(`invalid mode: ${pyrepr(mode)}`);
    this.sock = sock;
    this._mode = mode.includes('b') ? mode : mode + 'b';
    this.reading = mode.includes('r');
    this.writing = mode.includes('w');
  }

  /** True once closed. */
  get closed(): boolean {
    return this.sock === null;
  }

  /** 'rb', 'wb' or 'rwb'. */
  get mode(): string {
    return this._mode;
  }

  /** The socket's fileno(), or -1 once closed. */
  get name(): number {
    return this.sock === null ? -1 : this.sock.fileno();
  }

  private open(): socket {
    if (this.sock === null) throw new ValueError('I/O operation on closed file.');
    return this.sock;
  }

  /** Reads what one recv gives into `b`: the byte count (0 at end of stream), or null if it would block. */
  readinto(b: Uint8Array | ArrayBufferView | ArrayBuffer): TaskletGenerator<number | null> {
    const s = this.open();
    if (!this.reading) throw messageError(UnsupportedOperation, 'File or stream is not readable.');
    const buf = toWritableBytes(b, 'readinto');
    if (this.timedOut) throw messageError(OSError, 'cannot read from timed out object');
    return (function* (self: SocketIO): TaskletGenerator<number | null> {
      try {
        return yield* s.recv_into(buf);
      } catch (e) {
        if (e instanceof TimeoutError) self.timedOut = true;
        if (isBlocking(e)) return null;
        throw e;
      }
    })(this);
  }

  /** Reads up to `size` bytes with one recv (all until the end of stream when size < 0). */
  read(size: number | null = -1): TaskletGenerator<Buffer | null> {
    const n = size === null ? -1 : toIndex(size);
    if (n < 0) return this.readall();
    return (function* (self: SocketIO): TaskletGenerator<Buffer | null> {
      const b = Buffer.alloc(n);
      const got = yield* self.readinto(b);
      return got === null ? null : b.subarray(0, got);
    })(this);
  }

  /** Reads until the end of stream. */
  *readall(): TaskletGenerator<Buffer | null> {
    const parts: Buffer[] = [];
    for (;;) {
      const b = Buffer.alloc(DEFAULT_BUFFER_SIZE);
      const got = yield* this.readinto(b);
      if (got === null) return parts.length === 0 ? null : Buffer.concat(parts);
      if (got === 0) return Buffer.concat(parts);
      parts.push(b.subarray(0, got));
    }
  }

  /**
   * Reads one line (up to `size` bytes when size >= 0) as io.IOBase.readline
   * does over a raw file: one read(1) after another, since a raw file cannot
   * peek. In non-blocking mode a read that would block raises, as CPython's.
   */
  readline(size: number | null = -1): TaskletGenerator<Buffer> {
    const limit = size === null ? -1 : toIndex(size);
    this.open();
    return (function* (self: SocketIO): TaskletGenerator<Buffer> {
      const parts: Buffer[] = [];
      while (limit < 0 || parts.length < limit) {
        const b = yield* self.read(1);
        if (b === null) throw messageError(OSError, "read() should have returned a bytes object, not 'NoneType'");
        if (b.length === 0) break;
        parts.push(b);
        if (b[0] === 10) break;
      }
      return Buffer.concat(parts);
    })(this);
  }

  /** Reads lines until the end of stream, or until they total more than `hint` bytes (hint > 0). */
  readlines(hint: number | null = -1): TaskletGenerator<Buffer[]> {
    const h = hint === null ? -1 : toIndex(hint);
    this.open();
    return (function* (self: SocketIO): TaskletGenerator<Buffer[]> {
      const lines: Buffer[] = [];
      let total = 0;
      for (;;) {
        const line = yield* self.readline();
        if (line.length === 0) return lines;
        lines.push(line);
        total += line.length;
        if (h > 0 && total > h) return lines;
      }
    })(this);
  }

  /** Writes what one send takes of `b`: the byte count, or null if it would block. */
  write(b: Uint8Array | ArrayBufferView | ArrayBuffer): TaskletGenerator<number | null> {
    const s = this.open();
    if (!this.writing) throw messageError(UnsupportedOperation, 'File or stream is not writable.');
    const data = toBytes(b);
    return (function* (): TaskletGenerator<number | null> {
      try {
        return yield* s.send(data);
      } catch (e) {
        if (isBlocking(e)) return null;
        throw e;
      }
    })();
  }

  /** Whether the file was opened for reading. */
  readable(): boolean {
    if (this.sock === null) throw new ValueError('I/O operation on closed socket.');
    return this.reading;
  }

  /** Whether the file was opened for writing. */
  writable(): boolean {
    if (this.sock === null) throw new ValueError('I/O operation on closed socket.');
    return this.writing;
  }

  /** Sockets cannot seek. */
  seekable(): boolean {
    this.open();
    return false;
  }

  /** The socket's fileno(). */
  fileno(): number {
    return this.open().fileno();
  }

  /** Nothing to flush in a raw file. */
  flush(): void {
    this.open();
  }

  /** Closes the file; the socket closes once it and all its files are closed. */
  close(): void {
    const s = this.sock;
    if (s === null) return;
    this.sock = null;
    s._decrefSocketios();
  }
}

/**
 * The buffered binary file over a socket (makefile('rb'), ('wb'), ('rwb')).
 *
 * The reading side is CPython's BufferedReader (Modules/_io/bufferedio.c),
 * step for step, so that it keeps and loses what CPython keeps and loses:
 * a buffer of `buffering` bytes with a read position, reads that copy the
 * buffered bytes out before asking the socket for more, and, like CPython,
 * a read that raises (a timeout, say) loses the bytes it had gathered;
 * where the socket is non-blocking and has nothing, read() and readinto()
 * answer null (CPython's None) and read1() and peek() empty bytes. In 'rwb'
 * mode readline() is io.IOBase's (a BufferedRWPair has no readline of its
 * own), which reads through peek() and read().
 */
export class SocketFile {
  /** The raw file below. */
  readonly raw: SocketIO;
  private readonly size: number;
  private readonly reading: boolean;
  private readonly writing: boolean;
  /** The read buffer: bytes pos..readEnd are received and not yet returned; readEnd -1: none. */
  private rbuf: Buffer | null = null;
  private pos = 0;
  private readEnd = -1;
  /** Written and not yet sent. */
  private wbuf: Buffer[] = [];
  private wlen = 0;
  private _closed = false;

  constructor(raw: SocketIO, bufferSize: number, reading: boolean, writing: boolean) {
    this.raw = raw;
    this.size = bufferSize;
    this.reading = reading;
    this.writing = writing;
  }

  /** True once closed. */
  get closed(): boolean {
    return this._closed;
  }

  /** 'rb', 'wb' or 'rwb'. */
  get mode(): string {
    return this.raw.mode;
  }

  /** The socket's fileno(), or -1 once closed. */
  get name(): number {
    return this.raw.name;
  }

  private checkRead(what: string): void {
    if (this._closed) throw new ValueError(`${what} of closed file`);
    if (!this.reading) throw messageError(UnsupportedOperation, 'read');
  }

  // ---- CPython's BufferedReader helpers --------------------------------

  private get buffer(): Buffer {
    return (this.rbuf ??= Buffer.alloc(this.size));
  }

  /** READAHEAD: bytes buffered and not yet returned. */
  private get readahead(): number {
    return this.readEnd >= 0 ? this.readEnd - this.pos : 0;
  }

  private resetBuf(): void {
    this.readEnd = -1;
  }

  /** `n` buffered bytes, copied out and consumed. */
  private take(n: number): Buffer {
    const out = Buffer.from(this.buffer.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /** One raw read into dst[0..len]: the count, 0 at the end of stream, -2 when it would block. */
  private *rawRead(dst: Buffer, len: number): TaskletGenerator<number> {
    const n = yield* this.raw.readinto(dst.subarray(0, len));
    return n === null ? -2 : n;
  }

  /** One raw read into the free end of the buffer (all of it when it is empty). */
  private *fillBuffer(): TaskletGenerator<number> {
    const start = this.readEnd >= 0 ? this.readEnd : 0;
    const n = yield* this.rawRead(this.buffer.subarray(start), this.size - start);
    if (n <= 0) return n;
    this.readEnd = start + n;
    return n;
  }

  /** `size` rounded down to whole buffers (MINUS_LAST_BLOCK). */
  private wholeBlocks(size: number): number {
    return this.size * Math.floor(size / this.size);
  }

  // ---- reading -------------------------------------------------------------

  /**
   * Reads `size` bytes, fewer only at the end of stream (or when a
   * non-blocking socket has no more: null if it had nothing at all); all
   * until the end of stream when size is -1 or null.
   */
  read(size: number | null = -1): TaskletGenerator<Buffer | null> {
    const n = size === null ? -1 : toIndex(size);
    this.checkRead('read');
    if (n < -1) throw new ValueError('read length must be non-negative or -1');
    if (n === -1) return this.readAll();
    return (function* (self: SocketFile): TaskletGenerator<Buffer | null> {
      if (n <= self.readahead) return self.take(n);
      return yield* self.readGeneric(n);
    })(this);
  }

  /** CPython's _bufferedreader_read_generic. */
  private *readGeneric(n: number): TaskletGenerator<Buffer | null> {
    const out = Buffer.alloc(n);
    let written = 0;
    const have = this.readahead;
    if (have > 0) {
      this.buffer.copy(out, 0, this.pos, this.pos + have);
      this.pos += have;
      written = have;
    }
    this.resetBuf();
    let remaining = n - written;
    while (remaining > 0) {
      // Whole buffers go straight into the result; the rest through the buffer.
      const r = this.wholeBlocks(remaining);
      if (r === 0) break;
      const got = yield* this.rawRead(out.subarray(written), r);
      if (got === 0 || got === -2) return got === 0 || written > 0 ? out.subarray(0, written) : null;
      remaining -= got;
      written += got;
    }
    this.pos = 0;
    this.readEnd = 0;
    // Only while the request is not met: another read could block (bpo-9550).
    while (remaining > 0 && this.readEnd < this.size) {
      const got = yield* this.fillBuffer();
      if (got === 0 || got === -2) return got === 0 || written > 0 ? out.subarray(0, written) : null;
      const k = Math.min(remaining, got);
      this.buffer.copy(out, written, this.pos, this.pos + k);
      written += k;
      this.pos += k;
      remaining -= k;
    }
    return out;
  }

  /** CPython's _bufferedreader_read_all: the buffer, then the raw file's readall(). */
  private *readAll(): TaskletGenerator<Buffer | null> {
    const have = this.readahead;
    const head = have > 0 ? this.take(have) : null;
    this.resetBuf();
    const rest = yield* this.raw.readall();
    if (head === null) return rest;
    return rest === null ? head : Buffer.concat([head, rest]);
  }

  /** Reads at most `size` bytes: buffered ones if any, else with one raw read (Python's read1). */
  read1(size: number = -1): TaskletGenerator<Buffer> {
    let n = toIndex(size);
    this.checkRead('read');
    if (n < 0) n = this.size;
    return (function* (self: SocketFile): TaskletGenerator<Buffer> {
      if (n === 0) return Buffer.alloc(0);
      const have = self.readahead;
      if (have > 0) return self.take(Math.min(have, n));
      const out = Buffer.alloc(n);
      self.resetBuf();
      const got = yield* self.rawRead(out, n);
      return out.subarray(0, Math.max(got, 0));
    })(this);
  }

  /** The buffered bytes (at least one unless at the end of stream), without consuming them (Python's peek). */
  peek(size: number = 0): TaskletGenerator<Buffer> {
    toIndex(size);
    if (this._closed) throw new ValueError('peek of closed file');
    if (!this.reading) throw messageError(UnsupportedOperation, 'peek');
    return this.peekUnlocked();
  }

  private *peekUnlocked(): TaskletGenerator<Buffer> {
    const have = this.readahead;
    if (have > 0) return Buffer.from(this.buffer.subarray(this.pos, this.pos + have));
    this.resetBuf();
    const got = yield* this.fillBuffer();
    this.pos = 0;
    return Buffer.from(this.buffer.subarray(0, Math.max(got, 0)));
  }

  /**
   * Reads into `b` until it is full or the stream ends; returns the byte
   * count (null when a non-blocking socket had nothing at all).
   */
  readinto(b: Uint8Array | ArrayBufferView | ArrayBuffer): TaskletGenerator<number | null> {
    const buf = toWritableBytes(b, 'readinto');
    if (this._closed) throw new ValueError('readinto of closed file');
    if (!this.reading) throw messageError(UnsupportedOperation, 'readinto');
    return this.readintoGeneric(buf);
  }

  /** CPython's _buffered_readinto_generic (not readinto1). */
  private *readintoGeneric(buf: Uint8Array): TaskletGenerator<number | null> {
    const have = this.readahead;
    let written = 0;
    if (have > 0) {
      if (have >= buf.length) {
        buf.set(this.buffer.subarray(this.pos, this.pos + buf.length));
        this.pos += buf.length;
        return buf.length;
      }
      buf.set(this.buffer.subarray(this.pos, this.pos + have));
      this.pos += have;
      written = have;
    }
    this.resetBuf();
    this.pos = 0;
    const dst = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let remaining = buf.length - written; remaining > 0; ) {
      let n: number;
      if (remaining > this.size) {
        n = yield* this.rawRead(dst.subarray(written), remaining);
      } else {
        n = yield* this.fillBuffer();
        if (n > 0) {
          const k = Math.min(n, remaining);
          this.buffer.copy(dst, written, this.pos, this.pos + k);
          this.pos += k;
          written += k;
          remaining -= k;
          continue;
        }
      }
      if (n === 0 || (n === -2 && written > 0)) break;
      if (n === -2) return null;
      written += n;
      remaining -= n;
    }
    return written;
  }

  /** Reads one line, with its b'\n' (none at the end of stream), at most `size` bytes. */
  readline(size: number | null = -1): TaskletGenerator<Buffer> {
    const limit = size === null ? -1 : toIndex(size);
    this.checkRead('readline');
    return this.reading && this.writing ? this.readlineIOBase(limit) : this.readlineBuffered(limit);
  }

  /** CPython's _buffered_readline. */
  private *readlineBuffered(limit: number): TaskletGenerator<Buffer> {
    // A line in the buffer already?
    let n = this.readahead;
    if (limit >= 0 && n > limit) n = limit;
    const buf = this.buffer;
    const nl = n > 0 ? buf.subarray(this.pos, this.pos + n).indexOf(10) : -1;
    if (nl >= 0) return this.take(nl + 1);
    if (n === limit) return this.take(n);
    const chunks: Buffer[] = [];
    if (n > 0) {
      chunks.push(this.take(n));
      if (limit >= 0) limit -= n;
    }
    for (;;) {
      this.resetBuf();
      let got = yield* this.fillBuffer();
      if (got <= 0) break;
      if (limit >= 0 && got > limit) got = limit;
      const i = buf.subarray(0, got).indexOf(10);
      if (i >= 0) {
        this.pos = i + 1;
        chunks.push(Buffer.from(buf.subarray(0, i + 1)));
        break;
      }
      chunks.push(Buffer.from(buf.subarray(0, got)));
      if (got === limit) {
        this.pos = got;
        break;
      }
      if (limit >= 0) limit -= got;
    }
    return Buffer.concat(chunks);
  }

  /** io.IOBase.readline, which a BufferedRWPair uses: peek(1) for how far to read, then read(). */
  private *readlineIOBase(limit: number): TaskletGenerator<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    while (limit < 0 || total < limit) {
      let ahead = 1;
      const peeked = yield* this.peekUnlocked();
      if (peeked.length > 0) {
        let k = 0;
        while (k < peeked.length && (limit < 0 || k < limit)) if (peeked[k++] === 10) break;
        ahead = k;
      }
      const b = yield* this.read(ahead);
      if (b === null) throw messageError(OSError, "read() should have returned a bytes object, not 'NoneType'");
      if (b.length === 0) break;
      parts.push(b);
      total += b.length;
      if (b[b.length - 1] === 10) break;
    }
    return Buffer.concat(parts);
  }

  /** Reads lines until the end of stream, or until they total more than `hint` bytes (hint > 0). */
  readlines(hint: number | null = -1): TaskletGenerator<Buffer[]> {
    const h = hint === null ? -1 : toIndex(hint);
    if (this._closed) throw new ValueError('I/O operation on closed file.');
    this.checkRead('readline');
    return (function* (self: SocketFile): TaskletGenerator<Buffer[]> {
      const lines: Buffer[] = [];
      let total = 0;
      for (;;) {
        const line = yield* self.readline();
        if (line.length === 0) return lines;
        lines.push(line);
        total += line.length;
        if (h > 0 && total > h) return lines;
      }
    })(this);
  }

  /**
   * Buffers `b` and sends the buffer once it exceeds the buffer size;
   * returns len(b). The bytes are copied: the caller may reuse `b`.
   */
  write(b: Uint8Array | ArrayBufferView | ArrayBuffer): TaskletGenerator<number> {
    if (this._closed) throw new ValueError('write to closed file');
    if (!this.writing) throw messageError(UnsupportedOperation, 'write');
    const data = toBytes(b);
    this.wbuf.push(Buffer.from(data));
    this.wlen += data.length;
    return (function* (self: SocketFile): TaskletGenerator<number> {
      if (self.wlen > self.size) yield* self.sendBuffered();
      return data.length;
    })(this);
  }

  /** Sends everything buffered; on an error the unsent bytes stay buffered. */
  private *sendBuffered(): TaskletGenerator<void> {
    while (this.wlen > 0) {
      const head = this.wbuf.length === 1 ? this.wbuf[0]! : Buffer.concat(this.wbuf);
      this.wbuf = [head];
      const n = yield* this.raw.write(head);
      if (n === null) throw errorFor(EAGAIN);
      this.wbuf = n === head.length ? [] : [head.subarray(n)];
      this.wlen -= n;
    }
  }

  /** Sends everything written so far. */
  flush(): TaskletGenerator<void> {
    if (this._closed) throw new ValueError('flush of closed file');
    return this.sendBuffered();
  }

  /** Whether the file was opened for reading. */
  readable(): boolean {
    if (this._closed) throw new ValueError('I/O operation on closed file.');
    return this.reading;
  }

  /** Whether the file was opened for writing. */
  writable(): boolean {
    if (this._closed) throw new ValueError('I/O operation on closed file.');
    return this.writing;
  }

  /** Sockets cannot seek. */
  seekable(): boolean {
    return false;
  }

  /** The socket's fileno(). */
  fileno(): number {
    return this.raw.fileno();
  }

  /** Flushes, then closes; the socket closes once it and all its files are closed. */
  *close(): TaskletGenerator<void> {
    if (this._closed) return;
    try {
      if (this.writing) yield* this.sendBuffered();
    } finally {
      this._closed = true;
      this.raw.close();
    }
  }
}

/** What makefile() returns, by mode and buffering. */
export type SocketFileLike = SocketIO | SocketFile | TextSocketFile;

/** Python's socket.makefile(), for socket.ts. */
export function makefile(sock: socket, mode: string, buffering: number | null, options: MakefileOptions): SocketFileLike {
  if (typeof mode !== 'string') throw new TypeError(`'${pytype(mode)}' object is not iterable`);
  if (![...mode].every((c) => c === 'r' || c === 'w' || c === 'b')) throw new ValueError(`invalid mode ${pyrepr(mode)} (only r, w, b allowed)`);
  const writing = mode.includes('w');
  const reading = mode.includes('r') || !writing;
  const binary = mode.includes('b');
  if (buffering !== null && buffering !== undefined && !isInt(buffering)) {
    throw new TypeError(`'<' not supported between instances of '${pytype(buffering)}' and 'int'`);
  }
  let size = buffering === null || buffering === undefined ? -1 : toIndex(buffering);
  if (size < 0) size = DEFAULT_BUFFER_SIZE;
  if (size === 0 && !binary) throw new ValueError('unbuffered streams must be binary');
  // Checked before the socket counts the file: a failed makefile() must not keep it open.
  const text = binary ? null : checkTextOptions(options);
  const raw = new SocketIO(sock, (reading ? 'r' : '') + (writing ? 'w' : ''));
  sock._io_refs++;
  if (size === 0) return raw;
  const buffer = new SocketFile(raw, size, reading, writing);
  if (text === null) return buffer;
  return new TextSocketFile(buffer, text, mode);
}
