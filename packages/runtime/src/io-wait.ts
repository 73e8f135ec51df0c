/**
 * Parks a tasklet on an IO request. The backend's completion is delivered to
 * the waiting tasklet the way a channel send reaches a blocked receiver: the
 * tasklet is made runnable within the scheduler round that reaped it.
 * Killing the tasklet (or an expired timeout) cancels the request in the
 * backend, which keeps the buffer until the kernel has let go of it.
 *
 * {@link IoCall} is the reusable form: one object (and one request) serves
 * call after call on a socket, so a blocking receive or send allocates no
 * generator, no request and no closure. {@link ioWait} is the one-shot form.
 */
import { constants } from 'node:os';
import { IoOp, IoRequest, rightsHandles, type IoBackend, type IoOpCode } from './backend.js';
import type { TaskletCore } from './core.js';
import { RuntimeError } from './errors.js';
import { done as importedDone, SUSPENDED as importedSuspended, type Operation, type Suspend } from './operation.js';
import { S as importedS, wake as importedWake } from './scheduler.js';
import { refuseSwitch } from './switch-trap.js';
import type { TimerEntry } from './timer-heap.js';

// Module-level consts for the hot path: V8 reads an imported (live) binding
// through its import cell at every use; a const of this module is folded
// in (see packages/channel/src/ops.ts and bench/RESULTS.md, ping-pong).
const S = importedS;
const wake = importedWake;
const done = importedDone;
const SUSPENDED = importedSuspended;

const ECANCELED = constants.errno.ECANCELED;

/** Why a wait ended early: nothing, a timeout, or a kill (cancel()). */
const ACTIVE = 0;
const TIMED_OUT = 1;
const WITHDRAWN = 2;

/** Where a call is: free; prepared by a call and not yet run with yield*; submitted and not yet resumed. */
const IDLE = 0;
const ARMED = 1;
const WAITING = 2;

/**
 * The request of an IoCall that owns it: the backend sees an IoRequest, and
 * its done() is one function shared by every call, so the backend's
 * delivery loop calls a single target (V8 can inline it) rather than a
 * closure per call object.
 */
class CallRequest extends IoRequest {
  constructor(readonly call: IoCall<unknown>) {
    super(IoOp.RECV, -1, null, null, 0, deliverToCall);
  }
}

function deliverToCall(req: IoRequest): void {
  (req as CallRequest).call._completed();
}

/**
 * A blocking IO call that can be made again and again with one object: the
 * caller prepares the request ({@link IoCall.req}) and {@link IoCall.arm}s
 * the call, the tasklet runs it with `yield*`, and `finish()`
 * turns the completed request into the result (or throws). A subclass that
 * needs several requests for one call (a send of everything) calls
 * `again()` from finish().
 *
 * An object is {@link IoCall.busy} from arm() until its tasklet has resumed
 * and, after a kill or timeout, until the backend has let go of the request:
 * a caller that finds it busy (two tasklets on one socket) uses another one.
 *
 * @example
 * ```ts
 * import { currentBackend, IoCall, IoOp, osError, type IoRequest } from '@stackless-io/runtime';
 *
 * // Receives up to n bytes on a handle, call after call, with one object.
 * class Receive extends IoCall<Uint8Array> {
 *   start(handle: number, n: number): this {
 *     this.req.op = IoOp.RECV;
 *     this.req.handle = handle;
 *     this.req.buf = null; // the backend allocates, at the size received
 *     this.req.size = n;
 *     return this.arm(currentBackend(), -1);
 *   }
 *   protected finish(req: IoRequest): Uint8Array {
 *     if (req.result < 0) throw osError(req.result);
 *     return req.buf as Uint8Array;
 *   }
 * }
 * // in a tasklet: const data = yield* receive.start(h, 4096);
 * ```
 */
// Also the tasklet's Blocker and its timeout's TimerOwner (structurally: those
// interfaces are internal to the runtime).
export abstract class IoCall<T> implements Operation<T>, Iterator<Suspend, T, unknown> {
  /** The request this object submits; fill it in before {@link arm}. */
  readonly req: IoRequest;
  private backend: IoBackend | null = null;
  private timeoutMs = -1;
  private core: TaskletCore | null = null;
  private timer: TimerEntry | null = null;
  private state = ACTIVE;
  private phase = IDLE;
  /** The backend holds the request: submitted, done() not yet called. */
  private inBackend = false;
  /** done() came (with the tasklet not withdrawn) and the tasklet has not resumed yet. */
  private completed = false;
  /** finish() asked for another request. */
  private repeat = false;
  /** With `req`, the call submits that request (ioWait's one-shot use); without, a request of its own. */
  constructor(req?: IoRequest) {
    if (req === undefined) {
      this.req = new CallRequest(this as IoCall<unknown>);
    } else {
      this.req = req;
      req.done = () => this._completed();
    }
  }

  /** Turns the completed request into the call's result, or throws; may call `again()`. */
  protected abstract finish(req: IoRequest): T;

  /**
   * Runs when the tasklet starts the call (its first step under `yield*`),
   * before the request is submitted: a subclass checks and fills in the
   * request here (and may throw, as a generator's body would). Returns the
   * timeout in seconds (negative: none); by default the one given to arm().
   */
  protected prepare(): number {
    return this.timeoutMs < 0 ? -1 : this.timeoutMs / 1000;
  }

  /** In use: a new call must take another object. */
  get busy(): boolean {
    return this.phase !== IDLE || this.inBackend;
  }

  /**
   * Prepares a call of {@link req} on `backend` with a timeout in seconds
   * (negative: none) and returns this object, to run with `yield*`.
   */
  arm(backend: IoBackend, timeoutSeconds: number): this {
    this.backend = backend;
    this.timeoutMs = timeoutSeconds < 0 ? -1 : timeoutSeconds * 1000;
    this.phase = ARMED;
    return this;
  }

