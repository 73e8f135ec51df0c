// The frame of the port: each Python test class becomes a describe() run
// once per available backend, under `cpython-test_socket <backend>`, and each
// Python test method one it() named `Class.method`. A test body is a tasklet
// (a generator); where CPython's test runs a client thread beside the
// server, the port runs a second tasklet (see `Ctx.actor`). Every test ends
// proving nothing leaked: no tasklet, timer, promise or IO operation, no
// backend handle or pending request, no descriptor.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { availableBackends, closeBackend, currentBackend, liveTasklets, spawn, stats, useBackend, waitFor, type Tasklet, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { fdCount, skipBecause, until } from '@stackless-io/test-support';
import { warmUp } from '../backends/harness.js';
import { CANNOT_ERRNOS, KNOWN_DIFFERENCES, KNOWN_LIMITS, NATIVE } from './limits.js';
import { skips, summaryOptions, tallies } from './record.js';

const only = process.env.SIO_TEST_BACKENDS?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const report = await availableBackends();

/** What a test body may use besides the socket module. */
export class Ctx {
  private readonly dirs: string[] = [];
  private readonly actors: Tasklet<any[], any>[] = [];
  /** @internal What the actors raised, in order. */
  readonly actorErrors: unknown[] = [];

  constructor(
    /** The backend's name. */
    readonly backend: string,
  ) {}

  /** True for backends whose operations are the kernel's own. */
  get native(): boolean {
    return NATIVE.has(this.backend);
  }

  /**
   * Starts a second actor (CPython's client thread) as a tasklet. The frame
   * joins it when the body returns, so its failure is the test's failure;
   * `join` waits for it inside the body.
   */
  actor<R>(body: () => TaskletGenerator<R>): Tasklet<[], R> {
    const t = spawn(function* () {
      return yield* body();
    }) as Tasklet<[], R>;
    // Its error is reported by whoever joins it (the body or the frame), and
    // kept: the peer's failure may be only the consequence of this one.
    t.join().catch((e: unknown) => this.actorErrors.push(e));
    this.actors.push(t);
    return t;
  }

  /** Waits, inside a tasklet, for an actor's result (its error is raised here). */
  *join<R>(t: Tasklet<[], R>): TaskletGenerator<R> {
    return (yield* waitFor(t.join())) as R;
  }

  /** A fresh private directory (for Unix socket paths), removed after the test. */
  tmpdir(): string {
    const d = mkdtempSync(join(tmpdir(), 'cpy-sock-'));
    this.dirs.push(d);
    return d;
  }

  /** @internal Joins the actors still alive after the body (their errors fail the test). */
  *finish(): TaskletGenerator<void> {
    for (const t of this.actors) yield* this.join(t);
  }

  /** @internal Kills what a failed body left running. */
  abort(): void {
    for (const t of this.actors) if (t.alive) t.kill();
  }

