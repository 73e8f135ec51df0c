/**
 * The sizes of an epoll backend: its options, their defaults and checks,
 * and how the shim's arena is laid out. The arena holds, in this order, the
 * scratch bytes of the synchronous calls, the receive pool, and the blocks
 * of transfers in flight (a BuddyArena).
 */
import type { ShimOptions } from './shim.js';

/** Sizes of an epoll backend. */
export interface ShimBackendOptions extends ShimOptions {
  /**
   * Most bytes one send or receive moves (a power of two >= 4096). Larger
   * sends are short, larger receives return at most this much. Default 256 KiB.
   */
  maxIoBytes?: number;
  /**
   * Bytes of the receive pool (a multiple of 4096, 0 to turn it off), part
   * of the arena: stream receives wait without memory and take their bytes
   * from it once they arrive, so idle connections hold none. Default 1 MiB.
   */
  recvPoolBytes?: number;
}

/** Arena bytes kept for the synchronous calls (addresses, option values); page-sized so blocks stay page aligned. */
export const SCRATCH = 4096;

/** Options checked and with their defaults filled in. */
export interface ShimSizes {
  /** Most bytes one transfer moves. */
  maxIo: number;
  /** Bytes of the receive pool, which starts at SCRATCH. */
  pool: number;
  /** The shim's sizes. */
  shim: Required<ShimOptions>;
}

/** The sizes `options` ask for; throws RangeError for sizes out of range. */
export function shimSizes(options: ShimBackendOptions): ShimSizes {
  const maxIo = options.maxIoBytes ?? 256 << 10;
  if (!Number.isInteger(maxIo) || maxIo < 4096 || (maxIo & (maxIo - 1)) !== 0 || maxIo > 1 << 24) {
    throw new RangeError('maxIoBytes must be a power of two in [4096, 16 MiB]');
  }
  const pool = options.recvPoolBytes ?? 1 << 20;
  if (!Number.isInteger(pool) || pool < 0 || pool % 4096 !== 0 || pool > 1 << 28) {
    throw new RangeError('recvPoolBytes must be a multiple of 4096 in [0, 256 MiB]');
  }
  return {
    maxIo,
    pool,
    shim: {
      sqEntries: options.sqEntries ?? 1024,
      maxOps: options.maxOps ?? 1 << 16,
      arenaBytes: options.arenaBytes ?? SCRATCH + pool + (64 << 20),
    },
  };
}
