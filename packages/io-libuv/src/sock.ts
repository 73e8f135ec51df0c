/**
 * What every socket record shares: the queues of waiting requests, the
 * pending socket error (SO_ERROR), the portable options, readiness for
 * POLL_IN/POLL_OUT, and the rule that keeps Node's process alive only while
 * a request waits on the socket.
 */
import { IoOp, MsgFlag, SockOpt, recvBufferOk, recvLength, type Family, type IoRequest, type SockAddr, type SockOptCode, type SocketKind } from '@stackless-io/runtime';
import { isV4Mapped } from './addr.js';
import type { Completions } from './completions.js';
import { EAGAIN, EBADF, ECANCELED, EINVAL, ENOPROTOOPT, ENOSYS, EOPNOTSUPP } from './errno.js';

/** poll(2) bits, the same on Linux, the BSDs and macOS. */
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;

/**
 * What Linux answers for IPV6_V6ONLY on a socket that is not AF_INET6: the
 * IPv4 layer refuses an option of another level with ENOPROTOOPT when it is
 * set and EOPNOTSUPP when it is read; AF_UNIX has no option levels but
 * SOL_SOCKET (EOPNOTSUPP both ways).
 */
export function v6OnlyElsewhere(family: Family, set: boolean): number {
  return family === 'inet' && set ? ENOPROTOOPT : EOPNOTSUPP;
}

/**
 * Linux turns IPV6_V6ONLY on when an AF_INET6 socket binds a specific
 * address that is not v4-mapped (inet6_bind): such a socket can only ever
 * see IPv6 traffic, and getsockopt says so.
 */
export function impliesV6Only(addr: SockAddr): boolean {
  if (addr.family !== 'inet6') return false;
  return addr.host !== '::' && !isV4Mapped(addr.host);
}

/** tryWrite() gave the request to Node, whose callback finishes it. */
export const HANDED_OFF: unique symbol = Symbol('handed off');

/** What a socket record needs from its backend. */
export interface Host {
  readonly completions: Completions;
  /** Gives an accepted connection its handle. */
  adopt(sock: Sock): number;
}

/** The MsgFlag bits a send or receive may carry here. */
export const TRANSFER_FLAGS = MsgFlag.PEEK | MsgFlag.WAITALL | MsgFlag.DONTWAIT;

/** Linux's SOCK_MIN_RCVBUF and SOCK_MIN_SNDBUF (on 64-bit). */
const MIN_RCVBUF = 2304;
const MIN_SNDBUF = 4608;

export abstract class Sock {
  /** The handle, once the record is in the table (accepted connections wait without one). */
  handle = -1;
  /** close() was called: Node's events for this record are ignored from now on. */
  closed = false;
  /** The pending socket error as -errno (0: none), reported once, as SO_ERROR is. */
  error = 0;

  /** RECV, RECVFROM and ACCEPT, served in order as data or connections arrive. */
  protected readonly readers: IoRequest[] = [];
  /** SEND and SENDTO, served in order as the socket takes data. */
  protected readonly writers: IoRequest[] = [];
  /** POLL_IN and POLL_OUT. */
  protected readonly pollers: IoRequest[] = [];
  /** Whether the record's Node objects keep the process alive (while a request waits). */
  protected refd = false;
  /** An unref of the record waits for the end of the Node event being handled (Completions.deferUnref). */
  unrefDue = false;

  reuseAddr = false;
  keepAlive = false;
  broadcast = false;
  noDelay = false;
  v6Only = false;
  /** SO_LINGER seconds, -1 when off. */
  linger = -1;
  /** struct linger's l_linger as last set, which Linux keeps while lingering is off. */
  lingerSeconds = 0;
  /** IP_MULTICAST_TTL and IP_MULTICAST_LOOP (Linux's defaults: 1, on). */
  mcastTtl = 1;
  mcastLoop = 1;
  /** IPV6_MULTICAST_HOPS and IPV6_MULTICAST_LOOP (Linux's defaults: 1, on). */
  mcastHops6 = 1;
  mcastLoop6 = 1;
  /** How much received data the record holds before it stops reading (stream) or drops datagrams. */
  rcvbuf: number;
  /** How much unsent data a stream holds before SEND waits. */
  sndbuf: number;

  constructor(
    protected readonly host: Host,
    readonly family: Family,
    readonly kind: SocketKind,
    rcvbuf: number,
    sndbuf: number,
  ) {
    this.rcvbuf = rcvbuf;
    this.sndbuf = sndbuf;
  }

  abstract bind(addr: SockAddr): number;
  abstract listen(backlog: number): number;
  abstract shutdown(how: 0 | 1 | 2): number;
  abstract getsockname(): SockAddr | number;
  abstract getpeername(): SockAddr | number;

