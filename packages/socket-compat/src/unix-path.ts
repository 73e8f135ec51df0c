/**
 * AF_UNIX names on their way to the backend contract, which carries them as
 * strings (UnixAddress.path) that a native backend encodes as UTF-8. CPython
 * hands the kernel a bytes path as it is and a str path encoded with the
 * file-system encoding (UTF-8 with surrogateescape, so '\udcff' is the byte
 * 0xff). A name whose bytes are not UTF-8 cannot cross the contract
 * unchanged, so rather than bind or connect to another name (the byte 0xff
 * would become U+FFFD), socket-compat refuses it with the error CPython
 * raises where the file-system encoding is strict UTF-8: UnicodeEncodeError
 * for a str with a surrogate escape of bytes that are not UTF-8,
 * UnicodeDecodeError for bytes that are not UTF-8. A str whose surrogate
 * escapes make UTF-8 bytes names what CPython's bytes would, and passes. A str with a surrogate outside U+DC80..U+DCFF gets the same
 * UnicodeEncodeError from CPython itself.
 */
import { UnicodeDecodeError } from './errors.js';
import { fsencode, loneSurrogate, surrogateError } from './fsencode.js';

/** Python's reason and span for the first bytes of `b` that are not UTF-8, or null when all are. */
function badUtf8(b: Uint8Array): string | null {
  let i = 0;
  while (i < b.length) {
    const x = b[i]!;
    if (x < 0x80) {
      i++;
      continue;
    }
    // The lead byte's length and the range its first continuation byte may take
    // (tighter than 80..bf for E0, ED, F0, F4: no overlongs, surrogates or > U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (x >= 0xc2 && x <= 0xdf) n = 2;
    else if (x >= 0xe0 && x <= 0xef) {
      n = 3;
      if (x === 0xe0) lo = 0xa0;
      if (x === 0xed) hi = 0x9f;
    } else if (x >= 0xf0 && x <= 0xf4) {
      n = 4;
      if (x === 0xf0) lo = 0x90;
      if (x === 0xf4) hi = 0x8f;
    } else {
      return `can't decode byte 0x${x.toString(16)} in position ${i}: invalid start byte`;
    }
    for (let k = 1; k < n; k++) {
      if (i + k >= b.length) {
        // Every byte up to the end was a valid continuation: CPython names the span.
        const span = k === 1 ? `byte 0x${x.toString(16)} in position ${i}` : `bytes in position ${i}-${i + k - 1}`;
        return `can't decode ${span}: unexpected end of data`;
      }
      const c = b[i + k]!;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) {
        const span = k === 1 ? `byte 0x${x.toString(16)} in position ${i}` : `bytes in position ${i}-${i + k - 1}`;
        return `can't decode ${span}: invalid continuation byte`;
      }
    }
    i += n;
  }
  return null;
}

/**
 * The contract's path for an AF_UNIX name given as str or bytes, or the
 * error CPython raises where the name's bytes cannot be carried (see above).
 */
export function unixPath(addr: string | Buffer): string {
  if (typeof addr === 'string') {
    const bad = loneSurrogate(addr);
    if (bad === null) return addr;
    // Surrogate escapes whose bytes are UTF-8 after all (a name decoded from
    // bytes with surrogateescape, CPython's testSurrogateescapeBind) are the
    // same name as a plain string: only bytes that are not UTF-8 cannot cross.
    const bytes = fsencode(addr);
    if (badUtf8(bytes) === null) return bytes.toString('utf8');
    throw surrogateError(bad[0], bad[1]);
  }
  const bad = badUtf8(addr);
  if (bad !== null) throw new UnicodeDecodeError(`'utf-8' codec ${bad}`);
  return addr.toString('utf8');
}
