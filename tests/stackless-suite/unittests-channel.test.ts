// Stackless/unittests/test_channel.py
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { run, tasklet } from '@stackless-io/runtime';
import { channelTests } from './channel-ops-shared.js';
import { test } from './suite.js';

channelTests('unittests', () => {
  test('testSequence', () => {
    const c = new Channel<number | null>();
    const data: (number | null)[] = [];
    tasklet(function* sender() {
      yield* c.sendSequence(Array.from({ length: 10 }, (_, i) => i));
      c.close();
      while (c.closing && !c.closed) yield* c.send(null);
    })();
    tasklet(function* receiver() {
      for (const item of c) data.push(yield* item);
      while (data[data.length - 1] === null) data.pop();
      data.push(10);
    })();
    run();
    expect(data).to.deep.equal(Array.from({ length: 11 }, (_, i) => i));
    expect(c.closed).to.equal(true);
  });

  test('testSequence2', () => {
    // Python ends the receiver's loop with send_exception(StopIteration); a
    // JavaScript for...of loop ends on done instead, which close() gives
    // once no sender waits (preference 1 lets the sender close first).
    const c = new Channel<number>();
    c.preference = 1;
    const data: number[] = [];
    tasklet(function* sender() {
      const length = yield* c.sendSequence(Array.from({ length: 10 }, (_, i) => i));
      expect(length).to.equal(10);
      c.close();
    })();
    tasklet(function* receiver() {
      for (const item of c) data.push(yield* item);
    })();
    run();
    expect(data).to.deep.equal(Array.from({ length: 10 }, (_, i) => i));
    expect(c.closed).to.equal(true);
  });
});
