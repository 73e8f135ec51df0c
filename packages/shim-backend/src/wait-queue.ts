/**
 * Requests waiting for a slot or arena memory. Waiting keeps the order of
 * requests on one socket and direction (as the shim does), but does not
 * hold up other sockets: a receive waiting for memory must not stop the
 * send that would let another receive finish.
 */
import { IoOp, type IoRequest } from '@stackless-io/runtime';
import type { FdTable } from './fd-table.js';

/** req.token of a request waiting for a slot or arena memory. */
export const WAITING = -2;

/** The socket and direction of a request: requests with one key complete in order. */
function waitKey(req: IoRequest): number {
  const op = req.op;
  const read = op === IoOp.RECV || op === IoOp.RECVFROM || op === IoOp.RECVMSG || op === IoOp.ACCEPT || op === IoOp.POLL_IN;
  return req.handle * 2 + (read ? 0 : 1);
}

/** The waiting requests, oldest first, and how many wait per socket and direction. */
export class WaitQueue {
  private list: IoRequest[] = [];
  /** How many of them wait per socket and direction (key: handle * 2 + side). */
  private readonly perKey = new Map<number, number>();

  /** Requests waiting. */
  get length(): number {
    return this.list.length;
  }

  /** True when a request of req's socket and direction waits already: req must wait behind it. */
  mustWait(req: IoRequest): boolean {
    return this.list.length > 0 && this.perKey.has(waitKey(req));
  }

  /** Queues req behind every waiting request and marks it WAITING. */
  add(req: IoRequest): void {
    req.token = WAITING;
    this.list.push(req);
    const key = waitKey(req);
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
  }

  /** Takes req out of the queue; false when it was not in it. */
  remove(req: IoRequest): boolean {
    const i = this.list.indexOf(req);
    if (i < 0) return false;
    this.list.splice(i, 1);
    this.uncount(waitKey(req));
    return true;
  }

  /** Takes out and returns, oldest first, every request of `handle` (close() ends them). */
  removeHandle(handle: number): IoRequest[] {
    const keep: IoRequest[] = [];
    const gone: IoRequest[] = [];
    for (const r of this.list) {
      if (r.handle === handle) gone.push(r);
      else keep.push(r);
    }
    this.list = keep;
    this.perKey.delete(handle * 2);
    this.perKey.delete(handle * 2 + 1);
    return gone;
  }

  /**
   * Starts waiting requests, oldest first, while resources allow, skipping
   * those behind a request of the same socket and direction that could not
   * start. `start` says whether a request started (false: it still waits).
   * Says whether any started.
   */
  admit(open: FdTable, start: (req: IoRequest, type: number) => boolean): boolean {
    let any = false;
    const keep: IoRequest[] = [];
    const stuck = new Set<number>();
    for (const req of this.list) {
      const key = waitKey(req);
      const type = open.get(req.handle);
      // close() takes the requests of its handle out of the queue.
      if (type === 0) throw new Error('shim backend: a waiting request outlived its handle');
      if (stuck.has(key) || !start(req, type)) {
        stuck.add(key);
        keep.push(req);
      } else {
        this.uncount(key);
        any = true;
      }
    }
    this.list = keep;
    return any;
  }

  /** Forgets every request (destroy()). */
  clear(): void {
    this.list = [];
    this.perKey.clear();
  }

  private uncount(key: number): void {
    const n = this.perKey.get(key)!;
    if (n > 1) this.perKey.set(key, n - 1);
    else this.perKey.delete(key);
  }
}
