// sendSequence, blocking iteration, next(), and close/open/closing/closed,
// after channels.rst and stackless-testsuite's testAttr_closing_closed.
import { expect } from 'chai';
import { run, ValueError } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';
import { cleanupAfterFailure, expectQueue, killAndDrain, start, Trace } from './helpers.js';

describe('channel: sendSequence', () => {
  cleanupAfterFailure();

  it('sends every item in order and returns how many it sent', () => {
    const ch = new Channel<number>();
    const got: number[] = [];
    let count = -1;
    start('sender', function* () {
      count = yield* ch.sendSequence([10, 20, 30, 40]);
    });
    start('receiver', function* () {
      for (let i = 0; i < 4; i++) got.push(yield* ch.receive());
    });
    run();
    expect(got).to.deep.equal([10, 20, 30, 40]);
    expect(count).to.equal(4);
    expectQueue(ch, 0, []);
  });

  it('takes any iterable, a generator included, and pulls it lazily', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    function* numbers(): Generator<number> {
      for (let i = 1; i <= 3; i++) {
        tr.log(`produce ${i}`);
        yield i;
      }
    }
    let count = -1;
    start('receiver', function* () {
      for (let i = 0; i < 3; i++) tr.log(`got ${yield* ch.receive()}`);
    });
    start('sender', function* () {
      count = yield* ch.sendSequence(numbers());
    });
    run();
    expect(count).to.equal(3);
    expect(tr.lines).to.deep.equal(['produce 1', 'got 1', 'produce 2', 'got 2', 'produce 3', 'got 3']);
  });

  it('an empty sequence returns 0 without blocking', () => {
    const ch = new Channel<number>();
    let count = -1;
    start('sender', function* () {
      count = yield* ch.sendSequence([]);
    });
    run();
    expect(count).to.equal(0);
    expectQueue(ch, 0, []);
  });

  it('blocks between items like repeated sends (balance shows the waiting sender)', () => {
    const ch = new Channel<string>();
    const s = start('sender', function* () {
      yield* ch.sendSequence(['a', 'b']);
    });
    run();
    expectQueue(ch, 1, ['sender']);
    const got: string[] = [];
    start('r', function* () {
      got.push(yield* ch.receive());
    });
    run();
    expect(got).to.deep.equal(['a']);
    expectQueue(ch, 1, ['sender']);
    killAndDrain(s);
    expectQueue(ch, 0, []);
  });
});