  /** RECV/RECVFROM/ACCEPT: the result now, or null to wait. */
  protected abstract tryRead(req: IoRequest): number | null;
  /** SEND/SENDTO: the result now, null to wait, or {@link HANDED_OFF} (Node finishes it). */
  protected abstract tryWrite(req: IoRequest): number | null | typeof HANDED_OFF;
  /** Starts a CONNECT (it finishes from Node's events). */
  protected abstract connect(req: IoRequest): void;
  /** poll(2) revents of the socket right now. */
  protected abstract mask(): number;
  /** Requests started in Node that no queue holds (a connect, datagrams being sent). */
  protected abstract inNode(): number;
  /** Refs or unrefs the Node objects. */
  protected abstract setRef(on: boolean): void;
  /** Applies a changed option to the Node objects; 0 or -errno (the option is not available). */
  protected abstract optionError(opt: SockOptCode, set: boolean): number;
  protected abstract applyOption(opt: SockOptCode): void;
  /** A multicast option changed (sockopt.ts): a datagram record applies it to its Node socket. */
  multicastChanged(): void {}
  /** After serving: resume reading, etc. */
  protected afterServe(): void {}
  /** Releases the Node objects and finishes with EBADF what inNode() counts. */
  protected abstract teardown(): void;

  /** listen() succeeded and the socket still accepts connections (SO_ACCEPTCONN); a stream record says. */
  get listening(): boolean {
    return false;
  }

  /**
   * Queues a request (validated here, once) and serves what can be served.
   * A request that does not wait (MsgFlag.DONTWAIT) and could not be served
   * at once is taken back and answers -EAGAIN (backend.ts, "Not waiting").
   */
  submit(req: IoRequest): void {
    switch (req.op) {
      case IoOp.RECV:
      case IoOp.RECVFROM:
        if (!recvBufferOk(req)) return this.finish(req, EINVAL);
        if ((req.flags & ~TRANSFER_FLAGS) !== 0) return this.finish(req, EOPNOTSUPP);
        // The contract: a RECV of length 0 completes with 0 at once, whatever the socket holds.
        if (req.op === IoOp.RECV && recvLength(req) === 0) return this.finish(req, 0);
        this.readers.push(req);
        break;
      case IoOp.ACCEPT:
        this.readers.push(req);
        break;
      case IoOp.SEND:
      case IoOp.SENDTO:
        if (!(req.buf instanceof Uint8Array)) return this.finish(req, EINVAL);
        if ((req.flags & ~TRANSFER_FLAGS) !== 0) return this.finish(req, EOPNOTSUPP);
        this.writers.push(req);
        break;
      case IoOp.CONNECT:
        // The contract: a connect cannot be tried once.
        if ((req.flags & MsgFlag.DONTWAIT) !== 0) return this.finish(req, EINVAL);
        this.connect(req);
        break;
      case IoOp.POLL_IN:
      case IoOp.POLL_OUT:
        this.pollers.push(req);
        break;
      case IoOp.SENDMSG:
      case IoOp.RECVMSG:
        // Node's net and dgram have no sendmsg/recvmsg and carry no
        // ancillary data or descriptors: as a platform without them (an
        // intended difference, tests/differential/intended-differences.json).
        if (req.op === IoOp.RECVMSG) {
          req.buf ??= new Uint8Array(0);
          req.ancillary = [];
          req.msgFlags = 0;
        }
        return this.finish(req, ENOSYS);
      case IoOp.SENDFILE:
        // Node's net has no sendfile(2): socket-compat reads and sends
        // itself, as CPython does where os.sendfile fails.
        return this.finish(req, ENOSYS);
      default:
        return this.finish(req, EINVAL);
    }
    this.serve();
    if ((req.flags & MsgFlag.DONTWAIT) !== 0) {
      // Still queued: it would wait. A receive's withdraw() answers with
      // what is here (the bytes a MSG_WAITALL one took, bytes a mate sent).
      const r = this.withdraw(req);
      if (r !== null) this.finish(req, r === ECANCELED ? EAGAIN : r);
    }
  }

  /**
   * Takes a waiting request back (cancel). Returns its result (-ECANCELED,
   * or the bytes a MSG_WAITALL receive already took), or null when the
   * request is not waiting here (finished, or in Node's hands: it completes
   * on its own).
   */
  withdraw(req: IoRequest): number | null {
    for (const q of [this.readers, this.writers, this.pollers]) {
      const i = q.indexOf(req);
      if (i < 0) continue;
      q.splice(i, 1);
      const r = this.cancelled(req);
      // The request may have held up the ones behind it.
      this.serve();
      return r;
    }
    return null;
  }

  /** The result of a request taken back before it finished. */
  protected cancelled(_req: IoRequest): number {
    return ECANCELED;
  }

