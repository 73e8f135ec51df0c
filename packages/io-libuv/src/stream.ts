/**
 * Stream sockets (TCP, and Unix-domain through Node's pipes) over `net`.
 *
 * bind() holds a bound libuv handle (stream-bind.ts) until listen() hands it
 * to a net.Server, or connect() releases it and asks Node to bind the same
 * address as localAddress/localPort.
 *
 * Received data is read ahead into a {@link ChunkQueue} up to `rcvbuf`
 * bytes (then the Node socket is paused until a receive drains it: the
 * kernel's receive window does the rest). SEND copies what fits under
 * `sndbuf` bytes of unsent data into Node's write queue and completes with
 * that count at once; with no room it waits until Node has flushed some, so
 * a waiting send has given nothing away and can be cancelled honestly.
 */
import net from 'node:net';
import { IoOp, MsgFlag, SockOpt, recvLength, type Family, type IoRequest, type SockAddr, type SockOptCode } from '@stackless-io/runtime';
import { anyAddr, checkAddr, fromNode as addrFromNode, nodeHost } from './addr.js';
import { ChunkQueue } from './chunk-queue.js';
import {
  EADDRINUSE,
  EALREADY,
  EBADF,
  ECANCELED,
  ECONNRESET,
  EINVAL,
  EISCONN,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  EPIPE,
  fromNode,
} from './errno.js';
import { addTcpEnd, removeTcpEnd, serveUnix, unixAccepted, unixConnecting, unserveUnix, type MateEnd } from './mates.js';
import { claim, conflicts, enterTimeWait, release as releasePort, type PortUser } from './ports.js';
import { impliesV6Only, POLLERR, POLLHUP, POLLIN, POLLOUT, Sock, v6OnlyElsewhere, type Host } from './sock.js';
import { bindTcp, bindUnix, type BoundHandle } from './stream-bind.js';
import { flushAndClose, reset } from './stream-release.js';

/** Read-ahead limit: Linux's default TCP SO_RCVBUF. */
export const STREAM_RCVBUF = 131_072;
/** Unsent bytes Node may hold for a stream before SEND waits: Linux's default TCP SO_SNDBUF. */
export const STREAM_SNDBUF = 16_384;

const FRESH = 0;
const LISTENING = 1;
const CONNECTING = 2;
const CONNECTED = 3;

export class StreamSock extends Sock implements PortUser, MateEnd {
  private state = FRESH;
  /** bind()'s handle, holding the address until listen() or connect() uses it. */
  private bound: BoundHandle | null = null;
  private local: SockAddr | null = null;
  private peer: SockAddr | null = null;
  private server: net.Server | null = null;
  /** Connections Node accepted and no ACCEPT took yet (the kernel's accept queue). */
  private pendingConns: StreamSock[] = [];
  private conn: net.Socket | null = null;
  private connectReq: IoRequest | null = null;
  private readonly rx = new ChunkQueue();
  /** The peer's FIN arrived (after every byte before it). */
  private eof = false;
  private rdShut = false;
  private wrShut = false;
  /** Node's socket is gone (reset, error, or both directions finished). */
  private dead = false;
  private paused = false;
  /** Bytes MSG_WAITALL receives hold so far. */
  private partial: Map<IoRequest, number> | null = null;
  /** Our FIN went out before the peer's (we close actively and keep TIME_WAIT); null until we send one. */
  private finFirst: boolean | null = null;
  /** A write error already reported by the send that met it (its 'error' event follows). */
  private reported: Error | null = null;
  /** The connection ended with an error (reset...), not with two FINs. */
  private failed = false;
  /** bind() chose the port (or the listener's bind did): Linux keeps it after the connection ends. */
  private portChosen = false;
  /** The connection's address entered TIME_WAIT already (see leaveConnectionAddress). */
  private timeWaitDone = false;
  /** The other end, when it is a record of this process (mates.ts). */
  private mate: MateEnd | null = null;
  /** Bytes given to Node to send, less those it dropped unsent. */
  private written = 0;
  /** Bytes Node delivered here. */
  private received = 0;
  /** The Node socket close() let go of while it still flushes. */
  private released: net.Socket | null = null;
  /** The mate's reset was reported here already; Node's own report of it comes later. */
  private resetSeen = false;
  /** A receive waits for the mate's bytes (awaitingMate) until `settleTimer` fires; then `settled`. */
  private settleTimer: NodeJS.Immediate | null = null;
  private mateWaiting = false;
  private settled = false;

