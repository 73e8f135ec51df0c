/**
 * The baseline the benchmarks compare against: a minimal, unbuffered
 * rendezvous channel over promises, the kind a competent developer writes
 * for async/await code. A send resolves once a receiver has taken the value;
 * a receive resolves with the value of the first waiting sender. Waiters are
 * served first come, first served (FIFO on both sides).
 *
 * Deliberately ordinary: plain arrays as queues, one promise per operation
 * that has to wait, no pooling or other tricks in either direction.
 */
interface PendingSend<T> {
  value: T;
  resolve: () => void;
}

export class PromiseChannel<T> {
  private readonly senders: PendingSend<T>[] = [];
  private readonly receivers: ((value: T) => void)[] = [];

  /** Resolves once a receiver has taken `value`. */
  send(value: T): Promise<void> {
    const receiver = this.receivers.shift();
    if (receiver !== undefined) {
      receiver(value);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.senders.push({ value, resolve });
    });
  }

  /** Resolves with the value of the first sender. */
  receive(): Promise<T> {
    const sender = this.senders.shift();
    if (sender !== undefined) {
      sender.resolve();
      return Promise.resolve(sender.value);
    }
    return new Promise<T>((resolve) => {
      this.receivers.push(resolve);
    });
  }

  /** Waiting senders (> 0) or receivers (< 0), as Stackless' balance. */
  get balance(): number {
    return this.senders.length - this.receivers.length;
  }
}
