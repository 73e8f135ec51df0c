/**
 * Ancillary data in Linux's control-buffer layout (struct cmsghdr on 64-bit
 * platforms: an 8-byte cmsg_len, the level and the type as C ints, the data
 * padded to 8 bytes), built and read here in TypeScript over arena bytes so
 * that the shim only passes msg_control through (native/backend.h,
 * "Messages"). Little-endian, as every platform this shim builds on.
 */
import { cmsgLen, cmsgSpace, type AncillaryItem } from '@stackless-io/runtime';

/** Bytes of control buffer the items take (each CMSG_SPACE, as CPython's sendmsg). */
export function controlLength(items: readonly AncillaryItem[]): number {
  let n = 0;
  for (const item of items) n += cmsgSpace(item.data.length);
  return n;
}

/** Writes the items at `at` (8-byte aligned); controlLength(items) bytes, padding zeroed. */
export function encodeControl(items: readonly AncillaryItem[], u8: Uint8Array, dv: DataView, at: number): void {
  for (const item of items) {
    const space = cmsgSpace(item.data.length);
    u8.fill(0, at, at + space);
    dv.setBigUint64(at, BigInt(cmsgLen(item.data.length)), true);
    dv.setInt32(at + 8, item.level, true);
    dv.setInt32(at + 12, item.type, true);
    u8.set(item.data, at + 16);
    at += space;
  }
}

/**
 * Reads the items the kernel wrote in [at, at + len). An item whose data
 * ran past the end (MSG_CTRUNC) keeps what is there, as CPython's recvmsg
 * does; a header that does not fit ends the list.
 */
export function decodeControl(u8: Uint8Array, dv: DataView, at: number, len: number): AncillaryItem[] {
  const items: AncillaryItem[] = [];
  let pos = 0;
  while (pos + 16 <= len) {
    const clen = Number(dv.getBigUint64(at + pos, true));
    if (clen < 16) break;
    const end = Math.min(pos + clen, len);
    items.push({ level: dv.getInt32(at + pos + 8, true), type: dv.getInt32(at + pos + 12, true), data: u8.slice(at + pos + 16, at + end) });
    pos += (clen + 7) & ~7;
  }
  return items;
}
