/**
 * The scheduler's internals, for the sibling packages of this project
 * (channels, IO backends). Not for applications: nothing here validates its
 * input, and it may change in any release.
 *
 * @packageDocumentation
 */
import './timers-hookup.js';

export { S, wake, armPump, drive, insertCore, unblock, finish, type Scheduler } from './scheduler.js';
export { rotateTo } from './switching.js';
export type { Blocker, TaskletCore, WaitNode, WaitGroup } from './core.js';
export { SUSPENDED, done, completed } from './operation.js';
export { addPoller, removePoller, type Poller } from './poller.js';
export type { TimerOwner, TimerEntry } from './timer-heap.js';
export { wakeFromLoop } from './wake.js';
export { checkErrorClass } from './errors.js';
export { refuseSwitch } from './switch-trap.js';
