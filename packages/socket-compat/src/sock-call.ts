/**
 * The operation objects behind a socket's blocking calls. A socket reuses
 * them call after call, so `yield* sock.recv(n)` or `yield* sock.sendall(data)`
 * allocates no generator, request or closure: a tasklet that receives and
 * sends in turn (the echo server) uses one object for both. While one
 * tasklet waits on the socket, another gets the second reusable object; more
 * tasklets at once get call objects of their own.
 *
 * Checks that CPython makes when the call runs (a closed socket, flags)
 * happen in prepare(), when the tasklet starts the call under `yield*`, as
 * they did in a generator's body.
 *
 * A call that must not wait (a non-blocking socket, MSG_DONTWAIT) sends its
 * request with MsgFlag.DONTWAIT and no timeout: the backend tries it once
 * and answers -EAGAIN where it would wait, and a send offers the kernel the
 * whole buffer, as CPython's non-blocking send does (backend.ts, "Not
 * waiting").
 */
import { constants } from 'node:os';
import { IoCall, IoOp, MsgFlag, TIMEOUT, type AncillaryItem, type IoBackend, type IoOpCode, type IoRequest, type Operation, type SockAddr } from '@stackless-io/runtime';
import { errorFor, timeoutError } from './errors.js';
import { msgFlags } from './sockopt.js';

const { EAGAIN, EBADF, ECANCELED } = constants.errno;

/** What a call needs of its socket. */
export interface CallSocket {
  readonly _backend: IoBackend;
  /** The handle, or raises OSError(EBADF) once closed. */
  _fd(): number;
  /** The handle now (-1 once closed): a call whose handle changed was cut short by close(). */
  _handleNow(): number;
  /** The socket's timeout (null: blocking; 0: non-blocking; seconds). */
  _timeoutNow(): number | null;
}

/** recv(n): a new Buffer of the bytes received. */
const RECV = 0;
/** recv_into(buf), send(data): the byte count. */
const COUNT = 1;
/** sendall(data): undefined once every byte is sent. */
const SENDALL = 2;
/** Any request, with the timeout given: the completed request (errors raised). */
const REQUEST = 3;
/** Any request, with the timeout given: the raw result (-errno or TIMEOUT, nothing raised). */
const RAW = 4;

export class SockCall extends IoCall<unknown> {
  private kind = RECV;
  private op: IoOpCode = IoOp.RECV;
  /** The Python MSG_* flags, checked at the start of the call. */
  private pyFlags = 0;
  /** RECV: the most bytes to receive. */
  private size = 0;
  /** The buffer received into or sent from. */
  private data: Uint8Array | null = null;
  private addr: SockAddr | null = null;
  /** REQUEST and RAW: the timeout given; SENDALL: the socket's when the call started. */
  private timeout: number | null = null;
  /** SENDALL: bytes sent so far, and when the socket's timeout runs out (performance.now()). */
  private sent = 0;
  private deadline = 0;
  /** The call does not wait: its requests carry MsgFlag.DONTWAIT (and an expired "timeout" would be BlockingIOError). */
  private nonblocking = false;
  private handle = -1;

  constructor(private readonly sock: CallSocket) {
    super();
  }

  /** recv(n): receives up to `n` bytes into a buffer allocated once they have arrived. */
  recv(n: number, flags: number): this {
    this.set(RECV, IoOp.RECV, flags, null, null, null);
    this.size = n;
    return this.arm(this.sock._backend, -1);
  }

  /** recv_into(buf) (a count) or send(data) (a count). */
  transfer(op: IoOpCode, buf: Uint8Array, flags: number): this {
    this.set(COUNT, op, flags, buf, null, null);
    return this.arm(this.sock._backend, -1);
  }

  /** sendall(data): every byte, the socket's timeout covering the whole call. */
  sendall(data: Uint8Array, flags: number): this {
    this.set(SENDALL, IoOp.SEND, flags, data, null, null);
    return this.arm(this.sock._backend, -1);
  }

  /**
   * Any request with an explicit timeout. `raw`: the result is req.result
   * as it came (-errno or TIMEOUT); otherwise errors are raised and the
   * completed request is the result (read it before the next call). A RECV
   * or RECVFROM with `buf` null receives up to `size` bytes into a buffer
   * allocated for them.
   */
  request(op: IoOpCode, buf: Uint8Array | null, size: number, addr: SockAddr | null, flags: number, timeout: number | null, raw = false): this {
    this.set(raw ? RAW : REQUEST, op, flags, buf, addr, timeout);
    this.size = size;
    return this.arm(this.sock._backend, -1);
  }

