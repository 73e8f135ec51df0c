/**
 * The Linux epoll backend of Stackless IO: the native shim, its shared-memory
 * ABI, and {@link EpollBackend}, the runtime's IoBackend over it. Backend
 * selection (`useBackend()` in @stackless-io/runtime) loads {@link backend}.
 */
import { existsSync } from 'node:fs';
import { endianness } from 'node:os';
import type { IoBackendModule } from '@stackless-io/runtime';
import { EpollBackend } from './backend.js';
import { libraryPath } from './shim.js';

export * from './abi.js';
export * from './shim.js';
export { EpollBackend, type EpollBackendOptions, type EpollMemoryStats } from './backend.js';
export { BuddyArena, MIN_BLOCK } from './arena.js';
export { encodeSockaddr, decodeSockaddr, formatIPv6, SOCKADDR_MAX } from './sockaddr.js';

/** The epoll backend, as backend selection sees it. */
export const backend: IoBackendModule = {
  name: 'epoll',
  unavailableReason(): string | null {
    if (process.platform !== 'linux') return `epoll is Linux only (this is ${process.platform})`;
    if (endianness() !== 'LE') return 'the epoll shim assumes a little-endian machine';
    const lib = libraryPath();
    if (!existsSync(lib)) {
      return `the native shim ${lib} is not built (run \`node node_modules/@stackless-io/io-epoll/scripts/build-native.mjs\`)`;
    }
    return null;
  },
  create(wake: () => void): EpollBackend {
    return new EpollBackend(wake);
  },
};
