/**
 * A buddy allocator for the shim's IO arena. Every operation that moves
 * bytes gets a block of the arena for its lifetime (from submission until
 * its completion arrives), because the kernel reads and writes arena memory,
 * never JS buffers.
 *
 * Blocks are powers of two from 128 bytes (an address fits) to `maxBlock`
 * (the largest transfer the backend makes at once). A block is split on
 * allocation and merged with its buddy on release, so memory that a burst of
 * large transfers used is available to small ones afterwards and vice versa.
 * Allocation and release are O(levels), with no JS allocation: the free lists
 * are threaded through the free blocks themselves (two int32 links at the
 * start of each free block), and two bytes per 128-byte unit say what starts
 * there. Top-level blocks are carved from the untouched end of the arena
 * only when the free lists are empty, so the arena's pages are touched (and
 * count towards the process' resident memory) only once they are needed.
 */

/** log2 of the smallest block. */
const MIN_SHIFT = 7;

/** Smallest block, in bytes. */
export const MIN_BLOCK = 1 << MIN_SHIFT;

const NIL = -1;

/**
 * The buddy allocator over the shim's arena (see the top of arena.ts):
 * power-of-two blocks from {@link MIN_BLOCK} to `maxBlock`, split on
 * allocation and merged on release, with no JS allocation.
 */
export class BuddyArena {
  /** Largest block, in bytes. */
  readonly maxBlock: number;
  /** Bytes the allocator manages (whole top-level blocks). */
  readonly capacity: number;
  /** Bytes handed out and not released. */
  inUse = 0;
  /** Blocks handed out and not released. */
  blocks = 0;
  /** Size in bytes of the block returned by the last successful alloc(). */
  lastSize = 0;

  private readonly maxLevel: number;
  private readonly units: number;
  /** Per level: first free block (unit index), or NIL. */
  private readonly heads: Int32Array;
  /** The arena as int32 words, for the links inside free blocks. */
  private readonly links: Int32Array;
  /** Per unit: the level of the free block that starts there, or -1. */
  private readonly freeLevel: Int8Array;
  /** Per unit: the level of the allocated block that starts there, or -1. */
  private readonly usedLevel: Int8Array;
  /** Units below this have been carved into blocks; the rest is untouched. */
  private carved = 0;

  /**
   * Manages `arena[base, base + capacity)`, capacity being the largest
   * multiple of `maxBlock` that fits. `base` must be a multiple of 8 and
   * `maxBlock` a power of two >= 128.
   */
  constructor(
    arena: Uint8Array,
    /** Arena offset of the first managed byte. */
    readonly base: number,
    maxBlock: number,
  ) {
    if (maxBlock < MIN_BLOCK || (maxBlock & (maxBlock - 1)) !== 0) throw new RangeError('maxBlock must be a power of two >= 128');
    if (base % 8 !== 0 || arena.byteOffset % 8 !== 0) throw new RangeError('the arena and its base must be 8-byte aligned');
    this.maxBlock = maxBlock;
    this.maxLevel = Math.log2(maxBlock) - MIN_SHIFT;
    const tops = Math.floor(Math.max(0, arena.length - base) / maxBlock);
    if (tops === 0) throw new RangeError(`the arena holds no block of ${maxBlock} bytes after ${base} reserved ones`);
    this.capacity = tops * maxBlock;
    this.units = this.capacity >>> MIN_SHIFT;
    this.heads = new Int32Array(this.maxLevel + 1).fill(NIL);
    this.links = new Int32Array(arena.buffer, arena.byteOffset, arena.length >>> 2);
    this.freeLevel = new Int8Array(this.units).fill(-1);
    this.usedLevel = new Int8Array(this.units).fill(-1);
  }

  /** Bytes not handed out (free blocks and the untouched end together). */
  get available(): number {
    return this.capacity - this.inUse;
  }

  /** The level (0: 128 bytes) of the smallest block holding n bytes. */
  private levelFor(n: number): number {
    return n <= MIN_BLOCK ? 0 : 32 - Math.clz32(n - 1) - MIN_SHIFT;
  }

  /**
   * A block of at least `n` bytes (1 <= n <= maxBlock): its arena offset, or
   * -1 when no block that large is free. With `shrink`, a smaller block is
   * better than none (a stream transfer can move fewer bytes): the largest
   * free one is returned. The block's size is in {@link lastSize}.
   */
  alloc(n: number, shrink = false): number {
    const want = this.levelFor(n);
    let level = want;
    while (level <= this.maxLevel && this.heads[level] === NIL) level++;
    let u: number;
    if (level <= this.maxLevel) {
      u = this.pop(level);
    } else if (this.carved < this.units) {
      u = this.carved;
      this.carved += 1 << this.maxLevel;
      level = this.maxLevel;
    } else {
      if (!shrink) return -1;
      level = want - 1;
      while (level >= 0 && this.heads[level] === NIL) level--;
      if (level < 0) return -1;
      u = this.pop(level);
      return this.hand(u, level);
    }
    // Split down to the size asked for; each split frees the upper half.
    while (level > want) {
      level--;
      this.push(u + (1 << level), level);
    }
    return this.hand(u, level);
  }

  /** Releases the block at `off` (an offset alloc() returned). */
  free(off: number): void {
    let u = (off - this.base) >>> MIN_SHIFT;
    let level = this.usedLevel[u] ?? -1;
    // A double or foreign release would corrupt the free lists and, later,
    // hand the kernel memory that is still in use: fail loudly.
    if (level < 0 || off - this.base !== u << MIN_SHIFT) throw new Error(`arena: release of ${off}, which is not an allocated block`);
    this.usedLevel[u] = -1;
    this.inUse -= MIN_BLOCK << level;
    this.blocks--;
    while (level < this.maxLevel) {
      const buddy = u ^ (1 << level);
      if (this.freeLevel[buddy] !== level) break;
      this.unlink(buddy, level);
      u &= ~(1 << level);
      level++;
    }
    this.push(u, level);
  }

  private hand(u: number, level: number): number {
    this.usedLevel[u] = level;
    const size = MIN_BLOCK << level;
    this.inUse += size;
    this.blocks++;
    this.lastSize = size;
    return this.base + (u << MIN_SHIFT);
  }

  private word(u: number): number {
    return (this.base + (u << MIN_SHIFT)) >>> 2;
  }

  private push(u: number, level: number): void {
    const head = this.heads[level]!;
    const w = this.word(u);
    this.links[w] = head;
    this.links[w + 1] = NIL;
    if (head !== NIL) this.links[this.word(head) + 1] = u;
    this.heads[level] = u;
    this.freeLevel[u] = level;
  }

  private pop(level: number): number {
    const u = this.heads[level]!;
    this.unlink(u, level);
    return u;
  }

  private unlink(u: number, level: number): void {
    const w = this.word(u);
    const next = this.links[w]!;
    const prev = this.links[w + 1]!;
    if (prev === NIL) this.heads[level] = next;
    else this.links[this.word(prev)] = next;
    if (next !== NIL) this.links[this.word(next) + 1] = prev;
    this.freeLevel[u] = -1;
  }
}
