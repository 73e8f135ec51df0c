/**
 * The TypeScript side of the native shim ABI (native/backend.h): the shared
 * submission and completion arrays, the IO buffer arena, and
 * {@link ShimBackend}, the runtime's IoBackend over any shim that speaks the
 * ABI. Each native backend package (io-epoll, and the kqueue, io_uring and
 * IOCP shims that speak the same ABI) locates its shared library and
 * subclasses ShimBackend with it: the batching, buffer and completion logic
 * is written once, here.
 *
 * The ABI speaks Linux's numbers (socket types, MSG_* flags, socket option
 * levels and names, sockaddr layouts): a shim on another kernel translates
 * at its edge, so this side never checks the platform.
 */
export * from './abi.js';
export * from './shim.js';
export { ShimBackend, type ShimBackendOptions, type ShimMemoryStats } from './backend.js';
export { BuddyArena, MIN_BLOCK } from './arena.js';
export { encodeSockaddr, decodeSockaddr, formatIPv6, SOCKADDR_MAX } from './sockaddr.js';
export {
  locateLibrary,
  libraryProblem,
  requireLibrary,
  describeLibrary,
  platformPackageName,
  buildCommand,
  type LibrarySpec,
  type LibraryLocation,
} from './locate.js';
export { libraryFileProblem, type LibraryHost } from './library-file.js';
