/**
 * The portable IO backend of Stackless IO, over Node's own `net` and `dgram`
 * (libuv): it runs wherever Node runs and is the reference the native
 * backends (epoll, io_uring, kqueue, IOCP) are compared with.
 *
 * @example
 * ```ts
 * import { io, spawn, useBackend } from '@stackless-io/runtime';
 * await useBackend('libuv');
 * spawn(function* () {
 *   const h = io.socket('inet', 'stream');
 *   io.bind(h, { family: 'inet', host: '127.0.0.1', port: 0 });
 *   io.listen(h);
 *   const { handle } = yield* io.accept(h);
 *   io.close(handle);
 *   io.close(h);
 * });
 * ```
 *
 * @packageDocumentation
 */
import type { IoBackendModule } from '@stackless-io/runtime';
import { LibuvBackend } from './backend.js';
import { createServerHandle } from './stream-bind.js';

export { LibuvBackend } from './backend.js';

/** The backend module, as backend selection loads it: `useBackend('libuv')`. */
export const backend: IoBackendModule = {
  name: 'libuv',
  unavailableReason(): string | null {
    // Present in every Node release so far; checked so that a future Node
    // without it gets a clear reason instead of broken binds.
    return typeof createServerHandle === 'function' ? null : 'this Node has no net._createServerHandle, which bind() needs';
  },
  create(wake: () => void): LibuvBackend {
    return new LibuvBackend(wake);
  },
};
