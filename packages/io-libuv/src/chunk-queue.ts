/**
 * Bytes received from a stream and not yet handed to a request: the part of
 * the kernel's receive buffer that Node has already read. Chunks are kept as
 * Node delivered them and copied out on demand, so nothing is copied twice.
 */
export class ChunkQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** Bytes of chunks[head] already taken. */
  private offset = 0;
  /** Bytes queued. */
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /**
   * Copies up to dst.length bytes into dst; with `consume` they leave the
   * queue (a MSG_PEEK copy leaves them). Returns the count copied.
   */
  copyTo(dst: Uint8Array, consume: boolean): number {
    let copied = 0;
    let i = this.head;
    let off = this.offset;
    while (copied < dst.length && i < this.chunks.length) {
      const c = this.chunks[i] as Uint8Array;
      const n = Math.min(c.length - off, dst.length - copied);
      dst.set(n === c.length && off === 0 ? c : c.subarray(off, off + n), copied);
      copied += n;
      off += n;
      if (off === c.length) {
        i++;
        off = 0;
      }
    }
    if (consume) {
      this.length -= copied;
      if (i === this.chunks.length) {
        this.chunks = [];
        this.head = 0;
      } else {
        this.head = i;
        if (this.head > 64 && this.head * 2 > this.chunks.length) {
          this.chunks = this.chunks.slice(this.head);
          this.head = 0;
        }
      }
      this.offset = off;
    }
    return copied;
  }

  /**
   * The queue's only chunk, taken whole, when that is all it holds and it
   * has at most `max` bytes: a receive can then have Node's own buffer (a
   * read makes a new one each time) instead of a copy. Null otherwise.
   */
  takeWhole(max: number): Uint8Array | null {
    if (this.offset !== 0 || this.chunks.length - this.head !== 1) return null;
    const c = this.chunks[this.head] as Uint8Array;
    if (c.length > max) return null;
    this.chunks = [];
    this.head = 0;
    this.length = 0;
    return c;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.length = 0;
  }
}