  constructor(host: Host, family: Family) {
    super(host, family, 'stream', STREAM_RCVBUF, STREAM_SNDBUF);
  }

  get listening(): boolean {
    return this.state === LISTENING;
  }

  /** Sets the local address, keeping the process-wide port registry in step. */
  private setLocal(addr: SockAddr | null): void {
    if (this.local !== null && this.local.family !== 'unix') releasePort(this, this.local);
    this.local = addr;
    if (addr !== null && addr.family !== 'unix') claim(this, addr);
  }

  bind(addr: SockAddr): number {
    const bad = checkAddr(this.family, addr);
    if (bad !== 0) return bad;
    if (this.connectionOver()) {
      // Linux: a TCP connection that is over (both FINs, or a reset) leaves
      // the socket CLOSED and, unless a bind chose its port, without one
      // (the kernel releases an automatic port then), so it may bind again;
      // its listen and connect still fail (the socket is not "unconnected").
      if (this.portChosen) return EINVAL;
      this.leaveConnectionAddress();
    } else if (this.state !== FRESH || this.local !== null) {
      return EINVAL;
    }
    if (addr.family === 'unix') {
      const h = bindUnix(addr);
      if (typeof h === 'number') return h;
      this.bound = h;
      this.setLocal({ family: 'unix', path: addr.path });
      return 0;
    }
    if (addr.port !== 0 && conflicts(this, addr)) return EADDRINUSE;
    if (addr.port !== 0) this.portChosen = true;
    let r = bindTcp(addr, this.v6Only);
    // The kernel chose the port seeing only libuv's SO_REUSEADDR; one that
    // this process still holds (in TIME_WAIT, say) it would not have given
    // without it. Ask again, keeping the refused ones bound meanwhile so that
    // they are not given twice.
    const refused: BoundHandle[] = [];
    while (addr.port === 0 && typeof r !== 'number' && conflicts(this, r.local) && refused.length < 64) {
      refused.push(r.handle);
      r = bindTcp(addr, this.v6Only);
    }
    for (const h of refused) h.close();
    if (typeof r === 'number') return r;
    this.bound = r.handle;
    this.setLocal(r.local);
    if (impliesV6Only(addr)) this.v6Only = true;
    return 0;
  }

  listen(backlog: number): number {
    if (typeof backlog !== 'number' || !Number.isInteger(backlog)) return EINVAL;
    if (this.state === LISTENING) return 0;
    if (this.state !== FRESH) return EINVAL;
    if (this.family === 'unix') {
      // Linux gives an unbound Unix socket an abstract name here, which Node cannot do.
      if (this.local === null) return EINVAL;
    } else if (this.bound === null) {
      // Linux binds an unbound socket to an ephemeral port on listen(); a
      // socket whose bound handle a failed connect used is bound again.
      const addr = this.local ?? anyAddr(this.family);
      this.setLocal(null);
      const r = this.bind(addr);
      if (r !== 0) return r;
    }
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    server.on('connection', (s: net.Socket) => this.onConnection(server, s));
    server.on('error', (e: Error) => this.onServerError(server, e));
    const n = Math.max(backlog, 1);
    if (this.family === 'unix') {
      // A net.Server cannot take a bound pipe handle: release it (libuv
      // unlinks the file) and let the server bind the path again, at once.
      this.bound?.close();
      this.bound = null;
      server.listen({ path: (this.local as { path: string }).path, backlog: n });
    } else {
      server.listen(this.bound, n);
      this.bound = null;
    }
    if (!server.listening) {
      // The server reports why on the next tick; the usual cause is another
      // socket listening on the address (libuv's delayed EADDRINUSE).
      this.setLocal(null);
      return EADDRINUSE;
    }
    this.server = server;
    this.state = LISTENING;
    if (this.family === 'unix') serveUnix((this.local as { path: string }).path, n);
    else {
      const a = server.address();
      if (a !== null && typeof a === 'object') this.setLocal(addrFromNode(a.address, a.port, a.family) ?? this.local);
    }
    if (!this.refd) server.unref();
    return 0;
  }

