/** The module-level functions of the `stackless` module, for tasklets. */
import type { TaskletCore } from './core.js';
import { RuntimeError, ValueError } from './errors.js';
import { done, SUSPENDED, type Operation, type Suspend, type TaskletFunction, type TaskletGenerator } from './operation.js';
import {
  armTimeout,
  drive,
  insertCore,
  S,
  SOFT,
  TOTAL,
  type ChannelCallback,
  type ScheduleCallback,
} from './scheduler.js';
import { scheduleOp } from './switching.js';
import { refuseSwitch } from './switch-trap.js';
import { Tasklet } from './tasklet.js';

/**
 * Creates a tasklet over a generator function. Call the result with
 * arguments to bind them and insert the tasklet into the run queue.
 *
 * @example
 * ```ts
 * const t = tasklet(function* (n: number) { yield* sleep(0.01); return n * 2; })(21);
 * console.log(await t.join()); // 42
 * ```
 */
export function tasklet<A extends unknown[], R>(fn: TaskletFunction<A, R>, label?: string): Tasklet<A, R> {
  if (label !== undefined && typeof label !== 'string') throw new TypeError('label must be a string');
  return new Tasklet<A, R>(fn, label);
}

/**
 * Starts a tasklet now (from async code or another tasklet) and returns it;
 * `await spawn(fn).join()` awaits its result.
 *
 * @example
 * ```ts
 * const result = await spawn(function* () { yield* sleep(0.01); return 'done'; }).join();
 * ```
 */
export function spawn<A extends unknown[], R>(fn: TaskletFunction<A, R>, ...args: A): Tasklet<A, R> {
  return new Tasklet<A, R>(fn).setup(...args);
}

/** The running tasklet, or the main tasklet outside every tasklet. */
export function getcurrent(): Tasklet<any[], any> {
  return S.current.pub;
}

/** The tasklet that stands for code outside every tasklet. */
export function getmain(): Tasklet<any[], any> {
  return S.main.pub;
}

/** Runnable tasklets, the current one and main included (as Stackless counts them). */
export function getruncount(): number {
  // The run queue plus the running tasklet. Main is in neither while run()
  // drives tasklets (Stackless takes it out of the runnables then), and is
  // the running one outside.
  return S.runq.length + 1;
}

/** Options of {@link run}: Stackless' `soft` and `totaltimeout`. */
export interface RunOptions {
  /**
   * When the budget is spent, stop the scheduler and return null, leaving
   * the tasklet that ran last where it is, instead of taking it out of the
   * run queue and returning it.
   */
  soft?: boolean;
  /**
   * Count every resumption against the budget. Without it (the default) the
   * budget counts one tasklet's resumptions in a row and starts again each
   * time another tasklet runs, so only a tasklet that keeps the scheduler to
   * itself is interrupted.
   */
  totaltimeout?: boolean;
}

/**
 * Runs the scheduler from outside every tasklet until no tasklet is
 * runnable; tasklets waiting on timers, promises or IO go on later, driven by
 * Node's event loop. With `maxSwitches > 0` (Stackless' watchdog timeout,
 * counted in resumptions here), a tasklet resumed that many times in a row
 * (or, with `totaltimeout`, after that many resumptions in all) is
 * interrupted: taken out of the run queue (unless atomic) and returned.
 * Otherwise it returns null.
 */
export function run(maxSwitches = 0, options?: RunOptions): Tasklet<any[], any> | null {
  const flags = checkRunArgs(maxSwitches, options);
  if (S.current !== S.main) throw new RuntimeError('run() is called from outside tasklets; inside a tasklet use yield* nestedRun()');
  if (S.driving !== 0) throw new RuntimeError('run() is already running');
  if (S.switchTrap !== 0 && S.runq.length > 0) refuseSwitch();
  const base = S.runBase;
  S.runBase = S.watchdogs.length;
  S.mainTurn = false;
  let interrupted: TaskletCore | null;
  try {
    interrupted = drive(maxSwitches === 0 ? -1 : maxSwitches, 0, flags);
    // Main was switched to by hand (getmain().run()): the nested run()s
    // inside this one cannot return before it, so they are made runnable.
    if (S.mainTurn) while (S.watchdogs.length > S.runBase) insertCore(S.watchdogs.pop() as TaskletCore);
  } finally {
    S.runBase = base;
  }
  return interrupted === null ? null : interrupted.pub;
}

/**
 * run() for a tasklet (Stackless lets any tasklet call run()): the calling
 * tasklet pauses as a watchdog while the others run, and resumes once
 * nothing else is runnable (the innermost nested run returns first), with
 * an uncaught error of another tasklet, or, with a timeout, when the
 * watchdog interrupts a tasklet, which it returns (as run() does). Only the
 * first run() with a timeout counts; later ones behave as without.
 *
 * @example
 * ```ts
 * tasklet(function* () {
 *   const interrupted = yield* nestedRun();
 * })();
 * ```
 */
export function nestedRun(maxSwitches = 0, options?: RunOptions): Operation<Tasklet<any[], any> | null> {
  const flags = checkRunArgs(maxSwitches, options);
  if (S.current === S.main) throw new RuntimeError('nestedRun() is for tasklets; from main call run()');
  return new NestedRunOp(maxSwitches, flags);
}

