/**
 * UDP sockets over `dgram`. Node's dgram resolves the host of bind(),
 * connect() and send() through a lookup function; given one that answers at
 * once (the contract's hosts are numeric), all three happen synchronously, so
 * bind() reports EADDRINUSE and getsockname() names the port at once.
 *
 * Node's UDP socket cannot stop reading, so datagrams are queued as they
 * come with their sender, and dropped (as the kernel drops them) when the
 * queue holds more than `rcvbuf` bytes. SENDTO and SEND complete from dgram's
 * send callback with the byte count.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { IoOp, MsgFlag, SockOpt, recvLength, type Family, type InetAddress, type IoRequest, type SockOptCode } from '@stackless-io/runtime';
import type { NodeSockAddr as SockAddr } from './addr.js';
import { anyAddr, checkAddr, fromNode as addrFromNode, nodeHost } from './addr.js';
import { EALREADY, EBADF, EDESTADDRREQ, EINVAL, EISCONN, ENOPROTOOPT, ENOTCONN, EOPNOTSUPP, EPIPE, fromNode } from './errno.js';
import { HANDED_OFF, impliesV6Only, POLLERR, POLLHUP, POLLIN, POLLOUT, Sock, v6OnlyElsewhere, type Host } from './sock.js';

/** Bytes of datagrams queued before new ones are dropped (Linux's default rmem). */
export const DGRAM_RCVBUF = 212_992;
export const DGRAM_SNDBUF = 212_992;

interface Datagram {
  data: Buffer;
  from: InetAddress | null;
}

/** A lookup for numeric hosts only: it answers synchronously. */
function numericLookup(host: string, _options: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  cb(null, host, isIP(host) === 6 ? 6 : 4);
}

export class DgramSock extends Sock {
  private sock: dgram.Socket | null = null;
  private bound = false;
  private local: InetAddress | null = null;
  private peer: InetAddress | null = null;
  private connectReq: IoRequest | null = null;
  private queue: Datagram[] = [];
  private head = 0;
  private queued = 0;
  /** Sends in dgram's hands. */
  private readonly sending = new Set<IoRequest>();
  private rdShut = false;
  private wrShut = false;
  /** Set while bind() runs: dgram reports a bind error synchronously, as an 'error' event. */
  private binding = false;
  private bindError = 0;
  /** RCVBUF/SNDBUF were set: pass them on to the kernel too. */
  private sizedRcv = false;
  /** A multicast option was set: apply them all once bound. */
  private multicastSet = false;
  private sizedSnd = false;
  /** Datagrams dropped because the queue was full. */
  dropped = 0;

  constructor(host: Host, family: Family) {
    super(host, family, 'dgram', DGRAM_RCVBUF, DGRAM_SNDBUF);
  }

  bind(addr: SockAddr): number {
    const bad = checkAddr(this.family, addr);
    if (bad !== 0) return bad;
    if (this.bound) return EINVAL;
    const a = addr as InetAddress;
    return this.doBind(nodeHost(a), a.port);
  }

  listen(_backlog: number): number {
    return EOPNOTSUPP;
  }

  shutdown(how: 0 | 1 | 2): number {
    if (how !== 0 && how !== 1 && how !== 2) return EINVAL;
    if (this.peer === null) {
      // Linux answers ENOTCONN but keeps the direction all the same: later
      // sends fail with EPIPE. (It keeps SHUT_RD too, but a UDP receive
      // then still waits unless it blocks, which rdShut does not model:
      // not kept here.)
      if (how !== 0) this.wrShut = true;
      return ENOTCONN;
    }
    if (how !== 0) this.wrShut = true;
    if (how !== 1) this.rdShut = true;
    this.serve();
    return 0;
  }

  getsockname(): SockAddr {
    if (this.local !== null) return { ...this.local };
    return anyAddr(this.family as 'inet' | 'inet6');
  }

  getpeername(): SockAddr | number {
    return this.peer === null ? ENOTCONN : { ...this.peer };
  }

