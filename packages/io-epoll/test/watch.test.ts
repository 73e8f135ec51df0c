import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { Op, WatchMode, libraryPath } from '@stackless-io/io-epoll';
import { withDriver } from './harness.js';

const modes = [
  ['uv_poll on the epoll fd', WatchMode.UV_POLL],
  ['waiter thread + uv_async_send', WatchMode.THREAD],
] as const;

describe('epoll shim: living with Node’s event loop', () => {
  const t = withDriver();

  for (const [name, mode] of modes) {
    it(`${name}: completes IO driven by a Node socket, without blocking the loop`, async () => {
      const d = t.d;
      const [l, port] = d.listener();
      const buf = d.alloc(16);
      let calls = 0;
      let server = -1;
      let recv = -1;
      const got = new Promise<string>((resolve, reject) => {
        d.shim.watch(mode, () => {
          try {
            calls++;
            d.pump(0);
            if (server < 0 && d.done.has(acc)) {
              server = d.wait(acc).res;
              recv = d.submit({ op: Op.RECV, fd: server, off: buf, len: 16 });
              d.pump(0);
            }
            if (recv >= 0 && d.done.has(recv)) {
              const n = d.wait(recv).res;
              resolve(Buffer.from(d.bytes(buf, Math.max(n, 0))).toString());
            }
          } catch (err) {
            reject(err);
          }
        });
      });
      const acc = d.submit({ op: Op.ACCEPT, fd: l });
      d.pump(0);
      // The data comes from Node's own net client, which can only connect and
      // write while Node's loop runs: the shim never blocks it.
      const client = connect(port, '127.0.0.1', () => client.write('ping'));
      expect(await got).to.equal('ping');
      expect(calls).to.be.greaterThan(0);
      d.shim.unwatch();
      client.destroy();
      await once(client, 'close');
      expect(d.close(server)).to.equal(0);
      expect(d.close(l)).to.equal(0);
    });

    it(`${name}: a wake-up reaches the callback`, async () => {
      const d = t.d;
      let calls = 0;
      await new Promise<void>((resolve) => {
        d.shim.watch(mode, () => {
          calls++;
          d.pump(0);
          resolve();
        });
        d.shim.wake();
      });
      d.shim.unwatch();
      expect(calls).to.equal(1);
    });
  }

  it('exclusive mode blocks in epoll_wait until another thread wakes it', async () => {
    const d = t.d;
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const koffi = require(workerData.koffi);
       const wake = koffi.load(workerData.lib).func('int32_t sio_wake(int32_t)');
       setTimeout(() => wake(workerData.handle), 100);`,
      { eval: true, workerData: { handle: d.shim.handle, lib: libraryPath(), koffi: createRequire(import.meta.url).resolve('koffi') } },
    );
    await once(worker, 'online');
    const t0 = performance.now();
    expect(d.shim.enter(10000)).to.equal(0);
    const waited = performance.now() - t0;
    expect(waited).to.be.within(20, 5000);
    await once(worker, 'exit');
  });

  for (const [name, mode] of modes) {
    it(`${name}: an unreferenced watch lets the process exit, a referenced one keeps it alive`, () => {
      const run = (ref: boolean) =>
        spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `import { EpollShim } from '@stackless-io/io-epoll';
             const shim = EpollShim.open();
             shim.watch(${mode}, () => shim.enter());
             shim.ref(${ref});`,
          ],
          { timeout: 1500, encoding: 'utf8' },
        );
      // Several times: exiting with a live waiter thread once crashed in
      // about two runs out of three (the library was unmapped under it).
      for (let i = 0; i < 4; i++) {
        const unref = run(false);
        expect(unref.signal, 'exit signal').to.equal(null);
        expect(unref.status, unref.stderr).to.equal(0);
      }
      expect(run(true).signal, 'still running at the timeout').to.equal('SIGTERM');
    });
  }
});
