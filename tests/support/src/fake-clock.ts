// A clock that moves only when the test says so. The runtime's timers
// (sleep, IO timeouts, sendall deadlines) read performance.now(); standing
// in for it lets a test assert "still waiting 1 ms before the deadline,
// done at it" on any machine, however loaded, instead of measuring how long
// a call took.
//
// Only performance.now() is replaced: Node's own timers keep real time. The
// runtime arms one Node timer for its earliest deadline and, when that
// fires, checks the (fake) time again and re-arms, so nothing fires early;
// after advance() the test calls the runtime's run() to fire what is due.

/** Replaces performance.now() until {@link FakeClock.restore}; starts at the real time, rounded up to a whole millisecond. */
export class FakeClock {
  private t: number;

  constructor() {
    if (Object.prototype.hasOwnProperty.call(performance, 'now')) throw new Error('a FakeClock is already installed');
    // A whole number of milliseconds: deadlines are then exact sums, so
    // "1 ms before" and "at" the deadline are not blurred by rounding.
    this.t = Math.ceil(performance.now());
    Object.defineProperty(performance, 'now', { value: () => this.t, configurable: true, writable: true });
  }

  /** The fake time (what performance.now() answers). */
  now(): number {
    return this.t;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`a clock only moves forward (advance(${ms}))`);
    this.t += ms;
  }

  /** Puts the real performance.now() back. */
  restore(): void {
    delete (performance as { now?: unknown }).now;
  }
}