  shutdown(how: 0 | 1 | 2): number {
    if (how !== 0 && how !== 1 && how !== 2) return EINVAL;
    if (this.family === 'unix' && (this.state !== CONNECTED || this.dead)) {
      // Linux's AF_UNIX shutdown() only sets flags: it never fails for want of a peer.
      return 0;
    }
    if (this.state === LISTENING) {
      // As Linux does: shutting down the read side stops listening, and
      // blocked accepts fail with EINVAL.
      if (how !== 1) this.stopListening();
      this.serve();
      return 0;
    }
    const live = this.state === CONNECTED || this.kernelPeer() !== null;
    if (!live || this.dead || this.closedBoth()) return ENOTCONN;
    if (how !== 0 && !this.wrShut) {
      this.wrShut = true;
      this.finFirst = !this.finArrived;
      (this.conn as net.Socket).end();
    }
    if (how !== 1) this.rdShut = true;
    this.serve();
    return 0;
  }

  getsockname(): SockAddr {
    if (this.local !== null) return { ...this.local };
    return this.family === 'unix' ? { family: 'unix', path: '' } : anyAddr(this.family);
  }

  getpeername(): SockAddr | number {
    if (this.state === CONNECTING) return this.kernelPeer() ?? ENOTCONN;
    // A Unix socket keeps its peer after the peer closed; TCP forgets it once the connection is gone.
    if (this.state !== CONNECTED || this.peer === null) return ENOTCONN;
    if (this.family !== 'unix' && (this.dead || this.closedBoth())) return ENOTCONN;
    return { ...this.peer };
  }

  protected connect(req: IoRequest): void {
    const addr = req.addr;
    const bad = checkAddr(this.family, addr);
    if (bad !== 0) return this.finish(req, bad);
    if (this.state === CONNECTING) return this.finish(req, this.kernelPeer() !== null ? EISCONN : EALREADY);
    if (this.state !== FRESH) return this.finish(req, EISCONN);
    const target = addr as SockAddr;
    let opts: net.NetConnectOpts;
    if (target.family === 'unix') {
      // Node cannot connect from a named Unix socket: the name is released.
      this.bound?.close();
      this.bound = null;
      this.setLocal(null);
      opts = { path: target.path };
    } else {
      const tcp: net.TcpNetConnectOpts = { host: nodeHost(target), port: target.port, family: target.family === 'inet' ? 4 : 6, autoSelectFamily: false };
      if (this.local !== null && this.local.family !== 'unix') {
        // Free the bound handle and have Node bind the same address for the
        // connection (libuv sets SO_REUSEADDR, so the port is taken again).
        this.bound?.close();
        this.bound = null;
        tcp.localAddress = nodeHost(this.local);
        tcp.localPort = this.local.port;
      }
      opts = tcp;
    }
    const s = new net.Socket({ allowHalfOpen: true });
    this.attach(s);
    this.conn = s;
    this.state = CONNECTING;
    this.connectReq = req;
    try {
      s.connect(opts);
    } catch (e) {
      this.conn = null;
      this.state = FRESH;
      this.connectReq = null;
      s.destroy();
      return this.finish(req, fromNode(e));
    }
    if (target.family === 'unix') {
      this.peer = { family: 'unix', path: target.path };
      unixConnecting(target.path, this);
    }
    if (!this.refd) s.unref();
  }

  protected tryRead(req: IoRequest): number | null {
    if (req.op === IoOp.ACCEPT) return this.tryAccept(req);
    req.truncated = false;
    if (req.op === IoOp.RECVFROM) req.addr = null;
    if (this.state === LISTENING) return this.family === 'unix' ? EINVAL : ENOTCONN;
    const want = recvLength(req);
    const peek = (req.flags & MsgFlag.PEEK) !== 0;
    const waitall = !peek && (req.flags & MsgFlag.WAITALL) !== 0;
    const have = this.partial?.get(req) ?? 0;
    if (want === 0 && this.state === CONNECTED) return 0;
    if (this.rx.length < want - have && this.awaitingMate()) return null;
    if (this.rx.length > 0) {
      // A receive with no buffer gets one now, at the size it takes (see IoRequest.size).
      const buf = req.buf ?? (req.buf = Buffer.allocUnsafe(waitall ? want : Math.min(want, this.rx.length)));
      const total = have + this.rx.copyTo(have === 0 ? buf : buf.subarray(have), !peek);
      const more = !this.peerFin && !this.dead && !this.rdShut && this.error === 0;
      if (waitall && total < buf.length && more) {
        (this.partial ??= new Map()).set(req, total);
        return null;
      }
      this.partial?.delete(req);
      return total;
    }
    if (have > 0 && (this.peerFin || this.dead || this.rdShut || this.error !== 0)) {
      this.partial?.delete(req);
      return have;
    }
    if (this.error !== 0) return this.takeError();
    if (this.peerFin || this.dead || this.rdShut) return 0;
    // Linux answers EINVAL for an unconnected Unix stream socket, ENOTCONN for TCP.
    if (this.state === FRESH) return this.family === 'unix' ? EINVAL : ENOTCONN;
    return null;
  }