  protected connect(req: IoRequest): void {
    const bad = checkAddr(this.family, req.addr);
    if (bad !== 0) return this.finish(req, bad);
    if (this.connectReq !== null) return this.finish(req, EALREADY);
    const r = this.ensureBound();
    if (r !== 0) return this.finish(req, r);
    const s = this.sock as dgram.Socket;
    const target = req.addr as InetAddress;
    if (this.peer !== null) {
      // Linux lets a UDP socket connect again; dgram wants a disconnect first.
      try {
        s.disconnect();
      } catch {
        // Not connected after all: nothing to undo.
      }
      this.peer = null;
    }
    this.connectReq = req;
    try {
      s.connect(target.port, nodeHost(target), (err?: Error) => this.onConnected(req, target, err));
    } catch (e) {
      this.connectReq = null;
      this.finish(req, fromNode(e));
    }
  }

  protected tryRead(req: IoRequest): number | null {
    if (req.op === IoOp.ACCEPT) return EOPNOTSUPP;
    const d = this.queue[this.head];
    if (d !== undefined) {
      const want = recvLength(req);
      const n = Math.min(want, d.data.length);
      // A receive with no buffer gets one now, at the datagram's size (see IoRequest.size).
      const buf = req.buf ?? (req.buf = Buffer.allocUnsafe(n));
      buf.set(n === d.data.length ? d.data : d.data.subarray(0, n));
      req.truncated = d.data.length > want;
      if (req.op === IoOp.RECVFROM) req.addr = d.from === null ? null : { ...d.from };
      if ((req.flags & MsgFlag.PEEK) === 0) this.pop();
      return n;
    }
    if (this.error !== 0) return this.takeError();
    if (this.rdShut) return 0;
    return null;
  }

  protected tryWrite(req: IoRequest): number | null | typeof HANDED_OFF {
    if (this.error !== 0) return this.takeError();
    if (this.connectReq !== null) return null;
    let to: InetAddress | null = null;
    if (req.op === IoOp.SENDTO) {
      const bad = checkAddr(this.family, req.addr);
      if (bad !== 0) return bad;
      if (this.peer !== null) return EISCONN;
      to = req.addr as InetAddress;
    } else if (this.peer === null) {
      return EDESTADDRREQ;
    }
    // An unbound socket gets an ephemeral port on its first send, as in the
    // kernel, which binds before it finds the socket shut down.
    const r = this.ensureBound();
    if (r !== 0) return r;
    if (this.wrShut) return EPIPE;
    const s = this.sock as dgram.Socket;
    const buf = req.buf as Uint8Array;
    const done = (err: Error | null, bytes?: number): void => this.onSent(req, err, bytes);
    try {
      if (to === null) s.send(buf, done);
      else s.send(buf, to.port, nodeHost(to), done);
    } catch (e) {
      return fromNode(e);
    }
    this.sending.add(req);
    return HANDED_OFF;
  }

  protected mask(): number {
    let m = POLLOUT;
    if (this.head < this.queue.length || this.rdShut) m |= POLLIN;
    if (this.rdShut && this.wrShut) m |= POLLHUP;
    return this.error !== 0 ? m | POLLERR : m;
  }

  protected inNode(): number {
    return this.sending.size + (this.connectReq === null ? 0 : 1);
  }

  protected setRef(on: boolean): void {
    if (this.sock === null) return;
    if (on) this.sock.ref();
    else this.sock.unref();
  }

  protected optionError(opt: SockOptCode, set: boolean): number {
    switch (opt) {
      case SockOpt.NODELAY:
        // A TCP-level option on a UDP socket, answered as Linux's IP and IPv6 layers do.
        return set || this.family === 'inet6' ? ENOPROTOOPT : EOPNOTSUPP;
      case SockOpt.REUSEPORT:
        // Node 20 has no SO_REUSEPORT for UDP.
        return ENOPROTOOPT;
      case SockOpt.V6ONLY:
        if (this.family !== 'inet6') return v6OnlyElsewhere(this.family, set);
        return set && this.bound ? EINVAL : 0;
      case SockOpt.ERROR:
      case SockOpt.TYPE:
        return set ? ENOPROTOOPT : 0;
      default:
        return 0;
    }
  }

  protected applyOption(opt: SockOptCode): void {
    if (opt === SockOpt.RCVBUF) this.sizedRcv = true;
    if (opt === SockOpt.SNDBUF) this.sizedSnd = true;
    if (this.bound) this.applyBoundOptions();
  }

  protected teardown(): void {
    if (this.connectReq !== null) {
      this.finish(this.connectReq, EBADF);
      this.connectReq = null;
    }
    for (const req of this.sending) this.finish(req, EBADF);
    this.sending.clear();
    const s = this.sock;
    this.sock = null;
    if (s !== null) {
      try {
        s.close();
      } catch {
        // Already closed by Node: nothing left to release.
      }
    }
    this.queue = [];
    this.head = 0;
    this.queued = 0;
  }

