/**
 * Where the IOCP shim's DLL is: $SIO_IOCP_LIBRARY, else the package's
 * build/sio_iocp.dll (cross-compiled with mingw-w64 by scripts/build-native.mjs).
 */
import { fileURLToPath } from 'node:url';

/** Path of the DLL: $SIO_IOCP_LIBRARY, else the package's build/sio_iocp.dll. */
export function libraryPath(): string {
  return process.env.SIO_IOCP_LIBRARY ?? fileURLToPath(new URL('../build/sio_iocp.dll', import.meta.url));
}

/** What to run when the DLL is missing. */
export const BUILD_HINT =
  'build it with `node node_modules/@stackless-io/io-iocp/scripts/build-native.mjs` ' +
  '(mingw-w64 on Linux: x86_64-w64-mingw32-g++; or $CXX on Windows), or set SIO_IOCP_LIBRARY';
