// A tasklet blocked on a channel is linked into the channel's queue, so its
// next/prev are its neighbours there, as in Stackless (None at the ends).
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { run } from '@stackless-io/runtime';
import { cleanupAfterFailure, killAndDrain, start } from './helpers.js';

describe('channel: next/prev of a blocked tasklet', () => {
  cleanupAfterFailure();

  it('next is the next tasklet blocked on the same channel, prev the previous one', () => {
    const ch = new Channel<number>();
    const a = start('a', function* () {
      yield* ch.send(1);
    });
    const b = start('b', function* () {
      yield* ch.send(2);
    });
    run();
    expect(ch.queue).to.equal(a);
    expect(a.next).to.equal(b);
    expect(b.prev).to.equal(a);
    expect(a.prev).to.equal(null);
    expect(b.next).to.equal(null);
    killAndDrain(a, b);
  });
});