describe('channel: iteration and next()', () => {
  cleanupAfterFailure();

  it('for (const op of ch) drains the waiting senders of a closed channel, then ends', () => {
    const ch = new Channel<number>();
    for (const v of [1, 2, 3]) {
      start(`s${v}`, function* () {
        yield* ch.send(v);
      });
    }
    run();
    ch.close();
    expect(ch.closing).to.equal(true);
    expect(ch.closed).to.equal(false);
    const got: number[] = [];
    let ended = false;
    start('reader', function* () {
      for (const op of ch) {
        const v = yield* op;
        got.push(v);
      }
      ended = true;
    });
    run();
    expect(got).to.deep.equal([1, 2, 3]);
    expect(ended).to.equal(true);
    expect(ch.closed).to.equal(true);
  });

  it('iteration blocks for values and ends when the sender closes the channel', () => {
    const ch = new Channel<number>();
    ch.preference = 0;
    const tr = new Trace();
    start('reader', function* () {
      for (const op of ch) tr.log(`got ${yield* op}`);
      tr.log('loop ended');
    });
    start('writer', function* () {
      const n = yield* ch.sendSequence([1, 2, 3]);
      ch.close();
      tr.log(`writer sent ${n} and closed`);
    });
    run();
    expect(tr.lines).to.deep.equal(['got 1', 'got 2', 'writer sent 3 and closed', 'got 3', 'loop ended']);
    expect(ch.closed).to.equal(true);
  });

  it('yield* ch.next() returns { done: false, value } and then { done: true } once closed', () => {
    const ch = new Channel<string>();
    start('s', function* () {
      yield* ch.send('only');
    });
    run();
    ch.close();
    const results: IteratorResult<string, undefined>[] = [];
    start('reader', function* () {
      results.push(yield* ch.next());
      results.push(yield* ch.next());
      results.push(yield* ch.next());
    });
    run();
    expect(results).to.deep.equal([
      { done: false, value: 'only' },
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  it('the next() loop of the doc comment reads until the channel is closed', () => {
    const ch = new Channel<number>();
    const got: number[] = [];
    start('reader', function* () {
      for (let r = yield* ch.next(); !r.done; r = yield* ch.next()) got.push(r.value);
    });
    start('writer', function* () {
      yield* ch.send(1);
      yield* ch.send(2);
      ch.close();
      // The reader is blocked in a receive queued before close(): it is still matched.
      yield* ch.send(3);
    });
    run();
    expect(got).to.deep.equal([1, 2, 3]);
    expect(ch.closed).to.equal(true);
  });
});

describe('channel: close and open', () => {
  cleanupAfterFailure();

  it('closing and closed follow close(), the queue and open(), as in testAttr_closing_closed', () => {
    const ch = new Channel<null>();
    expect(ch.closing).to.equal(false);
    expect(ch.closed).to.equal(false);
    const t = start('t', function* () {
      yield* ch.send(null);
    });
    run();
    expect(ch.closing).to.equal(false);
    expect(ch.closed).to.equal(false);
    ch.close();
    expect(ch.closing).to.equal(true);
    expect(ch.closed).to.equal(false);
    t.kill();
    expect(ch.closing).to.equal(true);
    expect(ch.closed).to.equal(true);
    ch.open();
    expect(ch.closing).to.equal(false);
    expect(ch.closed).to.equal(false);
  });

  it('close() of an idle channel makes it closed at once', () => {
    const ch = new Channel<number>();
    ch.close();
    expect(ch.closing).to.equal(true);
    expect(ch.closed).to.equal(true);
  });

  it('on a closing channel, waiting senders are still matched; an operation that would block raises ValueError', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    for (const v of [1, 2]) {
      start(`s${v}`, function* () {
        yield* ch.send(v);
        tr.log(`s${v} sent`);
      });
    }
    run();
    ch.close();
    start('late sender', function* () {
      try {
        yield* ch.send(3);
        tr.log('late sender sent');
      } catch (e) {
        tr.log(`late sender raised ${(e as Error).name}`);
      }
    });
    run();
    expect(tr.lines).to.deep.equal(['late sender raised ValueError']);
    expectQueue(ch, 2, ['s1', 's2']);
    start('reader', function* () {
      tr.log(`got ${yield* ch.receive()}`);
      tr.log(`closed after one: ${ch.closed}`);
      tr.log(`got ${yield* ch.receive()}`);
      tr.log(`closed after two: ${ch.closed}`);
      try {
        yield* ch.receive();
        tr.log('third receive returned');
      } catch (e) {
        tr.log(`third receive raised ${e instanceof ValueError ? 'ValueError' : String(e)}`);
      }
    });
    run();
    expect(tr.lines.slice(1)).to.deep.equal([
      'got 1',
      'closed after one: false',
      'got 2',
      'closed after two: true',
      'third receive raised ValueError',
      's1 sent',
      's2 sent',
    ]);
    expectQueue(ch, 0, []);
  });

  it('on a closing channel, waiting receivers are still matched by senders', () => {
    const ch = new Channel<number>();
    const tr = new Trace();
    start('r', function* () {
      tr.log(`r got ${yield* ch.receive()}`);
    });
    run();
    ch.close();
    expect(ch.closed).to.equal(false);
    start('s', function* () {
      yield* ch.send(1);
      tr.log(`s sent, closed: ${ch.closed}`);
      try {
        yield* ch.send(2);
      } catch (e) {
        tr.log(`second send raised ${(e as Error).name}: ${(e as Error).message}`);
      }
    });
    run();
    expect(tr.lines).to.deep.equal([
      'r got 1',
      's sent, closed: true',
      'second send raised ValueError: send/receive operation on a closed channel',
    ]);
  });

  it('a sendException on a closed channel raises ValueError in the sender', () => {
    const ch = new Channel<number>();
    ch.close();
    let raised = '';
    start('s', function* () {
      try {
        yield* ch.sendException(Error, 'never delivered');
      } catch (e) {
        raised = e instanceof ValueError ? 'ValueError' : String(e);
      }
    });
    run();
    expect(raised).to.equal('ValueError');
    expectQueue(ch, 0, []);
  });

  it('open() after close(): operations block again as usual', () => {
    const ch = new Channel<number>();
    ch.close();
    ch.open();
    const tr = new Trace();
    start('r', function* () {
      tr.log(`r got ${yield* ch.receive()}`);
    });
    run();
    expectQueue(ch, -1, ['r']);
    start('s', function* () {
      yield* ch.send(8);
    });
    run();
    expect(tr.lines).to.deep.equal(['r got 8']);
  });

  it('a send that raised leaves the channel whole: later sends, from either order, are matched', () => {
    // The send that raises keeps its operation busy; the channel must hand
    // out fresh ones afterwards, and none may carry a stale value.
    const ch = new Channel<number>();
    ch.close();
    const tr = new Trace();
    start('s', function* () {
      try {
        yield* ch.send(1);
      } catch (e) {
        tr.log(`s raised ${(e as Error).name}`);
      }
      ch.open();
      yield* ch.send(2);
      yield* ch.send(3);
      tr.log('s sent 2 and 3');
    });
    start('r', function* () {
      tr.log(`r got ${yield* ch.receive()}`);
      tr.log(`r got ${yield* ch.receive()}`);
    });
    run();
    expect(tr.lines).to.deep.equal(['s raised ValueError', 'r got 2', 'r got 3', 's sent 2 and 3']);
    expectQueue(ch, 0, []);
    start('r2', function* () {
      tr.log(`r2 got ${yield* ch.receive()}`);
    });
    start('s2', function* () {
      yield* ch.send(4);
    });
    run();
    expect(tr.lines.slice(4)).to.deep.equal(['r2 got 4']);
    expectQueue(ch, 0, []);
  });

  it('close() does not wake tasklets already waiting; killing them empties the channel', () => {
    const ch = new Channel<number>();
    const r = start('r', function* () {
      yield* ch.receive();
    });
    run();
    ch.close();
    run();
    expect(r.blocked).to.equal(true);
    expect(ch.closed).to.equal(false);
    killAndDrain(r);
    expect(ch.closed).to.equal(true);
  });
});
