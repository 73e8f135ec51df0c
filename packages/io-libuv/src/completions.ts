/**
 * The completion queue. A socket record finishes a request by putting it
 * here (result set); poll() hands the queue to the requests' done() in one
 * batch, as the contract asks: done() is never called from submit() nor from
 * a Node callback directly.
 */
import { IoOp, type IoRequest } from '@stackless-io/runtime';

/** The buffer of an allocating receive that ended with nothing (EOF, an error). */
export const EMPTY: Buffer = Buffer.alloc(0);

/**
 * IoRequest.token (the backend's own field) of a receive submitted with a
 * null buffer (IoRequest.size): the socket allocates its buffer when data
 * arrives. A mark on the request rather than a set of them: no lookup per
 * request.
 */
const ALLOCATING = 1;

/**
 * At most this many requests waiting (completed ones included), an event's
 * round runs at once rather than at the end of the turn (notify).
 */
const ROUND_NOW_MAX = 8;

export class Completions {
  private ready: IoRequest[] = [];
  /** Requests submitted and not yet delivered (finished-but-queued included). */
  inflight = 0;
  /** A scheduler round is due at the end of this turn of Node's loop (notify, kick). */
  private armed = false;

  /** Nesting depth of Node events being handled (hold/release): unrefs wait while it is above 0. */
  private holding = 0;
  /** Records whose unref waits for the end of the event (deferUnref). */
  private unrefs: { settleRef(): void; unrefDue: boolean }[] = [];

  constructor(private readonly wake: () => void) {}

  /**
   * A Node event is being handled (a socket's 'data'...): until release(),
   * and until the scheduler round the event asks for is over (notify), a
   * record whose last request finished keeps its Node objects ref'd. The
   * tasklet that request wakes most often waits on the socket again at
   * once, so an unref now would only be undone by a ref a moment later: two
   * calls into Node per request.
   */
  hold(): void {
    this.holding++;
  }

  /** The event is handled: with no round due, the records that still have nothing waiting let go of the process. */
  release(): void {
    if (--this.holding === 0 && !this.armed) this.settleUnrefs();
  }

  private settleUnrefs(): void {
    if (this.unrefs.length === 0) return;
    const list = this.unrefs;
    this.unrefs = [];
    for (const sock of list) sock.settleRef();
  }

  /** Defers `sock`'s unref to the end of the event or of the round due (release, onTurn); false when neither is under way (the caller unrefs now). */
  deferUnref(sock: { settleRef(): void; unrefDue: boolean }): boolean {
    if (this.holding === 0 && !this.armed) return false;
    if (!sock.unrefDue) {
      sock.unrefDue = true;
      this.unrefs.push(sock);
    }
    return true;
  }

  /** A request was submitted. */
  started(req: IoRequest): void {
    this.inflight++;
    req.token = req.buf === null && (req.op === IoOp.RECV || req.op === IoOp.RECVFROM) ? ALLOCATING : -1;
  }

  /** `req` has finished with `result`; it is delivered at the next poll(). */
  complete(req: IoRequest, result: number): void {
    if (req.token === ALLOCATING) {
      req.token = -1;
      // Nothing arrived, or a MSG_WAITALL receive (allocated at its full size) ended short.
      if (req.buf === null || result <= 0) req.buf = EMPTY;
      else if (req.buf.length !== result) req.buf = req.buf.subarray(0, result);
    }
    req.result = result;
    this.ready.push(req);
  }

  /**
   * Called last in a Node event handler that may have completed requests:
   * the scheduler runs one round for the whole turn of Node's loop, from a
   * setImmediate, so after every event of this poll phase and before the
   * loop polls again (its poll() delivers them all). One round per turn
   * rather than one per event: with many connections, a poll phase brings
   * the 'data' of tens or hundreds of them, and each round has a cost of its
   * own (timers, the backend's poll, the slice clock) beside the tasklets it
   * runs. But when so few requests wait that a turn can bring only a
   * few events, the round runs at once. Last in the handler, because the
   * round runs tasklets that may call back into this backend.
   */
  notify(): void {
    if (this.ready.length === 0) return;
    // With few requests waiting, few events can come in one turn (one
    // connection: one): the round then runs right here, as a handler's last
    // act, which saves the immediate.
    if (this.inflight <= ROUND_NOW_MAX && !this.armed) this.wake();
    else this.arm();
  }

  /**
   * For completions made outside Node's callbacks and maybe outside a
   * scheduler round (cancel from a kill in main, close from main): wake the
   * scheduler from the event loop soon, never from inside the caller.
   */
  kick(): void {
    if (this.ready.length > 0) this.arm();
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    setImmediate(this.onTurn);
  }

  private readonly onTurn = (): void => {
    this.armed = false;
    try {
      if (this.ready.length > 0) this.wake();
    } finally {
      if (this.holding === 0) this.settleUnrefs();
    }
  };

  /** Delivers every finished request; returns how many. */
  deliver(): number {
    const batch = this.ready;
    if (batch.length === 0) return 0;
    this.ready = [];
    this.inflight -= batch.length;
    for (let i = 0; i < batch.length; i++) {
      const req = batch[i] as IoRequest;
      try {
        req.done(req);
      } catch (e) {
        // The rest of the batch is delivered by the next poll().
        const rest = batch.slice(i + 1);
        this.inflight += rest.length;
        this.ready = rest.concat(this.ready);
        throw e;
      }
    }
    return batch.length;
  }

  /** Forgets every request (destroy()): none will be delivered. */
  drop(): void {
    this.unrefs = [];
    this.ready = [];
    this.inflight = 0;
  }
}