  private tryAccept(req: IoRequest): number | null {
    if (this.state !== LISTENING) return EINVAL;
    if (this.error !== 0) return this.takeError();
    const child = this.pendingConns.shift();
    if (child === undefined) return null;
    req.addr = child.peer === null ? null : { ...child.peer };
    return this.host.adopt(child);
  }

  protected tryWrite(req: IoRequest): number | null {
    if (this.error !== 0) return this.takeError();
    if (this.state === CONNECTING) {
      if (this.kernelPeer() === null) return null;
    } else if (this.state !== CONNECTED) {
      // Never connected: Linux answers EPIPE for TCP, ENOTCONN for a Unix socket.
      return this.family === 'unix' ? ENOTCONN : EPIPE;
    }
    if (this.wrShut || this.dead) return EPIPE;
    // A Unix mate that is gone, or shut down for reading, refuses data at
    // once (the kernel checks the peer in send); sending anyway would make
    // Node close this socket and drop the data it has not read yet.
    if (this.family === 'unix' && this.mate?.refusesData === true) return EPIPE;
    const buf = req.buf as Uint8Array;
    const conn = this.conn as net.Socket;
    if (conn.errored !== null) return this.writeFailed(conn.errored);
    const room = this.sndbuf - conn.writableLength;
    if (room <= 0 && buf.length > 0) return null;
    // An empty send still reaches the kernel, which may answer EPIPE.
    const n = Math.min(Math.max(room, 0), buf.length);
    // A copy: the caller owns buf again once the send completes.
    conn.write(Buffer.from(n === buf.length ? buf : buf.subarray(0, n)), this.onWritten);
    this.written += n;
    // Node tries the write at once; a write the kernel refuses (EPIPE after
    // the peer's reset) marks the stream errored before write() returns, and
    // this send fails, as send(2) would.
    return conn.errored !== null ? this.writeFailed(conn.errored) : n;
  }

  /**
   * Node reports a finished connect on a later turn of its loop; the kernel
   * may have finished it already (on loopback, within connect(2)). Asking
   * the handle for its peer tells, so that send and shutdown act on the
   * connection the peer already sees (Node queues them until its 'connect').
   */
  private kernelPeer(): SockAddr | null {
    if (this.state !== CONNECTING || this.family === 'unix') return null;
    const h = (this.conn as unknown as { _handle?: { getpeername?(out: object): number } } | null)?._handle;
    const out: { address?: string; port?: number; family?: string } = {};
    if (typeof h?.getpeername !== 'function' || h.getpeername(out) !== 0) return null;
    return addrFromNode(out.address, out.port, out.family);
  }

  /**
   * Both FINs went: a TCP socket is CLOSED (or in TIME_WAIT) now, even if
   * Node has not closed its handle yet (loopback answers at once).
   */
  private closedBoth(): boolean {
    return this.family !== 'unix' && this.finArrived && this.wrShut;
  }

  /** Reports a write error through the send that met it; its 'error' event then only ends the socket. */
  private writeFailed(err: Error): number {
    if (this.reported === err) return EPIPE;
    this.reported = err;
    this.dead = true;
    this.failed = true;
    return fromNode(err);
  }

  protected override cancelled(req: IoRequest): number {
    const have = this.partial?.get(req);
    if (have === undefined) return ECANCELED;
    // Bytes a MSG_WAITALL receive already took are the caller's: never drop them.
    this.partial?.delete(req);
    return have;
  }

