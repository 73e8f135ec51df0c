import { TaskletCore } from './core.js';
import { DeadlockError, RuntimeError, TaskletExit } from './errors.js';
import { SUSPEND as importedSuspend, SUSPENDED as importedSuspended, type TaskletGenerator } from './operation.js';
import { RunQueue } from './run-queue.js';
import type { Tasklet } from './tasklet.js';
import { TimerHeap } from './timer-heap.js';
import type { Poller } from './poller.js';
import { reportUnraisable } from './unraisable.js';
import { callErrorHandler, type ErrorHandler } from './error-handler.js';

// step() reads module-level consts, not the imports: V8's optimizing
// compiler reads an imported binding through its import cell at every use,
// while a const of this module is folded into the code.
const SUSPEND = importedSuspend;
const SUSPENDED = importedSuspended;

/** A callback run on every switch between tasklets (Stackless' schedule callback). */
export type ScheduleCallback = (prev: Tasklet<any[], any> | null, next: Tasklet<any[], any> | null) => void;
/** A callback run on every channel action (Stackless' channel callback). */
export type ChannelCallback = (channel: unknown, tasklet: Tasklet<any[], any>, sending: boolean, willBlock: boolean) => void;

/**
 * How long one turn of the background pump may run tasklets before it gives
 * Node's event loop a turn (timers, IO callbacks, other libraries).
 */
export const SLICE_MS = 10;

/**
 * The scheduler's state: one per JavaScript realm (process or worker thread).
 * Exported for the sibling packages (channels, IO backends) through
 * `@stackless-io/runtime/internal`; applications use the functions in
 * index.ts instead.
 */
export class Scheduler {
  main!: TaskletCore;
  /** The running tasklet; main whenever no tasklet body is on the stack. */
  current!: TaskletCore;
  readonly runq = new RunQueue<TaskletCore>();
  /** Tasklets that are alive (bound and not finished), main excepted. */
  readonly live = new Set<TaskletCore>();
  readonly timers = new TimerHeap();
  /** Promises that waiting tasklets hang on. */
  pendingPromises = 0;
  readonly pollers: Poller[] = [];
  scheduleCallback: ScheduleCallback | null = null;
  channelCallback: ChannelCallback | null = null;
  /** Nesting depth of drive(); > 0 while tasklets are being run. */
  driving = 0;
  pumpArmed = false;
  /** Tasklet resumptions since the process started (for stats and watchdogs). */
  switches = 0;
  /** The tasklet that ran last, for the schedule callback's `prev`. */
  lastRan: TaskletCore | null = null;
  deadlockHookInstalled = false;
  /** True while block() runs main's operation: main may then park like a tasklet. */
  mainSync = false;
  /** True while main waits in block() for its turn (the scheduler runs inside the call). */
  mainWaiting = false;
  /** Set by drive() when main comes off the run queue: main's turn. */
  mainTurn = false;
  /** The tasklet resumed last, for Stackless' deadlock rules. */
  lastStepped: TaskletCore | null = null;
  /**
   * Tasklets paused in a nested run() (Stackless' watchdogs), innermost
   * last. When nothing is runnable the innermost one above {@link runBase}
   * is revived, and an uncaught error goes to it rather than to main.
   */
  readonly watchdogs: TaskletCore[] = [];
  /** How many watchdogs were there when main's current run()/block() began: those are not main's to revive. */
  runBase = 0;
  /** The active watchdog timeout (the first run() with a timeout wins), -1 for none. */
  wdLimit = -1;
  wdFlags = 0;
  /** Who gets the interrupted tasklet: main (run() returns it) or a watchdog tasklet. */
  wdOwner: TaskletCore | null = null;
  wdSteps = 0;
  wdLast: TaskletCore | null = null;
  /** What an interrupt hands to main's run(). */
  wdInterrupted: TaskletCore | null = null;
  /** Stackless' error handler for uncaught tasklet errors (see error-handler.ts), or null. */
  errorHandler: ErrorHandler | null = null;
  /** Stackless' switch_trap level: non-zero, a switch to another tasklet raises (see switch-trap.ts). */
  switchTrap = 0;
  /**
   * True while a channel callback is installed or the switch trap is set:
   * a channel action then takes its slow path, which calls the callback and
   * checks the trap. One test on the channels' hot path covers both.
   */
  channelSlow = false;
}

const S = new Scheduler();
// Exported under another local name: V8 keeps an exported binding in a cell
// and, in optimized code, reads it through the cell with a check that it is
// initialized at every use; the scheduler's own hot path (drive, step) reads
// the plain const instead, which is folded into the code.
const exportedS = S;
export { exportedS as S };

