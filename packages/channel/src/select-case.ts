import type { Channel } from './channel.js';

/** A receive case of {@link select}; made by `ch.recvCase()`. */
export class RecvCase<T> {
  readonly dir = -1 as const;
  constructor(readonly channel: Channel<T>) {}
}

/** A send case of {@link select}; made by `ch.sendCase(value)`. */
export class SendCase<T> {
  readonly dir = 1 as const;
  constructor(
    readonly channel: Channel<T>,
    readonly value: T,
  ) {}
}

export type SelectCase = RecvCase<any> | SendCase<any>;
