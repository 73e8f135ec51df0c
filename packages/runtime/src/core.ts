import type { TaskletFunction, TaskletGenerator } from './operation.js';
import type { Tasklet } from './tasklet.js';

/**
 * Something a tasklet can wait on: a channel, a timer, a promise, an IO
 * operation. Killing or throwing into a waiting tasklet calls `cancel` first,
 * which must take the tasklet out of the waiter's bookkeeping (channel queue
 * and balance, timer heap, pending IO) so nothing is left behind.
 */
export interface Blocker {
  cancel(core: TaskletCore): void;
  /** Says what the tasklet waits on, for deadlock reports ("receive on channel#3"). */
  describe(core: TaskletCore): string;
}

/**
 * A node of a channel's wait queue. A tasklet waits in at most one queue at
 * a time, so its core doubles as its node (intrusive links, as the kernel's
 * wait queues do, and blocking allocates nothing). A select, which waits on
 * several channels at once, queues separate nodes that point back at the
 * core and at their group.
 */
export interface WaitNode {
  qnext: WaitNode | null;
  qprev: WaitNode | null;
  /** The waiting tasklet. */
  readonly wcore: TaskletCore;
  /** +1 waiting to send, -1 waiting to receive. */
  wdir: 1 | -1;
  /** What a waiting sender offers (or the error it sends). */
  wvalue: unknown;
  wIsError: boolean;
  /** The select this node belongs to, or null for a plain operation. */
  readonly wgroup: WaitGroup | null;
  /** The node's case index within its select. */
  readonly windex: number;
}

/** A set of wait nodes of which the first one matched wins (a select). */
export interface WaitGroup {
  /** Node `node` was matched: withdraw the others and hand the result over. */
  settle(node: WaitNode, value: unknown, isError: boolean): void;
}

/** A promise's settle functions, kept only when someone awaits the tasklet. */
export interface Join {
  promise: Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

let nextId = 1;

// The core's booleans, as bits of one small integer: on Node (no pointer
// compression) every field of an object takes 8 bytes, and 10,000 idle
// connections each keep a core (bench/RESULTS.md, issue #15 item 5).
// inQueue and hasPendingError, written and read at every switch, stay
// plain fields.
const ALIVE = 1;
const ATOMIC = 2;
const BLOCK_TRAP = 4;
const FINISHED = 8;
const FAILED = 16;
const IS_MAIN = 32;

/**
 * What only some tasklets ever hold (an exception thrown into them, a
 * finished tasklet's result, an awaited tasklet's promise): one object made
 * at first use, so that a tasklet that never needs them pays one field.
 */
class CoreExtra {
  pendingError: unknown = undefined;
  result: unknown = undefined;
  join: Join | null = null;
}

/**
 * The scheduler's record of one tasklet. The public {@link Tasklet} is a
 * callable object (so `tasklet(fn)(...args)` works as in Stackless); all the
 * state the hot path touches lives here, in one class of stable shape. The
 * booleans a switch does not touch are bits of `bits` behind accessors
 * (which V8 inlines), and the rarely used fields live in a
 * {@link CoreExtra} made at first use.
 */
export class TaskletCore implements WaitNode {
  readonly id: number;
  pub: Tasklet<any[], any>;
  fn: TaskletFunction | null;
  args: unknown[] | null = null;
  gen: TaskletGenerator | null = null;
  /** The booleans below (ALIVE, ATOMIC, ...), one bit each. */
  private bits: number;
  /** In the run queue (the running tasklet is not). */
  inQueue = false;
  hasPendingError = false;
  /** What the tasklet waits on, or null. */
  blocker: Blocker | null = null;
  /** The value handed over at the next resumption (Stackless' tempval). */
  tempval: unknown = undefined;
  private extra: CoreExtra | null = null;
  label: string;
  /**
   * The operation the tasklet is suspended in, or null. An operation object
   * may be shared (a channel's receive operation is), so whether a call to
   * its next() starts it or resumes it is told by this field of the caller.
   */
  suspendedIn: object | null = null;
  // Its own wait-queue node (see WaitNode). These stay plain fields, not
  // accessors: the channel code reads them on every rendezvous, and
  // accessors here made a ping-pong round trip slower. wgroup and windex,
  // the same for every core, are data properties of the prototype (below).
  qnext: WaitNode | null = null;
  qprev: WaitNode | null = null;
  readonly wcore: TaskletCore = this;
  wdir: 1 | -1 = 1;
  wvalue: unknown = undefined;
  wIsError = false;
  declare readonly wgroup: WaitGroup | null;
  declare readonly windex: number;

  constructor(pub: Tasklet<any[], any>, fn: TaskletFunction | null, isMain: boolean, label?: string) {
    this.id = isMain ? 0 : nextId++;
    this.pub = pub;
    this.fn = fn;
    this.bits = isMain ? IS_MAIN : 0;
    this.label = label ?? (isMain ? 'main' : fn !== null && fn.name !== '' ? fn.name : '');
  }

  private flag(bit: number, on: boolean): void {
    this.bits = on ? this.bits | bit : this.bits & ~bit;
  }

  /** Bound to arguments and not yet finished (Stackless' `alive`). */
  get alive(): boolean {
    return (this.bits & ALIVE) !== 0;
  }
  set alive(on: boolean) {
    this.flag(ALIVE, on);
  }
  get atomic(): boolean {
    return (this.bits & ATOMIC) !== 0;
  }
  set atomic(on: boolean) {
    this.flag(ATOMIC, on);
  }
  /** Stackless' block_trap: an operation that would block raises RuntimeError instead. */
  get blockTrap(): boolean {
    return (this.bits & BLOCK_TRAP) !== 0;
  }
  set blockTrap(on: boolean) {
    this.flag(BLOCK_TRAP, on);
  }
  get finished(): boolean {
    return (this.bits & FINISHED) !== 0;
  }
  set finished(on: boolean) {
    this.flag(FINISHED, on);
  }
  get failed(): boolean {
    return (this.bits & FAILED) !== 0;
  }
  set failed(on: boolean) {
    this.flag(FAILED, on);
  }
  get isMain(): boolean {
    return (this.bits & IS_MAIN) !== 0;
  }

  /** An exception to raise inside the tasklet at its next resumption. */
  get pendingError(): unknown {
    return this.extra === null ? undefined : this.extra.pendingError;
  }
  set pendingError(e: unknown) {
    if (this.extra !== null) this.extra.pendingError = e;
    else if (e !== undefined) (this.extra = new CoreExtra()).pendingError = e;
  }
  get result(): unknown {
    return this.extra === null ? undefined : this.extra.result;
  }
  set result(v: unknown) {
    if (this.extra !== null) this.extra.result = v;
    else if (v !== undefined) (this.extra = new CoreExtra()).result = v;
  }
  get join(): Join | null {
    return this.extra === null ? null : this.extra.join;
  }
  set join(j: Join | null) {
    if (this.extra !== null) this.extra.join = j;
    else if (j !== null) (this.extra = new CoreExtra()).join = j;
  }


  get name(): string {
    return this.isMain ? 'tasklet main' : `tasklet #${this.id}${this.label !== '' ? ` (${this.label})` : ''}`;
  }
}

// A core is never part of a select: no group, no case index.
Object.defineProperties(TaskletCore.prototype, {
  wgroup: { value: null },
  windex: { value: -1 },
});
