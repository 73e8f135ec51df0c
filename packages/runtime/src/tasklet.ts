import { TaskletCore } from './core.js';
import { checkErrorClass, RuntimeError, TaskletExit } from './errors.js';
import { completed, isGeneratorFunction, type Operation, type TaskletFunction } from './operation.js';
import { finish, insertCore, installDeadlockHook, makeJoin, S, unblock } from './scheduler.js';
import { switchTo } from './switching.js';
import { refuseSwitch } from './switch-trap.js';

/** Options of {@link Tasklet.kill} and {@link Tasklet.throw}. */
export interface RaiseOptions {
  /**
   * false (the default): the target runs at once to handle the exception
   * (inside a tasklet, `yield*` the call for that). true: the target is only
   * made runnable and meets the exception at its turn.
   */
  pending?: boolean;
}

/**
 * The public face of a tasklet. It is callable: `tasklet(fn)(...args)` binds
 * the arguments and inserts the tasklet into the run queue, as
 * `stackless.tasklet(func)(*args)` does.
 */
export interface Tasklet<A extends unknown[] = any[], R = unknown> {
  (...args: A): Tasklet<A, R>;
}

/**
 * A microthread running a generator function. It blocks only itself: on a
 * channel, a timer, a promise or IO, each composed with `yield*`.
 *
 * Differences from Stackless that JavaScript forces: a tasklet switches only
 * where its body says `yield*` (generators cannot be preempted, so the
 * watchdog of {@link run} interrupts between switches); and methods that make
 * another tasklet current (`run`, `switch`, `kill`, `throw`) return an
 * {@link Operation} that the calling tasklet must `yield*`. Called from
 * outside every tasklet they take effect at once.
 *
 * @example
 * ```ts
 * import { tasklet, run } from '@stackless-io/runtime';
 * const t = tasklet(function* (name: string) {
 *   console.log('hello', name);
 * })('world');
 * run();
 * ```
 */