/** Makes a tasklet runnable from outside the scheduler (timer, promise, IO) and makes sure it runs. */
export function wake(c: TaskletCore): void {
  c.inQueue = true;
  S.runq.push(c);
  if (S.driving === 0 && !S.pumpArmed) armPump();
}

/** Makes sure the background pump runs soon (after IO completions, new tasklets...). */
export function armPump(): void {
  if (S.pumpArmed) return;
  S.pumpArmed = true;
  setImmediate(pump);
}

function pump(): void {
  S.pumpArmed = false;
  if (S.driving !== 0) return;
  drive(-1, SLICE_MS);
}

/** Flags of {@link drive}'s watchdog (Stackless' run() options). */
export const SOFT = 1;
export const TOTAL = 2;

/**
 * Runs tasklets until the run queue is empty, until main comes off the queue
 * (main's turn: the synchronous call that started the scheduler returns),
 * until the watchdog's budget of `maxSwitches` resumptions is spent and a
 * tasklet can be interrupted, or until `sliceMs` have passed. Returns the
 * interrupted tasklet for the watchdog, else null.
 *
 * The watchdog's budget, as in Stackless: without {@link TOTAL} it counts
 * the resumptions of one tasklet in a row and starts again whenever another
 * tasklet runs (a tasklet is interrupted for running too long, not the
 * scheduler); with TOTAL it counts every resumption. With {@link SOFT} the
 * scheduler just stops when the budget is spent, leaving the tasklet where
 * it is, and returns null.
 *
 * One round runs every tasklet that was runnable when it began, then fires
 * due timers and polls the IO backends once, so IO crosses the FFI once per
 * round however many tasklets ran.
 */
export function drive(maxSwitches: number, sliceMs: number, flags = 0): TaskletCore | null {
  const runq = S.runq;
  const main = S.main;
  const start = sliceMs > 0 ? performance.now() : 0;
  // Main's own timeout, unless an outer run() already has one (only the
  // first timeout counts, as in Stackless).
  const ownTimeout = maxSwitches >= 0 && S.wdLimit < 0;
  if (ownTimeout) armTimeout(maxSwitches, flags, main);
  let last: TaskletCore | null = null;
  S.driving++;
  try {
    for (;;) {
      let n = runq.length;
      if (n === 0) {
        S.current = main;
        // Nothing runnable: the innermost nested run() returns first.
        if (S.watchdogs.length > S.runBase) reviveWatchdog(S.watchdogs[S.watchdogs.length - 1] as TaskletCore, null);
        else if (!serviceTimersAndIo()) return null;
        n = runq.length;
        if (n === 0) return null;
      }
      // A tasklet may have taken others off the queue during this round
      // (remove(), killing one that never ran), so the count is an upper
      // bound. Without a watchdog timeout the round runs in the lean loop
      // (the hot path); a timeout armed during a round counts from the next.
      if (S.wdLimit < 0) {
        while (n-- > 0) {
          const c = runq.shift();
          if (c === undefined) break;
          if (c === main) {
            c.inQueue = false;
            S.mainTurn = true;
            return null;
          }
          step(c);
          last = c;
        }
      } else {
        while (n-- > 0) {
          const c = runq.shift();
          if (c === undefined) break;
          if (c === main) {
            c.inQueue = false;
            S.mainTurn = true;
            return null;
          }
          step(c);
          last = c;
          S.current = main;
          if (S.wdLimit >= 0 && timeoutExpired(c) && interrupt(c)) return S.wdInterrupted;
        }
      }
      S.current = main;
      if (S.timers.size > 0 || S.pollers.length > 0) serviceTimersAndIo();
      if (sliceMs > 0 && performance.now() - start >= sliceMs) {
        if (runq.length > 0) armPump();
        return null;
      }
    }
  } finally {
    S.driving--;
    if (last !== null) S.lastStepped = last;
    if (ownTimeout && S.wdOwner === main) disarmTimeout();
    if (main.inQueue) {
      runq.remove(main);
      main.inQueue = false;
    }
    S.current = main;
    if (S.scheduleCallback !== null && S.lastRan !== null) {
      const last = S.lastRan;
      S.lastRan = null;
      try {
        S.scheduleCallback(last.pub, main.pub);
      } catch (e) {
        reportUnraisable(e, 'the schedule callback');
      }
    }
    if (S.driving === 0 && runq.length > 0) armPump();
  }
}

/**
 * The budget is spent after resuming `c`: interrupts it (hard: takes it out
 * of the run queue; soft: leaves it) and hands it to the watchdog's owner.
 * Returns true when drive() must return ({@link Scheduler.wdInterrupted}
 * to main's run()), false when it goes on (a watchdog tasklet was revived,
 * or `c` cannot be interrupted now).
 */
