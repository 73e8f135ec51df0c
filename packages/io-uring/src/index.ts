/**
 * The Linux io_uring backend of Stackless IO: the io_uring shim
 * (native/uring.cc, an io_uring poller over the readiness core it shares with
 * epoll; prebuilt in @stackless-io/io-uring-linux-x64 / -linux-arm64, or
 * built from source into build/sio_uring.so) and {@link UringBackend}, the
 * runtime's IoBackend over it. The logic above the shim is
 * @stackless-io/shim-backend's (every native shim speaks the same ABI); this
 * package says where its library is and whether the kernel lets it run.
 * Backend selection (`useBackend()` in @stackless-io/runtime) loads
 * {@link backend}.
 */
import { endianness } from 'node:os';
import type { IoBackendModule } from '@stackless-io/runtime';
import {
  Shim,
  ShimBackend,
  ShimError,
  describeLibrary,
  libraryProblem,
  requireLibrary,
  type ShimBackendOptions,
  type ShimOptions,
} from '@stackless-io/shim-backend';
import { URING_LIBRARY } from './library.js';
import { refusalReason } from './refusal.js';

export * from '@stackless-io/shim-backend';
export { URING_LIBRARY, libraryPath } from './library.js';
export { ioUringDisabled, refusalReason } from './refusal.js';

/** The io_uring backend's options (the shim backend's). */
export type UringBackendOptions = ShimBackendOptions;

/**
 * The IoBackend over one io_uring shim instance. Made by backend selection
 * (`useBackend('io_uring')`) or directly, e.g. with other sizes.
 *
 * @example
 * ```ts
 * import { installBackend } from '@stackless-io/runtime';
 * import { wakeFromLoop } from '@stackless-io/runtime/internal';
 * import { UringBackend } from '@stackless-io/io-uring';
 * installBackend(new UringBackend(wakeFromLoop, { arenaBytes: 16 << 20 }));
 * ```
 */
export class UringBackend extends ShimBackend {
  constructor(wake: () => void, options: UringBackendOptions = {}) {
    super(wake, requireLibrary(URING_LIBRARY), options);
  }
}

/**
 * Opens an instance of the io_uring shim itself (tests, tools): the raw,
 * batched ABI. Throws a ShimError saying what to do when the library is
 * missing or broken.
 */
export function openUringShim(options: ShimOptions = {}): Shim {
  return Shim.open(requireLibrary(URING_LIBRARY), options);
}

/**
 * Whether the kernel gives this process a ring: makes (and at once closes)
 * the smallest shim instance. null when it does, else why not, in one line.
 */
function probe(lib: string): string | null {
  let shim: Shim;
  try {
    shim = Shim.open(lib, { sqEntries: 1, maxOps: 1, arenaBytes: 0 });
  } catch (e) {
    if (e instanceof ShimError && e.errno !== undefined && e.message.startsWith('sio_create')) return refusalReason(e.errno);
    return `the io_uring shim ${lib} cannot be opened: ${(e as Error).message}`;
  }
  shim.close();
  return null;
}

/** The io_uring backend, as backend selection sees it. */
export const backend: IoBackendModule = {
  name: 'io_uring',
  unavailableReason(): string | null {
    if (process.platform !== 'linux') return `io_uring is Linux only (this is ${process.platform})`;
    if (endianness() !== 'LE') return 'the io_uring shim assumes a little-endian machine';
    return libraryProblem(URING_LIBRARY) ?? probe(requireLibrary(URING_LIBRARY));
  },
  describe(): string {
    return describeLibrary(URING_LIBRARY);
  },
  create(wake: () => void): UringBackend {
    return new UringBackend(wake);
  },
};
