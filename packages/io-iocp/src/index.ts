/**
 * The Windows backend of Stackless IO: the IO completion port shim
 * (native/iocp.cc, prebuilt in @stackless-io/io-iocp-win32-x64, or built from
 * source into build/sio_iocp.dll) and {@link IocpBackend},
 * the runtime's IoBackend over it. The logic above the shim is
 * @stackless-io/shim-backend's (every native shim speaks the same ABI); this
 * package says where its library is. Backend selection (`useBackend()` in
 * @stackless-io/runtime) loads {@link backend}; on Windows it is the default.
 */
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
import { IOCP_LIBRARY } from './library.js';

export { IOCP_LIBRARY, libraryPath } from './library.js';

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
    super(wake, requireLibrary(IOCP_LIBRARY), options);
  }
}

/**
 * Opens an instance of the IOCP shim itself (tests, tools): the raw, batched
 * ABI. Throws a ShimError saying what to do when the DLL is missing or
 * broken.
 */
export function openIocpShim(options: ShimOptions = {}): Shim {
  return Shim.open(requireLibrary(IOCP_LIBRARY), options);
}

/** The IOCP backend, as backend selection sees it. */
export const backend: IoBackendModule = {
  name: 'iocp',
  unavailableReason(): string | null {
    if (process.platform !== 'win32') return `IO completion ports are Windows only (this is ${process.platform})`;
    if (process.arch !== 'x64') return `the IOCP shim is built for x64 (this is ${process.arch})`;
    return libraryProblem(IOCP_LIBRARY);
  },
  describe(): string {
    return describeLibrary(IOCP_LIBRARY);
  },
  create(wake: () => void): IocpBackend {
    return new IocpBackend(wake);
  },
};