  override withdraw(req: IoRequest): number | null {
    if (this.readers[0] === req && (req.op === IoOp.RECV || req.op === IoOp.RECVFROM) && !this.partial?.has(req)) {
      // A receive that waited only for the mate's bytes in flight answers
      // with what is here: a kernel receive would not have waited at all.
      this.settled = true;
      const r = this.tryRead(req);
      this.settled = false;
      if (r !== null) {
        this.readers.shift();
        this.serve();
        return r;
      }
    }
    if (req === this.connectReq) {
      // A kernel cannot take a connect back: it goes on in the background
      // (as after a timed-out or non-blocking connect(2)), and its outcome
      // is the socket's state, or its pending error.
      this.connectReq = null;
      this.serve();
      return ECANCELED;
    }
    return super.withdraw(req);
  }

  protected mask(): number {
    let m = 0;
    switch (this.state) {
      case LISTENING:
        m = this.pendingConns.length > 0 ? POLLIN : 0;
        break;
      case FRESH:
        // What Linux reports for a socket in the CLOSE state.
        m = POLLOUT | POLLHUP;
        break;
      case CONNECTING:
        m = this.kernelPeer() !== null ? POLLOUT : 0;
        break;
      case CONNECTED: {
        if (this.dead) {
          m = POLLIN | POLLOUT | POLLHUP;
          break;
        }
        if (this.rx.length > 0 || this.finArrived || this.rdShut) m |= POLLIN;
        if (this.wrShut || this.sndbuf - (this.conn as net.Socket).writableLength > 0) m |= POLLOUT;
        if (this.finArrived && this.wrShut) m |= POLLHUP;
        break;
      }
    }
    return this.error !== 0 ? m | POLLERR : m;
  }

  protected inNode(): number {
    return this.connectReq === null ? 0 : 1;
  }

  protected setRef(on: boolean): void {
    if (on) {
      this.server?.ref();
      this.conn?.ref();
    } else {
      this.server?.unref();
      this.conn?.unref();
    }
  }

  protected optionError(opt: SockOptCode, set: boolean): number {
    switch (opt) {
      case SockOpt.REUSEPORT:
        // Node 20 has no SO_REUSEPORT for TCP.
        return ENOPROTOOPT;
      case SockOpt.NODELAY:
        return this.family === 'unix' ? EOPNOTSUPP : 0;
      case SockOpt.V6ONLY:
        if (this.family !== 'inet6') return v6OnlyElsewhere(this.family, set);
        return set && (this.local !== null || this.state !== FRESH) ? EINVAL : 0;
      case SockOpt.ERROR:
      case SockOpt.TYPE:
        return set ? ENOPROTOOPT : 0;
      default:
        return 0;
    }
  }

  protected applyOption(opt: SockOptCode): void {
    const conn = this.conn;
    if (conn === null || this.state !== CONNECTED || this.dead) return;
    if (opt === SockOpt.NODELAY) conn.setNoDelay(this.noDelay);
    else if (opt === SockOpt.KEEPALIVE) conn.setKeepAlive(this.keepAlive);
  }

  protected override afterServe(): void {
    if (this.paused && this.rx.length < this.rcvbuf && this.conn !== null) {
      this.paused = false;
      this.conn.resume();
    }
  }

  protected teardown(): void {
    if (this.connectReq !== null) {
      this.finish(this.connectReq, EBADF);
      this.connectReq = null;
    }
    this.bound?.close();
    this.bound = null;
    this.stopListening();
    removeTcpEnd(this, this.local, this.peer);
    if (this.settleTimer !== null) clearImmediate(this.settleTimer);
    this.settleTimer = null;
    const s = this.conn;
    this.conn = null;
    if (s !== null) this.release(s);
    this.rx.clear();
    this.partial = null;
    this.setLocal(null);
  }

  /**
   * Lets go of the Node socket (see stream-release.ts). The side whose FIN
   * went first keeps its address in TIME_WAIT (ports.ts).
   */
  private release(s: net.Socket): void {
    // Unread data counts what the mate already gave the kernel too.
    const unread = this.rx.length > 0 || (this.mate !== null && this.mate.sentToKernel() > this.received);
    if (this.state !== CONNECTED) {
      this.dropUnsent(s);
    } else if (this.dead) {
      if (this.finFirst === true && !this.failed && !this.timeWaitDone) this.enterTimeWait();
      this.dropUnsent(s);
    } else if (this.linger === 0 || unread) {
      // TCP resets; a Unix socket closed with unread data sets the peer's ECONNRESET.
      if (this.family !== 'unix' || unread) this.mate?.peerReset();
      this.written -= s.writableLength;
      reset(s, this.family === 'unix');
    } else {
      if ((this.finFirst ?? !this.finArrived) && !this.timeWaitDone) this.enterTimeWait();
      this.released = s;
      flushAndClose(s, this.linger);
    }
  }

