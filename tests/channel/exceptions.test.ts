// sendException/sendThrow (the receiver raises instead of receiving), and
// kill/raiseException/throw on a tasklet blocked on a channel (it leaves the
// queue, balance follows, its finally blocks run, the channel goes on).
import { expect } from 'chai';
import { run, stats, TaskletExit } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';
import { cleanupAfterFailure, expectQueue, killAndDrain, start, Trace } from './helpers.js';

class Boom extends Error {
  override name = 'Boom';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function describeError(e: unknown): string {
  if (e instanceof Boom) return `Boom(${e.message}, ${e.code})`;
  if (e instanceof Error) return `${e.name}(${e.message})`;
  return `thrown ${String(e)}`;
}

describe('channel: sendException and sendThrow', () => {
  cleanupAfterFailure();

  it('sendException: a blocked receiver raises new errorClass(...args)', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    start('r', function* () {
      try {
        tr.log(`r got ${yield* ch.receive()}`);
      } catch (e) {
        tr.log(`r raised ${describeError(e)}`);
      }
    });
    run();
    start('s', function* () {
      yield* ch.sendException(Boom, 'xxx', 7);
      tr.log('s sent the exception');
    });
    run();
    // Like send: with the default preference the receiver runs at once.
    expect(tr.lines).to.deep.equal(['r raised Boom(xxx, 7)', 's sent the exception']);
    expectQueue(ch, 0, []);
  });

  it('sendException: the sender blocks, and a receiver arriving later raises', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    start('s', function* () {
      yield* ch.sendException(Boom, 'later', 1);
      tr.log('s sent the exception');
    });
    run();
    expectQueue(ch, 1, ['s']);
    start('r', function* () {
      try {
        tr.log(`r got ${yield* ch.receive()}`);
      } catch (e) {
        tr.log(`r raised ${describeError(e)}`);
      }
      tr.log('r goes on');
    });
    run();
    expect(tr.lines).to.deep.equal(['r raised Boom(later, 1)', 'r goes on', 's sent the exception']);
    expectQueue(ch, 0, []);
  });

  it('sendException with preference 1: the receiver that arrives later raises at its own turn', () => {
    const ch = new Channel<number>();
    ch.preference = 1;
    const tr = new Trace();
    start('s', function* () {
      yield* ch.sendException(Boom, 'p1', 2);
      tr.log('s sent the exception');
    });
    run();
    start('r', function* () {
      try {
        yield* ch.receive();
      } catch (e) {
        tr.log(`r raised ${describeError(e)}`);
      }
    });
    start('o', function* () {
      tr.log('o runs');
    });
    run();
    expect(tr.lines).to.deep.equal(['s sent the exception', 'o runs', 'r raised Boom(p1, 2)']);
  });

  it('sendThrow: a blocked receiver raises the very object sent', () => {
    const ch = new Channel<number>();
    const err = new Boom('same object', 3);
    let caught: unknown = null;
    start('r', function* () {
      try {
        yield* ch.receive();
      } catch (e) {
        caught = e;
      }
    });
    run();
    start('s', function* () {
      yield* ch.sendThrow(err);
    });
    run();
    expect(caught).to.equal(err);
  });

  it('sendThrow: a receiver arriving later raises the very object sent, even a non-Error', () => {
    const ch = new Channel<number>();
    const thrown = { reason: 'plain object' };
    const tr = new Trace();
    let caught: unknown = null;
    start('s', function* () {
      yield* ch.sendThrow(thrown);
      tr.log('s done');
    });
    run();
    expectQueue(ch, 1, ['s']);
    start('r', function* () {
      try {
        yield* ch.receive();
        tr.log('r received a value');
      } catch (e) {
        caught = e;
        tr.log('r raised');
      }
    });
    run();
    expect(caught).to.equal(thrown);
    expect(tr.lines).to.deep.equal(['r raised', 's done']);
  });

