/**
 * The socket object of Python's `socket` module, for tasklets. Setup calls
 * (bind with a numeric address, listen, options, names) answer at once;
 * everything that may wait is an operation, run with `yield*` inside a
 * tasklet: only that tasklet waits. The three timeout modes are CPython's:
 * null blocks the tasklet, 0 makes operations that would wait raise
 * BlockingIOError, and a positive number of seconds raises `timeout`
 * ("timed out") when it expires.
 */
import type { Int } from './pyargs.js';
import { constants } from 'node:os';
import { IoOp, type IoBackend, type IoRequest, type Operation, type TaskletGenerator } from '@stackless-io/runtime';
import { toPython, type Address, type AddressLike } from './address.js';
import { cExact, cOne, cRange, pyArity } from './arity.js';
import { bind } from './bind.js';
import { cancelCalls, runRequest } from './call-pool.js';
import { check } from './check.js';
import { connect, connectEx, type BackgroundConnect } from './connect.js';
import * as C from './constants.js';
import { errorFor } from './errors.js';
import { duplicate, fresh, release } from './handles.js';
import { toCInt, toCIntStrict, toIndex, toTimeout } from './pyargs.js';
import type { SockCall } from './sock-call.js';
import { makefile, type MakefileOptions, type SocketFileLike } from './socket-file.js';
import { getsockopt, setsockopt } from './socket-options.js';
import { openSocket, type OpenedSocket } from './socket-open.js';
import { socketRepr } from './socket-repr.js';
import { SocketRare } from './socket-rare.js';
import { sendfile, type SendfileSource } from './sendfile.js';
import { getdefaulttimeout } from './timeouts.js';
import { toMember } from './intenum.js';
import { AddressFamily, SocketKind } from './module-constants.js';
import { recv, recvfrom, recvfromInto, recvInto, send, sendall, sendto } from './transfer.js';
import { recvmsg, recvmsgInto, sendmsg, type Ancillary } from './messages.js';
import { sendmsgAfalg, type AfalgOptions } from './afalg.js';

const { EBADF, ECONNRESET, EINVAL } = constants.errno;

/**
 * What accept() knows of the socket it is about to construct (set just
 * before `new socket(...)`, taken by the constructor at once), so that the
 * constructor need not ask the backend what it already knows.
 */
let acceptedNext: OpenedSocket | null = null;

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
export class socket {
  /** @internal The backend the handle belongs to. */
  readonly _backend: IoBackend;
  /** The backend handle the socket's operations use; -1 once closed or detached. */
  private _h: number;
  /** The descriptor (fileno()): the handle's number, or a duplicate's own (handles.ts). */
  private _fdNumber: number;
  /** @internal The address family as a plain number (`family` gives it as CPython does: a member of AddressFamily). */
  readonly _family: number;
  /** @internal The socket type as a plain number, without SOCK_NONBLOCK/SOCK_CLOEXEC. */
  readonly _type: number;
  private readonly _proto: number;
  /** @internal The protocol the kernel would report for SO_PROTOCOL. */
  readonly _soProtocol: number;
  private _timeout: number | null;
  /** @internal makefile() objects still open (Python's _io_refs). */
  _io_refs = 0;
  /** @internal close() was called (Python's _closed). */
  _closed = false;
  /** @internal A connect succeeded, or the socket came from accept(). */
  _connected = false;
  /**
   * @internal The reusable calls (sock-call.ts, call-pool.ts), made at
   * first use: one serves a tasklet that receives and sends in turn (fewer
   * objects touched per request), the second a tasklet that sends while
   * another receives.
   */
  _c1: SockCall | null = null;
  /** @internal The second reusable call. */
  _c2: SockCall | null = null;
  /** What only some sockets need (socket-rare.ts), made at first use; the accessors below read and write it. */
  private _x: SocketRare | null = null;

  /** The rare state, made now if it was not yet. */
  private _rare(): SocketRare {
    return (this._x ??= new SocketRare());
  }

