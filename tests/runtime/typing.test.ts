// Types survive `yield*`: the value of a blocking operation has the
// operation's type, never `any` (redux-saga's long-standing complaint is a
// defect here). The compile is the test: `Exact` fails to compile on `any`,
// and each `@ts-expect-error` fails to compile if the line type-checks.
// The runtime values are asserted as well.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import {
  atomic,
  completed,
  getcurrent,
  run,
  schedule,
  sleep,
  spawn,
  tasklet,
  waitFor,
  type Operation,
  type Tasklet,
  type TaskletGenerator,
} from '@stackless-io/runtime';

/** True only when A and B are the same type (`any` matches nothing else). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only with `true`: use as `exact<Equal<typeof x, T>>()`. */
function exact<_T extends true>(): void {}

describe('runtime: typing of blocking operations', () => {
  it('yield* keeps the type of channel receives, waitFor, schedule, sleep, atomic and completed', async () => {
    const ch = new Channel<number>();
    const results: unknown[] = [];
    const t = tasklet(function* (label: string) {
      const v: number = yield* ch.receive();
      exact<Equal<typeof v, number>>();
      const s: string = yield* waitFor(Promise.resolve('x'));
      exact<Equal<typeof s, string>>();
      const d = yield* waitFor(new Promise<Date>((r) => setImmediate(() => r(new Date(0)))));
      exact<Equal<typeof d, Date>>();
      const sc = yield* schedule(7);
      exact<Equal<typeof sc, number>>();
      const me = yield* schedule();
      exact<Equal<typeof me, Tasklet<any[], any>>>();
      const z = yield* sleep(0);
      exact<Equal<typeof z, void>>();
      const a = yield* atomic(completed({ ok: true as const }));
      exact<Equal<typeof a, { ok: true }>>();
      results.push(label, v, s, d.getTime(), sc, me === getcurrent(), z, a.ok);
      return v + s.length;
    });
    exact<Equal<typeof t, Tasklet<[label: string], number>>>();
    t('typed');
    const sender = tasklet(function* () {
      const r = yield* ch.send(41);
      exact<Equal<typeof r, void>>();
    })();
    const joined = t.join();
    exact<Equal<typeof joined, Promise<number>>>();
    run();
    const n = await joined;
    expect(n).to.equal(42);
    expect(results).to.deep.equal(['typed', 41, 'x', 0, 7, true, undefined, true]);
    expect(sender.alive).to.equal(false);
  });

  it('spawn() checks the arguments against the function and types join()', async () => {
    const t = spawn(
      function* (a: number, b: string) {
        yield* schedule();
        return { a, b };
      },
      1,
      'b',
    );
    const r = await t.join();
    exact<Equal<typeof r, { a: number; b: string }>>();
    expect(r).to.deep.equal({ a: 1, b: 'b' });
  });

  it('named generator functions compose as operations with their return type', async () => {
    function* twice(ch: Channel<string>): TaskletGenerator<[string, string]> {
      const first = yield* ch.receive();
      const second = yield* ch.receive();
      return [first, second];
    }
    const op: Operation<[string, string]> = { [Symbol.iterator]: () => twice(ch) };
    const ch = new Channel<string>();
    const t = spawn(function* () {
      const pair = yield* op;
      exact<Equal<typeof pair, [string, string]>>();
      return pair.join('+');
    });
    spawn(function* () {
      yield* ch.send('p');
      yield* ch.send('q');
    });
    expect(await t.join()).to.equal('p+q');
  });

  it('rejects misuse at compile time (each line below must be a type error)', () => {
    // Never called: these lines exist to be type-checked.
    function misuse(): void {
      const ch = new Channel<number>();
      tasklet(function* () {
        // @ts-expect-error a number channel does not give strings
        const s: string = yield* ch.receive();
        return s;
      });
      // @ts-expect-error a bare yield of a value is not a blocking operation
      tasklet(function* () { yield 5; });
      const t = tasklet(function* (n: number) {
        return n;
      });
      // @ts-expect-error the tasklet takes a number
      t('one');
      // @ts-expect-error spawn checks the arguments too
      spawn(function* (_n: number) {}, 'one');
      // @ts-expect-error sleep takes seconds as a number
      sleep('1');
      // @ts-expect-error waitFor takes a promise
      waitFor(42);
      // @ts-expect-error a tasklet runs a generator function
      tasklet(() => 1);
    }
    expect(typeof misuse).to.equal('function');
  });
});
