// `stackless-io doctor` and `stackless-io build-native` as a user runs them
// (the runtime's bin, in a child process): what a broken shim library looks
// like there, the default backend, and bad arguments. The installed-package
// case (prebuilt shim, npx) is tests/packaging's.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const cli = join(dirname(createRequire(import.meta.url).resolve('@stackless-io/runtime/package.json')), 'bin', 'stackless-io.js');

function stacklessIo(args: string[], env: Record<string, string> = {}): { out: string; err: string; status: number | null } {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, STACKLESS_IO_BACKEND: '', ...env }, encoding: 'utf8' });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

describe('runtime: the stackless-io command', function () {
  this.timeout(30_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sio-doctor-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('doctor prints the platform, every known backend best first, the shim and the default', () => {
    const { out, status } = stacklessIo(['doctor']);
    expect(status).to.equal(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).to.match(new RegExp(`^platform: ${process.platform} ${process.arch}, .+, Node ${process.version.replace(/\./g, '\\.')} \\(@stackless-io/runtime \\d+\\.\\d+\\.\\d+\\)$`));
    expect(lines[1]).to.equal('backends, best first:');
    const names = lines.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    expect(names).to.deep.equal(['epoll', 'io_uring', 'kqueue', 'iocp', 'libuv']);
    expect(out).to.match(/^ +shim: \/\S+\/sio_epoll\.so \(.+\): shim "epoll", ABI \d+$/m);
    expect(lines.at(-1)).to.equal('default: epoll (the best available; STACKLESS_IO_BACKEND is not set)');
  });

  it('doctor with a broken shim says why and what to do, and the default falls back to libuv', () => {
    const bad = join(dir, 'sio_epoll.so');
    writeFileSync(bad, '\x7fELF');
    // io_uring, next in line on Linux, is refused on purpose (the io_uring
    // shim's test hook), so that the fallback is the portable backend.
    const { out, status } = stacklessIo(['doctor'], { SIO_EPOLL_LIBRARY: bad, SIO_URING_REFUSE: 'EPERM' });
    expect(status, 'libuv is still available').to.equal(0);
    expect(out).to.include(`  epoll     unavailable: ${bad} is truncated (4 bytes) (from $SIO_EPOLL_LIBRARY): fix or unset $SIO_EPOLL_LIBRARY\n`);
    expect(out.trimEnd().split('\n').at(-1)).to.equal('default: libuv (the best available; STACKLESS_IO_BACKEND is not set)');
    const chosen = stacklessIo(['doctor'], { SIO_EPOLL_LIBRARY: bad, STACKLESS_IO_BACKEND: 'epoll' });
    expect(chosen.status, 'the chosen backend cannot run: exit 1').to.equal(1);
    expect(chosen.out).to.include('default: epoll (STACKLESS_IO_BACKEND), which is NOT available here: useBackend() will fail');
  });

  it('bad arguments: no command, an unknown one, an unknown backend to build', () => {
    for (const args of [[], ['cure']]) {
      const r = stacklessIo(args);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.err).to.equal('usage: stackless-io doctor | stackless-io build-native [backend...]\n');
    }
    const r = stacklessIo(['build-native', 'nope']);
    expect(r.status).to.equal(2);
    expect(r.err).to.equal('stackless-io: no backend named nope (known: epoll, io_uring, kqueue, iocp, libuv)\n');
  });
});