  /** Destroys a Node socket; what it still held never reaches the kernel. */
  private dropUnsent(s: net.Socket): void {
    this.written -= s.writableLength;
    s.destroy();
  }

  // ---- the mate (mates.ts) -------------------------------------------------

  /**
   * The peer's FIN reached the kernel: Node reported it, or the mate sent it
   * (the connection's state, and poll(), know it before Node does).
   */
  private get finArrived(): boolean {
    return this.eof || this.mate?.finSent() === true;
  }

  /** The peer's FIN arrived and every byte before it is here: receives answer EOF. */
  private get peerFin(): boolean {
    if (this.eof) return true;
    const m = this.mate;
    return m !== null && m.finSent() && m.sentToKernel() <= this.received;
  }

  finSent(): boolean {
    if (!this.wrShut && !this.closed) return false;
    const s = this.conn ?? this.released;
    return s === null || s.writableLength === 0;
  }

  sentToKernel(): number {
    const s = this.conn ?? this.released;
    return this.written - (s === null ? 0 : s.writableLength);
  }

  get refusesData(): boolean {
    return this.closed || this.rdShut;
  }

  pair(mate: MateEnd): void {
    this.mate = mate;
  }

  peerReset(): void {
    if (this.closed || this.state !== CONNECTED || this.dead) return;
    this.error = ECONNRESET;
    this.resetSeen = true;
    this.dead = true;
    this.failed = true;
    // Called from the mate's close(), maybe inside a scheduler round: the
    // completions are delivered from the event loop.
    this.serve();
    this.host.completions.kick();
  }

  /**
   * Whether the mate handed the kernel bytes that Node has not delivered
   * here yet. A receive then waits for them, as a kernel receive would find
   * them already queued, but only until Node's loop has polled once more
   * (it reads them then): an immediate set from the check phase runs after
   * the next poll phase, one set from the poll phase before it, so two.
   */
  private awaitingMate(): boolean {
    const m = this.mate;
    if (m === null || this.settled || this.paused || this.conn === null) return false;
    if (m.sentToKernel() <= this.received) return false;
    this.mateWaiting = true;
    this.settleTimer ??= setImmediate(() => {
      this.settleTimer = setImmediate(this.settle);
    });
    return true;
  }

  /** The wait for the mate's bytes is over: receives take what is here. */
  private readonly settle = (): void => {
    this.settleTimer = null;
    if (this.closed) return;
    this.settled = true;
    this.serve();
    this.settled = false;
    this.host.completions.notify();
  };

  protected override serve(): void {
    this.mateWaiting = false;
    super.serve();
    // Nobody waits for the mate's bytes any more (they came): a later wait
    // gets a whole poll of its own.
    if (!this.mateWaiting && this.settleTimer !== null) {
      clearImmediate(this.settleTimer);
      this.settleTimer = null;
    }
  }

  /** A TCP connection that is over: both FINs went, or it was reset. */
  private connectionOver(): boolean {
    return this.family !== 'unix' && this.state === CONNECTED && (this.dead || this.closedBoth());
  }

  /**
   * Lets go of the address of a connection that is over (before a new
   * bind): the side that closed first keeps it in TIME_WAIT, as its close
   * would have.
   */
  private leaveConnectionAddress(): void {
    if (this.finFirst === true && !this.failed) this.enterTimeWait();
    this.timeWaitDone = true;
    removeTcpEnd(this, this.local, this.peer);
    this.setLocal(null);
  }

  private enterTimeWait(): void {
    if (this.local !== null && this.local.family !== 'unix') enterTimeWait(this.local, this.reuseAddr);
  }

  private stopListening(): void {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    if (this.family === 'unix' && this.local?.family === 'unix') unserveUnix(this.local.path);
    this.state = FRESH;
    server.close();
    for (const child of this.pendingConns) child.close();
    this.pendingConns = [];
  }

