/**
 * A double-ended FIFO of runnable tasklets on a power-of-two ring buffer.
 * push/shift/unshift are O(1) and allocate nothing once the ring has grown to
 * the working size; removal from the middle (tasklet.remove(), rotating for
 * tasklet.run()) is O(n), which is rare by design.
 */
export class RunQueue<T> {
  private ring: (T | undefined)[] = new Array(64).fill(undefined);
  private head = 0;
  private mask = 63;
  length = 0;

  push(item: T): void {
    if (this.length > this.mask) this.grow();
    this.ring[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  unshift(item: T): void {
    if (this.length > this.mask) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.ring[this.head] = item;
    this.length++;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this.ring[this.head];
  }

  at(i: number): T | undefined {
    return i < 0 || i >= this.length ? undefined : this.ring[(this.head + i) & this.mask];
  }

  indexOf(item: T): number {
    for (let i = 0; i < this.length; i++) {
      if (this.ring[(this.head + i) & this.mask] === item) return i;
    }
    return -1;
  }

  /** Removes the item at index i, keeping the order of the others. */
  removeAt(i: number): T | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const item = this.at(i);
    for (let j = i; j < this.length - 1; j++) {
      this.ring[(this.head + j) & this.mask] = this.ring[(this.head + j + 1) & this.mask];
    }
    this.ring[(this.head + this.length - 1) & this.mask] = undefined;
    this.length--;
    return item;
  }

  remove(item: T): boolean {
    const i = this.indexOf(item);
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }

  /** Moves the first n items to the back, in order (a rotation of the ring). */
  rotate(n: number): void {
    for (let k = 0; k < n; k++) this.push(this.shift() as T);
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.ring[(this.head + i) & this.mask] as T);
    return out;
  }

  private grow(): void {
    const size = this.mask + 1;
    const next: (T | undefined)[] = new Array(size * 2).fill(undefined);
    for (let i = 0; i < this.length; i++) next[i] = this.ring[(this.head + i) & this.mask];
    this.ring = next;
    this.head = 0;
    this.mask = size * 2 - 1;
  }
}
