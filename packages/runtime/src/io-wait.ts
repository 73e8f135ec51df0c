/**
 * Parks a tasklet on an IO request. The backend's completion is delivered to
 * the waiting tasklet the way a channel send reaches a blocked receiver: the
 * request becomes the tasklet's tempval and the tasklet is made runnable,
 * within the scheduler round that reaped it. Killing the tasklet (or an
 * expired timeout) cancels the request in the backend, which keeps the
 * buffer until the kernel has let go of it.
 */
import { constants } from 'node:os';
import { IoOp, type IoBackend, type IoRequest } from './backend.js';
import type { Blocker, TaskletCore } from './core.js';
import { RuntimeError } from './errors.js';
import { done, SUSPENDED, type Operation, type Suspend } from './operation.js';
import { S, wake } from './scheduler.js';
import type { TimerEntry, TimerOwner } from './timer-heap.js';

const ECANCELED = constants.errno.ECANCELED;

/** Why a wait ended early: nothing, a timeout, or a kill (cancel()). */
const ACTIVE = 0;
const TIMED_OUT = 1;
const WITHDRAWN = 2;

class IoWait implements Operation<IoRequest>, Iterator<Suspend, IoRequest, unknown>, Blocker, TimerOwner {
  private started = false;
  private core: TaskletCore | null = null;
  private timer: TimerEntry | null = null;
  private state = ACTIVE;
  private completed = false;

  constructor(
    private readonly backend: IoBackend,
    private readonly req: IoRequest,
    private readonly timeoutMs: number,
  ) {}

  [Symbol.iterator](): Iterator<Suspend, IoRequest, unknown> {
    return this;
  }

  next(): IteratorResult<Suspend, IoRequest> {
    if (this.started) return done(this.req);
    this.started = true;
    const c = S.current;
    if (c === S.main) throw new RuntimeError('IO operations block a tasklet: call them inside a tasklet');
    this.core = c;
    c.blocker = this;
    this.req.done = this.onDone;
    this.backend.submit(this.req);
    if (this.timeoutMs >= 0) this.timer = S.timers.add(this.timeoutMs, this);
    return SUSPENDED;
  }

  throw(error: unknown): IteratorResult<Suspend, IoRequest> {
    // Killed after the request completed but before the tasklet ran: nobody
    // will ever see the result, so a socket it created must not leak.
    if (this.completed && this.req.op === IoOp.ACCEPT && this.req.result >= 0) this.backend.close(this.req.result);
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspend, IoRequest> {
    return done(value as IoRequest);
  }

  /** The backend finished the request (from its poll()). */
  private readonly onDone = (): void => {
    if (this.state === WITHDRAWN) {
      // The tasklet was killed while waiting; a socket accepted meanwhile
      // (the cancel came too late) has no owner: close it.
      if (this.req.op === IoOp.ACCEPT && this.req.result >= 0) this.backend.close(this.req.result);
      return;
    }
    this.completed = true;
    if (this.timer !== null) {
      S.timers.cancel(this.timer);
      this.timer = null;
    }
    const c = this.core as TaskletCore;
    c.blocker = null;
    // A request that completed for real while its timeout expired keeps its
    // result: data the kernel already handed over must never be dropped.
    if (this.state === TIMED_OUT && this.req.result === -ECANCELED) this.req.result = TIMEOUT;
    wake(c);
  };

  /** The timeout expired first: cancel; the completion (-ECANCELED, or a late real one) resumes the tasklet. */
  onTimer(): void {
    this.timer = null;
    this.state = TIMED_OUT;
    this.backend.cancel(this.req);
  }

  /** The tasklet is killed: cancel and forget; the backend still completes the request (and frees its buffer). */
  cancel(): void {
    this.state = WITHDRAWN;
    if (this.timer !== null) {
      S.timers.cancel(this.timer);
      this.timer = null;
    }
    this.backend.cancel(this.req);
  }

  describe(): string {
    return `IO request ${this.req.op} on handle ${this.req.handle}`;
  }
}

/**
 * The result a request gets when its timeout expired before it completed
 * (whatever the backend answered to the cancel). Not an errno.
 */
export const TIMEOUT = -0x7fff0001;

/**
 * Submits `req` to `backend` and blocks the calling tasklet until it
 * completes (result in `req.result`), or until `timeoutSeconds` pass
 * (`req.result === TIMEOUT`; the request was cancelled). A negative or
 * absent timeout waits as long as it takes.
 */
export function ioWait(backend: IoBackend, req: IoRequest, timeoutSeconds = -1): Operation<IoRequest> {
  return new IoWait(backend, req, timeoutSeconds < 0 ? -1 : timeoutSeconds * 1000);
}
