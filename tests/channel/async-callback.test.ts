// sendAsync/receiveAsync from async code, and the channel callback
// (Stackless' set_channel_callback: callback(channel, tasklet, sending, willblock)).
import { expect } from 'chai';
import {
  getChannelCallback,
  getcurrent,
  run,
  setChannelCallback,
  spawn,
  type ChannelCallback,
  type Tasklet,
} from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';
import { cleanupAfterFailure, start, Trace } from './helpers.js';

describe('channel: sendAsync and receiveAsync', () => {
  cleanupAfterFailure();

  it('an async receiver and an async sender meet', async () => {
    const ch = new Channel<number>();
    const received = ch.receiveAsync();
    await ch.sendAsync(7);
    expect(await received).to.equal(7);
    expect(ch.balance).to.equal(0);
  });

  it('sendAsync resolves once a tasklet has taken the value', async () => {
    const ch = new Channel<string>();
    const tr = new Trace();
    spawn(function* () {
      yield* ch.receive(); // the first value is dropped on purpose
      tr.log(`tasklet got ${yield* ch.receive()}`);
    });
    await ch.sendAsync('first');
    await ch.sendAsync('second');
    expect(tr.lines).to.deep.equal(['tasklet got second']);
  });

  it('receiveAsync resolves with what a tasklet sends', async () => {
    const ch = new Channel<{ n: number }>();
    const obj = { n: 1 };
    spawn(function* () {
      yield* ch.send(obj);
    });
    expect(await ch.receiveAsync()).to.equal(obj);
  });

  it('several sendAsync calls are received in call order', async () => {
    const ch = new Channel<number>();
    const sent = [1, 2, 3].map((v) => ch.sendAsync(v));
    const got = await Promise.all([ch.receiveAsync(), ch.receiveAsync(), ch.receiveAsync()]);
    await Promise.all(sent);
    expect(got).to.deep.equal([1, 2, 3]);
  });

  it('receiveAsync rejects with an exception sent over the channel', async () => {
    const ch = new Channel<number>();
    const received = ch.receiveAsync();
    spawn(function* () {
      yield* ch.sendException(RangeError, 'out of range');
    });
    let outcome = 'resolved';
    try {
      await received;
    } catch (e) {
      outcome = `${(e as Error).name}: ${(e as Error).message}`;
    }
    expect(outcome).to.equal('RangeError: out of range');
  });

  it('sendAsync on a closed channel rejects with ValueError', async () => {
    const ch = new Channel<number>();
    ch.close();
    let outcome = 'resolved';
    try {
      await ch.sendAsync(1);
    } catch (e) {
      outcome = (e as Error).name;
    }
    expect(outcome).to.equal('ValueError');
  });
});

describe('channel: setChannelCallback', () => {
  cleanupAfterFailure();

  type Call = { channel: unknown; tasklet: string; sending: boolean; willBlock: boolean };

  function record(calls: Call[]): ChannelCallback {
    return (channel, t, sending, willBlock) => {
      calls.push({ channel, tasklet: (t as Tasklet).label, sending, willBlock });
    };
  }

  it('is called before each action with (channel, tasklet, sending, willBlock)', () => {
    const ch = new Channel<number>();
    const calls: Call[] = [];
    const old = setChannelCallback(record(calls));
    try {
      expect(old).to.equal(null);
      start('r1', function* () {
        yield* ch.receive(); // nobody sends yet: blocks
      });
      run();
      start('s1', function* () {
        yield* ch.send(1); // r1 waits: no block
      });
      run();
      start('s2', function* () {
        yield* ch.send(2); // nobody waits: blocks
      });
      run();
      start('r2', function* () {
        yield* ch.receive(); // s2 waits: no block
      });
      run();
    } finally {
      setChannelCallback(old);
    }
    expect(calls).to.deep.equal([
      { channel: ch, tasklet: 'r1', sending: false, willBlock: true },
      { channel: ch, tasklet: 's1', sending: true, willBlock: false },
      { channel: ch, tasklet: 's2', sending: true, willBlock: true },
      { channel: ch, tasklet: 'r2', sending: false, willBlock: false },
    ]);
  });

  it('passes the tasklet doing the action, which is the current one', () => {
    const ch = new Channel<number>();
    const seen: boolean[] = [];
    const old = setChannelCallback((_c, t) => {
      seen.push(t === getcurrent());
    });
    try {
      start('a', function* () {
        yield* ch.send(1);
      });
      start('b', function* () {
        yield* ch.receive();
      });
      run();
    } finally {
      setChannelCallback(old);
    }
    expect(seen).to.deep.equal([true, true]);
  });

  it('counts sendException as sending, and is told of an action on a closed channel (willBlock true)', () => {
    const ch = new Channel<number>();
    const calls: Call[] = [];
    const old = setChannelCallback(record(calls));
    try {
      start('r', function* () {
        try {
          yield* ch.receive();
        } catch {
          ch.close();
          try {
            yield* ch.receive();
          } catch {
            // ValueError: the channel is closed
          }
        }
      });
      start('s', function* () {
        yield* ch.sendException(Error, 'x');
      });
      run();
    } finally {
      setChannelCallback(old);
    }
    expect(calls).to.deep.equal([
      { channel: ch, tasklet: 'r', sending: false, willBlock: true },
      { channel: ch, tasklet: 's', sending: true, willBlock: false },
      { channel: ch, tasklet: 'r', sending: false, willBlock: true },
    ]);
  });

  it('returns the previous callback, getChannelCallback reads it, and null removes it', () => {
    const a: ChannelCallback = () => undefined;
    const b: ChannelCallback = () => undefined;
    expect(getChannelCallback()).to.equal(null);
    expect(setChannelCallback(a)).to.equal(null);
    expect(getChannelCallback()).to.equal(a);
    expect(setChannelCallback(b)).to.equal(a);
    expect(setChannelCallback(null)).to.equal(b);
    expect(getChannelCallback()).to.equal(null);
  });
});
