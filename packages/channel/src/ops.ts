import { RuntimeError, type Operation, type Suspend } from '@stackless-io/runtime';
import {
  done as importedDone,
  refuseSwitch,
  S as importedS,
  SUSPENDED as importedSuspended,
  type TaskletCore,
} from '@stackless-io/runtime/internal';
import type { Channel } from './channel.js';
import { closedError } from './closed.js';
import {
  giveTo as importedGiveTo,
  refuseTrappedRendezvous,
  takeDone as importedTakeDone,
  takeFrom as importedTakeFrom,
} from './rendezvous.js';

// The hot path reads module-level consts, not the imports themselves: V8's
// optimizing compiler reads an imported binding (a live binding) through
// its import cell at every use, and re-checks an imported function before
// inlining it, while a const of this module is folded into the code. About
// 8% of a ping-pong round trip (bench/RESULTS.md, 2026-12-06 ping-pong).
const S = importedS;
const SUSPENDED = importedSuspended;
const done = importedDone;
const giveTo = importedGiveTo;
const takeFrom = importedTakeFrom;
const takeDone = importedTakeDone;

/**
 * Starts a send for the current tasklet: meets a waiting receiver at once,
 * or queues the tasklet on the channel and suspends it. `op` is recorded as
 * what the tasklet is suspended in.
 */
function actSend(op: object, ch: Channel<any>, value: unknown, isError: boolean): IteratorResult<Suspend, void> {
  const cur = S.current;
  if (cur === S.main && !S.mainSync) refuseMain();
  const cando = ch._nrecv > 0;
  if (S.channelSlow) slowAction(ch, cur, 1, value, cando);
  if (!cando) return wait(op, ch, cur, 1, value, isError);
  if (!giveTo(ch, cur, value, isError)) return done(undefined);
  cur.suspendedIn = op;
  return SUSPENDED;
}

/** Starts a receive for the current tasklet, as {@link actSend} starts a send. */
function actReceive(op: object, ch: Channel<any>): IteratorResult<Suspend, unknown> {
  const cur = S.current;
  if (cur === S.main && !S.mainSync) refuseMain();
  const cando = ch._nsend > 0;
  if (S.channelSlow) slowAction(ch, cur, -1, undefined, cando);
  if (!cando) return wait(op, ch, cur, -1, undefined, false);
  const peer = takeFrom(ch);
  const value = peer.wvalue;
  const isError = peer.wIsError;
  if (takeDone(ch, cur, peer)) {
    // Must switch first: the value waits for the resumption.
    if (isError) {
      cur.pendingError = value;
      cur.hasPendingError = true;
    } else cur.tempval = value;
    cur.suspendedIn = op;
    return SUSPENDED;
  }
  if (isError) throw value;
  return done(value);
}

/** Queues the current tasklet on the channel (direction `dir`) and suspends it. */
function wait(op: object, ch: Channel<any>, cur: TaskletCore, dir: 1 | -1, value: unknown, isError: boolean): IteratorResult<Suspend, never> {
  if (cur.blockTrap || ch.closing) refuseBlock(cur);
  cur.wdir = dir;
  cur.wvalue = value;
  cur.wIsError = isError;
  cur.blocker = ch;
  cur.suspendedIn = op;
  ch._enqueue(cur);
  return SUSPENDED;
}

// The rare paths of actSend()/actReceive() live apart, which keeps them small
// enough for V8 to inline them, with the rendezvous, into the operations' next().

function refuseMain(): never {
  throw new RuntimeError('channel operations block a tasklet: outside tasklets use block(op), which runs the scheduler inside the call, or sendAsync()/receiveAsync()');
}

/**
 * With a channel callback installed or the switch trap set: calls the
 * callback, then refuses, inside the trap, an action that would switch (one
 * that blocks, or a rendezvous after which the peer runs first) before
 * anything changes.
 */
function slowAction(ch: Channel<any>, cur: TaskletCore, dir: 1 | -1, value: unknown, cando: boolean): void {
  if (S.channelCallback !== null) notify(ch, cur, dir, value, !cando);
  if (S.switchTrap === 0) return;
  if (cando) refuseTrappedRendezvous(ch, dir);
  else refuseBlock(cur);
}

/** The tasklet would block on a closing channel, with its block trap set, or inside a switch trap. */
function refuseBlock(cur: TaskletCore): never {
  if (cur.blockTrap) throw new RuntimeError('this tasklet does not like to be blocked.');
  if (S.switchTrap !== 0) refuseSwitch();
  throw closedError();
}

/**
 * Calls the channel callback. As in Stackless, the caller's tempval holds
 * the value being sent (undefined for a receive) while the callback runs.
 */
function notify(ch: Channel<any>, cur: TaskletCore, dir: 1 | -1, value: unknown, willBlock: boolean): void {
  const old = cur.tempval;
  cur.tempval = dir > 0 ? value : undefined;
  try {
    (S.channelCallback as NonNullable<typeof S.channelCallback>)(ch, cur.pub, dir > 0, willBlock);
  } finally {
    cur.tempval = old;
  }
}

function resumed(cur: TaskletCore, op: object): boolean {
  if (cur.suspendedIn !== op) return false;
  cur.suspendedIn = null;
  return true;
}

/**
 * A channel's receive operation. It carries no per-call state (the caller's
 * core tells a start from a resumption), so each channel keeps one and
 * `receive()` allocates nothing.
 */
export class RecvOp<T> implements Operation<T>, Iterator<Suspend, T, unknown> {
  constructor(readonly ch: Channel<T>) {}

  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    return this;
  }

  next(v: unknown): IteratorResult<Suspend, T> {
    if (resumed(S.current, this)) return done(v as T);
    return actReceive(this, this.ch) as IteratorResult<Suspend, T>;
  }

  throw(error: unknown): IteratorResult<Suspend, T> {
    S.current.suspendedIn = null;
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspend, T> {
    S.current.suspendedIn = null;
    return done(value as T);
  }
}

/**
 * One send (of a value, or of an error the receiver raises). A channel keeps
 * one for reuse: `busy` from send() until the operation has finished, and a
 * send() while it is busy (several senders waiting, or an operation made and
 * not yet run) gets a fresh one, which the channel keeps instead. So a send
 * allocates nothing in the common case.
 */
export class SendOp implements Operation<void>, Iterator<Suspend, void, unknown> {
  busy = false;
  constructor(
    readonly ch: Channel<any>,
    public value: unknown,
    public isError: boolean,
  ) {}

  [Symbol.iterator](): Iterator<Suspend, void, unknown> {
    return this;
  }

  next(): IteratorResult<Suspend, void> {
    if (resumed(S.current, this)) {
      this.busy = false;
      return done(undefined);
    }
    const value = this.value;
    this.value = undefined;
    // Busy while the action runs (a channel callback calling send() gets a
    // fresh operation). If the action throws, this one stays busy and the
    // channel replaces it at its next send() (see Channel.sendOpFor).
    const r = actSend(this, this.ch, value, this.isError);
    if (r !== SUSPENDED) this.busy = false;
    return r;
  }

  throw(error: unknown): IteratorResult<Suspend, void> {
    S.current.suspendedIn = null;
    this.busy = false;
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspend, void> {
    S.current.suspendedIn = null;
    this.busy = false;
    return done(value as void);
  }
}
