/**
 * A stream record as the mate of another record of this process (mates.ts):
 * what it tells its mate (bytes and FIN handed to the kernel, whether it
 * refuses data), what its mate's reset does to it, and how a receive waits,
 * for one loop turn at most, for bytes the mate already handed the kernel.
 */
import { ECONNRESET } from './errno.js';
import { addTcpEnd, type MateEnd } from './mates.js';
import { CONNECTED, StreamState } from './stream-state.js';

/** The {@link MateEnd} side of a stream record. */
export abstract class StreamMate extends StreamState implements MateEnd {
  finSent(): boolean {
    if (!this.finQueued && !this.closed) return false;
    const s = this.conn ?? this.released;
    return s === null || s.writableLength === 0;
  }

  sentToKernel(): number {
    const s = this.conn ?? this.released;
    return this.written - (s === null ? 0 : s.writableLength);
  }

  get refusesData(): boolean {
    return this.closed || this.rdShut;
  }

  consumed(): number {
    return this.received - this.rx.length;
  }

  /** The mate read: sends that waited for it may go on (stream-send.ts). */
  abstract peerRead(): void;

  pair(mate: MateEnd): void {
    this.mate = mate;
  }

  peerReset(): void {
    if (this.closed || this.state !== CONNECTED || this.dead) return;
    this.error = ECONNRESET;
    this.resetSeen = true;
    this.dead = true;
    this.failed = true;
    // Called from the mate's close(), maybe inside a scheduler round: the
    // completions are delivered from the event loop.
    this.serve();
    this.host.completions.kick();
  }

  /**
   * Whether the mate handed the kernel bytes that Node has not delivered
   * here yet. A receive then waits for them, as a kernel receive would find
   * them already queued, but only until Node's loop has polled once more
   * (it reads them then): an immediate set from the check phase runs after
   * the next poll phase, one set from the poll phase before it, so two.
   */
  protected awaitingMate(): boolean {
    const m = this.mate;
    if (m === null || this.settled || this.paused || this.conn === null) return false;
    if (m.sentToKernel() <= this.received) return false;
    this.mateWaiting = true;
    this.settleTimer ??= setImmediate(() => {
      this.settleTimer = setImmediate(this.settle);
    });
    return true;
  }

  /** The wait for the mate's bytes is over: receives take what is here. */
  private readonly settle = (): void => {
    this.settleTimer = null;
    if (this.closed) return;
    this.settled = true;
    this.serve();
    this.settled = false;
    this.host.completions.notify();
  };

  protected override serve(): void {
    this.mateWaiting = false;
    super.serve();
    // Nobody waits for the mate's bytes any more (they came): a later wait
    // gets a whole poll of its own.
    if (!this.mateWaiting && this.settleTimer !== null) {
      clearImmediate(this.settleTimer);
      this.settleTimer = null;
    }
  }

  /** Registers this connected TCP end, and pairs it with its mate if that is a record of this process. */
  protected findTcpMate(): void {
    if (this.local === null || this.peer === null) return;
    const m = addTcpEnd(this, this.local, this.peer);
    if (m === null) return;
    this.mate = m;
    m.pair(this);
  }
}
