import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const child = fileURLToPath(new URL('./fuzz-child.js', import.meta.url));

/** A private network namespace with loopback up, if this machine grants one. */
function netnsPrefix(): string[] | null {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  return probe.status === 0 ? ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"'] : null;
}

describe('epoll shim: fuzzed submissions', function () {
  this.timeout(120000);
  const netns = netnsPrefix();

  for (const seed of [1, 2, 3]) {
    it(`survives 20000 random submissions, each completed (seed ${seed})`, function () {
      // Without a private namespace, random addresses could leave the
      // machine, so IP sockets are left out of the fuzz.
      const cwd = mkdtempSync(join(tmpdir(), 'sio-fuzz-'));
      try {
        const argv = [process.execPath, child, '20000', String(seed)];
        const [cmd, ...args] = netns ? [...netns, ...argv] : argv;
        const r = spawnSync(cmd!, args, {
          cwd,
          encoding: 'utf8',
          timeout: 100000,
          env: { ...process.env, SIO_FUZZ_INET: netns ? '1' : '0' },
        });
        expect(r.signal, `killed by a signal; stderr:\n${r.stderr}`).to.equal(null);
        expect(r.status, `stderr:\n${r.stderr}`).to.equal(0);
        const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
        expect(summary.completed).to.equal(summary.submitted);
        expect(summary.hostnames, 'sio_sethostname calls (names no kernel keeps)').to.be.greaterThan(0);
        if (!netns) this.test!.title += ' [AF_UNIX only: no private network namespace]';
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
