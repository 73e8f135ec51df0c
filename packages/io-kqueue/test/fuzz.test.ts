// The random-argument test of the kqueue shim: io-epoll's fuzz child (it
// speaks only the shared ABI of native/backend.h) run against this package's
// library. On Linux that is the emulated build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { skipBecause } from '@stackless-io/test-support';
import { backend, libraryPath } from '@stackless-io/io-kqueue';

const child = fileURLToPath(new URL('../../../io-epoll/build/test/fuzz-child.js', import.meta.url));

/** A private network namespace with loopback up, if this machine grants one. */
function netnsPrefix(): string[] | null {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  return probe.status === 0 ? ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"'] : null;
}

describe(`${backend.label!()} shim: fuzzed submissions`, function () {
  this.timeout(120000);
  const lib = libraryPath();
  const netns = process.platform === 'linux' ? netnsPrefix() : null;

  for (const seed of [1, 2, 3]) {
    it(`survives 20000 random submissions, each completed (seed ${seed})`, function () {
      if (lib === null || !existsSync(lib)) skipBecause(this, `no kqueue shim built here (${lib ?? process.platform})`);
      // The child reads /proc/self/fd to find leaks: Linux only.
      if (process.platform !== 'linux') skipBecause(this, 'the fuzz child counts descriptors through /proc (Linux)');
      if (!existsSync(child)) skipBecause(this, `${child} is not built (build io-epoll's tests: npm run build)`);
      const cwd = mkdtempSync(join(tmpdir(), 'sio-kq-fuzz-'));
      try {
        const argv = [process.execPath, child, '20000', String(seed)];
        const [cmd, ...args] = netns ? [...netns, ...argv] : argv;
        const r = spawnSync(cmd!, args, {
          cwd,
          encoding: 'utf8',
          timeout: 100000,
          env: { ...process.env, SIO_FUZZ_INET: netns ? '1' : '0', SIO_FUZZ_LIBRARY: lib! },
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