  /** Closes at once: every request waiting here finishes with -EBADF. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const q of [this.readers, this.writers, this.pollers]) {
      for (const req of q) this.finish(req, EBADF);
      q.length = 0;
    }
    this.teardown();
  }

  setsockopt(opt: SockOptCode, value: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) return EINVAL;
    const bad = this.optionError(opt, true);
    if (bad !== 0) return bad;
    const on = value !== 0;
    switch (opt) {
      case SockOpt.REUSEADDR:
        this.reuseAddr = on;
        break;
      case SockOpt.KEEPALIVE:
        this.keepAlive = on;
        break;
      case SockOpt.BROADCAST:
        this.broadcast = on;
        break;
      case SockOpt.NODELAY:
        this.noDelay = on;
        break;
      case SockOpt.V6ONLY:
        this.v6Only = on;
        break;
      case SockOpt.LINGER:
        this.linger = value < 0 ? -1 : value;
        break;
      case SockOpt.RCVBUF:
      case SockOpt.SNDBUF:
        if (value < 0) return EINVAL;
        // Linux doubles the value (room for its bookkeeping) and getsockopt
        // reports the doubled one; the record's own buffers use it as is.
        if (opt === SockOpt.RCVBUF) this.rcvbuf = Math.max(2 * value, MIN_RCVBUF);
        else this.sndbuf = Math.max(2 * value, MIN_SNDBUF);
        break;
      default:
        // ERROR and TYPE are read-only; unknown codes are not options.
        return ENOPROTOOPT;
    }
    this.applyOption(opt);
    this.serve();
    return 0;
  }

  getsockopt(opt: SockOptCode): number | { errno: number } {
    const bad = this.optionError(opt, false);
    if (bad !== 0) return { errno: bad };
    switch (opt) {
      case SockOpt.REUSEADDR:
        return this.reuseAddr ? 1 : 0;
      case SockOpt.KEEPALIVE:
        return this.keepAlive ? 1 : 0;
      case SockOpt.BROADCAST:
        return this.broadcast ? 1 : 0;
      case SockOpt.NODELAY:
        return this.noDelay ? 1 : 0;
      case SockOpt.V6ONLY:
        return this.v6Only ? 1 : 0;
      case SockOpt.LINGER:
        return this.linger;
      case SockOpt.RCVBUF:
        return this.rcvbuf;
      case SockOpt.SNDBUF:
        return this.sndbuf;
      case SockOpt.ERROR: {
        const e = this.takeError();
        this.serve();
        // Not -e: -0 is no option value (0 - e gives +0).
        return 0 - e;
      }
      case SockOpt.TYPE:
        return this.kind === 'stream' ? 1 : 2;
      case SockOpt.ACCEPTCONN:
        return this.listening ? 1 : 0;
      default:
        return { errno: ENOPROTOOPT };
    }
  }

  /** The pending error, cleared (as the kernel clears sk_err when it reports it). */
  protected takeError(): number {
    const e = this.error;
    this.error = 0;
    return e;
  }

  protected finish(req: IoRequest, result: number): void {
    this.host.completions.complete(req, result);
  }

  /** Finishes whatever the socket's state allows, in queue order, then updates the process ref. */
  protected serve(): void {
    if (this.closed) return;
    const readers = this.readers;
    while (readers.length > 0) {
      const req = readers[0] as IoRequest;
      const r = this.tryRead(req);
      if (r === null) break;
      readers.shift();
      this.finish(req, r);
    }
    const writers = this.writers;
    while (writers.length > 0) {
      const req = writers[0] as IoRequest;
      const r = this.tryWrite(req);
      if (r === null) break;
      writers.shift();
      if (r !== HANDED_OFF) this.finish(req, r);
    }
    this.afterServe();
    if (this.pollers.length > 0) {
      const m = this.mask();
      for (let i = 0; i < this.pollers.length; ) {
        const req = this.pollers[i] as IoRequest;
        const r = m & (req.op === IoOp.POLL_IN ? POLLIN | POLLERR | POLLHUP : POLLOUT | POLLERR | POLLHUP);
        if (r === 0) {
          i++;
          continue;
        }
        this.pollers.splice(i, 1);
        this.finish(req, r);
      }
    }
    const want = this.wantsRef();
    if (want === this.refd) return;
    if (want) {
      this.refd = true;
      this.setRef(true);
    } else if (!this.host.completions.deferUnref(this)) {
      this.refd = false;
      this.setRef(false);
    }
  }

  /** Whether a request waits on the socket: its Node objects then keep the process alive. */
  private wantsRef(): boolean {
    return this.readers.length + this.writers.length + this.pollers.length + this.inNode() > 0;
  }

  /** The end of the Node event that deferred this record's unref (Completions.deferUnref): unrefs it if nothing waits still. */
  settleRef(): void {
    this.unrefDue = false;
    if (this.closed || !this.refd || this.wantsRef()) return;
    this.refd = false;
    this.setRef(false);
  }
}
