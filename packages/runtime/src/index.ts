/**
 * Stackless-style tasklets for Node.js: generator functions run by a
 * cooperative scheduler. A blocking call (`yield* ch.receive()`,
 * `yield* sleep(0.5)`, `yield* waitFor(promise)`) blocks only the calling
 * tasklet; other tasklets and Node's event loop keep running.
 *
 * @packageDocumentation
 */
import './timers-hookup.js';

export { Tasklet, type RaiseOptions } from './tasklet.js';
export {
  tasklet,
  spawn,
  getcurrent,
  getmain,
  getruncount,
  run,
  schedule,
  scheduleRemove,
  setScheduleCallback,
  getScheduleCallback,
  setChannelCallback,
  getChannelCallback,
  atomic,
  stats,
  liveTasklets,
  type RuntimeStats,
} from './api.js';
export { sleep } from './sleep.js';
export { waitFor } from './wait-for.js';
export { TaskletExit, RuntimeError, ValueError, DeadlockError } from './errors.js';
export {
  SUSPEND,
  completed,
  type Suspend,
  type Operation,
  type TaskletGenerator,
  type TaskletFunction,
} from './operation.js';
export type { ScheduleCallback, ChannelCallback } from './scheduler.js';