function interrupt(c: TaskletCore): boolean {
  const owner = S.wdOwner as TaskletCore;
  let interrupted: TaskletCore | null = null;
  if ((S.wdFlags & SOFT) === 0) {
    // A hard interrupt takes a runnable tasklet out of the queue; one that
    // blocked or ended cannot be, and the budget stays spent.
    if (!c.inQueue) return false;
    S.runq.remove(c);
    c.inQueue = false;
    interrupted = c;
  }
  disarmTimeout();
  if (owner === S.main) {
    S.wdInterrupted = interrupted;
    return true;
  }
  reviveWatchdog(owner, interrupted === null ? null : interrupted.pub);
  return false;
}

/** Starts the watchdog's budget; `owner` gets the interrupted tasklet. */
export function armTimeout(limit: number, flags: number, owner: TaskletCore): void {
  S.wdLimit = limit;
  S.wdFlags = flags;
  S.wdOwner = owner;
  S.wdSteps = 0;
  S.wdLast = null;
}

function disarmTimeout(): void {
  S.wdLimit = -1;
  S.wdOwner = null;
  S.wdLast = null;
}

/** Counts one resumption of `c` against the budget; true once it is spent and `c` may be interrupted. */
function timeoutExpired(c: TaskletCore): boolean {
  if (c !== S.wdLast && (S.wdFlags & TOTAL) === 0) {
    S.wdLast = c;
    S.wdSteps = 0;
  }
  // Neither an atomic tasklet nor one inside a switch trap is interrupted
  // (the trap forbids involuntary switches too, as in Stackless).
  return ++S.wdSteps >= S.wdLimit && !c.atomic && S.switchTrap === 0;
}

/**
 * Ends a nested run(): the watchdog tasklet leaves the stack and becomes
 * runnable, its run() returning `value` (null, or the interrupted tasklet).
 */
export function reviveWatchdog(w: TaskletCore, value: unknown): void {
  const i = S.watchdogs.lastIndexOf(w);
  if (i >= 0) S.watchdogs.splice(i, 1);
  if (S.wdOwner === w) disarmTimeout();
  w.tempval = value;
  w.inQueue = true;
  S.runq.unshift(w);
}

/** Fires due timers and polls IO once; says whether anything may have become runnable. */
function serviceTimersAndIo(): boolean {
  let any = false;
  if (S.timers.size > 0) any = S.timers.fireDue(performance.now()) > 0;
  const pollers = S.pollers;
  for (let i = 0; i < pollers.length; i++) {
    if ((pollers[i] as Poller).poll() > 0) any = true;
  }
  return any;
}

/**
 * The generator prototype's own next/throw, called directly: each generator
 * function has its own prototype object, so `gen.next(v)` would be a
 * polymorphic lookup at the scheduler's hottest call site, while these are
 * one function each. (A tasklet's generator always inherits them: start()
 * checks it.)
 */
const GeneratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())) as TaskletGenerator;
const genNext = GeneratorPrototype.next;
const genThrow = GeneratorPrototype.throw;

/**
 * Resumes one tasklet until it yields, returns or throws. When it suspended
 * (the hot path) S.current is left pointing at it: only drive() runs until
 * the next step sets it again, and drive() makes main current before it runs
 * anything else (timers, IO, the schedule callback) or returns. Every other
 * outcome makes main current at once, as the code it runs may look.
 */
function step(c: TaskletCore): void {
  c.inQueue = false;
  S.switches++;
  if (S.scheduleCallback !== null) callScheduleCallback(c);
  S.current = c;
  let r: IteratorResult<unknown, unknown>;
  try {
    let gen = c.gen;
    if (gen === null) gen = start(c);
    if (c.hasPendingError) {
      const e = c.pendingError;
      c.pendingError = undefined;
      c.hasPendingError = false;
      r = genThrow.call(gen, e) as IteratorResult<unknown, unknown>;
    } else {
      const v = c.tempval;
      c.tempval = undefined;
      r = genNext.call(gen, v) as IteratorResult<unknown, unknown>;
    }
  } catch (e) {
    S.current = S.main;
    finish(c, e, true);
    return;
  }
  // `yield*` hands the operation's own result object up unchanged, so a
  // tasklet parked by an operation yields the shared SUSPENDED itself.
  if (r === SUSPENDED) return;
  S.current = S.main;
  if (r.done === true) finish(c, r.value, false);
  else if (r.value !== SUSPEND) rejectBareYield(c);
}

function start(c: TaskletCore): TaskletGenerator {
  const fn = c.fn as NonNullable<TaskletCore['fn']>;
  const args = c.args ?? [];
  c.args = null;
  const gen = fn(...args);
  if (gen === null || typeof gen !== 'object' || Object.prototype.toString.call(gen) !== '[object Generator]') {
    throw new TypeError(`tasklet function ${fn.name || '(anonymous)'} did not return a generator`);
  }
  c.gen = gen;
  return gen;
}