  /** @internal */
  removeDirs(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** Options of one ported test. */
export interface TestOptions {
  /**
   * The optional entry point of the backend contract (backend.ts) the test
   * exercises: socket-compat answers ENOSYS on a backend that leaves it
   * out, and the test is then pending on that backend, native or not,
   * naming the entry point. It runs by itself once the backend has it.
   */
  optional?: string;
  /** Hang guard in seconds (no result depends on speed). */
  limitS?: number;
}

/** The body of one ported test: a tasklet. */
export type Body = (c: Ctx) => TaskletGenerator<void>;

/** What one class definition may call. */
export interface ClassDef {
  /** Ports one Python test method. */
  test(method: string, body: Body, options?: TestOptions): void;
  /** A Python test JavaScript itself rules out: pending, with the reason printed and recorded. */
  cannot(method: string, reason: string): void;
}

function record(ctx: Mocha.Context, backend: string, reason: string): never {
  skips.push({ backend, test: ctx.test?.title ?? '(unknown)', reason });
  skipBecause(ctx, reason);
}

/** What the test left behind: all of it must be zero. */
function leftovers(fd0: number): Record<string, number | string> {
  const s = stats();
  const b = currentBackend().stats();
  return {
    tasklets: liveTasklets().map(String).join(', ') || 0,
    runnable: s.runnable,
    timers: s.timers,
    promises: s.promises,
    io: s.io,
    handles: b.handles,
    pending: b.pending,
    fds: fd0 < 0 ? 0 : fdCount() - fd0,
  };
}

const CLEAN = { tasklets: 0, runnable: 0, timers: 0, promises: 0, io: 0, handles: 0, pending: 0, fds: 0 };
const isClean = (l: Record<string, number | string>): boolean => Object.entries(CLEAN).every(([k, v]) => l[k] === v);

/** An error a non-native backend answers for "this is beyond me", as its errno name; else null. */
function cannotAnswer(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof socket.OSError && typeof code === 'string' && CANNOT_ERRNOS.has(code) ? code : null;
}

function defineTest(backend: string, cls: string, method: string, body: Body, options: TestOptions): void {
  const title = `${cls}.${method}`;
  const limitS = options.limitS ?? 20;
  it(title, async function () {
    this.timeout((limitS + 20) * 1000);
    const differs = KNOWN_DIFFERENCES[title];
    if (differs !== undefined) record(this, backend, `a known difference from CPython: ${differs}`);
    const known = KNOWN_LIMITS[backend]?.[title];
    if (known !== undefined) record(this, backend, `a listed limit of the ${backend} backend: ${known}`);
    const c = new Ctx(backend);
    const fd0 = fdCount();
    let failure: { error: unknown } | null = null;
    let guard: NodeJS.Timeout | undefined;
    const t = spawn(function* () {
      try {
        yield* body(c);
        yield* c.finish();
      } finally {
        c.abort();
      }
    });
    try {
      await Promise.race([
        t.join(),
        new Promise<never>((_, reject) => {
          guard = setTimeout(() => reject(new Error(`hung: still running after ${limitS} s (alive: ${liveTasklets().map(String).join(', ') || 'none'})`)), limitS * 1000);
        }),
      ]);
    } catch (e) {
      failure = { error: e };
    } finally {
      clearTimeout(guard);
    }
    socket.setdefaulttimeout(null);
    const leaked = liveTasklets().map(String);
    for (const l of liveTasklets()) {
      try {
        l.kill({ pending: false });
      } catch {
        // Its error while dying is not this test's verdict: the leak report is.
      }
    }
    let left: Record<string, number | string> = {};
    await until('nothing left behind', () => isClean((left = leftovers(fd0))), 3000).catch(() => undefined);
    if (leaked.length > 0) left.tasklets = leaked.join(', ');
    c.removeDirs();
    if (!isClean(left)) {
      // A fresh backend (destroy() closes every handle) keeps one failure from cascading.
      closeBackend();
      await useBackend(backend);
    }
    if (failure !== null) {
      // A half that waited for its peer fails too when the peer could not do its part: look at every error.
      const answer = [failure.error, ...c.actorErrors].map(cannotAnswer).find((a) => a !== null) ?? null;
      if (answer === 'ENOSYS' && options.optional !== undefined) {
        record(this, backend, `the ${backend} backend has no ${options.optional}, an optional entry point of the backend contract (socket-compat answered ENOSYS)`);
      }
      if (answer !== null && !NATIVE.has(backend)) record(this, backend, `the ${backend} backend cannot do this (it answered ${answer})`);
      throw failure.error;
    }
    expect(left, `left behind at the end of the test: ${JSON.stringify(left)}`).to.deep.equal(CLEAN);
  });
}

const notRun = new Set<string>();

/**
 * Ports one Python test class: `define` declares its tests, and runs once
 * per available backend (limited by $SIO_TEST_BACKENDS, comma-separated).
 */
export function testClass(cls: string, define: (d: ClassDef) => void): void {
  for (const { name, unavailable } of report) {
    const why = unavailable ?? (only !== undefined && !only.includes(name) ? `not in SIO_TEST_BACKENDS=${process.env.SIO_TEST_BACKENDS}` : null);
    if (why !== null) {
      // One pending line per backend that does not run, whose title says why.
      if (!notRun.has(name)) {
        notRun.add(name);
        describe(`cpython-test_socket ${name}`, function () {
          it(`is not run here: ${why}`);
        });
      }
      continue;
    }
    describe(`cpython-test_socket ${name}`, function () {
      describe(cls, function () {
        before(async function () {
          await useBackend(name);
          await warmUp();
        });
        afterEach(function () {
          const state = this.currentTest?.state;
          let t = tallies.get(name);
          if (t === undefined) tallies.set(name, (t = { passed: 0, failed: 0, skipped: 0 }));
          if (state === 'passed') t.passed++;
          else if (state === 'failed') t.failed++;
          else t.skipped++;
        });
        after(function () {
          closeBackend();
        });
        define({
          test: (method, body, options = {}) => defineTest(name, cls, method, body, options),
          cannot: (method, reason) =>
            it(`${cls}.${method}`, function () {
              record(this, name, reason);
            }),
        });
      });
    });
  }
}

// One line per backend at the end of the run (npm test), as
// tests/stackless-suite does; run.ts prints its own, fuller summary.
after(function () {
  if (!summaryOptions.printAtEnd) return;
  for (const [backend, t] of tallies) console.log(`cpython-test_socket ${backend}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
});
