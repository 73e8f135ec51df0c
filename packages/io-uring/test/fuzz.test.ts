// The random-argument test of the shim ABI, against the io_uring shim: the
// fuzz target is io-epoll's (test/fuzz-child.ts: random submissions, every one
// must complete, nothing may crash or leak), pointed at sio_uring.so through
// SIO_FUZZ_LIBRARY, so both shims answer the same random input.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { libraryPath } from '@stackless-io/io-uring';
import { skipBecause } from '@stackless-io/test-support';

const child = fileURLToPath(new URL('../../../io-epoll/build/test/fuzz-child.js', import.meta.url));

/** A private network namespace with loopback up, if this machine grants one. */
function netnsPrefix(): string[] | null {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  return probe.status === 0 ? ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"'] : null;
}

describe('io_uring shim: fuzzed submissions', function () {
  this.timeout(120000);
  const netns = netnsPrefix();

  for (const seed of [11, 12, 13]) {
    it(`survives 20000 random submissions, each completed (seed ${seed})`, function () {
      if (!existsSync(child)) skipBecause(this, `the fuzz target ${child} is not built (npm run build at the repository root)`);
      if (!existsSync(libraryPath())) skipBecause(this, `${libraryPath()} is not built`);
      const cwd = mkdtempSync(join(tmpdir(), 'sio-uring-fuzz-'));
      try {
        const argv = [process.execPath, child, '20000', String(seed)];
        const [cmd, ...args] = netns ? [...netns, ...argv] : argv;
        const r = spawnSync(cmd!, args, {
          cwd,
          encoding: 'utf8',
          timeout: 100000,
          env: { ...process.env, SIO_FUZZ_INET: netns ? '1' : '0', SIO_FUZZ_LIBRARY: libraryPath() },
        });
        expect(r.signal, `killed by a signal; stderr:\n${r.stderr}`).to.equal(null);
        expect(r.status, `stderr:\n${r.stderr}`).to.equal(0);
        const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
        expect(summary.completed).to.equal(summary.submitted);
        if (!netns) this.test!.title += ' [AF_UNIX only: no private network namespace]';
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
