/**
 * Where the IOCP shim's DLL is. The search is shim-backend's (the same for
 * every native backend): $SIO_IOCP_LIBRARY, else this package's
 * build/sio_iocp.dll (a from-source build on Windows), else the prebuilt
 * platform package (@stackless-io/io-iocp-win32-x64, cross-compiled with
 * mingw-w64).
 */
import { fileURLToPath } from 'node:url';
import { type LibrarySpec, locateLibrary } from '@stackless-io/shim-backend';

/** The IOCP shim's library, as shim-backend's locateLibrary() looks for it. */
export const IOCP_LIBRARY: LibrarySpec = {
  backend: 'iocp',
  file: 'sio_iocp.dll',
  envVar: 'SIO_IOCP_LIBRARY',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  // Keep in step with optionalDependencies in package.json and the
  // packages/io-iocp-<platform> directories.
  prebuilt: ['win32-x64'],
};

/**
 * Path of the DLL the backend would load (it may be missing or broken:
 * `backend.unavailableReason()` says), or a path under build/ when there is
 * none at all.
 */
export function libraryPath(): string {
  return locateLibrary(IOCP_LIBRARY).path ?? fileURLToPath(new URL('../build/sio_iocp.dll', import.meta.url));
}