class NestedRunOp implements Operation<Tasklet<any[], any> | null>, Iterator<Suspend, Tasklet<any[], any> | null, unknown> {
  private started = false;
  constructor(
    private readonly maxSwitches: number,
    private readonly flags: number,
  ) {}
  [Symbol.iterator](): this {
    return this;
  }
  next(v: unknown): IteratorResult<Suspend, Tasklet<any[], any> | null> {
    const c = S.current;
    if (this.started) {
      // Revived as a watchdog, or resumed by hand (t.run()): either way
      // this run() is over.
      const i = S.watchdogs.lastIndexOf(c);
      if (i >= 0) S.watchdogs.splice(i, 1);
      if (S.wdOwner === c) {
        S.wdLimit = -1;
        S.wdOwner = null;
      }
      return done(v === undefined ? null : (v as Tasklet<any[], any> | null));
    }
    if (S.switchTrap !== 0) refuseSwitch();
    this.started = true;
    if (this.maxSwitches > 0 && S.wdLimit < 0) armTimeout(this.maxSwitches, this.flags, c);
    S.watchdogs.push(c);
    return SUSPENDED;
  }
  throw(error: unknown): IteratorResult<Suspend, Tasklet<any[], any> | null> {
    const c = S.current;
    const i = S.watchdogs.lastIndexOf(c);
    if (i >= 0) S.watchdogs.splice(i, 1);
    if (S.wdOwner === c) {
      S.wdLimit = -1;
      S.wdOwner = null;
    }
    throw error;
  }
  return(value?: unknown): IteratorResult<Suspend, Tasklet<any[], any> | null> {
    return done(value as null);
  }
}

function checkRunArgs(maxSwitches: unknown, options: RunOptions | undefined): number {
  if (typeof maxSwitches !== 'number') throw new TypeError('run() takes a number of switches (0: no limit)');
  if (!Number.isInteger(maxSwitches) || maxSwitches < 0) {
    throw new ValueError('run() takes a whole number of switches >= 0 (0: no limit)');
  }
  let flags = 0;
  if (options !== undefined) {
    if (options === null || typeof options !== 'object') throw new TypeError('run() takes its options as an object such as { soft: true }');
    if (flag(options.soft, 'soft')) flags |= SOFT;
    if (flag(options.totaltimeout, 'totaltimeout')) flags |= TOTAL;
  }
  return flags;
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`run() option ${name} must be a boolean`);
  return value;
}

/**
 * Lets every other runnable tasklet run, then continues; returns `value`
 * (by default the current tasklet). Inside a tasklet: `yield* schedule()`.
 */
export function schedule<T = Tasklet<any[], any>>(value?: T): Operation<T> {
  return scheduleOp(arguments.length === 0 ? (S.current.pub as T) : (value as T), false);
}

/**
 * Like {@link schedule}, but the current tasklet leaves the run queue
 * (paused) until something inserts it again.
 */
export function scheduleRemove<T = Tasklet<any[], any>>(value?: T): Operation<T> {
  return scheduleOp(arguments.length === 0 ? (S.current.pub as T) : (value as T), true);
}

/** Installs a callback run on every switch (`null` removes it); returns the old one. */
export function setScheduleCallback(callback: ScheduleCallback | null): ScheduleCallback | null {
  if (callback !== null && typeof callback !== 'function') throw new TypeError('the schedule callback must be a function or null');
  const old = S.scheduleCallback;
  S.scheduleCallback = callback;
  S.lastRan = null;
  return old;
}

/** The callback installed by {@link setScheduleCallback}, or null. */
export function getScheduleCallback(): ScheduleCallback | null {
  return S.scheduleCallback;
}

/** Installs a callback run on every channel action (`null` removes it); returns the old one. */
export function setChannelCallback(callback: ChannelCallback | null): ChannelCallback | null {
  if (callback !== null && typeof callback !== 'function') throw new TypeError('the channel callback must be a function or null');
  const old = S.channelCallback;
  S.channelCallback = callback;
  S.channelSlow = callback !== null || S.switchTrap !== 0;
  return old;
}

/** The callback installed by {@link setChannelCallback}, or null. */
export function getChannelCallback(): ChannelCallback | null {
  return S.channelCallback;
}

/**
 * Runs `body` with the current tasklet atomic: the watchdog of
 * run(maxSwitches) does not interrupt it (`with stackless.atomic()`).
 */
export function* atomic<T>(body: Operation<T>): TaskletGenerator<T> {
  const c = S.current;
  const old = c.atomic;
  c.atomic = true;
  try {
    return yield* body;
  } finally {
    c.atomic = old;
  }
}

/** What the runtime holds right now; tests use it to prove nothing leaked. */
export interface RuntimeStats {
  /** Tasklets alive (bound and not finished), main excepted. */
  alive: number;
  /** Tasklets in the run queue. */
  runnable: number;
  /** Timers armed for sleeping tasklets or select timeouts. */
  timers: number;
  /** Promises that blocked tasklets wait on. */
  promises: number;
  /** IO operations in flight in the installed backends. */
  io: number;
  /** Tasklet resumptions since the process started. */
  switches: number;
}

/** Counts what the runtime holds right now (see {@link RuntimeStats}); tests use it to prove nothing leaked. */
export function stats(): RuntimeStats {
  let io = 0;
  for (const p of S.pollers) io += p.pending();
  return {
    alive: S.live.size,
    runnable: S.runq.length,
    timers: S.timers.size,
    promises: S.pendingPromises,
    io,
    switches: S.switches,
  };
}

/** The tasklets alive right now (main excepted), for debugging and leak reports. */
export function liveTasklets(): Tasklet<any[], any>[] {
  return [...S.live].map((c) => c.pub);
}