  /** @internal A non-blocking connect left running (connect.ts), until a connect() collects its result. */
  get _background(): BackgroundConnect | null {
    return this._x === null ? null : this._x.background;
  }
  /** @internal The rare-state object is made only for a value other than the default. */
  set _background(v: BackgroundConnect | null) {
    if (v !== null || this._x !== null) this._rare().background = v;
  }

  /** @internal Calls made while both reusable ones were busy (more tasklets waited on the socket). */
  get _more(): Set<SockCall> | null {
    return this._x === null ? null : this._x.more;
  }
  /** @internal The rare-state object is made only for a value other than the default. */
  set _more(v: Set<SockCall> | null) {
    if (v !== null || this._x !== null) this._rare().more = v;
  }

  /** @internal A non-blocking connect's request, until it ends. */
  get _bgReq(): IoRequest | null {
    return this._x === null ? null : this._x.bgReq;
  }
  /** @internal The rare-state object is made only for a value other than the default. */
  set _bgReq(v: IoRequest | null) {
    if (v !== null || this._x !== null) this._rare().bgReq = v;
  }

  /** @internal One end of socketpair(): unnamed, as the kernel's pairs are. */
  get _unnamed(): boolean {
    return this._x !== null && this._x.unnamed;
  }
  /** @internal The rare-state object is made only for a value other than the default. */
  set _unnamed(v: boolean) {
    if (v || this._x !== null) this._rare().unnamed = v;
  }

  /**
   * @internal A connect with a timeout failed after EINPROGRESS. CPython
   * learns such a failure from getsockopt(SO_ERROR), which leaves the
   * kernel socket "connecting": its next connect(2) answers ECONNABORTED
   * (and resets it) and listen(2) answers EINVAL. Backends finish a connect
   * as a blocking connect(2) does, which resets the socket at once, so that
   * state is kept here (connect.ts).
   */
  get _abortedConnect(): boolean {
    return this._x !== null && this._x.abortedConnect;
  }
  /** @internal The rare-state object is made only for a value other than the default. */
  set _abortedConnect(v: boolean) {
    if (v || this._x !== null) this._rare().abortedConnect = v;
  }

  /** @internal A bind() with a host name was made and not yet run with yield* (bind.ts). */
  get _unstartedBind(): boolean {
    return this._x !== null && this._x.unstartedBind;
  }
  /** @internal The rare-state object is made only for a value other than the default. */
  set _unstartedBind(v: boolean) {
    if (v || this._x !== null) this._rare().unstartedBind = v;
  }

  constructor(family: Int = -1, type: Int = -1, proto: Int = -1, fileno: Int | null = null) {
    pyArity('socket.__init__', arguments.length, ['family', 'type', 'proto', 'fileno'], 0, true);
    // accept() hands over what it knows of the new socket (below): asking
    // the kernel again (SO_TYPE) would cost a call per connection.
    const o = acceptedNext ?? openSocket(family, type, proto, fileno);
    acceptedNext = null;
    this._h = o.h;
    this._fdNumber = o.fd;
    this._backend = o.backend;
    this._family = o.family;
    this._type = o.type;
    this._proto = o.proto;
    this._soProtocol = o.soProtocol;
    this._timeout = o.nonblocking ? 0 : getdefaulttimeout();
  }

  /**
   * The address family: a member of AddressFamily (`sock.family === AF_INET`),
   * or a plain number for a family the enum lacks, as CPython answers.
   */
  get family(): AddressFamily | number {
    return toMember(AddressFamily, this._family);
  }

  /**
   * The socket type, without SOCK_NONBLOCK/SOCK_CLOEXEC: a member of
   * SocketKind (`sock.type === SOCK_STREAM`), or a plain number for a type the enum lacks.
   */
  get type(): SocketKind | number {
    return toMember(SocketKind, this._type);
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
    return bind(this, address);
  }