  it('an exception the receiver does not catch ends it and is not swallowed', async () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    const r = start('r', function* () {
      try {
        yield* ch.receive();
      } finally {
        tr.log('r finally');
      }
    });
    const result = r.join();
    run();
    start('s', function* () {
      yield* ch.sendException(Boom, 'uncaught', 9);
      tr.log('s goes on');
    });
    run();
    let outcome = 'resolved';
    try {
      await result;
    } catch (e) {
      outcome = describeError(e);
    }
    expect(outcome).to.equal('Boom(uncaught, 9)');
    expect(tr.lines).to.deep.equal(['r finally', 's goes on']);
  });

  it('the channel goes on after exceptions: values and exceptions keep their order', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    start('s', function* () {
      yield* ch.send(1);
      yield* ch.sendException(Boom, 'two', 2);
      yield* ch.send(3);
    });
    start('r', function* () {
      for (let i = 0; i < 3; i++) {
        try {
          tr.log(`got ${yield* ch.receive()}`);
        } catch (e) {
          tr.log(`raised ${describeError(e)}`);
        }
      }
    });
    run();
    expect(tr.lines).to.deep.equal(['got 1', 'raised Boom(two, 2)', 'got 3']);
  });
});

describe('channel: kill, raiseException and throw on a blocked tasklet', () => {
  cleanupAfterFailure();

  it('kill of a blocked receiver: it leaves the queue, balance follows, finally runs', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    const r = start('r', function* () {
      try {
        yield* ch.receive();
        tr.log('r received');
      } catch (e) {
        tr.log(`r caught ${(e as Error).name}`);
        throw e;
      } finally {
        tr.log('r finally');
      }
    });
    run();
    expectQueue(ch, -1, ['r']);
    r.kill();
    expect(r.alive).to.equal(false);
    expectQueue(ch, 0, []);
    expect(tr.lines).to.deep.equal(['r caught TaskletExit', 'r finally']);
    // The channel still works: a send now blocks (nobody receives) ...
    const s = start('s', function* () {
      yield* ch.send(5);
      tr.log('s sent');
    });
    run();
    expectQueue(ch, 1, ['s']);
    // ... and a new receiver gets the value.
    start('r2', function* () {
      tr.log(`r2 got ${yield* ch.receive()}`);
    });
    run();
    expect(tr.lines.slice(2)).to.deep.equal(['r2 got 5', 's sent']);
    expect(s.alive).to.equal(false);
  });

  it('kill of the middle of three blocked senders keeps the others in order', () => {
    const ch = new Channel<string>();
    const tr = new Trace();
    const ts = ['a', 'b', 'c'].map((name) =>
      start(name, function* () {
        try {
          yield* ch.send(name);
        } finally {
          tr.log(`${name} finally`);
        }
      }),
    );
    run();
    expectQueue(ch, 3, ['a', 'b', 'c']);
    ts[1]!.kill();
    expectQueue(ch, 2, ['a', 'c']);
    start('r', function* () {
      tr.log(`got ${yield* ch.receive()}`);
      tr.log(`got ${yield* ch.receive()}`);
    });
    run();
    expect(tr.lines).to.deep.equal(['b finally', 'got a', 'got c', 'a finally', 'c finally']);
    expectQueue(ch, 0, []);
  });

  it('kill with { pending: true }: the tasklet leaves the queue at once and dies at its turn', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    const r = start('r', function* () {
      try {
        yield* ch.receive();
      } finally {
        tr.log('r finally');
      }
    });
    run();
    r.kill({ pending: true });
    expectQueue(ch, 0, []);
    expect(r.alive).to.equal(true);
    expect(r.blocked).to.equal(false);
    expect(tr.lines).to.deep.equal([]);
    run();
    expect(r.alive).to.equal(false);
    expect(tr.lines).to.deep.equal(['r finally']);
  });

  it('raiseException on a blocked sender: it raises there, and its value is never delivered', () => {
    const ch = new Channel<string>();
    const tr = new Trace();
    start('s1', function* () {
      try {
        yield* ch.send('from s1');
        tr.log('s1 sent');
      } catch (e) {
        tr.log(`s1 raised ${describeError(e)}`);
      }
    });
    start('s2', function* () {
      yield* ch.send('from s2');
      tr.log('s2 sent');
    });
    run();
    const s1 = ch.queue!;
    expect(s1.label).to.equal('s1');
    s1.raiseException(Boom, 'stop', 4);
    expect(tr.lines).to.deep.equal(['s1 raised Boom(stop, 4)']);
    expectQueue(ch, 1, ['s2']);
    start('r', function* () {
      tr.log(`r got ${yield* ch.receive()}`);
    });
    run();
    expect(tr.lines).to.deep.equal(['s1 raised Boom(stop, 4)', 'r got from s2', 's2 sent']);
    expectQueue(ch, 0, []);
  });

  it('throw on a blocked receiver: it catches, and can use the channel again', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    const err = new Boom('wake up', 5);
    const r = start('r', function* () {
      try {
        yield* ch.receive();
      } catch (e) {
        tr.log(`r caught ${e === err ? 'the error' : describeError(e)}, balance ${ch.balance}`);
      }
      tr.log(`r got ${yield* ch.receive()}`);
    });
    run();
    r.throw(err);
    expectQueue(ch, -1, ['r']);
    start('s', function* () {
      yield* ch.send(6);
    });
    run();
    expect(tr.lines).to.deep.equal(['r caught the error, balance 0', 'r got 6']);
    expectQueue(ch, 0, []);
  });

  it('kill from inside a tasklet: the victim leaves the queue and dies before the killer goes on', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    const victim = start('victim', function* () {
      try {
        yield* ch.receive();
      } finally {
        tr.log(`victim finally, balance ${ch.balance}`);
      }
    });
    run();
    start('killer', function* () {
      yield* victim.kill();
      tr.log(`killer goes on, victim alive: ${victim.alive}`);
    });
    run();
    expect(tr.lines).to.deep.equal(['victim finally, balance 0', 'killer goes on, victim alive: false']);
  });

  it('a tasklet killed while blocked can be the sender of its finally block', () => {
    const ch = new Channel<number>();
    const other = new Channel<string>();
    const tr = new Trace();
    const r = start('r', function* () {
      try {
        yield* ch.receive();
      } finally {
        // Sending from a finally block while dying: preference 0 lets it go on.
        other.preference = 0;
        yield* other.send('last words');
      }
    });
    start('listener', function* () {
      tr.log(`listener got ${yield* other.receive()}`);
    });
    run();
    r.kill();
    run();
    expect(tr.lines).to.deep.equal(['listener got last words']);
    expect(r.alive).to.equal(false);
    expect(stats().alive).to.equal(0);
  });

  it('killing every blocked tasklet of a channel leaves it idle and reusable', () => {
    const ch = new Channel<number>();
    const ts = [1, 2, 3].map((v) =>
      start(`s${v}`, function* () {
        yield* ch.send(v);
      }),
    );
    run();
    expect(ch.balance).to.equal(3);
    killAndDrain(...ts);
    expectQueue(ch, 0, []);
    const got: number[] = [];
    start('r', function* () {
      got.push(yield* ch.receive());
    });
    start('s', function* () {
      yield* ch.send(9);
    });
    run();
    expect(got).to.deep.equal([9]);
  });

  it('a killed tasklet raises TaskletExit, which is not an uncaught error', () => {
    const ch = new Channel<number>();
    let seen: unknown = null;
    const r = start('r', function* () {
      try {
        yield* ch.receive();
      } catch (e) {
        seen = e;
        throw e;
      }
    });
    run();
    expect(() => r.kill()).not.to.throw();
    expect(seen).to.be.instanceOf(TaskletExit);
  });
});
