/**
 * The send side of a stream record. SEND copies what fits under `sndbuf`
 * bytes of unsent data into Node's write queue and completes with that
 * count at once; with no room it waits until Node has flushed some, so a
 * waiting send has given nothing away and can be cancelled honestly.
 *
 * A send that does not wait (MsgFlag.DONTWAIT) must offer the kernel the
 * whole buffer and report its take, which Node does not show directly: a
 * write() hands the kernel at once what it takes and queues the rest, so
 * Node's writableLength is 0 after a write the kernel took whole. Such a
 * send therefore hands Node the buffer a piece at a time while the kernel
 * takes each piece whole, and stops after the first piece Node had to
 * queue: its count is the kernel's take, give or take that piece (which
 * Node sends as the peer reads, as the kernel would). While Node holds
 * queued bytes the socket is full: the send waits, which makes it answer
 * -EAGAIN (sock.ts), as a kernel socket's non-blocking send fills it and
 * then refuses more until the peer reads.
 *
 * When the peer is a record of this process (a mate), Node's queue is not
 * the whole story: the mate reads ahead from its Node socket (up to its
 * SO_RCVBUF), and that read makes the kernel grow its window, so Node's
 * queue soon empties although the mate's receives took nothing, where a
 * kernel socket would stay full. So a socket that such a send found full
 * stays full, for every send, until the mate's receives have taken bytes
 * (or, with a peer elsewhere, until Node's queue is empty).
 */
import type net from 'node:net';
import { MsgFlag, type IoRequest } from '@stackless-io/runtime';
import { ENOTCONN, EPIPE, fromNode } from './errno.js';
import { TRANSFER_FLAGS } from './sock.js';
import { StreamRecv } from './stream-recv.js';
import { CONNECTED, CONNECTING } from './stream-state.js';

/** An empty write: its callback says when Node has sent what was queued before it (put()). */
const NOTHING = Buffer.alloc(0);

/** The piece a send that does not wait hands Node at a time (see the top of the file). */
const PIECE = 65536;

/**
 * A copy of `n` bytes of `buf` from `at`: Node keeps what write() is given
 * until it has sent it, and the caller owns `buf` again once the send has
 * completed. (allocUnsafe takes small buffers from Node's pool, and set()
 * copies without Buffer.from's checks of what it was given.)
 */
function copyOf(buf: Uint8Array, at: number, n: number): Buffer {
  const c = Buffer.allocUnsafe(n);
  c.set(at === 0 && n === buf.length ? buf : buf.subarray(at, at + n));
  return c;
}

/** Sending on a stream record. */
export abstract class StreamSend extends StreamRecv {
  /**
   * A send that does not wait found the socket full (Node kept bytes of
   * it): what the mate's receives had taken then (-1: no mate). null while
   * the socket is not known to be full.
   */
  private fullAt: number | null = null;

  peerRead(): void {
    if (this.fullAt === null || this.closed) return;
    this.serve();
    this.host.completions.kick();
  }

  /** Whether the socket a send that does not wait filled is full still (see the top of the file). */
  private stillFull(conn: net.Socket): boolean {
    const at = this.fullAt;
    if (at === null) return false;
    const mate = this.mate;
    const full = at >= 0 && mate !== null ? mate.consumed() <= at : conn.writableLength > 0;
    if (!full) this.fullAt = null;
    return full;
  }

  /**
   * IoBackend.tryNow for a SEND: one that submit() would finish at once
   * (the socket has room, or the send fails) is done now, with no send
   * waiting before it. Null, with nothing done, when it would wait, and for
   * what submit() must judge (a bad buffer or flag).
   */
  sendNow(req: IoRequest): number | null {
    if (this.closed || this.writers.length > 0 || !(req.buf instanceof Uint8Array) || (req.flags & ~TRANSFER_FLAGS) !== 0) return null;
    const r = this.tryWrite(req);
    if (r === null) return null;
    if (this.pollers.length > 0) {
      // The send changed what poll() sees (less room, an error), as serve() would have found after a submit.
      this.serve();
      this.host.completions.kick();
    }
    return r;
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
    if (buf.length > 0 && this.stillFull(conn)) return null;
    let n: number;
    if ((req.flags & MsgFlag.DONTWAIT) !== 0) {
      if (conn.writableLength > 0 && buf.length > 0) return null;
      n = 0;
      do {
        const k = Math.min(PIECE, buf.length - n);
        // A copy: the caller owns buf again once the send completes.
        this.put(conn, copyOf(buf, n, k));
        n += k;
      } while (n < buf.length && conn.writableLength === 0 && conn.errored === null);
      if (conn.writableLength > 0 && this.state === CONNECTED) this.fullAt = this.mate === null ? -1 : this.mate.consumed();
    } else {
      const room = this.sndbuf - conn.writableLength;
      if (room <= 0 && buf.length > 0) return null;
      // An empty send still reaches the kernel, which may answer EPIPE.
      n = Math.min(Math.max(room, 0), buf.length);
      // A copy: the caller owns buf again once the send completes.
      this.put(conn, copyOf(buf, 0, n));
    }
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

  /**
   * Hands Node `chunk`, asking to hear when it has gone only when that can
   * change anything here. A chunk the kernel takes whole within write()
   * (the common case: Node tries the write at once) leaves Node's queue as
   * it was, and a callback would only cost Node a nextTick and this record
   * a serve() per send. A chunk that joins a queue, or that Node had to keep
   * part of, makes room (and readiness) change later: its callback, or an
   * empty write queued behind it, tells when.
   */
  private put(conn: net.Socket, chunk: Buffer): void {
    if (conn.writableLength > 0) {
      conn.write(chunk, this.onWritten);
      return;
    }
    conn.write(chunk);
    if (conn.writableLength > 0 && conn.errored === null) conn.write(NOTHING, this.onWritten);
  }

  private readonly onWritten = (): void => {
    this.changed();
  };
}
