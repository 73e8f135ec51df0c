/**
 * Main blocks as Stackless' main does. Code outside every tasklet (main)
 * cannot `yield*`, so block(op) runs an operation for main synchronously:
 * main parks exactly as a tasklet would (on a channel, in the run queue, on
 * a timer or IO), and the scheduler runs inside the call until main's turn
 * comes back. Stackless' deadlock rules decide what happens when nothing
 * can wake main, and an error that escapes another tasklet is raised in main
 * where it waits. While main waits for timers or IO, the thread blocks in
 * the backend's wait() and the timer heap, as exclusive mode does, so
 * Node's event loop does not turn until block() returns: only code that
 * calls block() ever blocks it.
 */
import type { TaskletCore } from './core.js';
import { backendOrNull } from './backend-select.js';
import { RuntimeError } from './errors.js';
import type { Operation, Suspend } from './operation.js';
import { drive, insertCore, S, unblock } from './scheduler.js';

/** Stackless' message for a tasklet (or main) that would block as the last runnable one. */
export const LAST_RUNNABLE = 'Deadlock: the last runnable tasklet cannot be blocked.';

/**
 * Runs `op` for main and returns its result, running the other tasklets
 * inside the call while main waits: `block(ch.receive())` in main is
 * Stackless' `ch.receive()` in main. Inside a tasklet use `yield* op`.
 *
 * @example
 * ```ts
 * const ch = new Channel<string>();
 * tasklet(function* () { yield* ch.send('hello'); })();
 * console.log(block(ch.receive())); // hello
 * ```
 */
export function block<T>(op: Operation<T>): T {
  if (op === null || (typeof op !== 'object' && typeof op !== 'function') || typeof (op as Operation<T>)[Symbol.iterator] !== 'function') {
    throw new TypeError('block() takes an operation (what a tasklet would yield*)');
  }
  const main = S.main;
  if (S.current !== main) throw new RuntimeError('block() is for code outside tasklets: inside a tasklet, yield* the operation');
  if (S.driving !== 0 || S.mainSync || S.mainWaiting) {
    throw new RuntimeError('block() cannot be called while the scheduler runs (from a callback)');
  }
  const it = op[Symbol.iterator]();
  let r = resume(it, false, undefined);
  while (r.done !== true) {
    let failed = false;
    let value: unknown;
    try {
      waitForTurn();
    } catch (e) {
      failed = true;
      value = e;
    }
    if (!failed && main.hasPendingError) {
      failed = true;
      value = main.pendingError;
      main.pendingError = undefined;
      main.hasPendingError = false;
    } else if (!failed) {
      value = main.tempval;
    }
    main.tempval = undefined;
    r = resume(it, failed, value);
  }
  return r.value;
}

/** Steps main's operation with main allowed to park. */
function resume<T>(it: Iterator<Suspend, T, unknown>, failed: boolean, value: unknown): IteratorResult<Suspend, T> {
  S.mainSync = true;
  try {
    if (!failed) return it.next(value);
    if (typeof it.throw !== 'function') throw value;
    return it.throw(value);
  } finally {
    S.mainSync = false;
  }
}

/**
 * Runs the scheduler until main's turn. Returns normally when main may go
 * on; throws what main must raise (another tasklet's error, a deadlock),
 * having taken main out of whatever it waited on.
 */
function waitForTurn(): void {
  const main = S.main;
  const switchesAtPark = S.switches;
  const base = S.runBase;
  S.runBase = S.watchdogs.length;
  S.mainWaiting = true;
  try {
    for (;;) {
      S.mainTurn = false;
      drive(-1, 0);
      if (S.mainTurn) return;
      // The run queue is empty. A paused main (t.switch(), scheduleRemove())
      // is revived, as Stackless revives main when nothing else can run.
      if (main.blocker === null) return;
      if (waitForEvents()) continue;
      if (S.switches === switchesAtPark) throw new RuntimeError(LAST_RUNNABLE);
      const last = S.lastStepped;
      if (last !== null && last.alive && !last.inQueue) {
        // The tasklet that ran last has blocked (or paused) with nothing
        // left to wake it: in Stackless it gets the deadlock error itself.
        unblock(last);
        last.pendingError = new RuntimeError(LAST_RUNNABLE);
        last.hasPendingError = true;
        insertCore(last);
        continue;
      }
      // The last tasklet ended and main still waits.
      throw new RuntimeError(endedMessage(main));
    }
  } catch (e) {
    if (main.inQueue) {
      S.runq.remove(main);
      main.inQueue = false;
    }
    unblock(main);
    throw e;
  } finally {
    S.mainWaiting = false;
    S.runBase = base;
  }
}

function endedMessage(main: TaskletCore): string {
  const what = (main.blocker as NonNullable<TaskletCore['blocker']>).describe(main);
  if (what.startsWith('receive on')) return 'the main tasklet is receiving without a sender available.';
  if (what.startsWith('send on')) return 'the main tasklet is sending without a receiver available.';
  return `Deadlock: the main tasklet waits (${what}) and no tasklet is left to wake it.`;
}

/**
 * Waits, blocking the thread, for the next timer or IO completion, as
 * exclusive mode does. Returns false when nothing is pending that could
 * wake a tasklet.
 */
function waitForEvents(): boolean {
  let io = 0;
  for (const p of S.pollers) io += p.pending();
  const next = S.timers.nextDeadline();
  if (io === 0 && next === Infinity) {
    if (S.pendingPromises > 0) {
      throw new RuntimeError(
        'Deadlock: main waits in block() while tasklets wait on promises, which only settle on Node\'s event loop: from async code, await t.join() or ch.receiveAsync() instead',
      );
    }
    return false;
  }
  const timeout = next === Infinity ? -1 : Math.max(0, Math.ceil(next - performance.now()));
  const backend = backendOrNull();
  if (io > 0) {
    if (backend === null) throw new RuntimeError('main waits in block() on IO of a backend that is no longer installed');
    try {
      backend.wait(timeout);
    } catch (e) {
      throw new RuntimeError(
        `main cannot block while tasklets wait on IO with the ${backend.name} backend (${(e as Error).message}); ` +
          'from async code, await t.join() or ch.receiveAsync() instead, or use a backend that can wait (epoll)',
      );
    }
  } else if (timeout > 0) {
    sleepThread(timeout);
  }
  if (S.timers.size > 0) S.timers.fireDue(performance.now());
  return true;
}

let sleepCell: Int32Array | null = null;

/** Blocks the thread for `ms` (nothing else can run meanwhile: main waits for a timer). */
function sleepThread(ms: number): void {
  sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleepCell, 0, 0, ms);
}
