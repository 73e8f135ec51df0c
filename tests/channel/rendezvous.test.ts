// Rendezvous, balance and the channel queue, after the Stackless channel
// documentation (channels.rst) and stackless-testsuite's
// v3_1/channel/test_functionality.py (testAttr_balance, testAttr_queue).
import { expect } from 'chai';
import { run, schedule, stats } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';
import { cleanupAfterFailure, expectQueue, killAndDrain, start, Trace } from './helpers.js';

describe('channel: send and receive', () => {
  cleanupAfterFailure();

  it('a receive blocks until a sender comes, then the value crosses', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    const r = start('r', function* () {
      tr.log('r receives');
      const v = yield* ch.receive();
      tr.log(`r got ${v}`);
    });
    run();
    expect(r.blocked).to.equal(true);
    expect(r.alive).to.equal(true);
    expectQueue(ch, -1, ['r']);
    start('s', function* () {
      tr.log('s sends 42');
      yield* ch.send(42);
      tr.log('s sent');
    });
    run();
    expect(tr.lines).to.deep.equal(['r receives', 's sends 42', 'r got 42', 's sent']);
    expectQueue(ch, 0, []);
    expect(r.alive).to.equal(false);
  });

  it('a send blocks until a receiver comes, then the value crosses', () => {
    const ch = new Channel<string>();
    const tr = new Trace();
    const s = start('s', function* () {
      tr.log('s sends');
      yield* ch.send('hello');
      tr.log('s sent');
    });
    run();
    expect(s.blocked).to.equal(true);
    expectQueue(ch, 1, ['s']);
    start('r', function* () {
      tr.log('r receives');
      tr.log(`r got ${yield* ch.receive()}`);
    });
    run();
    expect(tr.lines).to.deep.equal(['s sends', 'r receives', 'r got hello', 's sent']);
    expectQueue(ch, 0, []);
  });

  it('objects cross by reference, and undefined and null are values like any other', () => {
    const ch = new Channel<unknown>();
    const obj = { a: [1, 2] };
    const got: unknown[] = [];
    start('r', function* () {
      for (let i = 0; i < 3; i++) got.push(yield* ch.receive());
    });
    start('s', function* () {
      yield* ch.send(obj);
      yield* ch.send(undefined);
      yield* ch.send(null);
    });
    run();
    expect(got).to.have.length(3);
    expect(got[0]).to.equal(obj);
    expect(got[1]).to.equal(undefined);
    expect(got[2]).to.equal(null);
    expect(ch.balance).to.equal(0);
  });

  it('balance counts blocked senders (> 0) and follows kills, as in testAttr_balance', () => {
    const ch = new Channel<null>();
    expect(ch.balance).to.equal(0);
    const t1 = start('t1', function* () {
      yield* ch.send(null);
    });
    run();
    expect(ch.balance).to.equal(1);
    const t2 = start('t2', function* () {
      yield* ch.send(null);
    });
    run();
    expect(ch.balance).to.equal(2);
    t1.kill();
    expect(ch.balance).to.equal(1);
    t2.kill();
    expect(ch.balance).to.equal(0);
    run();
  });

  it('balance counts blocked receivers (< 0, negated) and follows kills', () => {
    const ch = new Channel<null>();
    const t1 = start('t1', function* () {
      yield* ch.receive();
    });
    run();
    expect(ch.balance).to.equal(-1);
    const t2 = start('t2', function* () {
      yield* ch.receive();
    });
    run();
    expect(ch.balance).to.equal(-2);
    t1.kill();
    expect(ch.balance).to.equal(-1);
    t2.kill();
    expect(ch.balance).to.equal(0);
    run();
  });

  it('balance, closing, closed and queue are read-only, as Stackless documents them', () => {
    const ch = new Channel<number>();
    const t = start('t', function* () {
      yield* ch.send(1);
    });
    run();
    const writable: string[] = [];
    const attempts: [string, unknown][] = [
      ['balance', 5],
      ['closing', true],
      ['closed', true],
      ['queue', null],
    ];
    for (const [name, value] of attempts) {
      const before = (ch as unknown as Record<string, unknown>)[name];
      try {
        (ch as unknown as Record<string, unknown>)[name] = value;
      } catch {
        // Refused: that is what a read-only attribute does in strict code.
      }
      if ((ch as unknown as Record<string, unknown>)[name] !== before) {
        writable.push(name);
        (ch as unknown as Record<string, unknown>)[name] = before;
      }
    }
    killAndDrain(t);
    expect(writable, 'attributes that assignment changed').to.deep.equal([]);
  });

  it('queue is the first waiting tasklet and waiting() lists them first to last', () => {
    const ch = new Channel<number>();
    expect(ch.queue).to.equal(null);
    expect(ch.waiting()).to.deep.equal([]);
    const t1 = start('t1', function* () {
      yield* ch.send(1);
    });
    run();
    expect(ch.queue).to.equal(t1);
    const t2 = start('t2', function* () {
      yield* ch.send(2);
    });
    const t3 = start('t3', function* () {
      yield* ch.send(3);
    });
    run();
    expect(ch.queue).to.equal(t1);
    expect(ch.waiting()).to.deep.equal([t1, t2, t3]);
    expectQueue(ch, 3, ['t1', 't2', 't3']);
    killAndDrain(t1, t2, t3);
    expect(ch.queue).to.equal(null);
  });

  it('waiting senders are matched first come, first served', () => {
    const ch = new Channel<string>();
    const got: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      start(name, function* () {
        yield* ch.send(name);
      });
    }
    run();
    expectQueue(ch, 3, ['a', 'b', 'c']);
    start('r', function* () {
      for (let i = 0; i < 3; i++) {
        got.push(yield* ch.receive());
        got.push(`balance ${ch.balance}`);
      }
    });
    run();
    expect(got).to.deep.equal(['a', 'balance 2', 'b', 'balance 1', 'c', 'balance 0']);
  });

  it('waiting receivers are matched first come, first served', () => {
    const ch = new Channel<number>();
    const got: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      start(name, function* () {
        got.push(`${name} got ${yield* ch.receive()}`);
      });
    }
    run();
    expectQueue(ch, -3, ['a', 'b', 'c']);
    start('s', function* () {
      for (let i = 1; i <= 3; i++) yield* ch.send(i);
    });
    run();
    expect(got).to.deep.equal(['a got 1', 'b got 2', 'c got 3']);
    expectQueue(ch, 0, []);
  });

  it('a ping-pong over two channels keeps its order for many rounds', () => {
    const ping = new Channel<number>();
    const pong = new Channel<number>();
    const seen: number[] = [];
    start('pinger', function* () {
      for (let i = 0; i < 100; i++) {
        yield* ping.send(i);
        seen.push(yield* pong.receive());
      }
    });
    start('ponger', function* () {
      for (let i = 0; i < 100; i++) yield* pong.send((yield* ping.receive()) * 2);
    });
    run();
    expect(seen).to.deep.equal(Array.from({ length: 100 }, (_, i) => i * 2));
    expect(ping.balance).to.equal(0);
    expect(pong.balance).to.equal(0);
    expect(stats().alive).to.equal(0);
  });

  it('a receiver that is already runnable is not matched again (balance is 0 after one rendezvous)', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    start('r', function* () {
      tr.log(`r got ${yield* ch.receive()}`);
    });
    run();
    ch.preference = 0; // the sender goes on, the receiver only becomes runnable
    start('s', function* () {
      yield* ch.send(1);
      tr.log(`s sent 1, balance ${ch.balance}`);
      yield* schedule();
      tr.log('s after schedule');
    });
    run();
    expect(tr.lines).to.deep.equal(['s sent 1, balance 0', 'r got 1', 's after schedule']);
  });
});
