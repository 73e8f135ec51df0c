/**
 * The socket object of Python's `socket` module, for tasklets. Setup calls
 * (bind with a numeric address, listen, options, names) answer at once;
 * everything that may wait is an operation, run with `yield*` inside a
 * tasklet: only that tasklet waits. The three timeout modes are CPython's:
 * null blocks the tasklet, 0 makes operations that would wait raise
 * BlockingIOError, and a positive number of seconds raises `timeout`
 * ("timed out") when it expires.
 */
import { constants } from 'node:os';
import {
  completed,
  currentBackend,
  IoOp,
  IoRequest,
  SockOpt,
  ValueError,
  TIMEOUT,
  waitFor,
  type IoBackend,
  type IoOpCode,
  type Operation,
  type SockAddr,
  type TaskletGenerator,
} from '@stackless-io/runtime';
import { addressNow, addressOp, familyConstant, parseAddress, toPython, type Address, type AddressLike, type ParsedAddress } from './address.js';
import * as C from './constants.js';
import { errno, errorFor, messageError, MemoryError, OSError, timeoutError } from './errors.js';
import { adopt, duplicate, fresh, release, resolve } from './handles.js';
import { toBytes, toCInt, toCIntStrict, toIndex, toSsize, toTimeout, toWritableBytes } from './pyargs.js';
import { pyrepr } from './pyrepr.js';
import { lingerInts, optionRoute, packInts, socketTypeOf, unpackInts } from './sockopt.js';
import { SockCall, type CallSocket } from './sock-call.js';
import { getdefaulttimeout } from './timeouts.js';
import { makefile, type MakefileOptions, type SocketFileLike } from './socket-file.js';
import { sendfile, type SendfileSource } from './sendfile.js';
import { cExact, cOne, cRange, pyArity } from './arity.js';

const { EAGAIN, EALREADY, EBADF, ECANCELED, ECONNABORTED, ECONNRESET, EINPROGRESS, EINVAL, EISCONN, EFAULT, EAFNOSUPPORT } = constants.errno;
const ESOCKTNOSUPPORT = errno('ESOCKTNOSUPPORT');

/** How a TCP handshake can fail after connect(2) returned EINPROGRESS (the others come at once). */
const ASYNC_CONNECT_ERRORS = new Set([constants.errno.ECONNREFUSED, constants.errno.ETIMEDOUT, ECONNRESET, constants.errno.EHOSTUNREACH]);

/** Largest buffer recv() allocates; CPython would raise MemoryError far beyond what a socket returns. */
const MAX_RECV = 0x7fffffff;

/** A non-blocking connect left running in the background (connect() raised EINPROGRESS). */
interface BackgroundConnect {
  done: boolean;
  result: number;
  /** Blocking connects waiting for it to end. */
  waiters: (() => void)[];
  /** getsockopt(SO_ERROR) has reported (and so cleared) the failure. */
  cleared: boolean;
}

function contractFamily(family: number): 'inet' | 'inet6' | 'unix' {
  if (family === C.AF_INET) return 'inet';
  if (family === C.AF_INET6) return 'inet6';
  if (family === C.AF_UNIX) return 'unix';
  throw errorFor(EAFNOSUPPORT);
}

function contractKind(type: number): 'stream' | 'dgram' {
  if (type === C.SOCK_STREAM) return 'stream';
  if (type === C.SOCK_DGRAM) return 'dgram';
  // Raw, RDM and seqpacket sockets exist on Linux, but the contract carries only these two.
  if (type === C.SOCK_RAW || type === C.SOCK_RDM || type === C.SOCK_SEQPACKET) throw errorFor(ESOCKTNOSUPPORT);
  throw errorFor(EINVAL);
}

/** The protocol number the kernel reports (SO_PROTOCOL) for a socket made with protocol 0. */
function defaultProto(family: number, type: number): number {
  if (family === C.AF_UNIX) return 0;
  return type === C.SOCK_STREAM ? C.IPPROTO_TCP : C.IPPROTO_UDP;
}

function check(res: number): number {
  if (res < 0) throw errorFor(-res);
  return res;
}

