/**
 * Python's os.fsencode on Linux: UTF-8 with surrogateescape, the encoding
 * CPython gives a str that goes to the kernel as a name (sethostname, and
 * AF_UNIX paths; see unix-path.ts for what the contract can carry of those).
 */
import { UnicodeEncodeError } from './errors.js';

/** The first lone surrogate of `s`: its code point position (Python's index) and value, or null. */
export function loneSurrogate(s: string, from = 0): [number, number] | null {
  let pos = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (pos >= from && c >= 0xd800 && c <= 0xdfff) return [pos, c];
    pos++;
  }
  return null;
}

/** CPython's UnicodeEncodeError for the surrogate `c` at code point position `pos`. */
export function surrogateError(pos: number, c: number): UnicodeEncodeError {
  return new UnicodeEncodeError(`'utf-8' codec can't encode character '\\u${c.toString(16)}' in position ${pos}: surrogates not allowed`);
}

/**
 * `s` as os.fsencode gives it: UTF-8, where U+DC80..U+DCFF (surrogate
 * escapes) are the bytes 0x80..0xff; any other lone surrogate raises
 * CPython's UnicodeEncodeError.
 */
export function fsencode(s: string): Buffer {
  if (loneSurrogate(s) === null) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let pos = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xdc80 && c <= 0xdcff) parts.push(Buffer.from([c - 0xdc00]));
    else if (c >= 0xd800 && c <= 0xdfff) throw surrogateError(pos, c);
    else parts.push(Buffer.from(ch, 'utf8'));
    pos++;
  }
  return Buffer.concat(parts);
}
