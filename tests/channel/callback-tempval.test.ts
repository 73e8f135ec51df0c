// While the channel callback runs, the acting tasklet's tempval holds the
// value being sent (Stackless sets it for the callback), and nothing for a
// receive.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { run, setChannelCallback } from '@stackless-io/runtime';
import { cleanupAfterFailure, start } from './helpers.js';

describe('channel: the channel callback sees the value in tempval', () => {
  cleanupAfterFailure();

  it('a sender\'s tempval is the value being sent; a receiver\'s is undefined', () => {
    const ch = new Channel<string>();
    const seen: unknown[] = [];
    setChannelCallback((_ch, t, sending) => seen.push([sending, t.tempval]));
    let got: string | undefined;
    try {
      start('receiver', function* () {
        got = yield* ch.receive();
      });
      start('sender', function* () {
        yield* ch.send('hello');
      });
      run();
    } finally {
      setChannelCallback(null);
    }
    expect(got).to.equal('hello');
    expect(seen).to.deep.equal([
      [false, undefined],
      [true, 'hello'],
    ]);
  });
});
