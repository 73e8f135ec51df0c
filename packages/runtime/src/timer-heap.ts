/**
 * The timers tasklets wait on: a binary min-heap ordered by deadline (ties by
 * arrival, so equal sleeps wake in order), and at most one Node timer armed
 * for the earliest deadline. A cancelled entry is dropped lazily when it
 * reaches the top, or all at once when cancelled entries outnumber live ones,
 * so cancel is O(1) and nothing is left behind.
 */

/** Who is told when a timer expires (a sleeping tasklet, a select timeout...). */
export interface TimerOwner {
  onTimer(): void;
}

export class TimerEntry {
  cancelled = false;
  constructor(
    readonly deadline: number,
    readonly seq: number,
    readonly owner: TimerOwner,
  ) {}
}

export class TimerHeap {
  private heap: TimerEntry[] = [];
  private seq = 0;
  private dead = 0;
  private handle: ReturnType<typeof setTimeout> | null = null;
  private armedFor = Infinity;
  /** Called when the Node timer fires; set by the scheduler so this file needs no scheduler import. */
  onExpire: () => void = () => undefined;

  /** Live (not cancelled) timers. */
  get size(): number {
    return this.heap.length - this.dead;
  }

  /** The earliest live deadline (performance.now() time), or Infinity. */
  nextDeadline(): number {
    this.dropDeadTop();
    const top = this.heap[0];
    return top === undefined ? Infinity : top.deadline;
  }

  add(delayMs: number, owner: TimerOwner): TimerEntry {
    const e = new TimerEntry(performance.now() + delayMs, this.seq++, owner);
    this.heap.push(e);
    this.up(this.heap.length - 1);
    if (e.deadline < this.armedFor) this.arm();
    return e;
  }

  cancel(e: TimerEntry): void {
    if (e.cancelled) return;
    e.cancelled = true;
    this.dead++;
    if (this.dead > 32 && this.dead * 2 > this.heap.length) this.compact();
    else this.dropDeadTop();
    if (this.size === 0) this.disarm();
  }

  /** Fires every timer due at `now`; returns how many fired. */
  fireDue(now: number): number {
    let fired = 0;
    const heap = this.heap;
    while (heap.length > 0) {
      const top = heap[0] as TimerEntry;
      if (top.cancelled) {
        this.popTop();
        this.dead--;
        continue;
      }
      if (top.deadline > now) break;
      this.popTop();
      top.cancelled = true; // fired: a late cancel() is a no-op
      fired++;
      top.owner.onTimer();
    }
    if (this.size === 0) this.disarm();
    else if ((heap[0] as TimerEntry).deadline < this.armedFor || this.handle === null) this.arm();
    return fired;
  }

  private arm(): void {
    this.disarm();
    this.dropDeadTop();
    const top = this.heap[0];
    if (top === undefined) return;
    this.armedFor = top.deadline;
    // Node's timers have millisecond resolution; round up so the timer never
    // fires before the deadline (fireDue re-arms if it still does).
    const delay = Math.max(0, Math.ceil(top.deadline - performance.now()));
    this.handle = setTimeout(this.expire, delay);
  }

  private readonly expire = (): void => {
    this.handle = null;
    this.armedFor = Infinity;
    this.onExpire();
  };

  private disarm(): void {
    if (this.handle !== null) {
      clearTimeout(this.handle);
      this.handle = null;
    }
    this.armedFor = Infinity;
  }

  private dropDeadTop(): void {
    while (this.heap.length > 0 && (this.heap[0] as TimerEntry).cancelled) {
      this.popTop();
      this.dead--;
    }
  }

  private compact(): void {
    this.heap = this.heap.filter((e) => !e.cancelled);
    this.dead = 0;
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private popTop(): void {
    const heap = this.heap;
    const last = heap.pop() as TimerEntry;
    if (heap.length > 0) {
      heap[0] = last;
      this.down(0);
    }
  }

  private less(a: TimerEntry, b: TimerEntry): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private up(i: number): void {
    const heap = this.heap;
    const e = heap[i] as TimerEntry;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = heap[p] as TimerEntry;
      if (!this.less(e, pe)) break;
      heap[i] = pe;
      i = p;
    }
    heap[i] = e;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const e = heap[i] as TimerEntry;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(heap[c + 1] as TimerEntry, heap[c] as TimerEntry)) c++;
      const ce = heap[c] as TimerEntry;
      if (!this.less(ce, e)) break;
      heap[i] = ce;
      i = c;
    }
    heap[i] = e;
  }
}
