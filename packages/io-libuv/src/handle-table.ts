/**
 * Small integer handles for the backend's sockets. A closed number goes to
 * the back of a FIFO free list, so it is handed out again as late as the
 * table allows: a caller that kept a stale handle meets EBADF rather than
 * someone else's socket for as long as possible (the contract only asks that
 * a number is not reused before it was closed).
 */
export class HandleTable<T> {
  /** Handles start at 1, so that 0 (an uninitialised number) is never valid. */
  private readonly slots: (T | undefined)[] = [undefined];
  private free: number[] = [];
  private freeHead = 0;
  private count = 0;

  /** Stores `value` and returns its new handle. */
  add(value: T): number {
    let h: number;
    if (this.freeHead < this.free.length) {
      h = this.free[this.freeHead++] as number;
      if (this.freeHead > 1024 && this.freeHead * 2 > this.free.length) {
        this.free = this.free.slice(this.freeHead);
        this.freeHead = 0;
      }
      this.slots[h] = value;
    } else {
      h = this.slots.length;
      this.slots.push(value);
    }
    this.count++;
    return h;
  }

  /** The value of an open handle, else undefined (any number is safe to ask about). */
  get(h: number): T | undefined {
    return Number.isInteger(h) && h > 0 ? this.slots[h] : undefined;
  }

  /** Frees an open handle. */
  remove(h: number): void {
    if (this.slots[h] === undefined) return;
    this.slots[h] = undefined;
    this.free.push(h);
    this.count--;
  }

  /** Open handles. */
  get size(): number {
    return this.count;
  }

  /** Every open value (a copy: the caller may remove while iterating). */
  values(): T[] {
    return this.slots.filter((v): v is T => v !== undefined);
  }
}
