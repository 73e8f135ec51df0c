import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { availableBackends, backendOrNull, closeBackend, RuntimeError, useBackend } from '@stackless-io/runtime';

/** Runs body with $SIO_KQUEUE_EMULATED set to value (undefined: unset), then restores it. */
async function withKqueueEmulated<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
  const saved = process.env.SIO_KQUEUE_EMULATED;
  if (value === undefined) delete process.env.SIO_KQUEUE_EMULATED;
  else process.env.SIO_KQUEUE_EMULATED = value;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.SIO_KQUEUE_EMULATED;
    else process.env.SIO_KQUEUE_EMULATED = saved;
  }
}

describe('runtime: IO backend selection', () => {
  afterEach(() => closeBackend());

  it('lists every known backend, with the reason when one cannot run here', async () => {
    const list = await withKqueueEmulated(undefined, () => availableBackends());
    expect(list.map((b) => b.name)).to.deep.equal(['epoll', 'io_uring', 'kqueue', 'iocp', 'libuv']);
    const byName = Object.fromEntries(list.map((b) => [b.name, b.unavailable]));
    expect(byName.epoll, 'the epoll shim is built on Linux').to.equal(null);
    expect(byName.libuv, 'libuv runs everywhere').to.equal(null);
    // io-uring is installed: available, or refused by this kernel (io_uring_setup's answer, in one line).
    if (byName.io_uring !== null) expect(byName.io_uring).to.match(/io_uring_setup/).and.not.include('\n');
    // The IOCP package is installed; one line says why it cannot run here.
    expect(byName.iocp).to.equal(`IO completion ports are Windows only (this is ${process.platform})`);
    // io-kqueue is installed; on Linux its build is the emulation, for tests only.
    expect(byName.kqueue).to.match(/emulated build is for tests only \(set SIO_KQUEUE_EMULATED=1\)/);
    expect(list.find((b) => b.name === 'kqueue')!.label).to.equal('kqueue (emulated)');
    expect(list.find((b) => b.name === 'epoll')!.label).to.equal('epoll');
  });

  it('never picks a backend that is only for tests by default (the emulated kqueue), but picks it by name', async () => {
    await withKqueueEmulated('1', async () => {
      const kq = (await availableBackends()).find((b) => b.name === 'kqueue')!;
      expect(kq.byDefault).to.equal(false);
      if (kq.unavailable !== null) return; // not built: nothing more to show (the reason says so)
      const saved = process.env.STACKLESS_IO_BACKEND;
      delete process.env.STACKLESS_IO_BACKEND;
      try {
        expect((await useBackend()).name).to.equal('epoll');
      } finally {
        if (saved !== undefined) process.env.STACKLESS_IO_BACKEND = saved;
      }
      expect((await useBackend('kqueue')).name).to.equal('kqueue (emulated)');
    });
  });

  it('asking for iocp outside Windows fails with that reason and the backends that can run', async () => {
    // Without the test runs' opt-in, the emulated kqueue is no backend that can run here.
    const err = await withKqueueEmulated(undefined, () => useBackend('iocp')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(RuntimeError);
    expect((err as Error).message).to.match(
      new RegExp(`^IO backend "iocp" is not available \\(IO completion ports are Windows only \\(this is ${process.platform}\\)\\); available here: epoll, (io_uring, )?libuv$`),
    );
  });

  it('picks the best available backend by default (epoll on Linux)', async () => {
    const b = await useBackend();
    expect(b.name).to.equal('epoll');
    expect(backendOrNull()).to.equal(b);
  });

  it('an API call picks another, replacing the one in use', async () => {
    const first = await useBackend('epoll');
    const second = await useBackend('libuv');
    expect(second.name).to.equal('libuv');
    expect(backendOrNull()).to.equal(second);
    expect(first.stats(), 'the replaced backend was destroyed with nothing left').to.deep.equal({ handles: 0, pending: 0 });
  });

  it('an unavailable choice fails with a clear error naming the available ones', async () => {
    let err: unknown = null;
    try {
      await withKqueueEmulated(undefined, () => useBackend('kqueue'));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(RuntimeError);
    expect((err as Error).message).to.match(/"kqueue" is not available \(kqueue is the backend of macOS and the BSDs; .*\); available here: epoll, (io_uring, )?libuv/);
    err = null;
    try {
      await withKqueueEmulated(undefined, () => useBackend('nope'));
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.match(/"nope" is not available \(there is no such backend\); available here: epoll, (io_uring, )?libuv/);
    expect(backendOrNull(), 'a failed choice installs nothing').to.equal(null);
  });

  it('a backend name must be a string', async () => {
    let err: unknown = null;
    try {
      await useBackend(42 as unknown as string);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(TypeError);
  });

  it('STACKLESS_IO_BACKEND chooses from the environment', () => {
    const script = "import('@stackless-io/runtime').then(async (r) => { const b = await r.useBackend(); console.log(b.name); r.closeBackend(); })";
    const run = (env: Record<string, string>): string =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
    expect(run({ STACKLESS_IO_BACKEND: 'libuv' })).to.equal('libuv');
    expect(run({ STACKLESS_IO_BACKEND: '' })).to.equal('epoll');
  });
});