/**
 * A bare `yield x` (instead of `yield* operation`) is almost always a missing
 * star. Raise it inside the tasklet, at the faulty line, as a TypeError.
 */
function rejectBareYield(c: TaskletCore): void {
  c.pendingError = new TypeError(
    'a tasklet yielded a value to the scheduler: block with `yield* operation` (yield*, not yield)',
  );
  c.hasPendingError = true;
  c.inQueue = true;
  S.runq.unshift(c);
}

function callScheduleCallback(next: TaskletCore): void {
  // The callback runs between two tasklets, outside both (see step()).
  S.current = S.main;
  const prev = S.lastRan;
  S.lastRan = next;
  try {
    (S.scheduleCallback as ScheduleCallback)(prev === null ? S.main.pub : prev.pub, next.pub);
  } catch (e) {
    // Nobody can catch it (the callback runs between two tasklets): as in
    // Stackless it is reported and ignored, and the switch goes on.
    reportUnraisable(e, 'the schedule callback');
  }
}

/**
 * A tasklet has ended: with a return value, with TaskletExit (killed: quiet),
 * or with an uncaught error, which goes to whoever awaits the tasklet or,
 * failing that, out of the scheduler to the caller of run()/the event loop.
 * Errors are never swallowed.
 */
export function finish(c: TaskletCore, value: unknown, failed: boolean): void {
  c.alive = false;
  c.finished = true;
  c.failed = failed;
  c.result = value;
  c.gen = null;
  c.fn = null;
  c.args = null;
  c.blocker = null;
  c.tempval = undefined;
  c.pendingError = undefined;
  c.hasPendingError = false;
  c.suspendedIn = null;
  c.wvalue = undefined;
  S.live.delete(c);
  const join = c.join;
  if (join !== null) {
    if (failed) join.reject(value);
    else join.resolve(value);
    return;
  }
  if (failed && !(value instanceof TaskletExit)) {
    // The error handler comes first; what it throws replaces the error.
    const handler = S.errorHandler;
    if (handler !== null) {
      try {
        callErrorHandler(handler, c, value);
        return;
      } catch (e) {
        value = e;
      }
    }
    // Stackless hands an uncaught error to the innermost watchdog: a tasklet
    // paused in a nested run() gets it there; else main does.
    if (S.watchdogs.length > S.runBase) {
      const w = S.watchdogs[S.watchdogs.length - 1] as TaskletCore;
      reviveWatchdog(w, undefined);
      w.pendingError = value;
      w.hasPendingError = true;
      return;
    }
    throw value;
  }
}

/** Puts a bound tasklet at the end of the run queue. */
export function insertCore(c: TaskletCore): void {
  if (c.inQueue || c === S.current) return;
  c.inQueue = true;
  S.runq.push(c);
  if (S.driving === 0 && !S.pumpArmed) armPump();
}

/** Withdraws a waiting tasklet from whatever it waits on. */
export function unblock(c: TaskletCore): void {
  const b = c.blocker;
  if (b !== null) {
    c.blocker = null;
    b.cancel(c);
  }
}

/**
 * Installs (once) the check that turns "awaited tasklets that can never
 * wake" into a DeadlockError: when Node's loop is about to go idle for good
 * ('beforeExit'), nothing can send to a channel, fire a timer or settle a
 * promise any more, so every awaited tasklet still alive is deadlocked.
 */
export function installDeadlockHook(): void {
  if (S.deadlockHookInstalled) return;
  S.deadlockHookInstalled = true;
  process.on('beforeExit', () => {
    const stuck: TaskletCore[] = [];
    for (const c of S.live) if (c.join !== null && !c.inQueue) stuck.push(c);
    if (stuck.length === 0) return;
    const blocked: string[] = [];
    for (const c of S.live) {
      if (c.inQueue) continue;
      blocked.push(c.blocker !== null ? `${c.name}: ${c.blocker.describe(c)}` : `${c.name}: paused`);
    }
    const err = new DeadlockError(
      `deadlock: no tasklet can run and nothing is left that could wake the blocked ones:\n  ${blocked.join('\n  ')}`,
      blocked,
    );
    for (const c of stuck) {
      // The tasklet stays alive and blocked; the awaiting code decides what
      // to do with it (kill it, usually). Its later fate is reported the
      // ordinary way, as nobody awaits it any more.
      const join = c.join as NonNullable<TaskletCore['join']>;
      c.join = null;
      join.reject(err);
    }
  });
}

export function makeJoin(): NonNullable<TaskletCore['join']> {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Throws unless called from outside every tasklet (main). */
export function requireMain(what: string): void {
  if (S.current !== S.main) {
    throw new RuntimeError(`${what} is called from outside tasklets; inside a tasklet use its yield* form`);
  }
}
