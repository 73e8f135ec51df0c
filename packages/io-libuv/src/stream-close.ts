/**
 * Closing a stream record: what close() releases, and how it lets go of
 * the Node socket of a connection (stream-release.ts), as the kernel does:
 * a flushed FIN and TIME_WAIT for the side that closed first, or a reset.
 */
import type net from 'node:net';
import { EBADF } from './errno.js';
import { removeTcpEnd } from './mates.js';
import { flushAndClose, reset } from './stream-release.js';
import { StreamSend } from './stream-send.js';
import { CONNECTED } from './stream-state.js';

/** Tearing down a stream record. */
export abstract class StreamClose extends StreamSend {
  /** Stops the net.Server of a listener, if any (stream-listen.ts); its pending connections are closed. */
  protected abstract stopListening(): void;

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
}
