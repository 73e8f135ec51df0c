/**
 * The receive side of a stream record. Received data is read ahead into a
 * {@link ChunkQueue} up to `rcvbuf` bytes (then the Node socket is paused
 * until a receive drains it: the kernel's receive window does the rest).
 * RECV and RECVFROM copy out of it, MSG_PEEK without taking, MSG_WAITALL
 * holding what it took until the buffer is full or no more can come.
 */
import type net from 'node:net';
import { IoOp, MsgFlag, recvBufferOk, recvLength, type IoRequest } from '@stackless-io/runtime';
import type { ChunkQueue } from './chunk-queue.js';
import { ECANCELED, EINVAL, ENOTCONN } from './errno.js';
import { StreamAddress } from './stream-address.js';
import { FRESH, LISTENING, SHUT_RD } from './stream-state.js';

/** Receiving on a stream record. */
export abstract class StreamRecv extends StreamAddress {
  /** ACCEPT, which a listener serves from the readers' queue too (stream-listen.ts). */
  protected abstract tryAccept(req: IoRequest): number | null;

  protected tryRead(req: IoRequest): number | null {
    if (req.op === IoOp.ACCEPT) return this.tryAccept(req);
    req.truncated = false;
    if (req.op === IoOp.RECVFROM) req.addr = null;
    if (this.state === LISTENING) return this.family === 'unix' ? EINVAL : ENOTCONN;
    const want = recvLength(req);
    const peek = (req.flags & MsgFlag.PEEK) !== 0;
    const waitall = !peek && (req.flags & MsgFlag.WAITALL) !== 0;
    const have = this.partial?.get(req) ?? 0;
    // A RECVFROM of 0 bytes (a RECV of 0 never gets here) is a real
    // receive, as in the kernel: it answers 0 once a byte is there (taking
    // none), at EOF or on an error, and waits while there is nothing.
    if (this.rx.length < Math.max(want - have, 1) && this.awaitingMate()) return null;
    if (this.rx.length > 0) {
      // Linux names the sender of the bytes on a Unix stream (the peer's
      // name: the listener's path for an accepted socket), none on TCP.
      if (req.op === IoOp.RECVFROM && this.family === 'unix') req.addr = this.peer;
      // A receive with no buffer gets one now, at the size it takes (see
      // IoRequest.size): Node's own chunk when it is all there is and it
      // fits (nobody else holds it), else a new one the bytes are copied to.
      let taken: number;
      let buf = req.buf;
      const whole = buf === null && !peek && !waitall ? this.rx.takeWhole(want) : null;
      if (whole !== null) {
        buf = req.buf = whole;
        taken = whole.length;
      } else {
        buf ??= req.buf = Buffer.allocUnsafe(waitall ? want : Math.min(want, this.rx.length));
        taken = this.rx.copyTo(have === 0 ? buf : buf.subarray(have), !peek);
      }
      const total = have + taken;
      // Reading makes room on the sending side: a mate that found the
      // connection full may send again (stream-send.ts).
      if (taken > 0 && !peek) this.mate?.peerRead();
      const more = !this.peerFin && !this.dead && !this.rdShut && this.error === 0;
      if (waitall && total < buf.length && more) {
        (this.partial ??= new Map()).set(req, total);
        return null;
      }
      this.partial?.delete(req);
      return total;
    }
    if (have > 0 && (this.peerFin || this.dead || this.rdShut || this.error !== 0)) {
      this.partial?.delete(req);
      return have;
    }
    if (this.error !== 0) return this.takeError();
    if (this.peerFin || this.dead || this.rdShut) return 0;
    // Linux answers EINVAL for an unconnected Unix stream socket, ENOTCONN
    // for TCP, unless a shutdown(SHUT_RD) made while unconnected is kept
    // (stream-shutdown.ts): TCP checks the read side's shutdown first and
    // answers 0, as at EOF.
    if (this.state === FRESH) {
      if (this.family === 'unix') return EINVAL;
      return (this.keptShut & SHUT_RD) !== 0 ? 0 : ENOTCONN;
    }
    return null;
  }

  protected override cancelled(req: IoRequest): number {
    const have = this.partial?.get(req);
    if (have === undefined) return ECANCELED;
    // Bytes a MSG_WAITALL receive already took are the caller's: never drop them.
    this.partial?.delete(req);
    return have;
  }

  override withdraw(req: IoRequest): number | null {
    if (this.readers[0] === req && (req.op === IoOp.RECV || req.op === IoOp.RECVFROM) && !this.partial?.has(req)) {
      // A receive that waited only for the mate's bytes in flight answers
      // with what is here: a kernel receive would not have waited at all.
      this.settled = true;
      const r = this.tryRead(req);
      this.settled = false;
      if (r !== null) {
        this.readers.shift();
        this.serve();
        return r;
      }
    }
    return super.withdraw(req);
  }

  /**
   * IoBackend.tryNow for a RECV or RECVFROM: one that finds bytes here
   * already, with no receive waiting before it, takes them now, as
   * submit() would at once. Null, with nothing done, when it would wait,
   * and for what submit() must judge (a bad buffer or flag, MSG_WAITALL,
   * a receive of 0 bytes).
   */
  recvNow(req: IoRequest): number | null {
    if (this.closed || this.readers.length > 0 || this.rx.length === 0) return null;
    if ((req.flags & ~(MsgFlag.PEEK | MsgFlag.DONTWAIT)) !== 0 || !recvBufferOk(req) || recvLength(req) === 0) return null;
    const r = this.tryRead(req);
    if (r === null) return null;
    // Reading made room: a paused Node socket reads again.
    this.afterServe();
    return r;
  }

  protected override afterServe(): void {
    if (this.paused && this.rx.length < this.rcvbuf && this.conn !== null) {
      this.paused = false;
      this.conn.resume();
    }
  }

  /** Node delivered `chunk`: it joins the read-ahead, and reading pauses once that holds `rcvbuf` bytes. */
  protected onData(chunk: Buffer): void {
    this.received += chunk.length;
    this.rx.push(chunk);
    if (!this.paused && this.rx.length >= this.rcvbuf) {
      this.paused = true;
      (this.conn as net.Socket).pause();
    }
    this.changed();
  }
}
