/**
 * Where the epoll shim's shared library is: $SIO_EPOLL_LIBRARY, else the
 * package's build/sio_epoll.so (compiled by scripts/build-native.mjs).
 */
import { fileURLToPath } from 'node:url';

/** Path of the shared library: $SIO_EPOLL_LIBRARY, else the package's build/sio_epoll.so. */
export function libraryPath(): string {
  return process.env.SIO_EPOLL_LIBRARY ?? fileURLToPath(new URL('../build/sio_epoll.so', import.meta.url));
}

/** What to run when the library is missing. */
export const BUILD_HINT =
  'compile it with `node node_modules/@stackless-io/io-epoll/scripts/build-native.mjs` ' +
  '(or allow the install script: `npm install-scripts approve @stackless-io/io-epoll && npm rebuild @stackless-io/io-epoll`)';
