import { RuntimeError, ValueError, type Operation, type Suspend } from '@stackless-io/runtime';
import {
  done,
  refuseSwitch,
  S,
  SUSPENDED,
  wake,
  type Blocker,
  type TaskletCore,
  type TimerEntry,
  type TimerOwner,
  type WaitGroup,
  type WaitNode,
} from '@stackless-io/runtime/internal';
import { closedError } from './closed.js';
import { handOver, refuseTrappedRendezvous, rendezvous, taken } from './rendezvous.js';
import { RecvCase, SendCase, type SelectCase } from './select-case.js';
import { Waiter } from './waiter.js';

/** The value a case yields: the received value for a receive, undefined for a send. */
export type CaseValue<C> = C extends RecvCase<infer T> ? T : undefined;

/**
 * What {@link select} returns: which case fired (its index in the list) and
 * its value; `index: -1` when the timeout expired first.
 */
export type SelectResult<C extends readonly SelectCase[]> =
  | {
      [I in keyof C]: {
        /** The position of the case that fired in the list given to select(). */
        index: I extends `${infer N extends number}` ? N : number;
        /** The value received (a receive case) or undefined (a send case). */
        value: CaseValue<C[I]>;
      };
    }[number]
  | {
      /** -1: the timeout expired before any case was ready. */
      index: -1;
      /** Always undefined on timeout. */
      value: undefined;
    };

/** Options of {@link select}. */
export interface SelectOptions {
  /**
   * Seconds to wait at most; 0 polls (returns at once when no case is
   * ready). Absent: wait as long as it takes.
   */
  timeout?: number;
}

class SelectOp implements Operation<unknown>, Iterator<Suspend, unknown, unknown>, Blocker, WaitGroup, TimerOwner {
  private started = false;
  private core: TaskletCore | null = null;
  private waiters: Waiter[] = [];
  private timer: TimerEntry | null = null;

  constructor(
    private readonly cases: readonly SelectCase[],
    private readonly timeoutMs: number,
  ) {}

  [Symbol.iterator](): Iterator<Suspend, unknown, unknown> {
    return this;
  }

  next(v: unknown): IteratorResult<Suspend, unknown> {
    if (this.started) return done(v);
    this.started = true;
    const cur = S.current;
    if (cur === S.main && !S.mainSync) throw new RuntimeError('select() blocks a tasklet: call it inside a tasklet, or from main through block(select(...))');
    const cases = this.cases;
    // Pick uniformly among the ready cases (as Go does) so that no channel starves.
    let chosen = -1;
    let seen = 0;
    let closing = false;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i] as SelectCase;
      const ch = c.channel;
      if (c.dir > 0 ? ch._nrecv > 0 : ch._nsend > 0) {
        seen++;
        if (Math.random() * seen < 1) chosen = i;
      } else if (ch.closing) closing = true;
    }
    if (chosen >= 0) return this.fire(cur, chosen);
    // As the plain operation, a case that would have to wait on a closed channel raises.
    if (closing) throw closedError();
    if (this.timeoutMs === 0) return done({ index: -1, value: undefined });
    if (cur.blockTrap) throw new RuntimeError('this tasklet does not like to be blocked.');
    if (S.switchTrap !== 0) refuseSwitch();
    this.core = cur;
    cur.blocker = this;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i] as SelectCase;
      const w = new Waiter(cur, c.dir, c.dir > 0 ? (c as SendCase<unknown>).value : undefined, this, i);
      this.waiters.push(w);
      c.channel._enqueue(w);
    }
    if (this.timeoutMs > 0) this.timer = S.timers.add(this.timeoutMs, this);
    return SUSPENDED;
  }

  /** Runs case `i`, which is ready, as the plain operation would run. */
  private fire(cur: TaskletCore, i: number): IteratorResult<Suspend, unknown> {
    const c = this.cases[i] as SelectCase;
    const ch = c.channel;
    const dir = c.dir;
    if (S.channelCallback !== null) S.channelCallback(ch, cur.pub, dir > 0, false);
    const value = dir > 0 ? (c as SendCase<unknown>).value : undefined;
    if (S.switchTrap !== 0) refuseTrappedRendezvous(ch, dir);
    if (rendezvous(ch, dir, cur, value, false)) {
      if (dir < 0 && !taken.isError) taken.value = { index: i, value: taken.value };
      else if (dir > 0) {
        taken.value = { index: i, value: undefined };
        taken.isError = false;
      }
      handOver(cur);
      return SUSPENDED;
    }
    if (dir > 0) return done({ index: i, value: undefined });
    const got = taken.value;
    taken.value = undefined;
    if (taken.isError) throw got;
    return done({ index: i, value: got });
  }

  /** A peer matched waiter `w`: withdraw the other cases and hand the result over. */
  settle(w: WaitNode, value: unknown, isError: boolean): void {
    this.withdraw(w);
    const c = this.core as TaskletCore;
    if (isError) {
      c.pendingError = value;
      c.hasPendingError = true;
    } else c.tempval = { index: w.windex, value: w.wdir < 0 ? value : undefined };
  }

  onTimer(): void {
    this.timer = null;
    this.withdraw(null);
    const c = this.core as TaskletCore;
    c.blocker = null;
    c.tempval = { index: -1, value: undefined };
    wake(c);
  }

  cancel(): void {
    this.withdraw(null);
  }

  private withdraw(except: WaitNode | null): void {
    const ws = this.waiters;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i] as Waiter;
      if (w !== except) this.cases[w.windex]!.channel._unlink(w);
      w.wvalue = undefined;
    }
    this.waiters = [];
    if (this.timer !== null) {
      S.timers.cancel(this.timer);
      this.timer = null;
    }
  }

  throw(error: unknown): IteratorResult<Suspend, unknown> {
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspend, unknown> {
    return done(value);
  }

  describe(): string {
    return `select over ${this.cases.map((c) => `${c.dir > 0 ? 'send on' : 'receive on'} ${c.channel}`).join(', ')}`;
  }
}

/**
 * Waits until one of several channel operations can proceed and performs
 * exactly that one, as Go's `select`: when several are ready one is picked
 * at random. With `timeout` (seconds) it gives up after that long and
 * returns `{ index: -1 }`; `timeout: 0` never blocks. A case on a closed
 * channel raises ValueError, as the plain operation would.
 *
 * @example
 * ```ts
 * const r = yield* select([jobs.recvCase(), quit.recvCase()] as const, { timeout: 1 });
 * if (r.index === 0) handle(r.value);
 * ```
 */
export function select<const C extends readonly SelectCase[]>(cases: C, options?: SelectOptions): Operation<SelectResult<C>> {
  if (!Array.isArray(cases)) throw new TypeError('select() takes an array of cases (ch.recvCase(), ch.sendCase(v))');
  for (const c of cases) {
    if (!(c instanceof RecvCase) && !(c instanceof SendCase)) {
      throw new TypeError('select() cases are made by ch.recvCase() and ch.sendCase(value)');
    }
  }
  let timeoutMs = -1;
  if (options !== undefined) {
    if (options === null || typeof options !== 'object') throw new TypeError('select() options must be an object');
    const t = options.timeout;
    if (t !== undefined) {
      if (typeof t !== 'number') throw new TypeError('timeout must be a number of seconds');
      if (!(t >= 0) || t === Infinity) throw new ValueError('timeout must be a finite number of seconds >= 0');
      timeoutMs = t * 1000;
    }
  }
  if (cases.length === 0 && timeoutMs < 0) throw new ValueError('select() with no cases and no timeout would block forever');
  return new SelectOp(cases, timeoutMs) as unknown as Operation<SelectResult<C>>;
}
