/**
 * The completion queue. A socket record finishes a request by putting it
 * here (result set); poll() hands the queue to the requests' done() in one
 * batch, as the contract asks: done() is never called from submit() nor from
 * a Node callback directly.
 */
import { IoOp, type IoRequest } from '@stackless-io/runtime';

/** The buffer of an allocating receive that ended with nothing (EOF, an error). */
export const EMPTY: Buffer = Buffer.alloc(0);

export class Completions {
  private ready: IoRequest[] = [];
  /** Requests submitted and not yet delivered (finished-but-queued included). */
  inflight = 0;
  private kickArmed = false;
  /** Receives submitted with a null buffer (IoRequest.size): the socket allocates theirs when data arrives. */
  private readonly allocating = new Set<IoRequest>();

  constructor(private readonly wake: () => void) {}

  /** A request was submitted. */
  started(req: IoRequest): void {
    this.inflight++;
    if (req.buf === null && (req.op === IoOp.RECV || req.op === IoOp.RECVFROM)) this.allocating.add(req);
  }

  /** `req` has finished with `result`; it is delivered at the next poll(). */
  complete(req: IoRequest, result: number): void {
    if (this.allocating.size > 0 && this.allocating.delete(req)) {
      // Nothing arrived, or a MSG_WAITALL receive (allocated at its full size) ended short.
      if (req.buf === null || result <= 0) req.buf = EMPTY;
      else if (req.buf.length !== result) req.buf = req.buf.subarray(0, result);
    }
    req.result = result;
    this.ready.push(req);
  }

  /**
   * Called last in a Node event handler that may have completed requests: the
   * scheduler runs a round right away (its poll() delivers them). Last,
   * because the round runs tasklets that may call back into this backend.
   */
  notify(): void {
    if (this.ready.length > 0) this.wake();
  }

  /**
   * For completions made outside Node's callbacks and maybe outside a
   * scheduler round (cancel from a kill in main, close from main): wake the
   * scheduler from the event loop soon, never from inside the caller.
   */
  kick(): void {
    if (this.kickArmed || this.ready.length === 0) return;
    this.kickArmed = true;
    setImmediate(this.onKick);
  }

  private readonly onKick = (): void => {
    this.kickArmed = false;
    if (this.ready.length > 0) this.wake();
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
    this.allocating.clear();
    this.ready = [];
    this.inflight = 0;
  }
}