/**
 * A socket: `new socket(family = AF_INET, type = SOCK_STREAM, proto = 0,
 * fileno = null)`. With `fileno`, it takes over a descriptor socket-compat gave out
 * (from another socket's fileno() or detach()), finding family and type when
 * they are -1.
 *
 * @example
 * ```ts
 * import { spawn, useBackend } from '@stackless-io/runtime';
 * import { AF_INET, SOCK_STREAM, socket, withSocket } from '@stackless-io/socket-compat';
 * await useBackend();
 * await spawn(function* () {
 *   yield* withSocket(new socket(AF_INET, SOCK_STREAM), function* (s) {
 *     yield* s.connect(['127.0.0.1', 8080]);
 *     yield* s.sendall(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
 *     console.log(String(yield* s.recv(4096)));
 *   });
 * }).join();
 * ```
 */
export class socket implements CallSocket {
  /** @internal The backend the handle belongs to. */
  readonly _backend: IoBackend;
  /** The backend handle the socket's operations use; -1 once closed or detached. */
  private _h: number;
  /** The descriptor (fileno()): the handle's number, or a duplicate's own (handles.ts). */
  private _fdNumber: number;
  private readonly _family: number;
  private readonly _type: number;
  private readonly _proto: number;
  /** The protocol the kernel would report for SO_PROTOCOL. */
  private readonly _soProtocol: number;
  private _timeout: number | null;
  /** @internal makefile() objects still open (Python's _io_refs). */
  _io_refs = 0;
  /** @internal close() was called (Python's _closed). */
  _closed = false;
  private _listening = false;
  private _connected = false;
  private _background: BackgroundConnect | null = null;
  /**
   * The reusable calls (sock-call.ts), made at first use: one serves a
   * tasklet that receives and sends in turn (fewer objects touched per
   * request), the second a tasklet that sends while another receives.
   */
  private _c1: SockCall | null = null;
  private _c2: SockCall | null = null;
  /** Calls made while both reusable ones were busy (more tasklets waited on the socket). */
  private _more: Set<SockCall> | null = null;
  /** A non-blocking connect's request, until it ends. */
  private _bgReq: IoRequest | null = null;
  /** @internal One end of socketpair(): unnamed, as the kernel's pairs are. */
  _unnamed = false;
  /**
   * A connect with a timeout failed after EINPROGRESS. CPython learns such a
   * failure from getsockopt(SO_ERROR), which leaves the kernel socket
   * "connecting": its next connect(2) answers ECONNABORTED (and resets it)
   * and listen(2) answers EINVAL. Backends finish a connect as a blocking
   * connect(2) does, which resets the socket at once, so that state is kept
   * here.
   */
  private _abortedConnect = false;
  /** l_linger as last set: the contract's LINGER does not carry it while lingering is off. */
  private _lingerSeconds = 0;
  /** A bind() with a host name was made and not yet run with yield*. */
  private _unstartedBind = false;

