/**
 * Stream sockets (TCP, and Unix-domain through Node's pipes) over `net`.
 *
 * bind() holds a bound libuv handle (stream-bind.ts) until listen() hands it
 * to a net.Server, or connect() releases it and asks Node to bind the same
 * address as localAddress/localPort.
 *
 * The record is one object, but its class is built in layers, one file
 * each, every layer using only those below it: the shared state
 * (stream-state.ts), the mate (stream-mate.ts), addresses and bind
 * (stream-address.ts), receiving (stream-recv.ts), sending
 * (stream-send.ts), closing (stream-close.ts), connecting
 * (stream-connect.ts), shutting down (stream-shutdown.ts) and listening
 * (stream-listen.ts). This file completes it with what Sock asks that no
 * layer owns: readiness, the process ref and the options.
 */
import type net from 'node:net';
import { IoOp, SockOpt, type Family, type IoRequest, type SockOptCode } from '@stackless-io/runtime';
import { EINVAL, ENOPROTOOPT, EOPNOTSUPP } from './errno.js';
import { POLLERR, POLLHUP, POLLIN, POLLOUT, v6OnlyElsewhere, type Host } from './sock.js';
import { StreamListen } from './stream-listen.js';
import { CONNECTED, CONNECTING, FRESH, LISTENING } from './stream-state.js';

/** Read-ahead limit: Linux's default TCP SO_RCVBUF. */
export const STREAM_RCVBUF = 131_072;
/** Unsent bytes Node may hold for a stream before SEND waits: Linux's default TCP SO_SNDBUF. */
export const STREAM_SNDBUF = 16_384;

/** A stream socket's record: what the libuv backend keeps for each TCP or Unix stream handle. */
export class StreamSock extends StreamListen {
  constructor(host: Host, family: Family) {
    super(host, family, 'stream', STREAM_RCVBUF, STREAM_SNDBUF);
  }

  /**
   * IoBackend.tryNow on this socket: an ACCEPT, RECV, RECVFROM or SEND
   * that submit() would finish at once is finished now (its result), so the
   * tasklet goes on in the same step, with no completion to deliver and no
   * scheduler round; null, with nothing done, for the rest.
   */
  now(req: IoRequest): number | null {
    switch (req.op) {
      case IoOp.ACCEPT:
        return this.acceptNow(req);
      case IoOp.RECV:
      case IoOp.RECVFROM:
        return this.recvNow(req);
      case IoOp.SEND:
        return this.sendNow(req);
      default:
        return null;
    }
  }

  protected newConnection(): StreamSock {
    return new StreamSock(this.host, this.family);
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
        return set && ((this.local !== null && !this.portLost) || this.state !== FRESH) ? EINVAL : 0;
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
}
