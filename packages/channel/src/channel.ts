import { spawn, type Operation, type TaskletGenerator, type Tasklet } from '@stackless-io/runtime';
import { checkErrorClass, type Blocker, type TaskletCore, type WaitNode } from '@stackless-io/runtime/internal';
import { RecvOp, SendOp } from './ops.js';
import { RecvCase, SendCase } from './select-case.js';

let nextChannelId = 1;

/**
 * A Stackless channel: an unbuffered rendezvous between tasklets. A send
 * blocks until a receiver takes the value, a receive until a sender offers
 * one; whoever arrives first waits in the channel's queue.
 *
 * Beyond Stackless, {@link select} waits on several channels at once, and
 * {@link Channel.sendAsync}/{@link Channel.receiveAsync} serve code outside
 * tasklets.
 *
 * @example
 * ```ts
 * const ch = new Channel<number>();
 * spawn(function* () { yield* ch.send(42); });
 * spawn(function* () { const v: number = yield* ch.receive(); console.log(v); });
 * ```
 */
export class Channel<T> implements Blocker {
  /** @internal Senders waiting. */
  _nsend = 0;
  /** @internal Receivers waiting. */
  _nrecv = 0;
  /** @internal Read by the rendezvous; see {@link Channel.preference}. */
  _preference: -1 | 0 | 1 = -1;
  /** @internal Read by the rendezvous; see {@link Channel.scheduleAll}. */
  _scheduleAll = false;
  private _closing = false;
  /** @internal */ _head: WaitNode | null = null;
  /** @internal */ _tail: WaitNode | null = null;
  /** The one receive operation of this channel (it holds no per-call state). */
  private readonly recvOp: RecvOp<T> = new RecvOp<T>(this);
  /** A send operation for reuse while it is not busy. */
  private sendOp: SendOp = new SendOp(this, undefined, false);
  /** A small integer naming the channel in messages (`channel#3`). */
  readonly id = nextChannelId++;

  /**
   * Who runs after a rendezvous: -1 (the default) the receiver, 1 the
   * sender, 0 neither (the waiting side is queued and the caller goes on).
   */
  get preference(): -1 | 0 | 1 {
    return this._preference;
  }
  /**
   * Sets the preference from an integer or a boolean (a bool is an int in
   * Python): as in Stackless only the sign counts, so 5 stores 1, -2 stores
   * -1 and true stores 1. Anything else raises TypeError.
   */
  set preference(value: number | boolean) {
    if (typeof value === 'boolean') value = value ? 1 : 0;
    else if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError('preference must be set to an integer');
    this._preference = value > 0 ? 1 : value < 0 ? -1 : 0;
  }

  /** When true, every channel action schedules (the peer and the caller both go to the end of the run queue). */
  get scheduleAll(): boolean {
    return this._scheduleAll;
  }
  /**
   * Sets the flag from a boolean or an integer: as in Stackless any non-zero
   * integer turns it on. Anything else raises TypeError.
   */
  set scheduleAll(value: boolean | number) {
    if (typeof value !== 'boolean' && (typeof value !== 'number' || !Number.isInteger(value))) {
      throw new TypeError('scheduleAll must be set to a bool or integer');
    }
    this._scheduleAll = value !== false && value !== 0;
  }

  /** Senders waiting (> 0) or receivers waiting (< 0, negated). */
  get balance(): number {
    return this._nsend - this._nrecv;
  }

  /** Set by close(): operations that would have to wait now raise ValueError. */
  get closing(): boolean {
    return this._closing;
  }

  /** Closing and nobody left waiting: no operation can succeed any more. */
  get closed(): boolean {
    return this._closing && this._nsend === 0 && this._nrecv === 0;
  }

  /** The first waiting tasklet, or null. */
  get queue(): Tasklet<any[], any> | null {
    const w = this._head;
    return w === null ? null : w.wcore.pub;
  }

  /** The waiting tasklets, first to last. */
  waiting(): Tasklet<any[], any>[] {
    const out: Tasklet<any[], any>[] = [];
    for (let w = this._head; w !== null; w = w.qnext) out.push(w.wcore.pub);
    return out;
  }

  /** Sends `value`, blocking until a receiver takes it. */
  send(value: T): Operation<void> {
    return this.sendOpFor(value, false);
  }

  /** Receives a value, blocking until a sender offers one. */
  receive(): Operation<T> {
    return this.recvOp;
  }

  /**
   * Makes the receiver raise `new errorClass(...args)` (Stackless'
   * send_exception). A class that is not an Error subclass raises TypeError
   * in the caller, as a non-exception class does in Stackless, and nothing
   * is sent.
   */
  sendException<E extends new (...a: any[]) => unknown>(errorClass: E, ...args: ConstructorParameters<E>): Operation<void> {
    checkErrorClass(errorClass, 'channel.sendException');
    return this.sendOpFor(new errorClass(...args), true);
  }

  /** Makes the receiver raise `error` (Stackless' send_throw). */
  sendThrow(error: unknown): Operation<void> {
    return this.sendOpFor(error, true);
  }

