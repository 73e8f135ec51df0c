/**
 * The Linux epoll backend of Stackless IO, native half: the shim and its
 * shared-memory ABI. Scheduler integration lives in @stackless-io/runtime.
 */
export * from './abi.js';
export * from './shim.js';
