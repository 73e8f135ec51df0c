import type { Channel } from './channel.js';

/** A receive case of {@link select}; made by `ch.recvCase()`. */
export class RecvCase<T> {
  /** -1: a receive (the direction the channel's balance counts). */
  readonly dir = -1 as const;
  constructor(
    /** The channel to receive from. */
    readonly channel: Channel<T>,
  ) {}
}

/** A send case of {@link select}; made by `ch.sendCase(value)`. */
export class SendCase<T> {
  /** +1: a send (the direction the channel's balance counts). */
  readonly dir = 1 as const;
  constructor(
    /** The channel to send on. */
    readonly channel: Channel<T>,
    /** The value to send if this case fires. */
    readonly value: T,
  ) {}
}

/** A case of {@link select}: a {@link RecvCase} or a {@link SendCase}. */
export type SelectCase = RecvCase<any> | SendCase<any>;
