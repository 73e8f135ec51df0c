// sendException takes an exception class; anything else (Python's int, here
// Number) raises TypeError in the caller and the receiver stays blocked.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { getcurrent, run, tasklet } from '@stackless-io/runtime';
import { cleanupAfterFailure, killAndDrain, start } from './helpers.js';

describe('channel: sendException with a class that is not an exception', () => {
  cleanupAfterFailure();

  it('raises TypeError in the sender and leaves the receiver blocked', () => {
    const ch = new Channel<number>();
    const receiver = start('receiver', function* () {
      yield* ch.receive();
    });
    let caught: unknown;
    start('sender', function* () {
      try {
        yield* ch.sendException(Number as unknown as typeof Error);
      } catch (e) {
        caught = e;
      }
    });
    run();
    expect(caught).to.be.instanceOf(TypeError);
    expect((caught as Error).message).to.contain('Error subclass');
    expect(receiver.blocked).to.equal(true);
    expect(ch.balance).to.equal(-1);
    killAndDrain(receiver);
  });

  it('raiseException on a tasklet checks its class the same way', () => {
    const t = tasklet(function* () {
      getcurrent();
    })();
    expect(() => t.raiseException(Number as unknown as typeof Error)).to.throw(TypeError);
    expect(t.alive).to.equal(true);
    run();
  });
});
