/**
 * Text mode of makefile() (Python's TextIOWrapper over the buffered file):
 * str in, str out, with an encoding and newline translation. Supported
 * encodings: UTF-8, Latin-1 and ASCII, with errors 'strict', 'replace' or
 * 'ignore'. Sizes count code points, as Python's do.
 */
import { EOL } from 'node:os';
import { TextDecoder } from 'node:util';
import { ValueError, type TaskletGenerator } from '@stackless-io/runtime';
import { LookupError, messageError, UnicodeDecodeError, UnicodeEncodeError, UnsupportedOperation } from './errors.js';
import { pytype, toIndex } from './pyargs.js';
import type { MakefileOptions, SocketFile } from './socket-file.js';

type Encoding = 'utf-8' | 'latin-1' | 'ascii';
type Errors = 'strict' | 'replace' | 'ignore';

/** Checked text options. */
export interface TextOptions {
  encoding: Encoding;
  errors: Errors;
  newline: string | null;
}

const ENCODINGS: Record<string, Encoding> = {
  utf_8: 'utf-8',
  utf8: 'utf-8',
  u8: 'utf-8',
  utf: 'utf-8',
  cp65001: 'utf-8',
  locale: 'utf-8',
  latin_1: 'latin-1',
  latin1: 'latin-1',
  latin: 'latin-1',
  l1: 'latin-1',
  iso8859_1: 'latin-1',
  iso_8859_1: 'latin-1',
  '8859': 'latin-1',
  cp819: 'latin-1',
  ascii: 'ascii',
  us_ascii: 'ascii',
  '646': 'ascii',
};

/** Validates makefile()'s text options as TextIOWrapper would (before the socket counts the file). */
export function checkTextOptions(o: MakefileOptions): TextOptions {
  const enc = o.encoding ?? 'utf-8';
  if (typeof enc !== 'string') throw new TypeError(`TextIOWrapper() argument 'encoding' must be str or None, not ${pytype(enc)}`);
  const encoding = ENCODINGS[enc.toLowerCase().replace(/[- ]/g, '_')];
  if (encoding === undefined) throw new LookupError(`unknown encoding: ${enc}`);
  const err = o.errors ?? 'strict';
  if (err !== 'strict' && err !== 'replace' && err !== 'ignore') throw new LookupError(`unknown error handler name '${err}'`);
  const newline = o.newline ?? null;
  if (newline !== null && !['', '\n', '\r', '\r\n'].includes(newline)) throw new ValueError(`illegal newline value: ${newline}`);
  return { encoding, errors: err, newline };
}

/** Turns bytes into text chunk by chunk (a character may straddle two chunks). */
class Decoder {
  private readonly utf8: TextDecoder | null;

  constructor(private readonly o: TextOptions) {
    this.utf8 = o.encoding === 'utf-8' ? new TextDecoder('utf-8', { fatal: o.errors === 'strict', ignoreBOM: true }) : null;
  }

  decode(b: Uint8Array, final: boolean): string {
    if (this.utf8 !== null) {
      let s: string;
      try {
        s = this.utf8.decode(b, { stream: !final });
      } catch {
        throw new UnicodeDecodeError("'utf-8' codec can't decode bytes: invalid utf-8");
      }
      return this.o.errors === 'ignore' ? s.replace(/\ufffd/g, '') : s;
    }
    let s = '';
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (this.o.encoding === 'ascii' && c > 0x7f) {
        if (this.o.errors === 'strict') {
          throw new UnicodeDecodeError(`'ascii' codec can't decode byte 0x${c.toString(16)} in position ${i}: ordinal not in range(128)`);
        }
        if (this.o.errors === 'replace') s += '\ufffd';
        continue;
      }
      s += String.fromCharCode(c);
    }
    return s;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function encode(s: string, o: TextOptions): Buffer {
  if (o.encoding === 'utf-8') {
    if (o.errors === 'strict' && LONE_SURROGATE.test(s)) throw new UnicodeEncodeError("'utf-8' codec can't encode characters: surrogates not allowed");
    return Buffer.from(s, 'utf8');
  }
  const max = o.encoding === 'ascii' ? 0x7f : 0xff;
  const out: number[] = [];
  let i = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c > max) {
      if (o.errors === 'strict') {
        throw new UnicodeEncodeError(`'${o.encoding === 'ascii' ? 'ascii' : 'latin-1'}' codec can't encode character '\\u${c.toString(16).padStart(4, '0')}' in position ${i}: ordinal not in range(${max + 1})`);
      }
      if (o.errors === 'replace') out.push(0x3f);
    } else {
      out.push(c);
    }
    i++;
  }
  return Buffer.from(out);
}

