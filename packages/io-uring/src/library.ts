/**
 * Where the io_uring shim's shared library is. The search is shim-backend's
 * (the same for every native backend): $SIO_URING_LIBRARY, else this
 * package's build/sio_uring.so (a from-source build), else the prebuilt
 * platform package (@stackless-io/io-uring-linux-x64, -linux-arm64).
 */
import { fileURLToPath } from 'node:url';
import { type LibrarySpec, locateLibrary } from '@stackless-io/shim-backend';

/** The io_uring shim's library, as shim-backend's locateLibrary() looks for it. */
export const URING_LIBRARY: LibrarySpec = {
  backend: 'io_uring',
  file: 'sio_uring.so',
  envVar: 'SIO_URING_LIBRARY',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  // Keep in step with optionalDependencies in package.json and the
  // packages/io-uring-<platform> directories.
  prebuilt: ['linux-x64', 'linux-arm64'],
};

/**
 * Path of the shared library the backend would load (it may be missing or
 * broken: `backend.unavailableReason()` says), or a path under build/ when
 * there is none at all.
 */
export function libraryPath(): string {
  return locateLibrary(URING_LIBRARY).path ?? fileURLToPath(new URL('../build/sio_uring.so', import.meta.url));
}