// The declaration merges with the interface above, which adds the call signature.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Tasklet<A extends unknown[] = any[], R = unknown> {
  /** @internal */
  declare readonly _c: TaskletCore;

  constructor(fn?: TaskletFunction<A, R> | null, label?: string) {
    if (fn !== undefined && fn !== null && !isGeneratorFunction(fn)) {
      throw new TypeError(`tasklet() takes a generator function (function*), got ${describe(fn)}`);
    }
    // The function names itself rather than a `const` around it: V8 reads a
    // named function expression's own name from the running closure, so the
    // function needs no context object (one less object per tasklet).
    const self = function boundTasklet(...args: A): Tasklet<A, R> {
      return (boundTasklet as unknown as Tasklet<A, R>).setup(...args);
    } as unknown as Tasklet<A, R>;
    Object.setPrototypeOf(self, new.target.prototype);
    const core = new TaskletCore(self, (fn ?? null) as TaskletFunction | null, false, label);
    // As in Stackless, the bound function waits in tempval until the tasklet starts.
    core.tempval = core.fn ?? undefined;
    Object.defineProperty(self, '_c', { value: core });
    return self;
  }

  /** A small integer naming the tasklet (main is 0). */
  get id(): number {
    return this._c.id;
  }

  /** A label for messages and deadlock reports (defaults to the function's name). */
  get label(): string {
    return this._c.label;
  }
  /** Renames the tasklet; takes a string. */
  set label(value: string) {
    if (typeof value !== 'string') throw new TypeError('label must be a string');
    this._c.label = value;
  }

  /** True once bound to arguments and until its function returns or throws. */
  get alive(): boolean {
    return this._c.isMain || this._c.alive;
  }

  /** True while waiting on a channel, a timer, a promise or IO. */
  get blocked(): boolean {
    return this._c.blocker !== null;
  }

  /** True while runnable, running or blocked (Stackless counts a blocked tasklet as scheduled). */
  get scheduled(): boolean {
    const c = this._c;
    return c.inQueue || c === S.current || c.blocker !== null;
  }

  /** Alive, but neither scheduled nor blocked (after remove() or scheduleRemove()). */
  get paused(): boolean {
    const c = this._c;
    return c.alive && !c.inQueue && c !== S.current && c.blocker === null;
  }

  /** True for the tasklet that stands for code outside every tasklet. */
  get isMain(): boolean {
    return this._c.isMain;
  }

  /** True for the running tasklet. */
  get isCurrent(): boolean {
    return this._c === S.current;
  }

  /** The value handed to the tasklet when it next resumes. */
  get tempval(): unknown {
    return this._c.tempval;
  }
  /** Sets the value the tasklet receives when it next resumes. */
  set tempval(value: unknown) {
    this._c.tempval = value;
  }

  /** While true, the watchdog of run(maxSwitches) does not interrupt this tasklet. */
  get atomic(): boolean {
    return this._c.atomic;
  }
  /** Sets the flag; {@link Tasklet.setAtomic} also returns the old value. */
  set atomic(flag: boolean) {
    this._c.atomic = !!flag;
  }

  /**
   * While true, a channel operation that would block this tasklet raises
   * RuntimeError instead (Stackless' block_trap).
   */
  get blockTrap(): boolean {
    return this._c.blockTrap;
  }
  /** Sets the flag. */
  set blockTrap(flag: boolean) {
    this._c.blockTrap = !!flag;
  }

  /** Sets {@link atomic} and returns the old value (Stackless' set_atomic). */
  setAtomic(flag: boolean): boolean {
    const old = this._c.atomic;
    this._c.atomic = !!flag;
    return old;
  }

  /**
   * The next tasklet in the run queue's ring (current first); for a tasklet
   * blocked on a channel, the next one blocked there (null for the last);
   * else null.
   */
  get next(): Tasklet<any[], any> | null {
    return neighbour(this._c, 1);
  }

  /** The previous tasklet in the run queue's ring or the channel's queue, or null. */
  get prev(): Tasklet<any[], any> | null {
    return neighbour(this._c, -1);
  }

  /**
   * Binds a function and/or arguments without scheduling. With no function
   * (or `null`, Python's None) and no arguments it unbinds: the tasklet is no
   * longer alive and its function never runs, so a dead or paused tasklet can
   * be reused. A paused tasklet that had started loses its suspended body, as
   * Stackless drops its frames.
   */
  bind(fn?: TaskletFunction<A, R> | null, args?: A): this {
    const c = this._c;
    if (fn === null) fn = undefined;
    // As in Stackless, the function's type is checked first.
    if (fn !== undefined && !isGeneratorFunction(fn)) {
      throw new TypeError(`bind() takes a generator function (function*), got ${describe(fn)}`);
    }
    // The current tasklet is refused first (main, when it is current), as in Stackless.
    if (c === S.current) throw new RuntimeError("can't (re)bind the current tasklet");
    if (c.isMain) throw new RuntimeError(fn === undefined && args === undefined ? "can't unbind the main tasklet" : 'cannot bind the main tasklet');
    if (c.inQueue || c.blocker !== null) throw new RuntimeError(`tasklet is scheduled: you cannot bind ${c.name}`);
    if (args !== undefined && !Array.isArray(args)) throw new TypeError('bind() takes its arguments as an array');
    if (fn === undefined && args === undefined) {
      c.gen = null;
      c.fn = null;
      c.args = null;
      c.tempval = undefined;
      setAlive(c, false);
    } else {
      c.gen = null;
      if (fn !== undefined) {
        c.fn = fn as TaskletFunction;
        c.tempval = fn;
      }
      if (args !== undefined) {
        if (c.fn === null) throw new RuntimeError('bind() needs a function before arguments');
        c.args = args;
        // Bound to arguments, the function leaves tempval (Stackless moves it into the frame).
        c.tempval = undefined;
      }
      if (c.finished) resetOutcome(c);
      if (c.args !== null) setAlive(c, true);
    }
    return this;
  }

  /** Binds the arguments and inserts the tasklet into the run queue. */
  setup(...args: A): this {
    const c = this._c;
    if (c.alive) throw new RuntimeError(`tasklet is alive: ${c.name} is already bound`);
    if (c.fn === null) throw new RuntimeError(`${c.name} has no function to run`);
    this.bind(undefined, args);
    insertCore(c);
    return this;
  }

  /** Puts the tasklet at the end of the run queue (no-op if already scheduled). */
  insert(): this {
    const c = this._c;
    if (c.isMain) return this;
    if (!c.alive) throw new RuntimeError(`${c.name} is not alive: you cannot insert a dead or unbound tasklet`);
    if (c.blocker !== null) throw new RuntimeError(`${c.name} is blocked: you cannot run a blocked tasklet`);
    insertCore(c);
    return this;
  }

  /** Takes the tasklet out of the run queue; it stays alive, paused. */
  remove(): this {
    const c = this._c;
    if (c === S.current) throw new RuntimeError('you cannot remove the current tasklet');
    if (c.blocker !== null) throw new RuntimeError(`${c.name} is blocked: you cannot remove a blocked tasklet`);
    if (c.inQueue) {
      S.runq.remove(c);
      c.inQueue = false;
    }
    return this;
  }

  /**
   * Runs this tasklet now; the caller stays runnable. Inside a tasklet,
   * `yield*` it. The result is the caller's tempval when it resumes.
   */
  run(): Operation<unknown> {
    return switchTo(this._c, true);
  }

  /**
   * Runs this tasklet now and pauses the caller. Inside a tasklet, `yield*`
   * it. The result is the caller's tempval when it resumes.
   */
  switch(): Operation<unknown> {
    return switchTo(this._c, false);
  }

  /**
   * Raises {@link TaskletExit} inside the tasklet so its `finally` blocks
   * run; a tasklet blocked on a channel, timer, promise or IO leaves it first
   * (its operation is cancelled). Killing a tasklet that never started just
   * ends it. Inside a tasklet, `yield*` the call to let the target run now.
   */
  kill(options?: RaiseOptions): Operation<void> {
    const c = this._c;
    checkOptions(options);
    if (c.isMain) throw new RuntimeError('you cannot kill the main tasklet');
    if (!c.alive) return completed(undefined);
    if (c.gen === null && c !== S.current && options?.pending !== true) {
      // Never started: it just dies, its function never runs (Stackless).
      // With pending it is made runnable and dies at its turn, as in Stackless.
      if (c.inQueue) {
        S.runq.remove(c);
        c.inQueue = false;
      }
      finish(c, new TaskletExit(), true);
      return completed(undefined);
    }
    return raiseIn(c, new TaskletExit(), options);
  }

  /** Raises `error` inside the tasklet. Inside a tasklet, `yield*` the call to let the target run now. */
  throw(error: unknown, options?: RaiseOptions): Operation<void> {
    const c = this._c;
    if (arguments.length === 0) throw new TypeError('throw() takes the error to raise');
    checkOptions(options);
    if (c.isMain) {
      // Main raising into itself raises at once (Stackless'
      // getcurrent().raise_exception in main); a tasklet can raise into main
      // while main waits in block(), which then raises it where main waits.
      if (c === S.current && !S.mainWaiting) throw error;
      if (!S.mainWaiting) throw new RuntimeError('you cannot throw into the main tasklet unless it waits in block()');
    }
    if (!c.alive) {
      // As in Stackless, TaskletExit into a dead tasklet is the one quiet case.
      if (error instanceof TaskletExit) return completed(undefined);
      throw new RuntimeError(`${c.name} is not alive: you cannot throw into a dead tasklet`);
    }
    return raiseIn(c, error, options);
  }

  /** `throw(new ErrorClass(...args))`, as Stackless' raise_exception. */
  raiseException<E extends new (...a: any[]) => unknown>(errorClass: E, ...args: ConstructorParameters<E>): Operation<void> {
    checkErrorClass(errorClass, 'tasklet.raiseException');
    return this.throw(new errorClass(...args));
  }

  /**
   * A promise for the tasklet's result: it resolves with the return value and
   * rejects with the uncaught error (TaskletExit if killed, DeadlockError if
   * it can never wake). An error that someone awaits this way is not raised
   * again from run() or the event loop.
   */
  join(): Promise<R> {
    const c = this._c;
    if (c.finished) return (c.failed ? Promise.reject(c.result) : Promise.resolve(c.result)) as Promise<R>;
    if (c.isMain || !c.alive) return Promise.reject(new RuntimeError(`${c.name} is not alive: nothing to await`));
    if (c.join === null) c.join = makeJoin();
    installDeadlockHook();
    return c.join.promise as Promise<R>;
  }

  /** `<tasklet #3 (label)>`, or `<tasklet main>`: the name used in messages and deadlock reports. */
  toString(): string {
    return `<${this._c.name}>`;
  }
}

