// select() over several channels: a typed result, one case performed,
// the others withdrawn, timeouts that leave nothing behind, closed channels,
// kills, and fairness between ready cases.
import { expect } from 'chai';
import { run, stats, tasklet, TaskletExit, ValueError } from '@stackless-io/runtime';
import { Channel, select, type SelectResult, type RecvCase, type SendCase } from '@stackless-io/channel';
import { cleanupAfterFailure, expectQueue, killAndDrain, start, Trace } from './helpers.js';

/** Compile-time equality of two types: `const ok: Equals<A, B> = true` compiles only when A and B are the same. */
type Equals<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;

describe('select', () => {
  cleanupAfterFailure();

  it('has a typed result: the index narrows the value to the case channel type (checked by the compiler)', () => {
    const a = new Channel<string>();
    const b = new Channel<number>();
    const got: string[] = [];
    start('sender', function* () {
      yield* a.send('text');
    });
    start('selector', function* () {
      const r = yield* select([a.recvCase(), b.sendCase(1)] as const);
      const exact: Equals<
        typeof r,
        { index: 0; value: string } | { index: 1; value: undefined } | { index: -1; value: undefined }
      > = true;
      expect(exact).to.equal(true);
      if (r.index === 0) {
        const s: string = r.value;
        // @ts-expect-error -- index 0 is the receive case of a Channel<string>: its value is no number
        const n: number = r.value;
        got.push(`index 0: ${s.toUpperCase()}`);
      } else if (r.index === 1) {
        const u: undefined = r.value;
        got.push(`index 1: ${String(u)}`);
      } else {
        const timedOut: -1 = r.index;
        got.push(`index ${timedOut}`);
      }
    });
    run();
    expect(got).to.deep.equal(['index 0: TEXT']);
  });

  it('infers the case tuple without `as const` too', () => {
    const a = new Channel<boolean>();
    type R = SelectResult<[RecvCase<boolean>, SendCase<string>]>;
    const exact: Equals<R, { index: 0; value: boolean } | { index: 1; value: undefined } | { index: -1; value: undefined }> =
      true;
    expect(exact).to.equal(true);
    let value: boolean | undefined;
    start('s', function* () {
      yield* a.send(true);
    });
    start('selector', function* () {
      const r = yield* select([a.recvCase(), new Channel<string>().sendCase('x')]);
      if (r.index === 0) value = r.value;
    });
    run();
    expect(value).to.equal(true);
  });

  it('performs a ready receive case at once, without blocking or switching', () => {
    const a = new Channel<number>();
    const b = new Channel<number>();
    const tr = new Trace();
    start('sa', function* () {
      yield* a.send(11);
      tr.log('sa sent');
    });
    run();
    start('selector', function* () {
      const r = yield* select([b.recvCase(), a.recvCase()]);
      tr.log(`selected ${r.index} ${String(r.value)}`);
    });
    run();
    expect(tr.lines).to.deep.equal(['selected 1 11', 'sa sent']);
    expectQueue(a, 0, []);
    expectQueue(b, 0, []);
  });

  it('performs a ready send case at once', () => {
    const a = new Channel<number>();
    const b = new Channel<string>();
    const tr = new Trace();
    start('rb', function* () {
      tr.log(`rb got ${yield* b.receive()}`);
    });
    run();
    start('selector', function* () {
      const r = yield* select([a.recvCase(), b.sendCase('hi')]);
      tr.log(`selected ${r.index}`);
    });
    run();
    // The receive case of b has the default preference: the receiver runs at once.
    expect(tr.lines).to.deep.equal(['rb got hi', 'selected 1']);
    expectQueue(a, 0, []);
    expectQueue(b, 0, []);
  });

  it('blocks on every case, is woken by exactly one peer, and withdraws the other cases', () => {
    const a = new Channel<string>();
    const b = new Channel<string>();
    const tr = new Trace();
    const selector = start('selector', function* () {
      const r = yield* select([a.recvCase(), b.recvCase()]);
      tr.log(`selected ${r.index} ${String(r.value)}`);
    });
    run();
    expect(selector.blocked).to.equal(true);
    expectQueue(a, -1, ['selector']);
    expectQueue(b, -1, ['selector']);
    start('sb', function* () {
      yield* b.send('from b');
      tr.log('sb sent');
    });
    const sa = start('sa', function* () {
      yield* a.send('from a');
      tr.log('sa sent');
    });
    run();
    expect(tr.lines).to.deep.equal(['selected 1 from b', 'sb sent']);
    // The select took one value only: sa found nobody on a and waits there.
    expectQueue(a, 1, ['sa']);
    expectQueue(b, 0, []);
    killAndDrain(sa);
  });

  it('a blocked send case is taken by a receiver; the receive cases are withdrawn', () => {
    const a = new Channel<number>();
    const out = new Channel<number>();
    const tr = new Trace();
    start('selector', function* () {
      const r = yield* select([a.recvCase(), out.sendCase(99)]);
      tr.log(`selected ${r.index} ${String(r.value)}`);
    });
    run();
    expectQueue(out, 1, ['selector']);
    start('reader', function* () {
      tr.log(`reader got ${yield* out.receive()}`);
    });
    run();
    expect(tr.lines).to.deep.equal(['reader got 99', 'selected 1 undefined']);
    expectQueue(a, 0, []);
    expectQueue(out, 0, []);
  });

  it('a woken select follows the channel preference like a plain receive', () => {
    const run1 = (preference: -1 | 0 | 1): string[] => {
      const a = new Channel<number>();
      a.preference = preference;
      const tr = new Trace();
      start('selector', function* () {
        const r = yield* select([a.recvCase(), new Channel<number>().recvCase()]);
        tr.log(`selected ${r.index}`);
      });
      run();
      start('s', function* () {
        yield* a.send(1);
        tr.log('s sent');
      });
      run();
      return tr.lines;
    };
    expect(run1(-1)).to.deep.equal(['selected 0', 's sent']);
    expect(run1(0)).to.deep.equal(['s sent', 'selected 0']);
  });

  it('an exception sent to a blocked select is raised by the select, and every case is withdrawn', () => {
    const a = new Channel<number>();
    const b = new Channel<number>();
    const tr = new Trace();
    start('selector', function* () {
      try {
        yield* select([a.recvCase(), b.recvCase()]);
        tr.log('select returned');
      } catch (e) {
        tr.log(`select raised ${(e as Error).message}, balances ${a.balance} ${b.balance}`);
      }
    });
    run();
    start('s', function* () {
      yield* b.sendException(Error, 'bad news');
    });
    run();
    expect(tr.lines).to.deep.equal(['select raised bad news, balances 0 0']);
  });

  it('an exception offered by a waiting sender is raised by a select that takes it', () => {
    const a = new Channel<number>();
    const tr = new Trace();
    start('s', function* () {
      yield* a.sendException(RangeError, 'offered');
    });
    run();
    start('selector', function* () {
      try {
        yield* select([a.recvCase()]);
        tr.log('select returned');
      } catch (e) {
        tr.log(`select raised ${(e as Error).name}: ${(e as Error).message}`);
      }
    });
    run();
    expect(tr.lines).to.deep.equal(['select raised RangeError: offered']);
    expectQueue(a, 0, []);
  });

  it('timeout: returns index -1 and leaves no waiter and no timer', async () => {
    const a = new Channel<number>();
    const b = new Channel<number>();
    const t = tasklet(function* () {
      return yield* select([a.recvCase(), b.sendCase(5)], { timeout: 0.005 });
    })();
    run();
    expect(t.blocked).to.equal(true);
    expect(stats().timers).to.equal(1);
    expectQueue(a, -1, [t.label]);
    expectQueue(b, 1, [t.label]);
    const r = await t.join();
    expect(r).to.deep.equal({ index: -1, value: undefined });
    expectQueue(a, 0, []);
    expectQueue(b, 0, []);
    expect(stats().timers).to.equal(0);
  });

  it('a select woken before its timeout cancels its timer', () => {
    const a = new Channel<number>();
    let result: unknown = null;
    start('selector', function* () {
      result = yield* select([a.recvCase()], { timeout: 60 });
    });
    run();
    expect(stats().timers).to.equal(1);
    start('s', function* () {
      yield* a.send(3);
    });
    run();
    expect(result).to.deep.equal({ index: 0, value: 3 });
    expect(stats().timers).to.equal(0);
  });

  it('timeout 0 polls: index -1 at once when nothing is ready, with nothing queued or armed', () => {
    const a = new Channel<number>();
    const tr = new Trace();
    start('poller', function* () {
      const r = yield* select([a.recvCase(), a.sendCase(1)], { timeout: 0 });
      tr.log(`poll ${r.index}, balance ${a.balance}, timers ${stats().timers}`);
    });
    start('other', function* () {
      tr.log('other runs');
    });
    run();
    expect(tr.lines).to.deep.equal(['poll -1, balance 0, timers 0', 'other runs']);
  });

  it('timeout 0 with a ready case performs it', () => {
    const a = new Channel<number>();
    let result: unknown = null;
    start('s', function* () {
      yield* a.send(4);
    });
    run();
    start('poller', function* () {
      result = yield* select([a.recvCase()], { timeout: 0 });
    });
    run();
    expect(result).to.deep.equal({ index: 0, value: 4 });
    expectQueue(a, 0, []);
  });

  it('no cases and timeout 0 returns index -1', () => {
    let result: unknown = null;
    start('poller', function* () {
      result = yield* select([], { timeout: 0 });
    });
    run();
    expect(result).to.deep.equal({ index: -1, value: undefined });
  });

  it('a case on a closed channel raises ValueError, blocking or polling', () => {
    const a = new Channel<number>();
    a.close();
    const tr = new Trace();
    start('selector', function* () {
      for (const options of [undefined, { timeout: 0 }, { timeout: 1 }]) {
        try {
          yield* select([a.recvCase()], options);
          tr.log('returned');
        } catch (e) {
          tr.log(e instanceof ValueError ? 'ValueError' : String(e));
        }
      }
    });
    run();
    expect(tr.lines).to.deep.equal(['ValueError', 'ValueError', 'ValueError']);
    expect(stats().timers).to.equal(0);
    expectQueue(a, 0, []);
  });

  it('a closing channel whose waiting sender is not yet matched still serves a select', () => {
    const a = new Channel<number>();
    start('s', function* () {
      yield* a.send(6);
    });
    run();
    a.close();
    let result: unknown = null;
    start('selector', function* () {
      result = yield* select([a.recvCase()]);
    });
    run();
    expect(result).to.deep.equal({ index: 0, value: 6 });
    expect(a.closed).to.equal(true);
  });

  it('a ready case is performed even when another case is on a closed channel (the select need not block)', () => {
    // A plain operation on a closing channel raises only when it would have
    // to wait; a select with a ready case does not wait, so it performs that
    // case, every time (not at random).
    const closedCh = new Channel<number>();
    closedCh.close();
    const ready = new Channel<number>();
    const outcomes = new Map<string, number>();
    const reader = start('reader', function* () {
      for (;;) yield* ready.receive();
    });
    run();
    start('selector', function* () {
      for (let i = 0; i < 50; i++) {
        let outcome: string;
        try {
          const r = yield* select([closedCh.recvCase(), ready.sendCase(i)]);
          outcome = `index ${r.index}`;
        } catch (e) {
          outcome = (e as Error).name;
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    });
    run();
    killAndDrain(reader);
    expect(Object.fromEntries(outcomes)).to.deep.equal({ 'index 1': 50 });
  });

  it('two receive cases on one channel: one sender matches one of them, the other is withdrawn', () => {
    const a = new Channel<number>();
    let result: unknown = null;
    start('selector', function* () {
      result = yield* select([a.recvCase(), a.recvCase()]);
    });
    run();
    expect(a.balance).to.equal(-2);
    start('s', function* () {
      yield* a.send(1);
    });
    run();
    expect(result).to.deep.equal({ index: 0, value: 1 });
    expectQueue(a, 0, []);
  });

  it('killing a tasklet blocked in select withdraws all its cases and its timer', () => {
    const a = new Channel<number>();
    const b = new Channel<number>();
    const c = new Channel<number>();
    const tr = new Trace();
    const t = start('selector', function* () {
      try {
        yield* select([a.recvCase(), b.sendCase(1), c.recvCase()], { timeout: 60 });
      } finally {
        tr.log('selector finally');
      }
    });
    run();
    expect([a.balance, b.balance, c.balance]).to.deep.equal([-1, 1, -1]);
    expect(stats().timers).to.equal(1);
    t.kill();
    expect(tr.lines).to.deep.equal(['selector finally']);
    expect([a.balance, b.balance, c.balance]).to.deep.equal([0, 0, 0]);
    expect([a.queue, b.queue, c.queue]).to.deep.equal([null, null, null]);
    expect(stats().timers).to.equal(0);
    // The channels still work.
    const got: number[] = [];
    start('r', function* () {
      got.push(yield* b.receive());
    });
    start('s', function* () {
      yield* b.send(2);
    });
    run();
    expect(got).to.deep.equal([2]);
  });

  it('throw into a tasklet blocked in select withdraws its cases; it can select again', () => {
    const a = new Channel<number>();
    const b = new Channel<number>();
    const tr = new Trace();
    const t = start('selector', function* () {
      try {
        yield* select([a.recvCase(), b.recvCase()]);
      } catch (e) {
        tr.log(`caught ${(e as Error).message}, balances ${a.balance} ${b.balance}`);
      }
      const r = yield* select([a.recvCase(), b.recvCase()]);
      tr.log(`selected ${r.index} ${String(r.value)}`);
    });
    run();
    t.throw(new Error('interrupt'));
    expect([a.balance, b.balance]).to.deep.equal([-1, -1]);
    start('s', function* () {
      yield* a.send(1);
    });
    run();
    expect(tr.lines).to.deep.equal(['caught interrupt, balances 0 0', 'selected 0 1']);
    expect([a.balance, b.balance]).to.deep.equal([0, 0]);
  });

  it('a killed select does not swallow TaskletExit', () => {
    const a = new Channel<number>();
    let seen: unknown = null;
    const t = start('selector', function* () {
      try {
        yield* select([a.recvCase()]);
      } catch (e) {
        seen = e;
        throw e;
      }
    });
    run();
    t.kill();
    expect(seen).to.be.instanceOf(TaskletExit);
  });

  it('is fair: with two cases always ready, each is chosen at least 30% of 2,000 times', () => {
    const a = new Channel<number>();
    const b = new Channel<number>();
    const counts = [0, 0];
    const readers = [a, b].map((ch, i) =>
      start(`reader${i}`, function* () {
        for (;;) yield* ch.receive();
      }),
    );
    run();
    start('selector', function* () {
      for (let i = 0; i < 2000; i++) {
        // Both readers wait again by the time the selector resumes (preference -1
        // runs the reader at once, and it loops back into receive()).
        expect([a.balance, b.balance]).to.deep.equal([-1, -1]);
        const r = yield* select([a.sendCase(i), b.sendCase(i)]);
        counts[r.index as 0 | 1]!++;
      }
    });
    run();
    expect(counts[0]! + counts[1]!).to.equal(2000);
    expect(counts[0]).to.be.at.least(600);
    expect(counts[1]).to.be.at.least(600);
    killAndDrain(...readers);
  });

  it('a select with a send and a receive case on one channel never meets itself, and a later sender takes the receive case', () => {
    const a = new Channel<number>();
    const tr = new Trace();
    const selector = start('selector', function* () {
      const r = yield* select([a.recvCase(), a.sendCase(1)]);
      tr.log(`selected ${r.index} ${String(r.value)}`);
    });
    run();
    expect(selector.blocked).to.equal(true);
    const s = start('s', function* () {
      yield* a.send(7);
      tr.log('s sent');
    });
    run();
    const outcome = { trace: tr.lines, selectorAlive: selector.alive, senderAlive: s.alive };
    killAndDrain(selector, s);
    expect(outcome).to.deep.equal({ trace: ['selected 0 7', 's sent'], selectorAlive: false, senderAlive: false });
  });
});
