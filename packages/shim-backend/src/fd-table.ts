/**
 * The backend's open descriptors and their SOCK_* types, indexed by fd. A
 * typed array rather than a Map: the lookup on every submission is one
 * load from a compact table (fds are small integers the kernel hands out
 * lowest first), where a Map would hash and chase an entry per call.
 */
export class FdTable {
  private types = new Uint8Array(1024);
  /**
   * Per fd, the number of the batch (see {@link markQueued}) into which a
   * request that one made at once must not overtake was last written (a
   * send or connect of the socket, an accept of the listener).
   */
  private queued = new Uint32Array(1024);
  /** Open descriptors. */
  size = 0;

  /** The fd's SOCK_* type, or 0 when it is not open here (any other value of `fd` too). */
  get(fd: number): number {
    // A non-integer or negative handle reads undefined (or NaN's slot), never a type.
    return this.types[fd] ?? 0;
  }

  has(fd: number): boolean {
    return this.get(fd) !== 0;
  }

  /** Records a descriptor the shim created (type: SOCK_STREAM, SOCK_DGRAM, ...; never 0). */
  set(fd: number, type: number): void {
    if (fd >= this.types.length) {
      let n = this.types.length;
      while (n <= fd) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.types);
      this.types = grown;
      const queued = new Uint32Array(n);
      queued.set(this.queued);
      this.queued = queued;
    }
    if (this.types[fd] === 0) this.size++;
    this.types[fd] = type;
  }

  /** Forgets fd; false when it was not open. */
  delete(fd: number): boolean {
    if (!this.has(fd)) return false;
    this.types[fd] = 0;
    this.queued[fd] = 0;
    this.size--;
    return true;
  }

  /** Notes that a request of fd that keeps its order (a send, a connect, an accept) was written into batch number `batch` (never 0). */
  markQueued(fd: number, batch: number): void {
    if (fd < this.queued.length) this.queued[fd] = batch;
  }

  /** Whether batch number `batch` holds such a request of fd. */
  queuedIn(fd: number, batch: number): boolean {
    return this.queued[fd] === batch;
  }

  clear(): void {
    this.types.fill(0);
    this.queued.fill(0);
    this.size = 0;
  }
}
