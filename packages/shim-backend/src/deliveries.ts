/**
 * The answers the backend owes. Every submitted request counts as pending
 * until its done() has been called, and a finished request waits in the
 * ready list for the next poll() or wait(): completions reach `req.done`
 * only from there, never from submit(), cancel() or close().
 */
import type { IoRequest } from '@stackless-io/runtime';

/** The pending count and the ready list; the backend reads the counts directly. */
export class Deliveries {
  /** Requests submitted and not yet delivered. */
  pending = 0;
  /** Finished requests not yet delivered. */
  readyLen = 0;
  /** Finished requests whose done() the next poll() calls; the array is reused, so a request costs no allocation. */
  private ready: (IoRequest | null)[] = [];

  /** Adds a finished request (its result is set) to the ready list. */
  push(req: IoRequest): void {
    if (this.readyLen === this.ready.length) this.ready.push(req);
    else this.ready[this.readyLen] = req;
    this.readyLen++;
  }

  /** Calls done() of every finished request (including any finished meanwhile by a done() that submits); says how many. */
  deliver(): number {
    let i = 0;
    for (; i < this.readyLen; i++) {
      const req = this.ready[i]!;
      this.ready[i] = null;
      this.pending--;
      req.done(req);
    }
    this.readyLen = 0;
    return i;
  }

  /** Forgets every request (destroy()). */
  clear(): void {
    this.ready = [];
    this.readyLen = 0;
    this.pending = 0;
  }
}
