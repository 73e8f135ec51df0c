/**
 * The second process of the descriptor-passing scenarios (the builtin
 * `child_uses_fd(path)`): a Node process of its own, with socket-compat on
 * the backend its parent runs ($STACKLESS_IO_BACKEND). It connects to the
 * Unix socket at `path`, receives one descriptor with `recv_fds`, adopts it
 * as a socket and uses it: it sends what came with the descriptor over it,
 * reads one reply there and reports that reply over the first connection.
 * child_fd.py is the same program on CPython, for the reference trace.
 */
import { closeBackend, spawn, useBackend, type TaskletGenerator } from '@stackless-io/runtime';
import { loadSocketCompat } from './ts-context.js';

const path = process.argv[2];
if (path === undefined) throw new TypeError('child-fd.js takes the path of a Unix socket');
await useBackend();
const mod = await loadSocketCompat();
if (typeof mod === 'string') throw new Error(mod);
const t = spawn(function* (): TaskletGenerator<void> {
  const ctl = new mod.socket(mod.AF_UNIX, mod.SOCK_STREAM);
  yield* ctl.connect(path);
  const [msg, fds] = (yield* mod.recv_fds(ctl, 100, 1)) as [Uint8Array, number[]];
  const passed = new mod.socket(mod.AF_UNIX, mod.SOCK_STREAM, 0, fds[0]);
  yield* passed.sendall(Buffer.concat([Buffer.from('child got '), msg]));
  const reply = (yield* passed.recv(100)) as Uint8Array;
  yield* ctl.sendall(Buffer.concat([Buffer.from('reply was '), reply]));
  passed.close();
  ctl.close();
});
try {
  await t.join();
} catch (e) {
  // A backend that cannot carry messages answers ENOSYS (an intended
  // difference the parent's own send_fds shows): end quietly.
  if ((e as { code?: string }).code !== 'ENOSYS') throw e;
  process.exitCode = 1;
} finally {
  closeBackend();
}