  private ensureBound(): number {
    if (this.bound) return 0;
    return this.doBind(this.family === 'inet' ? '0.0.0.0' : '::', 0);
  }

  private doBind(host: string, port: number): number {
    const s = this.sock ?? this.createSocket();
    this.binding = true;
    this.bindError = 0;
    try {
      s.bind({ address: host, port, exclusive: true });
    } catch (e) {
      return fromNode(e);
    } finally {
      this.binding = false;
    }
    if (this.bindError !== 0) return this.bindError;
    this.bound = true;
    const a = s.address();
    this.local = addrFromNode(a.address, a.port, a.family);
    if (this.local !== null && impliesV6Only(this.local)) this.v6Only = true;
    this.applyBoundOptions();
    return 0;
  }

  private createSocket(): dgram.Socket {
    const s = dgram.createSocket({
      type: this.family === 'inet' ? 'udp4' : 'udp6',
      reuseAddr: this.reuseAddr,
      ipv6Only: this.v6Only,
      lookup: numericLookup as unknown as dgram.SocketOptions['lookup'],
    });
    s.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      if (this.sock === s) this.onMessage(msg, rinfo);
    });
    s.on('error', (e: Error) => {
      if (this.binding) this.bindError = fromNode(e);
      else if (this.sock === s) this.onError(e);
    });
    if (!this.refd) s.unref();
    this.sock = s;
    return s;
  }

  override multicastChanged(): void {
    this.multicastSet = true;
    if (this.bound) this.applyBoundOptions();
  }

  /** Options the kernel takes only from a bound dgram socket; best effort, as setsockopt clamps. */
  private applyBoundOptions(): void {
    const s = this.sock as dgram.Socket;
    if (this.multicastSet) {
      // Node sets the options of the socket's own family (IPv6 hops on an
      // inet6 socket); the values were checked as Linux checks them, so
      // Node has no reason to refuse them, and a backend never throws.
      const v6 = this.family === 'inet6';
      try {
        s.setMulticastTTL(v6 ? this.mcastHops6 : this.mcastTtl);
        s.setMulticastLoopback((v6 ? this.mcastLoop6 : this.mcastLoop) !== 0);
      } catch {
        // Best effort, as the buffer sizes below: the recorded values stay what reads back.
      }
    }
    try {
      s.setBroadcast(this.broadcast);
      // The kernel doubles these again, as it would the value setsockopt was given.
      if (this.sizedRcv) s.setRecvBufferSize(this.rcvbuf / 2);
      if (this.sizedSnd) s.setSendBufferSize(this.sndbuf / 2);
    } catch {
      // The kernel refused a size (over its maximum): the queue limit still applies.
    }
  }

  private pop(): void {
    const d = this.queue[this.head] as Datagram;
    this.queued -= d.data.length;
    this.queue[this.head++] = undefined as unknown as Datagram;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private changed(): void {
    if (this.closed) return;
    this.serve();
    this.host.completions.notify();
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.queued > 0 && this.queued + msg.length > this.rcvbuf) {
      this.dropped++;
      return;
    }
    this.queue.push({ data: msg, from: addrFromNode(rinfo.address, rinfo.port, rinfo.family) });
    this.queued += msg.length;
    this.changed();
  }

  private onError(e: Error): void {
    // An ICMP error for a connected socket (ECONNREFUSED...), reported by the next receive, send or SO_ERROR.
    this.error = fromNode(e);
    this.changed();
  }

  private onSent(req: IoRequest, err: Error | null, bytes: number | undefined): void {
    if (!this.sending.delete(req)) return;
    this.finish(req, err ? fromNode(err) : (bytes ?? (req.buf as Uint8Array).length));
    this.changed();
  }

  private onConnected(req: IoRequest, target: InetAddress, err: Error | undefined): void {
    if (this.connectReq !== req) return;
    this.connectReq = null;
    if (err) {
      this.finish(req, fromNode(err));
    } else {
      this.peer = { ...target };
      // The kernel chose the source address (and, after a reconnect, maybe a new port).
      const a = (this.sock as dgram.Socket).address();
      this.local = addrFromNode(a.address, a.port, a.family);
      this.finish(req, 0);
    }
    this.changed();
  }
}