function checkOptions(options: RaiseOptions | undefined): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError('options must be an object such as { pending: true }');
  }
}

function raiseIn(c: TaskletCore, error: unknown, options: RaiseOptions | undefined): Operation<void> {
  if (c === S.current) throw error;
  // Raising at once switches to the target: refused, with nothing changed, inside a switch trap.
  if (S.switchTrap !== 0 && options?.pending !== true) refuseSwitch();
  // A tasklet paused in a nested run() leaves the watchdog stack: the error ends its run().
  const w = S.watchdogs.lastIndexOf(c);
  if (w >= 0) S.watchdogs.splice(w, 1);
  // A tasklet that never started meets the error at its start: the generator
  // is created and thrown into before its body runs, so the body never runs.
  unblock(c);
  c.pendingError = error;
  c.hasPendingError = true;
  // Runnable at once, so that a caller inside a tasklet that forgets the
  // yield* still gets the pending behaviour rather than a stranded target.
  insertCore(c);
  if (options?.pending === true) return completed(undefined);
  // kill() and throw() give nothing back (None in Stackless); the caller's
  // tempval, which switchTo hands over, is not their result.
  return switchTo(c, true) as Operation<void>;
}

function setAlive(c: TaskletCore, alive: boolean): void {
  c.alive = alive;
  if (alive) S.live.add(c);
  else S.live.delete(c);
}

function resetOutcome(c: TaskletCore): void {
  c.finished = false;
  c.failed = false;
  c.result = undefined;
  c.join = null;
}

function neighbour(c: TaskletCore, dir: 1 | -1): Tasklet<any[], any> | null {
  if (c.blocker !== null) {
    // A tasklet waits in a channel's queue through its own core (see
    // WaitNode), so its links are its neighbours there. A select's nodes are
    // separate and a timer or IO keeps no queue: those links stay null.
    const w = dir > 0 ? c.qnext : c.qprev;
    return w === null ? null : w.wcore.pub;
  }
  const ring = [S.current, ...S.runq.toArray()];
  const i = ring.indexOf(c);
  if (i < 0) return null;
  return (ring[(i + dir + ring.length) % ring.length] as TaskletCore).pub;
}

function describe(v: unknown): string {
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  return v === null ? 'null' : typeof v;
}

/** Makes the main tasklet: the stand-in for code outside every tasklet. */
function makeMain(): void {
  const main = Object.create(Tasklet.prototype) as Tasklet<[], void>;
  const core = new TaskletCore(main, null, true);
  core.alive = true;
  Object.defineProperty(main, '_c', { value: core });
  S.main = core;
  S.current = core;
}
makeMain();
