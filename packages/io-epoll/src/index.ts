/**
 * The Linux epoll backend of Stackless IO: the epoll shim (native/epoll.cc,
 * prebuilt in @stackless-io/io-epoll-linux-x64 / -linux-arm64, or built from
 * source into build/sio_epoll.so) and {@link EpollBackend}, the runtime's
 * IoBackend over it. The logic above the shim is @stackless-io/shim-backend's
 * (every native shim speaks the same ABI); this package says where its
 * library is. Backend selection (`useBackend()` in @stackless-io/runtime)
 * loads {@link backend}.
 */
import { endianness } from 'node:os';
import type { IoBackendModule } from '@stackless-io/runtime';
import {
  Shim,
  ShimBackend,
  describeLibrary,
  libraryProblem,
  requireLibrary,
  type ShimBackendOptions,
  type ShimOptions,
} from '@stackless-io/shim-backend';
import { EPOLL_LIBRARY } from './library.js';

export * from '@stackless-io/shim-backend';
export { EPOLL_LIBRARY, libraryPath } from './library.js';

/** The epoll backend's options (the shim backend's). */
export type EpollBackendOptions = ShimBackendOptions;

/**
 * The IoBackend over one epoll shim instance. Made by backend selection
 * (`useBackend('epoll')`) or directly, e.g. with other sizes.
 *
 * @example
 * ```ts
 * import { installBackend } from '@stackless-io/runtime';
 * import { wakeFromLoop } from '@stackless-io/runtime/internal';
 * import { EpollBackend } from '@stackless-io/io-epoll';
 * installBackend(new EpollBackend(wakeFromLoop, { arenaBytes: 16 << 20 }));
 * ```
 */
export class EpollBackend extends ShimBackend {
  constructor(wake: () => void, options: EpollBackendOptions = {}) {
    super(wake, requireLibrary(EPOLL_LIBRARY), options);
  }
}

/**
 * Opens an instance of the epoll shim itself (tests, tools): the raw, batched
 * ABI. Throws a ShimError saying what to do when the library is missing or
 * broken.
 */
export function openEpollShim(options: ShimOptions = {}): Shim {
  return Shim.open(requireLibrary(EPOLL_LIBRARY), options);
}

/** The epoll backend, as backend selection sees it. */
export const backend: IoBackendModule = {
  name: 'epoll',
  unavailableReason(): string | null {
    if (process.platform !== 'linux') return `epoll is Linux only (this is ${process.platform})`;
    if (endianness() !== 'LE') return 'the epoll shim assumes a little-endian machine';
    return libraryProblem(EPOLL_LIBRARY);
  },
  describe(): string {
    return describeLibrary(EPOLL_LIBRARY);
  },
  create(wake: () => void): EpollBackend {
    return new EpollBackend(wake);
  },
};
