/**
 * Copies between request buffers and the shim's arena: bytes go in at
 * submission (sends) and come out at completion (receives).
 */

/**
 * Short copies (up to this many bytes) go byte by byte: for them a plain
 * loop is cheaper than the fixed cost of a TypedArray set() call.
 */
const SHORT = 32;

/** Copies the first `len` bytes of `src` into the arena `u8` at `off`. */
export function copyIn(u8: Uint8Array, src: Uint8Array, len: number, off: number): void {
  if (len <= SHORT) {
    for (let i = 0; i < len; i++) u8[off + i] = src[i]!;
  } else {
    u8.set(len === src.length ? src : src.subarray(0, len), off);
  }
}

/** Copies `len` bytes of the arena `u8` at `off` into `dst` at `at`. */
export function copyOut(u8: Uint8Array, off: number, dst: Uint8Array, at: number, len: number): void {
  if (len <= SHORT) {
    for (let i = 0; i < len; i++) dst[at + i] = u8[off + i]!;
  } else {
    dst.set(u8.subarray(off, off + len), at);
  }
}
