// Types survive `yield*`: the value of a blocking operation has the
// operation's type, never `any` (redux-saga's long-standing complaint is a
// defect here). The compile of this file checks the good uses: `Exact`
// fails to compile on `any`; the runtime values are asserted as well. The
// misuses are compiled here, by the TypeScript compiler, each on its own,
// and each must be a type error on its own line.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ts from 'typescript';
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

  it('rejects misuse at compile time: each misuse is a type error on its line, and the same lines used rightly compile', function () {
    this.timeout(60_000);
    const errors = compileEach([...MISUSES.map(([, bad]) => bad), ...MISUSES.map(([, , good]) => good)]);
    const bad = errors.slice(0, MISUSES.length);
    const good = errors.slice(MISUSES.length);
    MISUSES.forEach(([what], i) => {
      expect(good[i], `${what}: the right use compiles`).to.deep.equal([]);
      expect(bad[i]!.length, `${what}: a type error`).to.be.greaterThan(0);
      expect(
        bad[i]!.filter((e) => e.line !== SNIPPET_LINE),
        `${what}: errors elsewhere than the misuse's line`,
      ).to.deep.equal([]);
    });
  });
});

/** Each misuse: what it shows, the line that must not compile, and the same line used rightly. */
const MISUSES: [what: string, bad: string, good: string][] = [
  [
    'a number channel does not give strings',
    'tasklet(function* () { const s: string = yield* ch.receive(); return s; });',
    'tasklet(function* () { const n: number = yield* ch.receive(); return n; });',
  ],
  ['a bare yield of a value is not a blocking operation', 'tasklet(function* () { yield 5; });', 'tasklet(function* () { yield* sleep(0); });'],
  ['the tasklet takes a number', "tasklet(function* (n: number) { return n; })('one');", 'tasklet(function* (n: number) { return n; })(1);'],
  ['spawn checks the arguments too', "spawn(function* (_n: number) {}, 'one');", 'spawn(function* (_n: number) {}, 1);'],
  ['sleep takes seconds as a number', "sleep('1');", 'sleep(1);'],
  ['waitFor takes a promise', 'waitFor(42);', 'waitFor(Promise.resolve(42));'],
  ['a tasklet runs a generator function', 'tasklet(() => 1);', 'tasklet(function* () { return 1; });'],
];

const PRELUDE = [
  "import { Channel } from '@stackless-io/channel';",
  "import { sleep, spawn, tasklet, waitFor } from '@stackless-io/runtime';",
  'const ch = new Channel<number>();',
];
/** The line (0-based) of each compiled file that holds the snippet. */
const SNIPPET_LINE = PRELUDE.length;

/**
 * Type-checks each snippet as a module of its own (after PRELUDE), beside
 * this test's source so that the packages resolve as they do here; returns
 * each one's errors with their lines.
 */
function compileEach(snippets: string[]): { line: number; text: string }[][] {
  const dir = join(fileURLToPath(new URL('../../../', import.meta.url)), 'tests', 'runtime');
  const files = new Map(snippets.map((code, i) => [join(dir, `__typing_snippet_${i}.ts`), [...PRELUDE, code, ''].join('\n')]));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = files.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang) : getSourceFile.call(host, f, lang, ...rest);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return [...files.keys()].map((f) => {
    const sf = program.getSourceFile(f)!;
    return ts.getPreEmitDiagnostics(program, sf).map((d) => ({
      line: d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1,
      text: ts.flattenDiagnosticMessageText(d.messageText, ' '),
    }));
  });
}
