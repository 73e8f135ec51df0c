/**
 * The Windows backend of Stackless IO: the IO completion port shim
 * (native/iocp.cc, built into build/sio_iocp.dll) and {@link IocpBackend},
 * the runtime's IoBackend over it. The logic above the shim is
 * @stackless-io/shim-backend's (every native shim speaks the same ABI); this
 * package says where its library is. Backend selection (`useBackend()` in
 * @stackless-io/runtime) loads {@link backend}; on Windows it is the default.
 */
import { existsSync } from 'node:fs';
import type { IoBackendModule } from '@stackless-io/runtime';
import { Shim, ShimBackend, ShimError, type ShimBackendOptions, type ShimOptions } from '@stackless-io/shim-backend';
import { BUILD_HINT, libraryPath } from './library.js';

export { libraryPath } from './library.js';

/** The IOCP backend's options (the shim backend's). */
export type IocpBackendOptions = ShimBackendOptions;

/**
 * The IoBackend over one IOCP shim instance (one completion port). Made by
 * backend selection (`useBackend('iocp')`) or directly, e.g. with other sizes.
 *
 * @example
 * ```ts
 * import { installBackend } from '@stackless-io/runtime';
 * import { wakeFromLoop } from '@stackless-io/runtime/internal';
 * import { IocpBackend } from '@stackless-io/io-iocp';
 * installBackend(new IocpBackend(wakeFromLoop, { arenaBytes: 16 << 20 }));
 * ```
 */
export class IocpBackend extends ShimBackend {
  constructor(wake: () => void, options: IocpBackendOptions = {}) {
    super(wake, libraryPath(), options);
  }
}

/** Opens an instance of the IOCP shim itself (tests, tools): the raw, batched ABI. */
export function openIocpShim(options: ShimOptions = {}): Shim {
  if (!existsSync(libraryPath())) throw new ShimError(`${libraryPath()} is missing: ${BUILD_HINT}`, 2);
  return Shim.open(libraryPath(), options);
}

/** The IOCP backend, as backend selection sees it. */
export const backend: IoBackendModule = {
  name: 'iocp',
  unavailableReason(): string | null {
    if (process.platform !== 'win32') return `IO completion ports are Windows only (this is ${process.platform})`;
    if (process.arch !== 'x64') return `the IOCP shim is built for x64 (this is ${process.arch})`;
    const lib = libraryPath();
    if (!existsSync(lib)) return `the native shim ${lib} is not built: ${BUILD_HINT}`;
    return null;
  },
  create(wake: () => void): IocpBackend {
    return new IocpBackend(wake);
  },
};
