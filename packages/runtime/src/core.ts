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

/**
 * The scheduler's record of one tasklet. The public {@link Tasklet} is a
 * callable object (so `tasklet(fn)(...args)` works as in Stackless); all the
 * state the hot path touches lives here, in one class of stable shape.
 */
export class TaskletCore implements WaitNode {
  readonly id: number;
  pub: Tasklet<any[], any>;
  fn: TaskletFunction | null;
  args: unknown[] | null = null;
  gen: TaskletGenerator | null = null;
  /** Bound to arguments and not yet finished (Stackless' `alive`). */
  alive = false;
  /** In the run queue (the running tasklet is not). */
  inQueue = false;
  /** What the tasklet waits on, or null. */
  blocker: Blocker | null = null;
  /** The value handed over at the next resumption (Stackless' tempval). */
  tempval: unknown = undefined;
  /** An exception to raise inside the tasklet at its next resumption. */
  pendingError: unknown = undefined;
  hasPendingError = false;
  atomic = false;
  /** Stackless' block_trap: an operation that would block raises RuntimeError instead. */
  blockTrap = false;
  label: string;
  finished = false;
  failed = false;
  result: unknown = undefined;
  join: Join | null = null;
  readonly isMain: boolean;
  /**
   * The operation the tasklet is suspended in, or null. An operation object
   * may be shared (a channel's receive operation is), so whether a call to
   * its next() starts it or resumes it is told by this field of the caller.
   */
  suspendedIn: object | null = null;
  // Its own wait-queue node (see WaitNode).
  qnext: WaitNode | null = null;
  qprev: WaitNode | null = null;
  readonly wcore: TaskletCore = this;
  wdir: 1 | -1 = 1;
  wvalue: unknown = undefined;
  wIsError = false;
  readonly wgroup: WaitGroup | null = null;
  readonly windex = -1;

  constructor(pub: Tasklet<any[], any>, fn: TaskletFunction | null, isMain: boolean, label?: string) {
    this.id = isMain ? 0 : nextId++;
    this.pub = pub;
    this.fn = fn;
    this.isMain = isMain;
    this.label = label ?? (isMain ? 'main' : fn !== null && fn.name !== '' ? fn.name : '');
  }

  get name(): string {
    return this.isMain ? 'tasklet main' : `tasklet #${this.id}${this.label !== '' ? ` (${this.label})` : ''}`;
  }
}