  /**
   * A SENDMSG or RECVMSG (a request, errors raised): `ancillary` to send,
   * or `ancSize` bytes of control room to receive into. Set on the request
   * here, since no other call of this object reads them.
   */
  message(op: IoOpCode, buf: Uint8Array | null, size: number, addr: SockAddr | null, flags: number, timeout: number | null, ancillary: AncillaryItem[] | null, ancSize: number): Operation<IoRequest> {
    this.req.ancillary = ancillary;
    this.req.ancSize = ancSize;
    return this.request(op, buf, size, addr, flags, timeout) as Operation<unknown> as Operation<IoRequest>;
  }

  /**
   * A SENDFILE of up to `size` bytes of the file descriptor `fileFd` from
   * `offset`, with the timeout given: the raw result (bytes, -errno or
   * TIMEOUT, nothing raised), so that the caller can fall back on reading
   * and sending where the backend cannot.
   */
  sendfile(fileFd: number, offset: number, size: number, timeout: number | null): Operation<number> {
    this.req.fileFd = fileFd;
    this.req.offset = offset;
    return this.request(IoOp.SENDFILE, null, size, null, 0, timeout, true) as Operation<unknown> as Operation<number>;
  }

  private set(kind: number, op: IoOpCode, flags: number, data: Uint8Array | null, addr: SockAddr | null, timeout: number | null): void {
    this.kind = kind;
    this.op = op;
    this.pyFlags = flags;
    this.data = data;
    this.addr = addr;
    this.timeout = timeout;
  }

  protected override prepare(): number {
    const h = this.sock._fd();
    let bits = 0;
    let dontwait = false;
    if (this.pyFlags !== 0) {
      const m = msgFlags(this.pyFlags);
      bits = m.bits;
      dontwait = m.dontwait;
    }
    const req = this.req;
    req.op = this.op;
    req.handle = h;
    req.flags = bits;
    req.addr = this.addr;
    req.buf = this.data;
    req.size = this.size;
    this.handle = h;
    // MSG_DONTWAIT makes a call on a blocking socket one that does not
    // wait. With a timeout it changes nothing: CPython then waits for the
    // socket to be ready first, and again after each EAGAIN, until the
    // timeout expires (sock_call_ex).
    let t: number | null;
    if (this.kind === REQUEST || this.kind === RAW) {
      t = dontwait && this.timeout === null ? 0 : this.timeout;
    } else {
      t = this.sock._timeoutNow();
      if (this.kind === SENDALL) {
        this.timeout = t;
        this.sent = 0;
        this.deadline = t !== null && t > 0 ? performance.now() + t * 1000 : 0;
      }
      if (dontwait && t === null) t = 0;
    }
    this.nonblocking = t === 0;
    // A CONNECT cannot be tried once (socket-compat starts a non-blocking
    // one in connect.ts): with a timeout of 0 it keeps the expiring timer.
    if (t === 0 && this.op !== IoOp.CONNECT) {
      req.flags = bits | MsgFlag.DONTWAIT;
      return -1;
    }
    return t === null ? -1 : t;
  }

  protected finish(req: IoRequest): unknown {
    const res = req.result;
    const kind = this.kind;
    if (kind === RAW) return this.release(res);
    if (res < 0) {
      this.release(null);
      if (res === TIMEOUT) throw this.nonblocking ? errorFor(EAGAIN) : timeoutError();
      if (this.sock._handleNow() !== this.handle && (res === -ECANCELED || res === -EBADF)) throw errorFor(EBADF);
      throw errorFor(-res);
    }
    switch (kind) {
      case RECV:
        return this.release(req.buf);
      case COUNT:
        return this.release(res);
      case SENDALL: {
        const data = this.data as Uint8Array;
        this.sent += res;
        if (this.sent >= data.length) return this.release(undefined);
        let left = this.timeout;
        if (this.deadline !== 0) {
          left = (this.deadline - performance.now()) / 1000;
          if (left <= 0) {
            this.release(null);
            throw timeoutError();
          }
        }
        req.buf = data.subarray(this.sent);
        // A non-blocking sendall goes on with DONTWAIT (still in req.flags):
        // the next send answers -EAGAIN once the socket is full, as in CPython.
        this.again(this.nonblocking || left === null ? -1 : left);
        return undefined;
      }
      default:
        return req;
    }
  }

  /** Lets go of the caller's buffers (a finished call must not keep them alive) and returns `value`. */
  private release<V>(value: V): V {
    this.data = null;
    this.addr = null;
    if (this.kind !== REQUEST) this.req.buf = null;
    return value;
  }
}
