/**
 * A stream record's connection over a Node socket: connect() (a bound
 * address is released and Node binds it again as localAddress/localPort),
 * and the socket's events that move the record's state.
 */
import net from 'node:net';
import type { IoRequest } from '@stackless-io/runtime';
import type { NodeSockAddr as SockAddr } from './addr.js';
import { checkAddr, fromNode as addrFromNode, isV4Mapped, nodeHost } from './addr.js';
import { EALREADY, ECANCELED, ECONNRESET, EISCONN, ENETUNREACH, EPIPE, fromNode } from './errno.js';
import { unixConnecting } from './mates.js';
import { StreamClose } from './stream-close.js';
import { CONNECTED, CONNECTING, FRESH, SHUT_RD, SHUT_WR } from './stream-state.js';

/** Connecting a stream record, and following its Node socket. */
export abstract class StreamConnect extends StreamClose {
  protected connect(req: IoRequest): void {
    const addr = req.addr;
    const bad = checkAddr(this.family, addr);
    if (bad !== 0) return this.finish(req, bad);
    if (this.state === CONNECTING) return this.finish(req, this.kernelPeer() !== null ? EISCONN : EALREADY);
    if (this.state !== FRESH) return this.finish(req, EISCONN);
    const target = addr as SockAddr;
    // An IPV6_V6ONLY socket cannot reach an IPv4 peer (Linux's
    // tcp_v6_connect answers at once). Node's socket is made by the connect
    // below, without the option, so the check is here.
    if (target.family === 'inet6' && this.v6Only && isV4Mapped(target.host)) return this.finish(req, ENETUNREACH);
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
        // connection (libuv sets SO_REUSEADDR, so the port is taken again),
        // or a new port on the same host if the socket lost its own.
        this.bound?.close();
        this.bound = null;
        tcp.localAddress = nodeHost(this.local);
        tcp.localPort = this.portLost ? 0 : this.local.port;
      }
      opts = tcp;
    }
    const s = new net.Socket({ allowHalfOpen: true });
    this.attach(s);
    this.conn = s;
    this.state = CONNECTING;
    this.connectReq = req;
    this.connectingFrom = null;
    // Directions shut down before connecting stay shut (Linux keeps them in
    // sk_shutdown): sends fail with EPIPE and receives end at EOF, but no
    // FIN goes out for them. They count from now on, since the kernel may
    // finish the connect before Node reports it.
    this.rdShut = (this.keptShut & SHUT_RD) !== 0;
    this.wrShut = (this.keptShut & SHUT_WR) !== 0;
    try {
      s.connect(opts);
    } catch (e) {
      this.conn = null;
      this.state = FRESH;
      this.connectReq = null;
      this.rdShut = this.wrShut = false;
      s.destroy();
      return this.finish(req, fromNode(e));
    }
    if (target.family === 'unix') {
      this.peer = { family: 'unix', path: target.path };
      unixConnecting(target.path, this);
    } else {
      // Node binds and connects on the next tick (the host is numeric) and
      // forgets the socket's name once the socket fails, while the kernel
      // keeps it: a connection reset before Node reported it still has its
      // address (see onError). A tick later the name is there to keep.
      process.nextTick(() => {
        if (this.conn === s && this.state === CONNECTING) this.connectingFrom = addrFromNode(s.localAddress, s.localPort, s.localFamily);
      });
    }
    if (!this.refd) s.unref();
  }

  override withdraw(req: IoRequest): number | null {
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

  /** Hooks a Node socket's events to this record; events of a socket it let go of are ignored. */
  protected attach(s: net.Socket): void {
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

  private onConnect(s: net.Socket): void {
    this.state = CONNECTED;
    this.keptShut = 0;
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

  private onError(e: Error): void {
    if (e === this.reported) {
      this.dead = true;
      return this.changed();
    }
    const errno = fromNode(e);
    if (this.resetSeen && errno === ECONNRESET) return this.changed();
    if (this.state === CONNECTING && this.family !== 'unix' && (errno === ECONNRESET || errno === EPIPE)) {
      // The kernel answers ECONNRESET (EPIPE after the peer's FIN) only to
      // a connection that was established: the peer accepted it and reset
      // it before Node reported the connect. connect() succeeded, and the
      // reset is the socket's pending error, as on an established one.
      this.connectedThenReset(errno);
    } else if (this.state === CONNECTING) {
      // A failed connect reports its error itself (or, when nobody waits for
      // it any more, as the pending error) and leaves the socket
      // unconnected, as a refused connect() does.
      const req = this.connectReq;
      this.connectReq = null;
      this.conn = null;
      this.state = FRESH;
      this.peer = null;
      this.rdShut = this.wrShut = false;
      // Linux's TCP forgets the directions shut down before a failed
      // connect (tcp_disconnect), and the port it chose; AF_UNIX keeps them.
      if (this.family !== 'unix') {
        this.keptShut = 0;
        this.losePort();
      }
      if (req !== null) this.finish(req, errno);
      else this.error = errno;
    } else {
      this.error = errno;
      this.dead = true;
      this.failed = true;
    }
    this.changed();
  }

  /** A connect whose connection was reset before Node reported it: connected, then reset (`errno` pending). */
  private connectedThenReset(errno: number): void {
    this.state = CONNECTED;
    this.keptShut = 0;
    if (this.connectingFrom !== null) this.setLocal(this.connectingFrom);
    this.error = errno;
    this.dead = true;
    this.failed = true;
    const req = this.connectReq;
    this.connectReq = null;
    if (req !== null) this.finish(req, 0);
  }
}
