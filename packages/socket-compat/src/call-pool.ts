/**
 * Which call object (sock-call.ts) one operation of a socket runs on. Two
 * reusable ones cover the common cases without allocating; a third tasklet
 * waiting on the same socket gets a call of its own, kept in a set so that
 * close() can still cancel it.
 */
import type { IoOpCode, IoRequest, Operation, SockAddr } from '@stackless-io/runtime';
import { SockCall } from './sock-call.js';
import type { socket } from './socket.js';

/**
 * A call object for one operation: a reusable one that is free, or, while
 * other tasklets use both, a new one that close() can still cancel.
 */
export function takeCall(sock: socket): SockCall {
  const c1 = sock._c1;
  if (c1 !== null && !c1.busy) return c1;
  if (c1 === null) return (sock._c1 = new SockCall(sock));
  const c2 = sock._c2;
  if (c2 !== null && !c2.busy) return c2;
  if (c2 === null) return (sock._c2 = new SockCall(sock));
  const more = (sock._more ??= new Set());
  for (const x of more) if (!x.busy) more.delete(x);
  const c = new SockCall(sock);
  more.add(c);
  return c;
}

/** Cancels the request of every call object the socket has made (its waiting tasklets then raise). */
export function cancelCalls(sock: socket): void {
  sock._c1?.cancelRequest();
  sock._c2?.cancelRequest();
  if (sock._more !== null) for (const c of sock._more) c.cancelRequest();
}

/**
 * Runs one request with the socket's timeout (null: none; 0: do not wait)
 * and returns it completed (read it before the next call). An expired
 * timeout raises `timeout`, or BlockingIOError(EAGAIN) in non-blocking
 * mode; closing the socket meanwhile raises OSError(EBADF).
 */
export function runRequest(sock: socket, op: IoOpCode, buf: Uint8Array | null, size: number, addr: SockAddr | null, flags: number): Operation<IoRequest> {
  return takeCall(sock).request(op, buf, size, addr, flags, sock._timeoutNow()) as Operation<unknown> as Operation<IoRequest>;
}
