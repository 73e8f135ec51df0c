/**
 * Switching on purpose: schedule(), scheduleRemove(), tasklet.run() and
 * tasklet.switch(). Inside a tasklet these are operations (`yield*` them);
 * called from outside every tasklet (main) they take effect at once, running
 * the scheduler synchronously until main's turn comes back, as in Stackless
 * (through block(), so main's deadlock rules apply).
 */
import type { TaskletCore } from './core.js';
import { RuntimeError } from './errors.js';
import { completed, done, SUSPENDED, type Operation, type Suspend } from './operation.js';
import { block } from './main-wait.js';
import { S } from './scheduler.js';
import { refuseSwitch } from './switch-trap.js';

/**
 * The run queue as Stackless sees it is a ring with the current tasklet at
 * its head. Making `target` current rotates that ring: the tasklets behind
 * target keep their order, the current tasklet follows them (when it stays
 * runnable), and the ones that stood between current and target come last.
 * A target not in the ring is put in front of current.
 */
export function rotateTo(target: TaskletCore, keepCurrent: boolean): void {
  const runq = S.runq;
  const cur = S.current;
  const i = target.inQueue ? runq.indexOf(target) : -1;
  if (i >= 0) {
    runq.removeAt(i);
    if (keepCurrent) {
      cur.inQueue = true;
      runq.push(cur);
    }
    runq.rotate(i);
  } else if (keepCurrent) {
    cur.inQueue = true;
    runq.unshift(cur);
  }
  target.inQueue = true;
  runq.unshift(target);
}

/** Checks that `target` can be made current, with Stackless' error messages. */
export function checkRunnable(target: TaskletCore): void {
  if (target.finished || !target.alive) throw new RuntimeError(`${target.name} is not alive: you cannot run a dead or unbound tasklet`);
  if (target.blocker !== null) throw new RuntimeError(`${target.name} is blocked: you cannot run a blocked tasklet`);
}

class SwitchOp implements Operation<unknown>, Iterator<Suspend, unknown, unknown> {
  private started = false;
  constructor(
    private readonly target: TaskletCore,
    private readonly keepCurrent: boolean,
  ) {}
  [Symbol.iterator](): Iterator<Suspend, unknown, unknown> {
    return this;
  }
  next(v: unknown): IteratorResult<Suspend, unknown> {
    // Resumed: the caller gets its tempval, as in Stackless.
    if (this.started) return done(v);
    this.started = true;
    if (this.target === S.current) return done(undefined);
    checkRunnable(this.target);
    if (S.switchTrap !== 0) refuseSwitch();
    rotateTo(this.target, this.keepCurrent);
    return SUSPENDED;
  }
  throw(error: unknown): IteratorResult<Suspend, unknown> {
    throw error;
  }
  return(value?: unknown): IteratorResult<Suspend, unknown> {
    return done(value);
  }
}

/** Makes `target` current now; the current tasklet stays runnable (`keepCurrent`) or is paused. */
export function switchTo(target: TaskletCore, keepCurrent: boolean): Operation<unknown> {
  if (S.current !== S.main || S.mainSync) return new SwitchOp(target, keepCurrent);
  if (target === S.main) return completed(undefined);
  if (S.driving !== 0) throw new RuntimeError('cannot switch from main while the scheduler is running');
  checkRunnable(target);
  return completed(block(new SwitchOp(target, keepCurrent)));
}

class ScheduleOp<T> implements Operation<T>, Iterator<Suspend, T, unknown> {
  private started = false;
  constructor(
    private readonly value: T,
    private readonly remove: boolean,
  ) {}
  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    return this;
  }
  next(v: unknown): IteratorResult<Suspend, T> {
    if (this.started) return done(v as T);
    this.started = true;
    if (S.switchTrap !== 0 && switches(this.remove)) refuseSwitch();
    const c = S.current;
    c.tempval = this.value;
    if (!this.remove) {
      c.inQueue = true;
      S.runq.push(c);
    }
    return SUSPENDED;
  }
  throw(error: unknown): IteratorResult<Suspend, T> {
    throw error;
  }
  return(value?: unknown): IteratorResult<Suspend, T> {
    return done(value as T);
  }
}

/**
 * Whether schedule() (or scheduleRemove(), `remove`) would hand the turn to
 * another tasklet: one is runnable, or a tasklet pauses (the scheduler's
 * caller then gets the turn). Main pausing with nothing runnable is
 * Stackless' deadlock, not a switch.
 */
function switches(remove: boolean): boolean {
  return S.runq.length > 0 || (remove && S.current !== S.main);
}

/** Shared by schedule() and scheduleRemove(). */
export function scheduleOp<T>(value: T, remove: boolean): Operation<T> {
  if (S.current !== S.main || S.mainSync) return new ScheduleOp(value, remove);
  if (S.driving !== 0) throw new RuntimeError('schedule() from main while the scheduler is running');
  return completed(block(new ScheduleOp(value, remove)));
}
