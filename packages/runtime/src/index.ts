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
  nestedRun,
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
  type RunOptions,
} from './api.js';
export { setUnraisableHook, type UnraisableHook } from './unraisable.js';
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
export { OSError, BlockingIOError, ConnectionError, BrokenPipeError, ConnectionAbortedError, ConnectionRefusedError, ConnectionResetError, TimeoutError, InterruptedError, PermissionError, FileNotFoundError, FileExistsError, osError, describeErrno, errnoOf } from './os-error.js';
export {
  IoOp,
  IoRequest,
  recvLength,
  recvBufferOk,
  SockOpt,
  SOCKOPT_MAX,
  cmsgSpace,
  cmsgLen,
  rightsHandles,
  type AncillaryItem,
  MsgFlag,
  type IoBackend,
  type IoBackendModule,
  type IoBackendStats,
  type IoOpCode,
  type SockOptCode,
  type SockAddr,
  type InetAddress,
  type UnixAddress,
  type NetlinkAddress,
  type PacketAddress,
  type VsockAddress,
  type Family,
  type SocketKind,
} from './backend.js';
export { setOptionVia, getOptionVia, optionPair } from './sockopt-layer.js';
export { useBackend, installBackend, currentBackend, backendOrNull, closeBackend, availableBackends, inspectBackends, type BackendReport } from './backend-select.js';
export { KNOWN_BACKENDS, type KnownBackend } from './known-backends.js';
export { ioWait, IoCall, TIMEOUT } from './io-wait.js';
export * as io from './io-ops.js';
export { runExclusive } from './exclusive.js';
export { block } from './main-wait.js';
export { switchTrap } from './switch-trap.js';
export { setErrorHandler, type ErrorHandler } from './error-handler.js';
export { getdebug, debug, getuncollectables, uncollectables } from './module-info.js';
