/**
 * Where the epoll shim's shared library is. The search is shim-backend's
 * (the same for every native backend): $SIO_EPOLL_LIBRARY, else this
 * package's build/sio_epoll.so (a from-source build), else the prebuilt
 * platform package (@stackless-io/io-epoll-linux-x64, -linux-arm64).
 */
import { fileURLToPath } from 'node:url';
import { type LibrarySpec, locateLibrary } from '@stackless-io/shim-backend';

/** The epoll shim's library, as shim-backend's locateLibrary() looks for it. */
export const EPOLL_LIBRARY: LibrarySpec = {
  backend: 'epoll',
  file: 'sio_epoll.so',
  envVar: 'SIO_EPOLL_LIBRARY',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  // Keep in step with optionalDependencies in package.json and the
  // packages/io-epoll-<platform> directories.
  prebuilt: ['linux-x64', 'linux-arm64'],
};

/**
 * Path of the shared library the backend would load (it may be missing or
 * broken: `backend.unavailableReason()` says), or a path under build/ when
 * there is none at all.
 */
export function libraryPath(): string {
  return locateLibrary(EPOLL_LIBRARY).path ?? fileURLToPath(new URL('../build/sio_epoll.so', import.meta.url));
}
