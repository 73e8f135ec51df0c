/**
 * socket.connect() and connect_ex(): CPython's internal_connect() over the
 * backend's CONNECT request, with the kernel's states that the backends do
 * not keep for us: a non-blocking connect left running in the background,
 * and a timed-out connect's failure that leaves the socket "connecting".
 */
import { constants } from 'node:os';
import { IoOp, IoRequest, TIMEOUT, waitFor, type Operation, type SockAddr, type TaskletGenerator } from '@stackless-io/runtime';
import { addressNow, addressOp, parseAddress, type AddressLike, type ParsedAddress } from './address.js';
import { takeCall } from './call-pool.js';
import * as C from './constants.js';
import { errorFor, timeoutError } from './errors.js';
import type { socket } from './socket.js';

const { EAGAIN, EALREADY, EBADF, ECANCELED, ECONNABORTED, ECONNRESET, EINPROGRESS, EISCONN } = constants.errno;

/** How a TCP handshake can fail after connect(2) returned EINPROGRESS (the others come at once). */
const ASYNC_CONNECT_ERRORS = new Set([constants.errno.ECONNREFUSED, constants.errno.ETIMEDOUT, ECONNRESET, constants.errno.EHOSTUNREACH]);

/** A non-blocking connect left running in the background (connect() raised EINPROGRESS). */
export interface BackgroundConnect {
  done: boolean;
  result: number;
  /** Blocking connects waiting for it to end. */
  waiters: (() => void)[];
  /** getsockopt(SO_ERROR) has reported (and so cleared) the failure. */
  cleared: boolean;
}

/** socket.connect(address) once its arity is checked: raises the errno internal_connect() gives. */
export function connect(sock: socket, address: AddressLike): TaskletGenerator<void> {
  const p = parseAddress(sock._family, address, 'connect');
  const now = addressNow(p, 'connect');
  return connectRaising(sock, p, now);
}

/** socket.connect_ex(address) once its arity is checked: the errno, 0 on success. */
export function connectEx(sock: socket, address: AddressLike): TaskletGenerator<number> {
  const p = parseAddress(sock._family, address, 'connect_ex');
  return internalConnect(sock, p, addressNow(p, 'connect_ex'), 'connect_ex', false);
}

function* connectRaising(sock: socket, p: ParsedAddress, now: SockAddr | null): TaskletGenerator<void> {
  const err = yield* internalConnect(sock, p, now, 'connect', true);
  if (err !== 0) throw errorFor(err);
}

/** CPython's internal_connect(): 0 or an errno; with `raise`, a timeout raises instead of returning EAGAIN. */
function* internalConnect(sock: socket, p: ParsedAddress, now: SockAddr | null, caller: string, raise: boolean): TaskletGenerator<number> {
  const sa = now ?? (yield* addressOp(p, caller));
  if (sock._handleNow() < 0) return EBADF;
  const h = sock._fd();
  const bg = sock._background;
  if (bg !== null) {
    // Linux: a blocking connect waits for the one in progress to end; a
    // non-blocking one answers EALREADY. Then its result, once; then a new attempt.
    if (!bg.done && sock._timeoutNow() === null) yield* waitFor(new Promise<void>((resolve) => bg.waiters.push(resolve)));
    if (!bg.done) return EALREADY;
    sock._background = null;
    if (bg.result === 0) {
      sock._connected = true;
      return 0;
    }
    return bg.cleared ? ECONNABORTED : -bg.result;
  }
  if (sock._abortedConnect) {
    sock._abortedConnect = false;
    return ECONNABORTED;
  }
  if (sock._connected && sock._type === C.SOCK_STREAM) return EISCONN;
  if (sock._timeoutNow() === 0) return yield* connectNonBlocking(sock, h, sa);
  const res = yield* connectWait(sock, sa);
  if (res === TIMEOUT) {
    if (raise) throw timeoutError();
    return EAGAIN;
  }
  if (res < 0) {
    if (sock._handleNow() !== h && (res === -ECANCELED || res === -EBADF)) return EBADF;
    const tcp = sock._type === C.SOCK_STREAM && sock._family !== C.AF_UNIX;
    if (tcp && sock._timeoutNow() !== null && ASYNC_CONNECT_ERRORS.has(-res)) sock._abortedConnect = true;
    return -res;
  }
  sock._connected = true;
  return 0;
}

/** One CONNECT request with the socket's timeout: 0, -errno or TIMEOUT. */
function connectWait(sock: socket, sa: SockAddr): Operation<number> {
  return takeCall(sock).request(IoOp.CONNECT, null, 0, sa, 0, sock._timeoutNow(), true) as Operation<unknown> as Operation<number>;
}

/**
 * A non-blocking connect. A TCP connect gets the rest of this scheduler
 * round, so that the backend has made the connect(2) call before this one
 * returns (a later listen() must find the socket connecting, as in the
 * kernel). It needs a round trip, so connect(2) answers EINPROGRESS at
 * once on every system, even when the handshake was quick enough to end
 * within the round: its outcome is kept for the next connect() call
 * (0 once, then EISCONN), as the kernel does; its immediate failures are
 * answered at once. Other connects (Unix-domain, datagram) are answered
 * as they ended.
 */
function* connectNonBlocking(sock: socket, h: number, sa: SockAddr): TaskletGenerator<number> {
  const state: BackgroundConnect = { done: false, result: 0, cleared: false, waiters: [] };
  let wake: (() => void) | null = null;
  const req = new IoRequest(IoOp.CONNECT, h, null, sa, 0, (r) => {
    state.done = true;
    state.result = r.result === -ECANCELED && sock._handleNow() !== h ? -EBADF : r.result;
    if (sock._bgReq === r) sock._bgReq = null;
    wake?.();
    for (const w of state.waiters.splice(0)) w();
  });
  sock._bgReq = req;
  sock._backend.submit(req);
  const tcp = sock._type === C.SOCK_STREAM && sock._family !== C.AF_UNIX;
  // Only TCP waits for the network: other connects end inside the kernel
  // call, so their completion is awaited however many rounds the backend
  // takes to deliver it (libuv's pipes take a few).
  yield* waitFor(
    new Promise<void>((resolve) => {
      wake = resolve;
      if (tcp) setImmediate(resolve);
    }),
  );
  wake = null;
  if (!state.done || (tcp && (state.result === 0 || ASYNC_CONNECT_ERRORS.has(-state.result)))) {
    sock._background = state;
    return EINPROGRESS;
  }
  if (state.result < 0) return -state.result;
  sock._connected = true;
  return 0;
}
