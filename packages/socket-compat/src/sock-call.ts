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
/** The kind's bits of `mode`. */
const KIND = 7;
/** In `mode`: the call does not wait (its requests carry MsgFlag.DONTWAIT, and an expired "timeout" is BlockingIOError). */
const NONBLOCKING = 8;

/**
 * One object per socket (two, or more, while tasklets share it) lives as
 * long as the socket, so it keeps few fields of its own: what a call gives
 * (the op, the buffer, the address, the size, Python's MSG_* flags until
 * prepare() turns them into the contract's) goes straight into the request,
 * which holds them anyway once submitted. 10,000 idle connections each keep
 * one such object, and every field is 8 bytes of each.
 */
export class SockCall extends IoCall<unknown> {
  /** The kind of call (RECV...RAW), plus NONBLOCKING once prepare() has run. */
  private mode = RECV;
  /** REQUEST and RAW: the timeout given; SENDALL: the socket's when the call started. */
  private timeout: number | null = null;
  /** SENDALL: when the socket's timeout runs out (performance.now()), 0 for none. */
  private deadline = 0;

  constructor(private readonly sock: CallSocket) {
    super();
  }

  /** recv(n): receives up to `n` bytes into a buffer allocated once they have arrived. */
  recv(n: number, flags: number): this {
    this.set(RECV, IoOp.RECV, flags, null, null, null);
    this.req.size = n;
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
    this.req.size = size;
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

  /**
   * Fills in the request for the call being armed. No request of this
   * object is in the backend now (takeCall() hands out only an object that
   * is not busy), so its fields are free. `flags` are Python's MSG_* flags
   * until prepare() checks and converts them, as CPython does when the call
   * runs.
   */
  private set(kind: number, op: IoOpCode, flags: number, data: Uint8Array | null, addr: SockAddr | null, timeout: number | null): void {
    this.mode = kind;
    this.timeout = timeout;
    const req = this.req;
    req.op = op;
    req.flags = flags;
    req.buf = data;
    req.addr = addr;
  }

  protected override prepare(): number {
    const req = this.req;
    const h = this.sock._fd();
    let bits = 0;
    let dontwait = false;
    const pyFlags = req.flags;
    if (pyFlags !== 0) {
      const m = msgFlags(pyFlags);
      bits = m.bits;
      dontwait = m.dontwait;
    }
    req.handle = h;
    req.flags = bits;
    const kind = this.mode & KIND;
    // MSG_DONTWAIT makes a call on a blocking socket one that does not
    // wait. With a timeout it changes nothing: CPython then waits for the
    // socket to be ready first, and again after each EAGAIN, until the
    // timeout expires (sock_call_ex).
    let t: number | null;
    if (kind === REQUEST || kind === RAW) {
      t = dontwait && this.timeout === null ? 0 : this.timeout;
    } else {
      t = this.sock._timeoutNow();
      if (kind === SENDALL) {
        this.timeout = t;
        this.deadline = t !== null && t > 0 ? performance.now() + t * 1000 : 0;
      }
      if (dontwait && t === null) t = 0;
    }
    this.mode = t === 0 ? kind | NONBLOCKING : kind;
    // A CONNECT cannot be tried once (socket-compat starts a non-blocking
    // one in connect.ts): with a timeout of 0 it keeps the expiring timer.
    if (t === 0 && req.op !== IoOp.CONNECT) {
      req.flags = bits | MsgFlag.DONTWAIT;
      return -1;
    }
    return t === null ? -1 : t;
  }

  protected finish(req: IoRequest): unknown {
    const res = req.result;
    const kind = this.mode & KIND;
    if (kind === RAW) return this.release(res);
    if (res < 0) {
      this.release(null);
      if (res === TIMEOUT) throw (this.mode & NONBLOCKING) !== 0 ? errorFor(EAGAIN) : timeoutError();
      if (this.sock._handleNow() !== req.handle && (res === -ECANCELED || res === -EBADF)) throw errorFor(EBADF);
      throw errorFor(-res);
    }
    switch (kind) {
      case RECV:
        return this.release(req.buf);
      case COUNT:
        return this.release(res);
      case SENDALL: {
        // req.buf is what is left to send: the caller's buffer, then views
        // of what the kernel has not taken yet.
        const rest = req.buf as Uint8Array;
        if (res >= rest.length) return this.release(undefined);
        let left = this.timeout;
        if (this.deadline !== 0) {
          left = (this.deadline - performance.now()) / 1000;
          if (left <= 0) {
            this.release(null);
            throw timeoutError();
          }
        }
        req.buf = rest.subarray(res);
        // A non-blocking sendall goes on with DONTWAIT (still in req.flags):
        // the next send answers -EAGAIN once the socket is full, as in CPython.
        this.again((this.mode & NONBLOCKING) !== 0 || left === null ? -1 : left);
        return undefined;
      }
      default:
        return req;
    }
  }

  /**
   * Lets go of the caller's buffers and address (a finished call must not
   * keep them alive) and returns `value`. A REQUEST's caller reads the
   * completed request, so it keeps them until the next call.
   */
  private release<V>(value: V): V {
    if ((this.mode & KIND) !== REQUEST) {
      const req = this.req;
      req.buf = null;
      req.addr = null;
    }
    return value;
  }
}