  /** Hooks a Node socket's events to this record; events of a socket it let go of are ignored. */
  private attach(s: net.Socket): void {
    s.on('connect', () => {
      if (this.conn === s) this.onConnect(s);
    });
    s.on('data', (chunk: Buffer) => {
      if (this.conn === s) this.onData(chunk);
    });
    s.on('end', () => {
      if (this.conn !== s) return;
      this.eof = true;
      this.changed();
    });
    s.on('error', (e: Error) => {
      if (this.conn === s) this.onError(e);
    });
    s.on('close', () => {
      if (this.conn !== s) return;
      this.dead = true;
      this.changed();
    });
  }

  private readonly onWritten = (): void => {
    this.changed();
  };

  private changed(): void {
    if (this.closed) return;
    this.serve();
    this.host.completions.notify();
  }

  private onConnect(s: net.Socket): void {
    this.state = CONNECTED;
    if (this.family !== 'unix') {
      this.setLocal(addrFromNode(s.localAddress, s.localPort, s.localFamily));
      this.peer = addrFromNode(s.remoteAddress, s.remotePort, s.remoteFamily);
      this.findTcpMate();
    }
    if (this.noDelay) s.setNoDelay(true);
    if (this.keepAlive) s.setKeepAlive(true);
    const req = this.connectReq;
    this.connectReq = null;
    if (req !== null) this.finish(req, 0);
    this.changed();
  }

  private onData(chunk: Buffer): void {
    this.received += chunk.length;
    this.rx.push(chunk);
    if (!this.paused && this.rx.length >= this.rcvbuf) {
      this.paused = true;
      (this.conn as net.Socket).pause();
    }
    this.changed();
  }

  private onError(e: Error): void {
    if (e === this.reported) {
      this.dead = true;
      return this.changed();
    }
    const errno = fromNode(e);
    if (this.resetSeen && errno === ECONNRESET) return this.changed();
    if (this.state === CONNECTING) {
      // A failed connect reports its error itself (or, when nobody waits for
      // it any more, as the pending error) and leaves the socket
      // unconnected, as a refused connect() does.
      const req = this.connectReq;
      this.connectReq = null;
      this.conn = null;
      this.state = FRESH;
      this.peer = null;
      if (req !== null) this.finish(req, errno);
      else this.error = errno;
    } else {
      this.error = errno;
      this.dead = true;
      this.failed = true;
    }
    this.changed();
  }

  private onConnection(server: net.Server, s: net.Socket): void {
    if (this.server !== server) {
      s.destroy();
      return;
    }
    const child = new StreamSock(this.host, this.family);
    child.adoptConnection(s, this);
    if (this.family === 'unix' && this.local?.family === 'unix') {
      const client = unixAccepted(this.local.path);
      if (client !== null) {
        child.pair(client);
        client.pair(child);
      }
    }
    this.pendingConns.push(child);
    this.changed();
  }

  private onServerError(server: net.Server, e: Error): void {
    if (this.server !== server) return;
    this.error = fromNode(e);
    this.changed();
  }

  /** Becomes the record of a connection `listener` accepted (it inherits the listener's options, as in the kernel). */
  private adoptConnection(s: net.Socket, listener: StreamSock): void {
    this.state = CONNECTED;
    this.conn = s;
    this.attach(s);
    this.reuseAddr = listener.reuseAddr;
    if (this.family === 'unix') {
      this.local = listener.local === null ? null : { ...listener.local };
      this.peer = { family: 'unix', path: '' };
    } else {
      this.setLocal(addrFromNode(s.localAddress, s.localPort, s.localFamily));
      this.peer = addrFromNode(s.remoteAddress, s.remotePort, s.remoteFamily);
      this.findTcpMate();
    }
    this.portChosen = listener.portChosen;
    this.noDelay = listener.noDelay;
    this.keepAlive = listener.keepAlive;
    this.linger = listener.linger;
    this.rcvbuf = listener.rcvbuf;
    this.sndbuf = listener.sndbuf;
    if (this.noDelay) s.setNoDelay(true);
    if (this.keepAlive) s.setKeepAlive(true);
    s.unref();
    s.resume();
  }

  /** Registers this connected TCP end, and pairs it with its mate if that is a record of this process. */
  private findTcpMate(): void {
    if (this.local === null || this.peer === null) return;
    const m = addTcpEnd(this, this.local, this.peer);
    if (m === null) return;
    this.mate = m;
    m.pair(this);
  }
}
