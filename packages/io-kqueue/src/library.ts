/**
 * Where the kqueue shim's shared library is: $SIO_KQUEUE_LIBRARY, else the
 * package's build/ (compiled by scripts/build-native.mjs): sio_kqueue.dylib
 * on macOS, sio_kqueue.so on the BSDs, and on Linux the emulated build for
 * tests, sio_kqueue_emulated.so.
 */
import { fileURLToPath } from 'node:url';

/** The library file this platform builds, or null where kqueue has no build at all. */
export function libraryFile(platform: string = process.platform): string | null {
  if (platform === 'linux') return 'sio_kqueue_emulated.so';
  if (platform === 'darwin') return 'sio_kqueue.dylib';
  if (platform === 'freebsd' || platform === 'openbsd' || platform === 'netbsd') return 'sio_kqueue.so';
  return null;
}

/** Path of the shared library: $SIO_KQUEUE_LIBRARY, else the package's build/ one (null: none here). */
export function libraryPath(): string | null {
  const file = libraryFile();
  if (process.env.SIO_KQUEUE_LIBRARY !== undefined) return process.env.SIO_KQUEUE_LIBRARY;
  return file === null ? null : fileURLToPath(new URL(`../build/${file}`, import.meta.url));
}

/** What to run when the library is missing. */
export const BUILD_HINT =
  'compile it with `node node_modules/@stackless-io/io-kqueue/scripts/build-native.mjs` (a C++17 compiler is needed)';

/** The environment variable that makes the emulated build available (Linux, tests). */
export const EMULATED_ENV = 'SIO_KQUEUE_EMULATED';
