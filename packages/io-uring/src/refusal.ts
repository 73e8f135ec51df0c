/**
 * Why the kernel will not give this process a ring, in one line, from the
 * errno of io_uring_setup (as sio_create passes it on) and the kernel's own
 * switch, /proc/sys/kernel/io_uring_disabled.
 */
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

/** The kernel's io_uring_disabled setting (0 allowed, 1 only for io_uring_group, 2 never), or null when unknown. */
export function ioUringDisabled(): number | null {
  try {
    const v = Number.parseInt(readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim(), 10);
    return Number.isNaN(v) ? null : v;
  } catch {
    return null; // a kernel before 6.6 has no such switch
  }
}

/** One line saying why io_uring_setup failed with `errno` (positive). */
export function refusalReason(errno: number): string {
  const e = constants.errno;
  if (errno === e.ENOSYS) return 'this kernel has no io_uring (io_uring_setup: ENOSYS); the epoll backend is used instead';
  if (errno === e.EPERM || errno === e.EACCES) {
    const disabled = ioUringDisabled();
    const why =
      disabled !== null && disabled > 0
        ? `/proc/sys/kernel/io_uring_disabled is ${disabled}`
        : 'a seccomp filter or container policy, most likely';
    return `io_uring is refused here (io_uring_setup: ${errno === e.EPERM ? 'EPERM' : 'EACCES'}; ${why}); the epoll backend is used instead`;
  }
  if (errno === e.EOPNOTSUPP) {
    return "this kernel's io_uring lacks what the shim needs (single-mmap rings, no CQE drops, waits with a timeout: Linux 5.11 or later); the epoll backend is used instead";
  }
  if (errno === e.ENOMEM) return 'io_uring_setup: ENOMEM (the locked-memory limit, ulimit -l, may be too small)';
  return `io_uring_setup failed: errno ${errno}`;
}
