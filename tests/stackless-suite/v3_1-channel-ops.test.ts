// stackless-testsuite: stackless_testsuite/v3_1/channel/test_channel.py
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { run, tasklet } from '@stackless-io/runtime';
import { channelTests } from './channel-ops-shared.js';
import { test } from './suite.js';

channelTests('v3_1', () => {
  test('testSequence', () => {
    // Python ends the receiver's loop with send_throw(StopIteration); here
    // close() ends iteration once no sender waits.
    const c = new Channel<number>();
    const data: number[] = [];
    tasklet(function* () {
      yield* c.sendSequence(Array.from({ length: 10 }, (_, i) => i));
      c.close();
    })();
    tasklet(function* () {
      for (const item of c) data.push(yield* item);
      data.push(10);
    })();
    c.preference = 1;
    run();
    expect(data).to.deep.equal(Array.from({ length: 11 }, (_, i) => i));
    expect(c.closed).to.equal(true);
  });

});