  constructor(family: number = -1, type: number = -1, proto: number = -1, fileno: number | null = null) {
    pyArity('socket.__init__', arguments.length, ['family', 'type', 'proto', 'fileno'], 0, true);
    let fam = toCIntStrict(family);
    let typ = toCIntStrict(type);
    let pro = toCIntStrict(proto);
    const b = currentBackend();
    let nonblocking = false;
    if (fileno === null || fileno === undefined) {
      if (fam === -1) fam = C.AF_INET;
      if (typ === -1) typ = C.SOCK_STREAM;
      if (pro === -1) pro = 0;
      nonblocking = (typ & C.SOCK_NONBLOCK) !== 0;
      typ &= ~(C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
      this._h = check(b.socket(contractFamily(fam), contractKind(typ), pro));
      fresh(b, this._h);
      this._fdNumber = this._h;
    } else {
      const fd = toIndex(fileno);
      if (fd < 0) throw new ValueError('negative file descriptor');
      const h = resolve(b, fd);
      if (h < 0) throw errorFor(EBADF);
      const t = b.getsockopt(h, SockOpt.TYPE);
      if (typeof t === 'object') throw errorFor(t.errno);
      if (fam === -1) {
        const a = b.getsockname(h);
        if (typeof a === 'number') throw errorFor(-a);
        fam = familyConstant(a.family);
      }
      if (typ === -1) typ = socketTypeOf(t);
      typ &= ~(C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
      if (pro === -1) pro = defaultProto(fam, typ);
      this._h = adopt(b, fd);
      this._fdNumber = fd;
    }
    this._backend = b;
    this._family = fam;
    this._type = typ;
    this._proto = pro;
    this._soProtocol = pro !== 0 ? pro : defaultProto(fam, typ);
    this._timeout = nonblocking ? 0 : getdefaulttimeout();
  }

  /** The address family (AF_INET, AF_INET6, AF_UNIX). */
  get family(): number {
    return this._family;
  }

  /** The socket type (SOCK_STREAM, SOCK_DGRAM), without SOCK_NONBLOCK/SOCK_CLOEXEC. */
  get type(): number {
    return this._type;
  }

  /** The protocol given when the socket was made (0: the default one). */
  get proto(): number {
    return this._proto;
  }

  /** @internal The handle, or raises OSError(EBADF) once closed. */
  _fd(): number {
    if (this._unstartedBind) {
      throw new Error('bind() with a host name resolves it without blocking, so it is an operation: run it with yield* sock.bind(address)');
    }
    if (this._h < 0) throw errorFor(EBADF);
    return this._h;
  }

  /** @internal The handle now: -1 once closed or detached. */
  _handleNow(): number {
    return this._h;
  }

  /** @internal The timeout mode now (gettimeout()). */
  _timeoutNow(): number | null {
    return this._timeout;
  }

  /**
   * A call object for one operation: a reusable one that is free, or, while
   * other tasklets use both, a new one that close() can still cancel.
   */
  private _call(): SockCall {
    const c1 = this._c1;
    if (c1 !== null && !c1.busy) return c1;
    if (c1 === null) return (this._c1 = new SockCall(this));
    const c2 = this._c2;
    if (c2 !== null && !c2.busy) return c2;
    if (c2 === null) return (this._c2 = new SockCall(this));
    const more = (this._more ??= new Set());
    for (const x of more) if (!x.busy) more.delete(x);
    const c = new SockCall(this);
    more.add(c);
    return c;
  }

  /**
   * Runs one request with a timeout (null: none; 0: do not wait) and
   * returns it completed (read it before the next call). An expired timeout
   * raises `timeout`, or BlockingIOError(EAGAIN) in non-blocking mode;
   * closing the socket meanwhile raises OSError(EBADF).
   */
  private _wait(op: IoOpCode, buf: Uint8Array | null, size: number, addr: SockAddr | null, flags: number): Operation<IoRequest> {
    return this._call().request(op, buf, size, addr, flags, this._timeout) as Operation<unknown> as Operation<IoRequest>;
  }

  // ---- names and setup -------------------------------------------------

  /** The descriptor (Python's file descriptor), or -1 once closed or detached. */
  fileno(): number {
    cExact('socket.fileno', arguments.length, 0);
    return this._h < 0 ? -1 : this._fdNumber;
  }

  /**
   * Binds to a local address. A numeric host (or '', '<broadcast>', or an
   * AF_UNIX path) is bound at once and the returned operation has already
   * finished; a host name needs the resolver, so the returned operation
   * resolves it without blocking the scheduler and then binds. `yield*
   * sock.bind(address)` is right in both cases.
   */
  bind(address: AddressLike): Operation<void> {
    cOne('socket.bind', arguments.length);
    const p = parseAddress(this._family, address, 'bind');
    const sa = addressNow(p, 'bind');
    if (sa !== null) {
      this._bindTo(sa);
      return completed(undefined);
    }
    this._unstartedBind = true;
    return this._bindLater(p);
  }

  private *_bindLater(p: ParsedAddress): TaskletGenerator<void> {
    this._unstartedBind = false;
    this._bindTo(yield* addressOp(p, 'bind'));
  }

  private _bindTo(sa: SockAddr): void {
    check(this._backend.bind(this._fd(), sa));
  }

  /** Makes a stream socket accept connections; `backlog` defaults to min(SOMAXCONN, 128). */
  listen(backlog: number = Math.min(C.SOMAXCONN, 128)): void {
    cRange('listen', arguments.length, 0, 1);
    let n = toCInt(backlog);
    if (n < 0) n = 0;
    const h = this._fd();
    // A socket whose connect the kernel still counts as in progress (see
    // _abortedConnect and _background) is not "unconnected": EINVAL.
    if (this._abortedConnect || this._background !== null) throw errorFor(EINVAL);
    check(this._backend.listen(h, n));
    this._listening = true;
  }

  /** The socket's own address. */
  getsockname(): Address {
    cExact('socket.getsockname', arguments.length, 0);
    const a = this._backend.getsockname(this._fd());
    if (typeof a === 'number') throw errorFor(-a);
    return this._unnamed ? '' : (toPython(a) as Address);
  }

  /** The address of the connected peer. */
  getpeername(): Address {
    cExact('socket.getpeername', arguments.length, 0);
    const a = this._backend.getpeername(this._fd());
    if (typeof a === 'number') throw errorFor(-a);
    return this._unnamed ? '' : (toPython(a) as Address);
  }

  /** Shuts down reading (SHUT_RD), writing (SHUT_WR) or both (SHUT_RDWR). */
  shutdown(how: number): void {
    cOne('socket.shutdown', arguments.length);
    const n = toCIntStrict(how);
    const h = this._fd();
    if (n !== 0 && n !== 1 && n !== 2) throw errorFor(EINVAL);
    check(this._backend.shutdown(h, n));
  }

  /**
   * Reads an option: an int, or (with `buflen` > 0) the raw bytes, as
   * getsockopt(2) fills them. Options the backend contract carries:
   * SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, SO_BROADCAST, SO_RCVBUF,
   * SO_SNDBUF, SO_ERROR, SO_TYPE, SO_LINGER, SO_DOMAIN, SO_PROTOCOL,
   * SO_ACCEPTCONN, TCP_NODELAY, IPV6_V6ONLY; others raise OSError(ENOPROTOOPT).
   */
  getsockopt(level: number, optname: number): number;
  getsockopt(level: number, optname: number, buflen: number): number | Buffer;
  getsockopt(level: number, optname: number, buflen: number = 0): number | Buffer {
    cRange('getsockopt', arguments.length, 2, 3);
    const lv = toCInt(level);
    const opt = toCInt(optname);
    const len = toCInt(buflen);
    const h = this._fd();
    if (len !== 0 && (len < 0 || len > 1024)) throw messageError(OSError, 'getsockopt buflen out of range');
    const route = optionRoute(lv, opt, this._family, this._type, false);
    let ints: number[];
    if (route.kind === 'local') {
      ints = [route.optname === C.SO_DOMAIN ? this._family : route.optname === C.SO_PROTOCOL ? this._soProtocol : this._listening ? 1 : 0];
    } else if (route.code === SockOpt.ERROR && this._background !== null && this._background.done && this._background.result < 0 && !this._background.cleared) {
      // The failure of a connect left in the background is the pending error.
      this._background.cleared = true;
      ints = [-this._background.result];
    } else {
      const v = this._backend.getsockopt(h, route.code);
      if (typeof v === 'object') throw errorFor(v.errno);
      ints = route.code === SockOpt.LINGER ? lingerInts(v, this._lingerSeconds) : route.code === SockOpt.TYPE ? [socketTypeOf(v)] : [v];
    }
    if (len === 0) return ints[0]!;
    return packInts(ints, len);
  }

  /**
   * Sets an option from an int or from the bytes of its C value (struct
   * linger for SO_LINGER). `setsockopt(level, optname, null, optlen)` is
   * accepted as in Python. See {@link getsockopt} for the options carried.
   */
  setsockopt(level: number, optname: number, value: number | Uint8Array | null, optlen?: number): void {
    const argc = arguments.length;
    if (argc !== 3 && !(argc === 4 && value === null)) throw new TypeError(`setsockopt() takes exactly 3 arguments (${argc} given)`);
    const lv = toCInt(level);
    const opt = toCInt(optname);
    let bytes: Uint8Array | null = null;
    let intValue = 0;
    let isInt = false;
    if (value === null || value === undefined) {
      if (optlen === undefined) throw new TypeError("a bytes-like object is required, not 'NoneType'");
      const n = toCUInt(optlen);
      this._fd();
      optionRoute(lv, opt, this._family, this._type, true);
      // No buffer: the kernel reads optlen bytes from a null pointer.
      throw errorFor(n > 0 ? EFAULT : EINVAL);
    }
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      try {
        intValue = toCInt(value);
        isInt = true;
      } catch {
        // CPython then tries the bytes form, whose message is the one seen.
        throw new TypeError(`a bytes-like object is required, not 'int'`);
      }
    } else {
      bytes = toBytes(value);
    }
    const h = this._fd();
    const route = optionRoute(lv, opt, this._family, this._type, true);
    if (route.kind === 'local') throw errorFor(constants.errno.ENOPROTOOPT);
    const size = isInt ? 4 : bytes!.length;
    if (size < route.size) throw errorFor(EINVAL);
    let v: number;
    if (route.code === SockOpt.LINGER) {
      const [onoff, secs] = unpackInts(bytes!, 2) as [number, number];
      v = onoff === 0 ? -1 : Math.max(0, secs);
      check(this._backend.setsockopt(h, route.code, v));
      // Linux keeps l_linger when lingering is turned off.
      if (onoff !== 0) this._lingerSeconds = secs;
      return;
    } else {
      v = isInt ? intValue : unpackInts(bytes!, 1)[0]!;
    }
    check(this._backend.setsockopt(h, route.code, v));
  }

  // ---- timeouts ----------------------------------------------------------

  /** The timeout in seconds (Python's read-only `timeout` attribute). */
  get timeout(): number | null {
    return this._timeout;
  }

  /** The timeout in seconds: null (blocking), 0 (non-blocking) or > 0. */
  gettimeout(): number | null {
    cExact('socket.gettimeout', arguments.length, 0);
    return this._timeout;
  }

  /** Sets the timeout: null blocks, 0 is non-blocking, > 0 raises `timeout` after that many seconds. */
  settimeout(value: number | null): void {
    cOne('socket.settimeout', arguments.length);
    this._timeout = toTimeout(value);
    this._fd();
  }

  /** True unless the socket is non-blocking (timeout 0). */
  getblocking(): boolean {
    cExact('socket.getblocking', arguments.length, 0);
    return this._timeout !== 0;
  }

  /** setblocking(true) is settimeout(null); setblocking(false) is settimeout(0). */
  setblocking(flag: boolean | number): void {
    cOne('socket.setblocking', arguments.length);
    const on = toIndex(flag) !== 0;
    this._timeout = on ? null : 0;
    this._fd();
  }

  // ---- connections -------------------------------------------------------

  /** Waits for a connection; returns the new socket and the peer's address. */
  accept(): TaskletGenerator<[socket, Address]> {
    pyArity('socket.accept', arguments.length, [], 0, true);
    return this._accept();
  }

  private *_accept(): TaskletGenerator<[socket, Address]> {
    const req = yield* this._wait(IoOp.ACCEPT, null, 0, null, 0);
    fresh(this._backend, req.result);
    const conn = new socket(this._family, this._type, this._proto, req.result);
    conn._connected = true;
    return [conn, toPython(req.addr) as Address];
  }

  /** Connects to `address`, resolving a host name without blocking the scheduler. */
  connect(address: AddressLike): TaskletGenerator<void> {
    cOne('socket.connect', arguments.length);
    const p = parseAddress(this._family, address, 'connect');
    const now = addressNow(p, 'connect');
    return (function* (self: socket): TaskletGenerator<void> {
      const err = yield* self._connect(p, now, 'connect', true);
      if (err !== 0) throw errorFor(err);
    })(this);
  }

  /** Like connect(), but returns the errno (0 on success) instead of raising OSError for it. */
  connect_ex(address: AddressLike): TaskletGenerator<number> {
    cOne('socket.connect_ex', arguments.length);
    const p = parseAddress(this._family, address, 'connect_ex');
    return this._connect(p, addressNow(p, 'connect_ex'), 'connect_ex', false);
  }

  /** CPython's internal_connect(): 0 or an errno; with `raise`, a timeout raises instead of returning EAGAIN. */
  private *_connect(p: ParsedAddress, now: SockAddr | null, caller: string, raise: boolean): TaskletGenerator<number> {
    const sa = now ?? (yield* addressOp(p, caller));
    if (this._h < 0) return EBADF;
    const h = this._fd();
    const bg = this._background;
    if (bg !== null) {
      // Linux: a blocking connect waits for the one in progress to end; a
      // non-blocking one answers EALREADY. Then its result, once; then a new attempt.
      if (!bg.done && this._timeout === null) yield* waitFor(new Promise<void>((resolve) => bg.waiters.push(resolve)));
      if (!bg.done) return EALREADY;
      this._background = null;
      if (bg.result === 0) {
        this._connected = true;
        return 0;
      }
      return bg.cleared ? ECONNABORTED : -bg.result;
    }
    if (this._abortedConnect) {
      this._abortedConnect = false;
      return ECONNABORTED;
    }
    if (this._connected && this._type === C.SOCK_STREAM) return EISCONN;
    if (this._timeout === 0) return yield* this._connectNonBlocking(h, sa);
    const res = yield* this._connectWait(sa);
    if (res === TIMEOUT) {
      if (raise) throw timeoutError();
      return EAGAIN;
    }
    if (res < 0) {
      if (this._h !== h && (res === -ECANCELED || res === -EBADF)) return EBADF;
      const tcp = this._type === C.SOCK_STREAM && this._family !== C.AF_UNIX;
      if (tcp && this._timeout !== null && ASYNC_CONNECT_ERRORS.has(-res)) this._abortedConnect = true;
      return -res;
    }
    this._connected = true;
    return 0;
  }

  /** One CONNECT request with the socket's timeout: 0, -errno or TIMEOUT. */
  private _connectWait(sa: SockAddr): Operation<number> {
    return this._call().request(IoOp.CONNECT, null, 0, sa, 0, this._timeout, true) as Operation<unknown> as Operation<number>;
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
  private *_connectNonBlocking(h: number, sa: SockAddr): TaskletGenerator<number> {
    const state: BackgroundConnect = { done: false, result: 0, cleared: false, waiters: [] };
    let wake: (() => void) | null = null;
    const req = new IoRequest(IoOp.CONNECT, h, null, sa, 0, (r) => {
      state.done = true;
      state.result = r.result === -ECANCELED && this._h !== h ? -EBADF : r.result;
      if (this._bgReq === r) this._bgReq = null;
      wake?.();
      for (const w of state.waiters.splice(0)) w();
    });
    this._bgReq = req;
    this._backend.submit(req);
    const tcp = this._type === C.SOCK_STREAM && this._family !== C.AF_UNIX;
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
      this._background = state;
      return EINPROGRESS;
    }
    if (state.result < 0) return -state.result;
    this._connected = true;
    return 0;
  }

  // ---- data ----------------------------------------------------------------

  /** Receives up to `bufsize` bytes (empty at end of stream). */
  recv(bufsize: number, flags: number = 0): Operation<Buffer> {
    cRange('recv', arguments.length, 1, 2);
    const n = toSsize(bufsize);
    const f = toCInt(flags);
    if (n < 0) throw valueError('negative buffersize in recv');
    if (n > MAX_RECV) throw new MemoryError('');
    // The buffer is allocated once the data is there, at its size (IoRequest.size).
    return this._call().recv(n, f) as Operation<unknown> as Operation<Buffer>;
  }

  /** Receives into `buffer` (up to `nbytes`, 0: all of it); returns the byte count. */
  recv_into(buffer: Uint8Array | ArrayBufferView | ArrayBuffer, nbytes: number = 0, flags: number = 0): Operation<number> {
    if (arguments.length === 0) throw new TypeError("recv_into() missing required argument 'buffer' (pos 1)");
    cRange('recv_into', arguments.length, 1, 3);
    const b = toWritableBytes(buffer, 'recv_into');
    const n = toSsize(nbytes);
    const f = toCInt(flags);
    if (n < 0) throw valueError('negative buffersize in recv_into');
    if (n > b.length) throw valueError('buffer too small for requested bytes');
    return this._call().transfer(IoOp.RECV, n === 0 ? b : b.subarray(0, n), f) as Operation<unknown> as Operation<number>;
  }

  /** Receives up to `bufsize` bytes and the sender's address: `[data, address]`. */
  recvfrom(bufsize: number, flags: number = 0): TaskletGenerator<[Buffer, Address | null]> {
    cRange('recvfrom', arguments.length, 1, 2);
    const n = toSsize(bufsize);
    const f = toCInt(flags);
    if (n < 0) throw valueError('negative buffersize in recvfrom');
    if (n > MAX_RECV) throw new MemoryError('');
    return this._recvfrom(null, n, f);
  }

  /** Receives into `buffer` (up to `nbytes`, 0: all of it): `[nbytes, address]`. */
  recvfrom_into(buffer: Uint8Array | ArrayBufferView | ArrayBuffer, nbytes: number = 0, flags: number = 0): TaskletGenerator<[number, Address | null]> {
    if (arguments.length === 0) throw new TypeError("recvfrom_into() missing required argument 'buffer' (pos 1)");
    cRange('recvfrom_into', arguments.length, 1, 3);
    const b = toWritableBytes(buffer, 'recvfrom_into');
    const n = toSsize(nbytes);
    const f = toCInt(flags);
    if (n < 0) throw valueError('negative buffersize in recvfrom_into');
    if (n > b.length) throw valueError('nbytes is greater than the length of the buffer');
    return this._recvfrom(n === 0 ? b : b.subarray(0, n), 0, f) as TaskletGenerator<[unknown, Address | null]> as TaskletGenerator<[number, Address | null]>;
  }

  /** recvfrom (buf null: a new buffer of the datagram's size, at most `size`) and recvfrom_into (the count). */
  private *_recvfrom(buf: Uint8Array | null, size: number, flags: number): TaskletGenerator<[Buffer, Address | null]> {
    const req = yield* this._wait(IoOp.RECVFROM, buf, size, null, flags);
    // Linux fills in no address for a stream, nor for an unbound Unix-domain
    // sender; Python then gives None.
    const a = req.addr;
    const none = a === null || this._type === C.SOCK_STREAM || (a.family === 'unix' && a.path === '');
    const data = buf === null ? (req.buf as Buffer) : (req.result as unknown as Buffer);
    return [data, none ? null : toPython(a)];
  }

  /** Sends what the kernel takes of `data` now; returns the byte count (maybe fewer than all). */
  send(data: Uint8Array | ArrayBufferView | ArrayBuffer, flags: number = 0): Operation<number> {
    cRange('send', arguments.length, 1, 2);
    const b = toBytes(data);
    const f = toCInt(flags);
    return this._call().transfer(IoOp.SEND, b, f) as Operation<unknown> as Operation<number>;
  }

  /**
   * Sends all of `data`, waiting as the peer reads. The socket's timeout
   * covers the whole call; when it expires `timeout` is raised and how much
   * was sent is unknown, as in CPython.
   */
  sendall(data: Uint8Array | ArrayBufferView | ArrayBuffer, flags: number = 0): Operation<void> {
    cRange('sendall', arguments.length, 1, 2);
    const b = toBytes(data);
    const f = toCInt(flags);
    return this._call().sendall(b, f) as Operation<unknown> as Operation<void>;
  }

  /** Sends one datagram to `address`: `sendto(data, address)` or `sendto(data, flags, address)`. */
  sendto(data: Uint8Array | ArrayBufferView | ArrayBuffer, address: AddressLike): TaskletGenerator<number>;
  sendto(data: Uint8Array | ArrayBufferView | ArrayBuffer, flags: number, address: AddressLike): TaskletGenerator<number>;
  sendto(data: Uint8Array | ArrayBufferView | ArrayBuffer, flagsOrAddress: number | AddressLike, address?: AddressLike): TaskletGenerator<number> {
    const argc = arguments.length;
    if (argc !== 2 && argc !== 3) throw new TypeError(`sendto() takes 2 or 3 arguments (${argc} given)`);
    const b = toBytes(data);
    const f = argc === 3 ? toCInt(flagsOrAddress) : 0;
    const p = parseAddress(this._family, argc === 3 ? address : flagsOrAddress, 'sendto');
    const now = addressNow(p, 'sendto');
    return (function* (self: socket): TaskletGenerator<number> {
      const sa = now ?? (yield* addressOp(p, 'sendto'));
      const req = yield* self._wait(IoOp.SENDTO, b, 0, sa, f);
      return req.result;
    })(this);
  }

  /**
   * Sends a file's bytes (from `offset`, `count` of them or up to its end);
   * returns how many were sent. `file` is a file descriptor, a
   * fs.promises.FileHandle, or an object with `read(n)` (and `seek`, like a
   * Python file). The contract has no sendfile(2): the bytes are read with
   * Node's fs (the tasklet waits) and sent with send(), as CPython's own
   * fallback does.
   */
  sendfile(file: SendfileSource, offset: number = 0, count: number | null = null): TaskletGenerator<number> {
    pyArity('socket.sendfile', arguments.length, ['file', 'offset', 'count'], 1, true);
    return sendfile(this, file, offset, count);
  }

  // ---- files and lifetime ---------------------------------------------------

  /**
   * A file object over the socket: `'rb'`/`'wb'`/`'rwb'` give bytes, `'r'`/
   * `'w'` give text. Its reads and writes are operations (`yield*`); its
   * close() is an operation too, since it flushes. The socket is really
   * closed only when it and every file made from it are closed.
   */
  makefile(mode: string = 'r', buffering: number | null = null, options: MakefileOptions = {}): SocketFileLike {
    pyArity('socket.makefile', arguments.length, ['mode', 'buffering'], 0, true, 1);
    return makefile(this, mode, buffering, options);
  }

  /** @internal A file made by makefile() was closed (Python's _decref_socketios). */
  _decrefSocketios(): void {
    if (this._io_refs > 0) this._io_refs--;
    if (this._closed) this.close();
  }

  /** A new socket object on the same socket, with a descriptor of its own (handles.ts). */
  dup(): socket {
    pyArity('socket.dup', arguments.length, [], 0, true);
    this._fd();
    const d = check(duplicate(this._backend, this._fdNumber));
    const s = new socket(this._family, this._type, this._proto, d);
    s._timeout = this._timeout;
    s._connected = this._connected;
    s._listening = this._listening;
    return s;
  }

  /** Forgets the descriptor without closing it and returns it (-1 if closed); the socket object is then closed. */
  detach(): number {
    pyArity('socket.detach', arguments.length, [], 0, true);
    this._closed = true;
    if (this._h < 0) return -1;
    this._h = -1;
    this._cancelPending();
    // The object's ownership passes to the bare descriptor returned.
    return this._fdNumber;
  }

  /**
   * Closes the socket (once every makefile() object is closed too). Tasklets
   * blocked on it raise OSError(EBADF). Closing twice is fine.
   */
  close(): void {
    pyArity('socket.close', arguments.length, [], 0, true);
    this._closed = true;
    if (this._io_refs <= 0) this._realClose();
  }

  private _realClose(): void {
    if (this._h < 0) return;
    this._h = -1;
    this._cancelPending();
    const res = release(this._backend, this._fdNumber);
    if (res < 0 && res !== -ECONNRESET) throw errorFor(-res);
  }

  /** Other socket objects may keep the handle open: stop this object's own operations. */
  private _cancelPending(): void {
    this._c1?.cancelRequest();
    this._c2?.cancelRequest();
    if (this._more !== null) for (const c of this._more) c.cancelRequest();
    if (this._bgReq !== null) this._backend.cancel(this._bgReq);
  }

  /** Alias of {@link recv_into}. */
  recvInto(buffer: Uint8Array | ArrayBufferView | ArrayBuffer, nbytes: number = 0, flags: number = 0): Operation<number> {
    return this.recv_into(buffer, nbytes, flags);
  }

  /** Alias of {@link recvfrom_into}. */
  recvfromInto(buffer: Uint8Array | ArrayBufferView | ArrayBuffer, nbytes: number = 0, flags: number = 0): TaskletGenerator<[number, Address | null]> {
    return this.recvfrom_into(buffer, nbytes, flags);
  }

  /** Alias of {@link connect_ex}. */
  connectEx(address: AddressLike): TaskletGenerator<number> {
    return this.connect_ex(address);
  }

  /** `using`-style release: closes the socket. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Python's repr(): `<socket.socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 8080)>`. */
  toString(): string {
    let s = `<socket.socket${this._closed ? ' [closed]' : ''} fd=${this.fileno()}, family=${this._family}, type=${this._type}, proto=${this._proto}`;
    if (!this._closed && this._h >= 0) {
      for (const [label, get] of [
        ['laddr', () => this.getsockname()],
        ['raddr', () => this.getpeername()],
      ] as const) {
        try {
          const a = get();
          if (a !== '' && a !== null) s += `, ${label}=${pyrepr(a)}`;
        } catch {
          // repr() never fails: an address that cannot be had is left out.
        }
      }
    }
    return s + '>';
  }
}

/** Python's SocketType is the socket class. */
export const SocketType = socket;

function valueError(message: string): Error {
  return new ValueError(message);
}

/** An "I" (unsigned int) argument, wrapped as C does. */
function toCUInt(v: unknown): number {
  return toIndex(v) >>> 0;
}
