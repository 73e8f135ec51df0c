/**
 * Second processes for the descriptor-passing scenarios: the builtin
 * `child_uses_fd(path)` starts child-fd.js (a Node process with
 * socket-compat on the same backend) as runner.py starts child_fd.py, and
 * the runner reaps every child when its scenario ends.
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentBackend } from '@stackless-io/runtime';

const CHILD_FD = join(dirname(fileURLToPath(import.meta.url)), 'child-fd.js');

/** Starts child-fd.js on the backend in use; its stderr is ours, so that a failing child says why. */
export function startChild(children: ChildProcess[], path: string): null {
  if (typeof path !== 'string') throw new TypeError('child_uses_fd() takes a path');
  // A backend's name may carry its label ("kqueue (emulated)": the shim
  // names itself so); selection takes the name before it.
  const env = { ...process.env, STACKLESS_IO_BACKEND: currentBackend().name.split(' ')[0]! };
  children.push(spawnProcess(process.execPath, [CHILD_FD, path], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  return null;
}

function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => p.once('exit', () => resolve()));
}

/** Waits for each child to end (killing one still running after 2 s), so that none outlives its scenario. */
export async function reapChildren(children: ChildProcess[]): Promise<void> {
  for (const p of children) {
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([exited(p).then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 2000)))]);
    clearTimeout(timer);
    if (late) {
      p.kill('SIGKILL');
      await exited(p);
    }
  }
  children.length = 0;
}

let warm = false;

/**
 * Node opens descriptors once per process at its first child process (the
 * SIGCHLD signal pipe): start one trivial child before any baseline of
 * descriptors is taken, so that they are not counted as a scenario's leak.
 */
export async function warmUpChildren(): Promise<void> {
  if (warm) return;
  const p = spawnProcess(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await exited(p);
  warm = true;
}
