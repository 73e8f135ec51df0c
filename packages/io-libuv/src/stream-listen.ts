/**
 * A listening stream record: listen() hands bind()'s handle to a net.Server
 * (or has the server bind a Unix path again), connections Node accepts wait
 * as records of their own until an ACCEPT takes them (the kernel's accept
 * queue), and each inherits the listener's options, as in the kernel.
 */
import net from 'node:net';
import type { IoRequest } from '@stackless-io/runtime';
import { anyAddr, fromNode as addrFromNode } from './addr.js';
import { EADDRINUSE, EINVAL, fromNode } from './errno.js';
import { serveUnix, unixAccepted, unserveUnix } from './mates.js';
import { bindUnix } from './stream-bind.js';
import { StreamShutdown } from './stream-shutdown.js';
import { CONNECTED, FRESH, LISTENING, SHUT_RD, SHUT_WR } from './stream-state.js';

/** Listening on a stream record, and accepting its connections. */
export abstract class StreamListen extends StreamShutdown {
  protected server: net.Server | null = null;
  /** Connections Node accepted and no ACCEPT took yet (the kernel's accept queue). */
  protected pendingConns: StreamListen[] = [];

  /** A new record for a connection Node accepted (stream.ts makes it: this file cannot name that class). */
  protected abstract newConnection(): StreamListen;

  listen(backlog: number): number {
    if (typeof backlog !== 'number' || !Number.isInteger(backlog)) return EINVAL;
    if (this.state === LISTENING) return 0;
    if (this.state !== FRESH) return EINVAL;
    if (this.family === 'unix') {
      // Linux gives an unbound Unix socket an abstract name here, which Node cannot do.
      if (this.local === null) return EINVAL;
    } else if (this.bound === null) {
      // Linux binds an unbound socket to an ephemeral port on listen(). A
      // socket whose bound handle a failed connect used, or a listener
      // that stopped, is bound again: to the same port if bind() chose it,
      // else to a new one (the kernel released its automatic port).
      const before = this.local;
      const lost = this.portLost;
      const local = before ?? anyAddr(this.family as 'inet' | 'inet6');
      const addr = this.portChosen ? local : { ...local, port: 0 };
      this.setLocal(null);
      const r = this.bind(addr);
      if (r !== 0) {
        // The socket keeps the address it had (EADDRINUSE: the port bind()
        // chose is held by connections the listener accepted).
        this.setLocal(before);
        if (lost) this.losePort();
        return r;
      }
    }
    if (this.family === 'unix' && (this.keptShut & SHUT_RD) !== 0) {
      // Linux refuses connections to a Unix listener shut down for reading
      // (ECONNREFUSED, as to a socket that is bound and not listening): so
      // the bound handle stays as it is, and accepts wait.
      this.state = LISTENING;
      return 0;
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

  protected tryAccept(req: IoRequest): number | null {
    if (this.state !== LISTENING) return EINVAL;
    if (this.error !== 0) return this.takeError();
    const child = this.pendingConns.shift();
    if (child === undefined) return null;
    req.addr = child.peer === null ? null : { ...child.peer };
    return this.host.adopt(child);
  }

  /**
   * IoBackend.tryNow for an ACCEPT: a connection Node accepted already is
   * taken at once (the new handle, `addr` set), unless receives or accepts
   * wait on this socket (they go first). Null: nothing done.
   */
  acceptNow(req: IoRequest): number | null {
    if (this.closed || this.readers.length > 0) return null;
    return this.tryAccept(req);
  }

  protected stopListening(): void {
    if (this.state !== LISTENING) return;
    this.state = FRESH;
    // Linux's TCP forgets the directions it kept (tcp_disconnect) and the
    // port it chose.
    this.keptShut = 0;
    this.losePort();
    const server = this.server;
    this.server = null;
    if (server !== null) {
      if (this.family === 'unix' && this.local?.family === 'unix') unserveUnix(this.local.path);
      server.close();
    }
    // The kernel aborts the connections nobody accepted: TCP resets them,
    // and a Unix client reads ECONNRESET.
    for (const child of this.pendingConns) child.abortQueued();
    this.pendingConns = [];
  }

  protected refuseNew(): void {
    const server = this.server;
    if (server === null || this.local?.family !== 'unix') return;
    this.server = null;
    unserveUnix(this.local.path);
    // Closing the server removes the file (libuv unlinks it); a handle bound
    // to the path again, and not listening, refuses connections as Linux
    // does. The connections Node accepted already stay for accept().
    server.close();
    const h = bindUnix({ family: 'unix', path: this.local.path });
    if (typeof h !== 'number') this.bound = h;
  }

  /** A connection in the accept queue of a listener that stops: reset, as the kernel does. */
  private abortQueued(): void {
    this.mate?.peerReset();
    this.linger = 0;
    this.close();
  }

  private onConnection(server: net.Server, s: net.Socket): void {
    if (this.server !== server) {
      s.destroy();
      return;
    }
    const child = this.newConnection();
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

  /**
   * A TCP connection takes the directions its listener was shut down in
   * before it listened (Linux copies sk_shutdown to the new socket): it
   * sends its FIN as soon as it is established, and its receives end at EOF.
   */
  private inheritShut(s: net.Socket, dirs: number): void {
    if ((dirs & SHUT_RD) !== 0) this.rdShut = true;
    if ((dirs & SHUT_WR) !== 0) {
      this.wrShut = true;
      this.finQueued = true;
      this.finFirst = true;
      s.end();
    }
  }

  /** Becomes the record of a connection `listener` accepted (it inherits the listener's options, as in the kernel). */
  private adoptConnection(s: net.Socket, listener: StreamListen): void {
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
    if (this.family !== 'unix') this.inheritShut(s, listener.keptShut);
    s.unref();
    s.resume();
  }
}
