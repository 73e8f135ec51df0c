// Who runs after a rendezvous. Stackless documents (channels.rst, and the
// docstrings of channel.send/receive in channelobject.c):
//   - preference -1 (default) prefers the receiver, 1 the sender, 0 neither;
//   - the preferred side continues at once; when the preferred side is the
//     waiting peer, the caller is "put at the end of the runnables list";
//   - otherwise the peer goes to the end of the runnables and the caller
//     goes on without a switch;
//   - schedule_all overrides preference: both go to the end, peer first.
// Each test has bystanders (o1, o2) already runnable, so "the end of the
// runnables" is visible in the trace.
import { expect } from 'chai';
import { run } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';
import { cleanupAfterFailure, expectQueue, start, Trace } from './helpers.js';

type Setup = { preference?: -1 | 0 | 1; scheduleAll?: boolean };

function make(setup: Setup): Channel<number> {
  const ch = new Channel<number>();
  if (setup.preference !== undefined) ch.preference = setup.preference;
  if (setup.scheduleAll !== undefined) ch.scheduleAll = setup.scheduleAll;
  return ch;
}

/** A receiver blocks first; then a sender and two bystanders are started, in that order. */
function blockedReceiver(setup: Setup): string[] {
  const ch = make(setup);
  const tr = new Trace();
  start('r', function* () {
    tr.log('r receives');
    tr.log(`r got ${yield* ch.receive()}`);
  });
  run();
  expectQueue(ch, -1, ['r']);
  start('s', function* () {
    tr.log('s sends');
    yield* ch.send(1);
    tr.log('s sent');
  });
  start('o1', function* () {
    tr.log('o1 runs');
  });
  start('o2', function* () {
    tr.log('o2 runs');
  });
  run();
  expectQueue(ch, 0, []);
  return tr.lines;
}

/** A sender blocks first; then a receiver and two bystanders are started, in that order. */
function blockedSender(setup: Setup): string[] {
  const ch = make(setup);
  const tr = new Trace();
  start('s', function* () {
    tr.log('s sends');
    yield* ch.send(1);
    tr.log('s sent');
  });
  run();
  expectQueue(ch, 1, ['s']);
  start('r', function* () {
    tr.log('r receives');
    tr.log(`r got ${yield* ch.receive()}`);
  });
  start('o1', function* () {
    tr.log('o1 runs');
  });
  start('o2', function* () {
    tr.log('o2 runs');
  });
  run();
  expectQueue(ch, 0, []);
  return tr.lines;
}

