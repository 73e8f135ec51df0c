// The process' open file descriptors, for the leak checks that end tests:
// a test must give back every descriptor it opened, whether the kernel
// socket came from our native shim or from Node's net. Counted as libuv's
// own tests do, from /proc/self/fd; where that does not exist (not Linux;
// Windows, also under Wine) the count is -1 and the checks pass on the other counters alone.
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

const PROC_FD = '/proc/self/fd';
// Windows Node under Wine sees the host's /proc (Z:\proc), whose
// self/fd is Wine's own table, not this process' handles: not counted there.
const HAS_PROC_FD = process.platform !== 'win32' && existsSync(PROC_FD);

/** Open file descriptors of this process (-1 where /proc/self/fd does not exist). */
export function fdCount(): number {
  return HAS_PROC_FD ? readdirSync(PROC_FD).length : -1;
}

/** Each open descriptor and what it is (a socket's inode, a path), for leak reports. */
function fdTable(): Map<number, string> {
  const out = new Map<number, string>();
  if (!HAS_PROC_FD) return out;
  for (const name of readdirSync(PROC_FD)) {
    try {
      out.set(Number(name), readlinkSync(`${PROC_FD}/${name}`));
    } catch {
      // The descriptor readdir itself used, closed by now.
    }
  }
  return out;
}

/**
 * The descriptors open when a test began. {@link FdBaseline.leaked} says
 * how many more are open now, and {@link FdBaseline.report} names them.
 */
export class FdBaseline {
  private readonly count = fdCount();
  private readonly table = fdTable();

  /** Descriptors open now beyond those at the start (0 where they cannot be counted). */
  leaked(): number {
    return this.count < 0 ? 0 : fdCount() - this.count;
  }

  /** "N descriptors more than at the start", with those that are new (number and target). */
  report(): string {
    const now = fdTable();
    const added = [...now].filter(([fd, what]) => this.table.get(fd) !== what).map(([fd, what]) => `${fd} → ${what}`);
    return `${this.leaked()} descriptors more than at the start (new or reused: ${added.join(', ') || 'none'})`;
  }
}

let warm = false;

/**
 * Makes Node open, once, the descriptors it keeps for the life of the
 * process and opens lazily: libuv reserves one on /dev/null at the first
 * listen (or child process) for its EMFILE handling. Without this, the first
 * test that listens would seem to leak it. Call it before taking a baseline.
 */
export async function warmUpNode(): Promise<void> {
  if (warm) return;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  warm = true;
}
