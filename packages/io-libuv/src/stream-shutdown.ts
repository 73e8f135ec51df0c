/**
 * shutdown() on a stream record, as Linux answers it in each state: on a
 * connection it ends the write side (Node's end(), our FIN) or the read
 * side; on a TCP listener the read side stops listening (a Unix one
 * refuses new connections); on a socket that is not connected it answers
 * ENOTCONN (0 on AF_UNIX) but keeps the directions, which apply to the
 * connection the socket makes next, or to those it accepts once it
 * listens (stream-connect.ts, stream-listen.ts).
 */
import type net from 'node:net';
import { EINVAL, ENOTCONN } from './errno.js';
import { StreamConnect } from './stream-connect.js';
import { CONNECTED, FRESH, LISTENING, SHUT_RD, SHUT_WR } from './stream-state.js';

/** Shutting down a stream record. */
export abstract class StreamShutdown extends StreamConnect {
  /** A Unix listener stops taking new connections (stream-listen.ts). */
  protected abstract refuseNew(): void;

  shutdown(how: 0 | 1 | 2): number {
    if (how !== 0 && how !== 1 && how !== 2) return EINVAL;
    // SHUT_RD, SHUT_WR, SHUT_RDWR are 0, 1, 2; Linux's bits are how + 1.
    const dirs = how + 1;
    if (this.family === 'unix' && this.state === LISTENING) {
      // A Unix listener shut down for reading refuses new connections; those
      // already queued can still be accepted.
      if ((dirs & SHUT_RD) !== 0) this.refuseNew();
      return 0;
    }
    if (this.family === 'unix' && (this.state !== CONNECTED || this.dead)) {
      // Linux's AF_UNIX shutdown() only sets flags: it never fails for want
      // of a peer, and a socket that connects or listens later keeps them.
      if (this.state === FRESH) this.keptShut |= dirs;
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
    if (!live || this.dead || this.closedBoth()) {
      if (this.state === FRESH) this.keptShut |= dirs;
      return ENOTCONN;
    }
    if ((dirs & SHUT_WR) !== 0 && !this.finQueued) {
      // A direction kept from before the connection sent no FIN: this one does.
      this.wrShut = true;
      this.finQueued = true;
      this.finFirst = !this.finArrived;
      (this.conn as net.Socket).end();
    }
    if ((dirs & SHUT_RD) !== 0) this.rdShut = true;
    this.serve();
    return 0;
  }
}
