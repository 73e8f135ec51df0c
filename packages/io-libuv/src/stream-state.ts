/**
 * The state of a stream-socket record: every field the layers of
 * StreamSock (stream.ts) share, in one place, and the facts they
 * derive from it (whether the peer's FIN arrived, whether the kernel
 * finished a connect Node has not reported yet).
 */
import type net from 'node:net';
import type { IoRequest } from '@stackless-io/runtime';
import type { NodeSockAddr as SockAddr } from './addr.js';
import { fromNode as addrFromNode } from './addr.js';
import { ChunkQueue } from './chunk-queue.js';
import type { MateEnd } from './mates.js';
import { Sock } from './sock.js';
import type { BoundHandle } from './stream-bind.js';

/** Not connected nor listening: new, after a failed connect, or after listening stopped (Linux's CLOSE). */
export const FRESH = 0;
/** listen() succeeded: a net.Server accepts connections. */
export const LISTENING = 1;
/** connect() started and Node has not reported its outcome. */
export const CONNECTING = 2;
/** Connected (connect() finished, or the record of an accepted connection), until close(). */
export const CONNECTED = 3;

/** shutdown() directions as Linux keeps them in sk_shutdown: SHUT_RD is RCV_SHUTDOWN, SHUT_WR SEND_SHUTDOWN. */
export const SHUT_RD = 1;
export const SHUT_WR = 2;

/** The fields of a stream-socket record and what is derived from them; the layers above add behaviour. */
export abstract class StreamState extends Sock {
  protected state = FRESH;
  /** bind()'s handle, holding the address until listen() or connect() uses it. */
  protected bound: BoundHandle | null = null;
  protected local: SockAddr | null = null;
  protected peer: SockAddr | null = null;
  protected conn: net.Socket | null = null;
  protected connectReq: IoRequest | null = null;
  /** The local address of a TCP connect in progress, once Node has made the connect(2) call. */
  protected connectingFrom: SockAddr | null = null;
  protected readonly rx = new ChunkQueue();
  /** The peer's FIN arrived (after every byte before it). */
  protected eof = false;
  /** Receives end at EOF once the data here is read (SHUT_RD). */
  protected rdShut = false;
  /** Sends fail with EPIPE (SHUT_WR). */
  protected wrShut = false;
  /** Our FIN is queued (Node's end() was called): SHUT_WR on a connection, not one kept from before it. */
  protected finQueued = false;
  /**
   * SHUT_RD/SHUT_WR bits of shutdown() calls made while the socket was
   * not connected (they answered ENOTCONN, or 0 on AF_UNIX): Linux keeps
   * them for the connection the socket makes next, or, listening, for the
   * connections it accepts.
   */
  protected keptShut = 0;
  /** Node's socket is gone (reset, error, or both directions finished). */
  protected dead = false;
  protected paused = false;
  /** Bytes MSG_WAITALL receives hold so far. */
  protected partial: Map<IoRequest, number> | null = null;
  /** Our FIN went out before the peer's (we close actively and keep TIME_WAIT); null until we send one. */
  protected finFirst: boolean | null = null;
  /** A write error already reported by the send that met it (its 'error' event follows). */
  protected reported: Error | null = null;
  /** The connection ended with an error (reset...), not with two FINs. */
  protected failed = false;
  /** bind() chose the port (or the listener's bind did): Linux keeps it after the connection ends. */
  protected portChosen = false;
  /**
   * The kernel let go of the socket's automatic port (a failed connect, a
   * listener that stopped): getsockname() still names it, but the socket
   * may bind again, and listen() or connect() take a new port.
   */
  protected portLost = false;
  /** The connection's address entered TIME_WAIT already (see leaveConnectionAddress). */
  protected timeWaitDone = false;
  /** The other end, when it is a record of this process (mates.ts). */
  protected mate: MateEnd | null = null;
  /** Bytes given to Node to send, less those it dropped unsent. */
  protected written = 0;
  /** Bytes Node delivered here. */
  protected received = 0;
  /** The Node socket close() let go of while it still flushes. */
  protected released: net.Socket | null = null;
  /** The mate's reset was reported here already; Node's own report of it comes later. */
  protected resetSeen = false;
  /** A receive waits for the mate's bytes (awaitingMate) until `settleTimer` fires; then `settled`. */
  protected settleTimer: NodeJS.Immediate | null = null;
  protected mateWaiting = false;
  protected settled = false;

  /** The kernel's SO_ACCEPTCONN: listen() made the record LISTENING; shutdown() or close() end it. */
  override get listening(): boolean {
    return this.state === LISTENING;
  }

  /**
   * The peer's FIN reached the kernel: Node reported it, or the mate sent it
   * (the connection's state, and poll(), know it before Node does).
   */
  protected get finArrived(): boolean {
    return this.eof || this.mate?.finSent() === true;
  }

  /** The peer's FIN arrived and every byte before it is here: receives answer EOF. */
  protected get peerFin(): boolean {
    if (this.eof) return true;
    const m = this.mate;
    return m !== null && m.finSent() && m.sentToKernel() <= this.received;
  }

  /**
   * Both FINs went: a TCP socket is CLOSED (or in TIME_WAIT) now, even if
   * Node has not closed its handle yet (loopback answers at once).
   */
  protected closedBoth(): boolean {
    return this.family !== 'unix' && this.finArrived && this.finQueued;
  }

  /**
   * Node reports a finished connect on a later turn of its loop; the kernel
   * may have finished it already (on loopback, within connect(2)). Asking
   * the handle for its peer tells, so that send and shutdown act on the
   * connection the peer already sees (Node queues them until its 'connect').
   */
  protected kernelPeer(): SockAddr | null {
    if (this.state !== CONNECTING || this.family === 'unix') return null;
    const h = (this.conn as unknown as { _handle?: { getpeername?(out: object): number } } | null)?._handle;
    const out: { address?: string; port?: number; family?: string } = {};
    if (typeof h?.getpeername !== 'function' || h.getpeername(out) !== 0) return null;
    return addrFromNode(out.address, out.port, out.family);
  }

  /** Something changed (a Node event): serves what it allows and tells the scheduler. */
  protected changed(): void {
    if (this.closed) return;
    const c = this.host.completions;
    c.hold();
    try {
      this.serve();
      c.notify();
    } finally {
      c.release();
    }
  }
}