  /** Sends every item of `items` in order; returns how many were sent. */
  sendSequence(items: Iterable<T>): Operation<number> {
    if (items === null || items === undefined || typeof (items as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw new TypeError('sendSequence() takes an iterable');
    }
    return sendAll(this, items);
  }

  /**
   * Receives one value as an iterator result: `{ done: true }` once the
   * channel is closing and no sender waits, so a loop can drain it.
   *
   * @example
   * ```ts
   * for (let r = yield* ch.next(); !r.done; r = yield* ch.next()) console.log(r.value);
   * ```
   */
  next(): Operation<IteratorResult<T, undefined>> {
    return receiveNext(this);
  }

  /**
   * Blocking iteration: each item is a receive operation, and the loop ends
   * once the channel is closing with no sender left.
   *
   * @example
   * ```ts
   * for (const item of ch) { const v = yield* item; console.log(v); }
   * ```
   */
  *[Symbol.iterator](): Iterator<Operation<T>, undefined, undefined> {
    while (!(this._closing && this._nsend === 0)) yield this.receive();
    return undefined;
  }

  /** A case for {@link select}: receive from this channel. */
  recvCase(): RecvCase<T> {
    return new RecvCase(this);
  }

  /** A case for {@link select}: send `value` on this channel. */
  sendCase(value: T): SendCase<T> {
    return new SendCase(this, value);
  }

  /** From code outside tasklets: sends `value` from a new tasklet; resolves once it was taken. */
  sendAsync(value: T): Promise<void> {
    return spawn(function* (ch: Channel<T>) {
      yield* ch.send(value);
    }, this).join();
  }

  /** From code outside tasklets: receives in a new tasklet; resolves with the value. */
  receiveAsync(): Promise<T> {
    return spawn(function* (ch: Channel<T>) {
      return yield* ch.receive();
    }, this).join();
  }

  /**
   * Stops the queue from growing: operations that would wait raise
   * ValueError. Tasklets already waiting stay until matched; `closed`
   * becomes true once none is left.
   */
  close(): void {
    this._closing = true;
  }

  /** Undoes close(). */
  open(): void {
    this._closing = false;
  }

  toString(): string {
    return `channel#${this.id}`;
  }

  private sendOpFor(value: unknown, isError: boolean): SendOp {
    let op = this.sendOp;
    if (op.busy) {
      // The newest operation is the one kept for reuse: the busy one may
      // never be freed (a send that raised), and the newest is the most
      // likely to finish next.
      op = new SendOp(this, value, isError);
      this.sendOp = op;
    } else {
      op.value = value;
      op.isError = isError;
    }
    op.busy = true;
    return op;
  }

  /** @internal A tasklet blocked here is killed: it leaves the queue and balance follows. */
  cancel(core: TaskletCore): void {
    this._unlink(core);
    core.wvalue = undefined;
  }

  /** @internal */
  describe(core: TaskletCore): string {
    return `${core.wdir > 0 ? 'send on' : 'receive on'} ${this}`;
  }

  /** @internal Appends a waiter; balance follows. */
  _enqueue(w: WaitNode): void {
    w.qprev = this._tail;
    w.qnext = null;
    if (this._tail === null) this._head = w;
    else this._tail.qnext = w;
    this._tail = w;
    if (w.wdir > 0) this._nsend++;
    else this._nrecv++;
  }

  /**
   * @internal Takes the first waiter going the direction `dir` (one must
   * wait). Only a select that both sends and receives here mixes directions
   * in the queue, so the first node almost always fits.
   */
  _dequeue(dir: 1 | -1): WaitNode {
    let w = this._head as WaitNode;
    if (w.wdir === dir) {
      // The common case, unlinked inline: the first waiter.
      const next = w.qnext;
      this._head = next;
      if (next === null) this._tail = null;
      else next.qprev = null;
      w.qnext = null;
      if (dir > 0) this._nsend--;
      else this._nrecv--;
      return w;
    }
    while (w.wdir !== dir) w = w.qnext as WaitNode;
    this._unlink(w);
    return w;
  }

  /** @internal Removes a waiter from anywhere in the queue; balance follows. */
  _unlink(w: WaitNode): void {
    if (w.qprev === null && this._head !== w) return; // not queued
    if (w.qprev !== null) w.qprev.qnext = w.qnext;
    else this._head = w.qnext;
    if (w.qnext !== null) w.qnext.qprev = w.qprev;
    else this._tail = w.qprev;
    w.qnext = null;
    w.qprev = null;
    if (w.wdir > 0) this._nsend--;
    else this._nrecv--;
  }
}

function* sendAll<T>(ch: Channel<T>, items: Iterable<T>): TaskletGenerator<number> {
  let n = 0;
  for (const item of items) {
    yield* ch.send(item);
    n++;
  }
  return n;
}

function* receiveNext<T>(ch: Channel<T>): TaskletGenerator<IteratorResult<T, undefined>> {
  if (ch.closing && ch._nsend === 0) return { done: true, value: undefined };
  const value = yield* ch.receive();
  return { done: false, value };
}