  /** From finish(): submit the request again (fields updated) with a new timeout in seconds, instead of returning. */
  protected again(timeoutSeconds: number): void {
    this.timeoutMs = timeoutSeconds < 0 ? -1 : timeoutSeconds * 1000;
    this.repeat = true;
  }

  /** The call is its own iterator: `yield* call` runs it. */
  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    return this;
  }

  /** The iterator protocol, driven by `yield*`: the first step submits and parks the tasklet; the next one returns the result. */
  next(): IteratorResult<Suspend, T> {
    if (this.phase === ARMED) {
      this.phase = IDLE;
      const t = this.prepare();
      this.timeoutMs = t < 0 ? -1 : t * 1000;
      return this.submit();
    }
    // A call run with yield* a second time has nothing more to give, as a
    // finished generator.
    if (this.phase !== WAITING) return done(undefined as T);
    this.phase = IDLE;
    this.completed = false;
    const value = this.finish(this.req);
    if (!this.repeat) return done(value);
    this.repeat = false;
    return this.submit();
  }

  /** An error raised into the waiting tasklet (a kill): the call ends, and the error goes on. */
  throw(error: unknown): IteratorResult<Suspend, T> {
    // Killed after the request completed but before the tasklet ran: nobody
    // will ever see the result, so a socket it created must not leak.
    if (this.completed) {
      const req = this.req;
      this.closeOrphans(req);
      this.completed = false;
    }
    this.phase = IDLE;
    throw error;
  }

  /** The waiting generator was returned from: the call ends. */
  return(value?: unknown): IteratorResult<Suspend, T> {
    this.phase = IDLE;
    return done(value as T);
  }

  private submit(): IteratorResult<Suspend, T> {
    const c = S.current;
    if (c === S.main && !S.mainSync) {
      throw new RuntimeError('IO operations block a tasklet: call them inside a tasklet, or from main through block(op)');
    }
    if (S.switchTrap !== 0) refuseSwitch();
    // The synchronous-completion path (IoBackend.tryNow): a request the
    // backend can finish at once (an ACCEPT with connections queued) ends
    // in this step, with no park and no scheduler round; a listener's whole
    // queue is then accepted in one go. finish() may ask for another
    // request (again()), which is tried the same way.
    const b = this.backend as IoBackend;
    if (b.tryNow !== undefined) {
      while (b.tryNow(this.req)) {
        const value = this.finish(this.req);
        if (!this.repeat) return done(value);
        this.repeat = false;
      }
    }
    this.phase = WAITING;
    this.state = ACTIVE;
    this.core = c;
    c.blocker = this;
    this.inBackend = true;
    b.submit(this.req);
    if (this.timeoutMs >= 0) this.timer = S.timers.add(this.timeoutMs, this);
    return SUSPENDED;
  }

  /** @internal The backend finished the request (from its poll()). */
  _completed(): void {
    this.inBackend = false;
    const req = this.req;
    if (this.state === WITHDRAWN) {
      // The tasklet was killed while waiting; a socket accepted meanwhile
      // (the cancel came too late) has no owner: close it.
      this.closeOrphans(req);
      return;
    }
    this.completed = true;
    if (this.timer !== null) {
      S.timers.cancel(this.timer);
      this.timer = null;
    }
    const c = this.core as TaskletCore;
    this.core = null;
    c.blocker = null;
    // A request that completed for real while its timeout expired keeps its
    // result: data the kernel already handed over must never be dropped.
    if (this.state === TIMED_OUT && req.result === -ECANCELED) req.result = TIMEOUT;
    wake(c);
  }

  /**
   * Closes the sockets a completed request brought that nobody will see (its
   * tasklet was killed): an accepted socket, the descriptors of a message
   * (SCM_RIGHTS).
   */
  private closeOrphans(req: IoRequest): void {
    if (req.result < 0) return;
    const b = this.backend as IoBackend;
    if (req.op === IoOp.ACCEPT) b.close(req.result);
    else if (req.op === IoOp.RECVMSG) for (const h of rightsHandles(req.ancillary)) if (h >= 0) b.close(h);
  }

  /** @internal The timeout expired first: cancel; the completion (-ECANCELED, or a late real one) resumes the tasklet. */
  onTimer(): void {
    this.timer = null;
    this.state = TIMED_OUT;
    (this.backend as IoBackend).cancel(this.req);
  }

  /** @internal The tasklet is killed: cancel and forget; the backend still completes the request (and frees its buffer). */
  cancel(): void {
    this.state = WITHDRAWN;
    this.core = null;
    if (this.timer !== null) {
      S.timers.cancel(this.timer);
      this.timer = null;
    }
    (this.backend as IoBackend).cancel(this.req);
  }

  /**
   * Cancels the request if the backend holds it (the socket is being
   * closed): the waiting tasklet resumes with the request's -ECANCELED.
   */
  cancelRequest(): void {
    if (this.inBackend && this.state !== WITHDRAWN) (this.backend as IoBackend).cancel(this.req);
  }

  /** @internal What the tasklet waits on, for deadlock reports. */
  describe(): string {
    return `IO request ${describeOp(this.req.op)} on handle ${this.req.handle}`;
  }
}

function describeOp(op: IoOpCode): string {
  for (const [name, code] of Object.entries(IoOp)) if (code === op) return name;
  return String(op);
}

/** ioWait's call: the completed request is the result. */
class RequestWait extends IoCall<IoRequest> {
  protected finish(req: IoRequest): IoRequest {
    return req;
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
  return new RequestWait(req).arm(backend, timeoutSeconds);
}
