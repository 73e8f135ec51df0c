/**
 * The kqueue backend of Stackless IO, for macOS and the BSDs: the kqueue shim
 * (native/kqueue.cc over the readiness core native/readiness.cc, shared with
 * epoll) and {@link KqueueBackend}, the runtime's IoBackend over it. The logic
 * above the shim is @stackless-io/shim-backend's (every native shim speaks
 * the same ABI); this package says where its library is.
 *
 * On Linux the package builds the shim against a kqueue emulation
 * (native/testing/kqueue-emu) for tests only: that backend calls itself
 * "kqueue (emulated)", is available only with $SIO_KQUEUE_EMULATED=1, and is
 * never picked by default.
 */
import { existsSync } from 'node:fs';
import { constants, endianness } from 'node:os';
import type { IoBackendModule } from '@stackless-io/runtime';
import { Shim, ShimBackend, ShimError, type ShimBackendOptions, type ShimOptions } from '@stackless-io/shim-backend';
import { BUILD_HINT, EMULATED_ENV, libraryPath } from './library.js';

export { libraryFile, libraryPath } from './library.js';

/** The kqueue backend's options (the shim backend's). */
export type KqueueBackendOptions = ShimBackendOptions;

/** Whether this platform's build is the emulation (Linux), not the kernel's kqueue. */
export function isEmulated(): boolean {
  return process.platform === 'linux';
}

function requireLibrary(): string {
  const lib = libraryPath();
  if (lib === null) throw new ShimError(`kqueue has no build on ${process.platform}`, constants.errno.ENOSYS);
  if (!existsSync(lib)) throw new ShimError(`${lib} is missing: ${BUILD_HINT}`, 2);
  return lib;
}

/**
 * The IoBackend over one kqueue shim instance. Made by backend selection
 * (`useBackend('kqueue')`) or directly, e.g. with other sizes.
 *
 * @example
 * ```ts
 * import { installBackend } from '@stackless-io/runtime';
 * import { wakeFromLoop } from '@stackless-io/runtime/internal';
 * import { KqueueBackend } from '@stackless-io/io-kqueue';
 * installBackend(new KqueueBackend(wakeFromLoop, { arenaBytes: 16 << 20 }));
 * ```
 */
export class KqueueBackend extends ShimBackend {
  constructor(wake: () => void, options: KqueueBackendOptions = {}) {
    super(wake, requireLibrary(), options);
  }
}

/** Opens an instance of the kqueue shim itself (tests, tools): the raw, batched ABI. */
export function openKqueueShim(options: ShimOptions = {}): Shim {
  return Shim.open(requireLibrary(), options);
}

/** The kqueue backend, as backend selection sees it. */
export const backend: IoBackendModule = {
  name: 'kqueue',
  unavailableReason(): string | null {
    const lib = libraryPath();
    if (lib === null) return `kqueue is the backend of macOS and the BSDs (this is ${process.platform})`;
    if (isEmulated() && process.env[EMULATED_ENV] !== '1') {
      return `kqueue is the backend of macOS and the BSDs; on Linux its emulated build is for tests only (set ${EMULATED_ENV}=1)`;
    }
    if (endianness() !== 'LE') return 'the kqueue shim assumes a little-endian machine';
    if (!existsSync(lib)) return `the native shim ${lib} is not built: ${BUILD_HINT}`;
    return null;
  },
  label(): string {
    return isEmulated() ? 'kqueue (emulated)' : 'kqueue';
  },
  byDefault(): boolean {
    return !isEmulated();
  },
  create(wake: () => void): KqueueBackend {
    return new KqueueBackend(wake);
  },
};
