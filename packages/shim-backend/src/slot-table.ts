/**
 * The backend's per-token state: one slot per request handed to the shim,
 * and the token the shim carries is the slot's index. Parallel typed arrays
 * (a field of the slot is one indexed load) and a stack of free slots, so
 * that taking and freeing a slot allocates nothing.
 */
import type { IoRequest } from '@stackless-io/runtime';

/** Slots, their generations and the free-slot stack; the backend reads and writes the fields directly. */
export class SlotTable {
  /** Slots: tokens below this are slot indices. */
  readonly size: number;
  /** Two reserved tokens carry CLOSE and CANCEL, which never park and whose answers need no owner. */
  readonly closeToken: number;
  readonly cancelToken: number;

  /** The request in the slot, null when it is free. */
  readonly req: (IoRequest | null)[];
  /** The slot's generation: a completion whose generation does not match its slot is stale. */
  readonly gen: Uint32Array;
  /** Arena offset of the slot's data block (-1: none). */
  readonly data: Int32Array;
  /** Arena offset of the slot's address block (-1: none). */
  readonly addr: Int32Array;
  /** 1: a CANCEL was sent for the slot's request. */
  readonly cancelled: Uint8Array;
  /** Bytes the slot's data block carries per operation. */
  readonly len: Int32Array;
  /** 1: a stream receive through the shim's receive pool (no arena block of its own). */
  readonly pool: Uint8Array;
  /** 1: a receive whose buffer this backend allocates when the data arrives (IoRequest.size). */
  readonly own: Uint8Array;
  /** MSG_WAITALL stream receives: bytes received so far (-1: not one). */
  readonly acc: Int32Array;

  private readonly free: Int32Array;
  private top: number;

  /** Slots for a shim of `maxOps` tokens, two of which are reserved. */
  constructor(maxOps: number) {
    const slots = maxOps - 2;
    if (slots < 1) throw new RangeError('maxOps must be at least 3');
    this.size = slots;
    this.closeToken = slots;
    this.cancelToken = slots + 1;
    this.req = new Array<IoRequest | null>(slots).fill(null);
    this.gen = new Uint32Array(slots);
    this.data = new Int32Array(slots).fill(-1);
    this.addr = new Int32Array(slots).fill(-1);
    this.cancelled = new Uint8Array(slots);
    this.len = new Int32Array(slots);
    this.own = new Uint8Array(slots);
    this.pool = new Uint8Array(slots);
    this.acc = new Int32Array(slots).fill(-1);
    this.free = new Int32Array(slots);
    // Low tokens first: the shim's per-token state stays in few cache lines.
    for (let i = 0; i < slots; i++) this.free[i] = slots - 1 - i;
    this.top = slots;
  }

  /** True when every slot is taken. */
  get full(): boolean {
    return this.top === 0;
  }

  /**
   * Takes a free slot (the caller checked `full`) for `req`, in a new
   * generation; the caller fills in the rest of the slot.
   */
  take(req: IoRequest): number {
    const t = this.free[--this.top]!;
    this.renew(t);
    this.req[t] = req;
    this.cancelled[t] = 0;
    return t;
  }

  /** Moves slot t to its next generation, which it returns: completions of the one before are stale from now on. */
  renew(t: number): number {
    const gen = (this.gen[t]! + 1) >>> 0;
    this.gen[t] = gen;
    return gen;
  }

  /** Frees slot t (the caller has released its arena blocks). */
  release(t: number): void {
    this.data[t] = -1;
    this.addr[t] = -1;
    this.req[t] = null;
    this.free[this.top++] = t;
  }
}