describe('channel: preference and scheduleAll', () => {
  cleanupAfterFailure();

  it('preference is -1 (prefer the receiver) on a new channel, and scheduleAll is false', () => {
    const ch = new Channel<number>();
    expect(ch.preference).to.equal(-1);
    expect(ch.scheduleAll).to.equal(false);
    ch.preference = 0;
    expect(ch.preference).to.equal(0);
    ch.preference = 1;
    expect(ch.preference).to.equal(1);
    ch.preference = -1;
    expect(ch.preference).to.equal(-1);
  });

  describe('with a blocked receiver (the caller sends)', () => {
    it('preference -1: the receiver runs at once, the sender goes behind the runnable ones', () => {
      expect(blockedReceiver({ preference: -1 })).to.deep.equal([
        'r receives',
        's sends',
        'r got 1',
        'o1 runs',
        'o2 runs',
        's sent',
      ]);
    });

    it('preference 0: the sender goes on, the receiver goes to the end of the run queue', () => {
      expect(blockedReceiver({ preference: 0 })).to.deep.equal([
        'r receives',
        's sends',
        's sent',
        'o1 runs',
        'o2 runs',
        'r got 1',
      ]);
    });

    it('preference 1: the sender goes on, the receiver goes to the end of the run queue', () => {
      expect(blockedReceiver({ preference: 1 })).to.deep.equal([
        'r receives',
        's sends',
        's sent',
        'o1 runs',
        'o2 runs',
        'r got 1',
      ]);
    });

    it('scheduleAll: both go to the end of the run queue, the receiver first', () => {
      expect(blockedReceiver({ scheduleAll: true })).to.deep.equal([
        'r receives',
        's sends',
        'o1 runs',
        'o2 runs',
        'r got 1',
        's sent',
      ]);
    });

    it('scheduleAll overrides preference 1', () => {
      expect(blockedReceiver({ scheduleAll: true, preference: 1 })).to.deep.equal(
        blockedReceiver({ scheduleAll: true, preference: -1 }),
      );
    });
  });

  describe('with a blocked sender (the caller receives)', () => {
    it('preference -1: the receiver goes on, the sender goes to the end of the run queue', () => {
      expect(blockedSender({ preference: -1 })).to.deep.equal([
        's sends',
        'r receives',
        'r got 1',
        'o1 runs',
        'o2 runs',
        's sent',
      ]);
    });

    it('preference 0: the receiver goes on, the sender goes to the end of the run queue', () => {
      expect(blockedSender({ preference: 0 })).to.deep.equal([
        's sends',
        'r receives',
        'r got 1',
        'o1 runs',
        'o2 runs',
        's sent',
      ]);
    });

    it('preference 1: the sender runs at once, the receiver goes behind the runnable ones', () => {
      expect(blockedSender({ preference: 1 })).to.deep.equal([
        's sends',
        'r receives',
        's sent',
        'o1 runs',
        'o2 runs',
        'r got 1',
      ]);
    });

    it('scheduleAll: both go to the end of the run queue, the sender first', () => {
      expect(blockedSender({ scheduleAll: true })).to.deep.equal([
        's sends',
        'r receives',
        'o1 runs',
        'o2 runs',
        's sent',
        'r got 1',
      ]);
    });

    it('scheduleAll overrides preference 0', () => {
      expect(blockedSender({ scheduleAll: true, preference: 0 })).to.deep.equal(
        blockedSender({ scheduleAll: true, preference: -1 }),
      );
    });
  });

  it('preference -1: a receiver drains every waiting sender without blocking (the channels.rst idiom)', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    for (const v of [1, 2, 3]) {
      start(`s${v}`, function* () {
        yield* ch.send(v);
        tr.log(`s${v} sent`);
      });
    }
    run();
    start('r', function* () {
      let total = 0;
      while (ch.balance > 0) total += yield* ch.receive();
      tr.log(`r total ${total}`);
    });
    run();
    expect(tr.lines).to.deep.equal(['r total 6', 's1 sent', 's2 sent', 's3 sent']);
  });

  it('preference 1: a sender feeds every waiting receiver without blocking (the pump idiom)', () => {
    const ch = new Channel<number>();
    ch.preference = 1;
    const tr = new Trace();
    for (const name of ['r1', 'r2', 'r3']) {
      start(name, function* () {
        tr.log(`${name} got ${yield* ch.receive()}`);
      });
    }
    run();
    start('s', function* () {
      let n = 0;
      while (ch.balance < 0) yield* ch.send(++n);
      tr.log(`s fed ${n}`);
    });
    run();
    expect(tr.lines).to.deep.equal(['s fed 3', 'r1 got 1', 'r2 got 2', 'r3 got 3']);
  });

  it('preference is read at each rendezvous, so changing it affects the next one only', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    start('r', function* () {
      tr.log(`r got ${yield* ch.receive()}`);
      tr.log(`r got ${yield* ch.receive()}`);
    });
    run();
    start('s', function* () {
      yield* ch.send(1); // preference -1: r runs at once, then blocks again
      tr.log('s sent 1');
      ch.preference = 0;
      yield* ch.send(2); // preference 0: s goes on
      tr.log('s sent 2');
    });
    run();
    expect(tr.lines).to.deep.equal(['r got 1', 's sent 1', 's sent 2', 'r got 2']);
  });
});