/** The UTF-16 index just past the first `n` code points of `s` (or s.length). */
function codePointIndex(s: string, n: number): number {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A text file over a socket (makefile('r'), makefile('w'), makefile('rw')). */
export class TextSocketFile {
  /** The buffered binary file below. */
  readonly buffer: SocketFile;
  /** The mode given to makefile(). */
  readonly mode: string;
  private readonly o: TextOptions;
  private readonly decoder: Decoder;
  /** Decoded (and translated) text not yet returned. */
  private text = '';
  /** Universal newlines: a "\r" that ended a chunk, waiting to see whether "\n" follows. */
  private heldCR = false;
  /** The last chunk was empty: the end of stream (or, non-blocking, nothing for now). */
  private eof = false;
  private _closed = false;

  /** @internal Made by makefile(). */
  constructor(buffer: SocketFile, options: TextOptions, mode: string) {
    this.buffer = buffer;
    this.o = options;
    this.mode = mode;
    this.decoder = new Decoder(options);
  }

  /** The text encoding. */
  get encoding(): string {
    return this.o.encoding;
  }

  /** The error handler name. */
  get errors(): string {
    return this.o.errors;
  }

  /** True once closed. */
  get closed(): boolean {
    return this._closed;
  }

  /** The socket's fileno(), or -1 once closed. */
  get name(): number {
    return this.buffer.name;
  }

  private checkOpen(): void {
    if (this._closed) throw new ValueError('I/O operation on closed file.');
  }

  private checkRead(): void {
    this.checkOpen();
    if (!this.buffer.readable()) throw messageError(UnsupportedOperation, 'not readable');
  }

  /**
   * Decodes one more chunk into `text`; false at the end of stream. As in
   * CPython's TextIOWrapper, an empty chunk ends only this call: a
   * non-blocking socket with nothing for now gives one too.
   */
  private *more(): TaskletGenerator<boolean> {
    const chunk = yield* this.buffer.read1(8192);
    const final = chunk.length === 0;
    let s = this.decoder.decode(chunk, final);
    this.eof = final;
    if (this.o.newline === null) {
      if (this.heldCR) s = '\r' + s;
      this.heldCR = !final && s.endsWith('\r');
      if (this.heldCR) s = s.slice(0, -1);
      s = s.replace(/\r\n?/g, '\n');
    }
    this.text += s;
    return !final || s.length > 0;
  }

  private takeChars(n: number): string {
    const i = codePointIndex(this.text, n);
    const out = this.text.slice(0, i);
    this.text = this.text.slice(i);
    return out;
  }

  /** Reads `size` characters, fewer only at the end of stream; everything when size is -1 or null. */
  read(size: number | null = -1): TaskletGenerator<string> {
    const n = size === null ? -1 : toIndex(size);
    this.checkRead();
    return (function* (self: TextSocketFile): TaskletGenerator<string> {
      // What a read that raises had gathered is lost, as in CPython: read()
      // keeps the text decoded before it (its bytes were lost below), read(n)
      // had taken all of it.
      const before = self.text;
      try {
        if (n < 0) {
          while (yield* self.more());
          const all = self.text;
          self.text = '';
          return all;
        }
        while (codePointLength(self.text) < n && (yield* self.more()));
        return self.takeChars(n);
      } catch (e) {
        self.text = n < 0 ? before : '';
        throw e;
      }
    })(this);
  }

  /** The end of the first line in `text` (index past its terminator), or -1. */
  private lineEnd(): number {
    const nl = this.o.newline;
    if (nl === null || nl === '\n') {
      const i = this.text.indexOf('\n');
      return i < 0 ? -1 : i + 1;
    }
    if (nl === '\r' || nl === '\r\n') {
      const i = this.text.indexOf(nl);
      return i < 0 ? -1 : i + nl.length;
    }
    // newline='': a line ends at "\n", "\r\n" or "\r", untranslated.
    const m = /\r\n|\r|\n/.exec(this.text);
    if (m === null) return -1;
    if (m[0] === '\r' && m.index === this.text.length - 1 && !this.eof) return -1;
    return m.index + m[0].length;
  }

  /** Reads one line with its terminator (none at the end of stream), at most `size` characters. */
  readline(size: number | null = -1): TaskletGenerator<string> {
    const limit = size === null ? -1 : toIndex(size);
    this.checkRead();
    return (function* (self: TextSocketFile): TaskletGenerator<string> {
      for (;;) {
        const end = self.lineEnd();
        if (end < 0 && (limit < 0 || codePointLength(self.text) < limit)) {
          // The line so far moves out of the decoded text, as in CPython's
          // readline: a read that raises now loses it.
          try {
            if (!(yield* self.more())) {
              const rest = self.text;
              self.text = '';
              return rest;
            }
          } catch (e) {
            self.text = '';
            throw e;
          }
          continue;
        }
        if (end >= 0) {
          const line = self.text.slice(0, end);
          if (limit >= 0 && codePointLength(line) > limit) return self.takeChars(limit);
          self.text = self.text.slice(end);
          return line;
        }
        return self.takeChars(limit);
      }
    })(this);
  }

  /** Reads lines until the end of stream, or until they total more than `hint` characters (hint > 0). */
  readlines(hint: number | null = -1): TaskletGenerator<string[]> {
    const h = hint === null ? -1 : toIndex(hint);
    this.checkRead();
    return (function* (self: TextSocketFile): TaskletGenerator<string[]> {
      const lines: string[] = [];
      let total = 0;
      for (;;) {
        const line = yield* self.readline();
        if (line === '') return lines;
        lines.push(line);
        total += codePointLength(line);
        if (h > 0 && total > h) return lines;
      }
    })(this);
  }

  /** Encodes and buffers `s` (translating "\n" as `newline` asks); returns its length in characters. */
  write(s: string): TaskletGenerator<number> {
    this.checkOpen();
    if (!this.buffer.writable()) throw messageError(UnsupportedOperation, 'not writable');
    if (typeof s !== 'string') throw new TypeError(`write() argument must be str, not ${pytype(s)}`);
    const nl = this.o.newline;
    // newline=None writes the platform's line separator, as Python's os.linesep.
    const out = nl === null ? (EOL === '\n' ? s : s.replace(/\n/g, EOL)) : nl === '\r' || nl === '\r\n' ? s.replace(/\n/g, nl) : s;
    const bytes = encode(out, this.o);
    return (function* (self: TextSocketFile): TaskletGenerator<number> {
      yield* self.buffer.write(bytes);
      return codePointLength(s);
    })(this);
  }

  /** Sends everything written so far. */
  flush(): TaskletGenerator<void> {
    this.checkOpen();
    return this.buffer.flush();
  }

  /** Whether the file was opened for reading. */
  readable(): boolean {
    this.checkOpen();
    return this.buffer.readable();
  }

  /** Whether the file was opened for writing. */
  writable(): boolean {
    this.checkOpen();
    return this.buffer.writable();
  }

  /** Sockets cannot seek. */
  seekable(): boolean {
    return false;
  }

  /** The socket's fileno(). */
  fileno(): number {
    return this.buffer.fileno();
  }

  /** Flushes, then closes; the socket closes once it and all its files are closed. */
  *close(): TaskletGenerator<void> {
    if (this._closed) return;
    try {
      yield* this.buffer.close();
    } finally {
      this._closed = true;
    }
  }
}
