/**
 * The send side of a stream record. SEND copies what fits under `sndbuf`
 * bytes of unsent data into Node's write queue and completes with that
 * count at once; with no room it waits until Node has flushed some, so a
 * waiting send has given nothing away and can be cancelled honestly.
 */
import type net from 'node:net';
import type { IoRequest } from '@stackless-io/runtime';
import { ENOTCONN, EPIPE, fromNode } from './errno.js';
import { StreamRecv } from './stream-recv.js';
import { CONNECTED, CONNECTING } from './stream-state.js';

/** Sending on a stream record. */
export abstract class StreamSend extends StreamRecv {
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

  /** Reports a write error through the send that met it; its 'error' event then only ends the socket. */
  private writeFailed(err: Error): number {
    if (this.reported === err) return EPIPE;
    this.reported = err;
    this.dead = true;
    this.failed = true;
    return fromNode(err);
  }

  private readonly onWritten = (): void => {
    this.changed();
  };
}