  /** Makes a stream socket accept connections; `backlog` defaults to min(SOMAXCONN, 128). */
  listen(backlog: Int = Math.min(C.SOMAXCONN, 128)): void {
    cRange('listen', arguments.length, 0, 1);
    let n = toCInt(backlog);
    if (n < 0) n = 0;
    const h = this._fd();
    // A socket whose connect the kernel still counts as in progress (see
    // _abortedConnect and _background) is not "unconnected": EINVAL.
    if (this._abortedConnect || this._background !== null) throw errorFor(EINVAL);
    check(this._backend.listen(h, n));
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
  shutdown(how: Int): void {
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
  getsockopt(level: Int, optname: Int): number;
  getsockopt(level: Int, optname: Int, buflen: Int): number | Buffer;
  getsockopt(level: Int, optname: Int, buflen: Int = 0): number | Buffer {
    cRange('getsockopt', arguments.length, 2, 3);
    return getsockopt(this, level, optname, buflen);
  }

  /**
   * Sets an option from an int or from the bytes of its C value (struct
   * linger for SO_LINGER). `setsockopt(level, optname, null, optlen)` is
   * accepted as in Python. See {@link getsockopt} for the options carried.
   */
  setsockopt(level: Int, optname: Int, value: Int | Uint8Array | null, optlen?: Int): void {
    const argc = arguments.length;
    if (argc !== 3 && !(argc === 4 && value === null)) throw new TypeError(`setsockopt() takes exactly 3 arguments (${argc} given)`);
    setsockopt(this, level, optname, value, optlen);
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
    this._checkDescriptor();
  }

  /**
   * CPython's settimeout() and setblocking() set the descriptor's O_NONBLOCK
   * with fcntl, so a descriptor closed under the socket (another socket
   * object over the same fileno closed it) raises EBADF there. Here every
   * descriptor stays non-blocking and the mode is the socket's own, so the
   * descriptor is asked about instead (its close-on-exec flag, one fcntl in
   * a native backend): only EBADF is reported, as CPython would.
   */
  private _checkDescriptor(): void {
    const r = this._backend.getInheritable(this._fd());
    if (r === -EBADF) throw errorFor(EBADF);
  }

  /**
   * Whether child processes inherit the socket's descriptor (CPython's
   * `os.get_inheritable(self.fileno())`): sockets start not inheritable.
   */
  get_inheritable(): boolean {
    pyArity('socket.get_inheritable', arguments.length, [], 0, true);
    const r = this._backend.getInheritable(this._fd());
    if (r < 0) throw errorFor(-r);
    return r !== 0;
  }

  /**
   * Sets whether child processes inherit the socket's descriptor (CPython's
   * `os.set_inheritable(self.fileno(), inheritable)`, which takes an int).
   * The libuv backend cannot make one inheritable: OSError(ENOSYS).
   */
  set_inheritable(inheritable: boolean | number): void {
    pyArity('socket.set_inheritable', arguments.length, ['inheritable'], 1, true);
    const on = toCInt(inheritable) !== 0;
    check(this._backend.setInheritable(this._fd(), on));
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
    this._checkDescriptor();
  }

  // ---- connections -------------------------------------------------------

  /** Waits for a connection; returns the new socket and the peer's address. */
  accept(): TaskletGenerator<[socket, Address]> {
    pyArity('socket.accept', arguments.length, [], 0, true);
    return this._accept();
  }

  private *_accept(): TaskletGenerator<[socket, Address]> {
    const req = yield* runRequest(this, IoOp.ACCEPT, null, 0, null, 0);
    const h = req.result;
    fresh(this._backend, h);
    // CPython's socket(self.family, self.type, self.proto, fileno=fd): the
    // accepted socket is the listener's kind, so what the constructor would
    // look up for a descriptor taken over is known already.
    acceptedNext = { backend: this._backend, h, fd: h, family: this._family, type: this._type, proto: this._proto, soProtocol: this._soProtocol, nonblocking: false };
    const conn = new socket(this._family, this._type, this._proto, h);
    conn._connected = true;
    return [conn, toPython(req.addr) as Address];
  }

  /** Connects to `address`, resolving a host name without blocking the scheduler. */
  connect(address: AddressLike): TaskletGenerator<void> {
    cOne('socket.connect', arguments.length);
    return connect(this, address);
  }

  /** Like connect(), but returns the errno (0 on success) instead of raising OSError for it. */
  connect_ex(address: AddressLike): TaskletGenerator<number> {
    cOne('socket.connect_ex', arguments.length);
    return connectEx(this, address);
  }

  // ---- data ----------------------------------------------------------------

  /** Receives up to `bufsize` bytes (empty at end of stream). */
  recv(bufsize: Int, flags: Int = 0): Operation<Buffer> {
    cRange('recv', arguments.length, 1, 2);
    return recv(this, bufsize, flags);
  }

  /** Receives into `buffer` (up to `nbytes`, 0: all of it); returns the byte count. */
  recv_into(buffer: Uint8Array | ArrayBufferView | ArrayBuffer, nbytes: Int = 0, flags: Int = 0): Operation<number> {
    if (arguments.length === 0) throw new TypeError("recv_into() missing required argument 'buffer' (pos 1)");
    cRange('recv_into', arguments.length, 1, 3);
    return recvInto(this, buffer, nbytes, flags);
  }

  /** Receives up to `bufsize` bytes and the sender's address: `[data, address]`. */
  recvfrom(bufsize: Int, flags: Int = 0): TaskletGenerator<[Buffer, Address | null]> {
    cRange('recvfrom', arguments.length, 1, 2);
    return recvfrom(this, bufsize, flags);
  }

  /** Receives into `buffer` (up to `nbytes`, 0: all of it): `[nbytes, address]`. */
  recvfrom_into(buffer: Uint8Array | ArrayBufferView | ArrayBuffer, nbytes: Int = 0, flags: Int = 0): TaskletGenerator<[number, Address | null]> {
    if (arguments.length === 0) throw new TypeError("recvfrom_into() missing required argument 'buffer' (pos 1)");
    cRange('recvfrom_into', arguments.length, 1, 3);
    return recvfromInto(this, buffer, nbytes, flags);
  }

  /** Sends what the kernel takes of `data` now; returns the byte count (maybe fewer than all). */
  send(data: Uint8Array | ArrayBufferView | ArrayBuffer, flags: Int = 0): Operation<number> {
    cRange('send', arguments.length, 1, 2);
    return send(this, data, flags);
  }

  /**
   * Sends all of `data`, waiting as the peer reads. The socket's timeout
   * covers the whole call; when it expires `timeout` is raised and how much
   * was sent is unknown, as in CPython.
   */
  sendall(data: Uint8Array | ArrayBufferView | ArrayBuffer, flags: Int = 0): Operation<void> {
    cRange('sendall', arguments.length, 1, 2);
    return sendall(this, data, flags);
  }

  /** Sends one datagram to `address`: `sendto(data, address)` or `sendto(data, flags, address)`. */
  sendto(data: Uint8Array | ArrayBufferView | ArrayBuffer, address: AddressLike): TaskletGenerator<number>;
  sendto(data: Uint8Array | ArrayBufferView | ArrayBuffer, flags: Int, address: AddressLike): TaskletGenerator<number>;
  sendto(data: Uint8Array | ArrayBufferView | ArrayBuffer, flagsOrAddress: Int | AddressLike, address?: AddressLike): TaskletGenerator<number> {
    const argc = arguments.length;
    if (argc !== 2 && argc !== 3) throw new TypeError(`sendto() takes 2 or 3 arguments (${argc} given)`);
    return sendto(this, data, argc === 3, flagsOrAddress, argc === 3 ? address : flagsOrAddress);
  }

  /**
   * sendmsg(2): the bytes of `buffers` as one message, with ancillary data
   * items `[level, type, data]` (SCM_RIGHTS data: C ints naming sockets'
   * fileno()), to `address` if given; returns the byte count.
   *
   * @example
   * ```ts
   * import { socketpair, SOL_SOCKET, SCM_RIGHTS } from '@stackless-io/socket-compat';
   * function* pass(): Generator<unknown, void, unknown> {
   *   const [a, b] = yield* socketpair();
   *   const fd = Buffer.alloc(4);
   *   fd.writeInt32LE(a.fileno());
   *   yield* a.sendmsg([Buffer.from('x')], [[SOL_SOCKET, SCM_RIGHTS, fd]]);
   *   a.close();
   *   b.close();
   * }
   * ```
   */
  sendmsg(buffers: Iterable<Uint8Array | ArrayBufferView | ArrayBuffer>, ancdata: Iterable<[Int, Int, Uint8Array | ArrayBufferView | ArrayBuffer]> = [], flags: Int = 0, address: AddressLike | null = null): TaskletGenerator<number> {
    cRange('sendmsg', arguments.length, 1, 4);
    return sendmsg(this, arguments.length, buffers, ancdata, flags, address);
  }

  /**
   * recvmsg(2): up to `bufsize` bytes and up to `ancbufsize` bytes of
   * ancillary data (see CMSG_SPACE): `[data, ancdata, msg_flags, address]`,
   * ancdata a list of `[level, type, data]`. Descriptors received with
   * SCM_RIGHTS are new sockets' handles (wrap them with `socket(..., fileno)`
   * and close them).
   */
  recvmsg(bufsize: Int, ancbufsize: Int = 0, flags: Int = 0): TaskletGenerator<[Buffer, Ancillary[], number, Address | null]> {
    cRange('recvmsg', arguments.length, 1, 3);
    return recvmsg(this, arguments.length, bufsize, ancbufsize, flags);
  }

  /** recvmsg() into `buffers`, filled in order: `[nbytes, ancdata, msg_flags, address]`. */
  recvmsg_into(buffers: Iterable<Uint8Array | ArrayBufferView | ArrayBuffer>, ancbufsize: Int = 0, flags: Int = 0): TaskletGenerator<[number, Ancillary[], number, Address | null]> {
    cRange('recvmsg_into', arguments.length, 1, 3);
    return recvmsgInto(this, arguments.length, buffers, ancbufsize, flags);
  }

  /**
   * sendmsg() on an AF_ALG socket (the kernel's crypto API), with the
   * operation (ALG_OP_ENCRYPT...), IV and AEAD associated-data length as
   * Python's keyword arguments: `sendmsg_afalg([data], { op, iv, assoclen, flags })`.
   * Any other family raises OSError("algset is only supported for AF_ALG"), as in CPython.
   */
  sendmsg_afalg(msg: Iterable<Uint8Array | ArrayBufferView | ArrayBuffer> = [], options: AfalgOptions = {}): TaskletGenerator<number> {
    return sendmsgAfalg(this, arguments.length, msg, options);
  }

  /**
   * Sends a file's bytes (from `offset`, `count` of them or up to its end);
   * returns how many were sent. `file` is a file descriptor, a
   * fs.promises.FileHandle, or an object with `read(n)` (and `seek`, like a
   * Python file, and `fileno()` when it has a descriptor). Where the file has
   * a descriptor and the backend has SENDFILE (epoll), the kernel sends it
   * (sendfile(2), as CPython's os.sendfile); otherwise (libuv, a pipe, a
   * file without fileno()) the bytes are read with Node's fs (the tasklet
   * waits) and sent with send(), as CPython's own fallback does. A file
   * object is moved past the bytes sent; a descriptor's position never moves.
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
    cancelCalls(this);
    if (this._bgReq !== null) this._backend.cancel(this._bgReq);
  }

  /** Alias of {@link recv_into}. */
  recvInto(buffer: Uint8Array | ArrayBufferView | ArrayBuffer, nbytes: Int = 0, flags: Int = 0): Operation<number> {
    return this.recv_into(buffer, nbytes, flags);
  }

  /** Alias of {@link recvfrom_into}. */
  recvfromInto(buffer: Uint8Array | ArrayBufferView | ArrayBuffer, nbytes: Int = 0, flags: Int = 0): TaskletGenerator<[number, Address | null]> {
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
    return socketRepr(this);
  }
}

/** Python's SocketType is the socket class. */
export const SocketType = socket;
