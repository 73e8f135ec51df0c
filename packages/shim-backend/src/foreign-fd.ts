/**
 * What a socket call answers for a handle the backend does not own. A shim's
 * handles are the process's own descriptors, so a number that is no handle
 * of it may still be a descriptor the process opened elsewhere (a file, a
 * pipe): the kernel answers ENOTSOCK for a socket call on one of those, and
 * CPython's socket(fileno=fd) of a regular file raises exactly that. The
 * shim takes over only descriptors it created, so a socket opened elsewhere
 * answers EBADF, as does a number that is no descriptor at all.
 */
import { fstatSync } from 'node:fs';
import { constants } from 'node:os';

const { EBADF, ENOTSOCK } = constants.errno;

/** -ENOTSOCK for an open descriptor of the process that is not a socket, else -EBADF. */
export function foreignAnswer(fd: number): number {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) return -EBADF;
  try {
    return fstatSync(fd).isSocket() ? -EBADF : -ENOTSOCK;
  } catch {
    // EBADF from the kernel: no such descriptor.
    return -EBADF;
  }
}
