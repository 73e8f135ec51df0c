/**
 * Stackless' switch_trap: a level that code raises around a region in which
 * no other tasklet may run. While the level is non-zero, every switch to
 * another tasklet that a caller asks for (an operation that blocks or
 * yields, run(), t.run(), t.switch(), raising into another tasklet, a
 * nested run) raises `RuntimeError('switch_trap')` in the caller instead,
 * leaving everything as it was; a "switch" to the current tasklet itself is
 * no switch and is allowed. The watchdog does not interrupt a tasklet while
 * the level is non-zero (an involuntary switch), as in Stackless.
 *
 * The level lives in the scheduler state ({@link S.switchTrap}); the
 * operations test it only on their way to a switch, so a level of 0 costs
 * one comparison there and nothing elsewhere. Channel actions, the hot
 * path, do not test it at all: a non-zero level sends them down the slow
 * path that the channel callback already has ({@link S.channelSlow}).
 */
import { RuntimeError } from './errors.js';
import { S } from './scheduler.js';

/**
 * Adds `change` to the switch trap level and returns the level before
 * (`switchTrap()` reads it). A boolean counts as 1 or 0, as Python's bool
 * is an int.
 *
 * @example
 * ```ts
 * switchTrap(1);
 * try {
 *   // no tasklet switch can happen here: one would raise RuntimeError('switch_trap')
 * } finally {
 *   switchTrap(-1);
 * }
 * ```
 */
export function switchTrap(change: number | boolean = 0): number {
  let delta: number;
  if (typeof change === 'boolean') delta = change ? 1 : 0;
  else if (typeof change === 'number' && Number.isInteger(change)) delta = change;
  else throw new TypeError(`switchTrap() takes an integer, not ${change === null ? 'null' : typeof change === 'number' ? 'a fractional number' : typeof change}`);
  const old = S.switchTrap;
  const level = old + delta;
  // Beyond 2**53 the level would no longer count exactly (Python's
  // OverflowError for a C int out of range).
  if (!Number.isSafeInteger(level)) throw new RangeError('switchTrap() level out of range');
  S.switchTrap = level;
  S.channelSlow = level !== 0 || S.channelCallback !== null;
  return old;
}

/** Raises Stackless' error for a switch attempted while the trap is set. */
export function refuseSwitch(): never {
  throw new RuntimeError('switch_trap');
}
