import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { Op, WatchMode, libraryPath } from '@stackless-io/io-epoll';
import { E, withDriver } from './harness.js';

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
      let server = -1;
      let recv = -1;
      // Only the watch callback takes completions, so the data arriving
      // proves the callback ran; the client can only connect and write while
      // Node's loop runs, so it proves the loop ran too (a blocked loop
      // would hang the test).
      const got = new Promise<string>((resolve, reject) => {
        d.shim.watch(mode, () => {
          try {
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

  it('exclusive mode blocks in epoll_wait until another thread wakes it', async function () {
    this.timeout(60_000);
    const d = t.d;
    // A parked accept: the way out should the wake not work (see the worker).
    const [l, port] = d.listener();
    const acc = d.submit({ op: Op.ACCEPT, fd: l });
    expect(d.parked(acc), 'accept parks with no client').to.equal(true);
    // [0] main is entering, [1] the worker is waking it, [2] enter() returned.
    const flags = new Int32Array(new SharedArrayBuffer(12));
    const worker = new Worker(
      `const { workerData: w } = require('node:worker_threads');
       const { readFileSync } = require('node:fs');
       const net = require('node:net');
       const koffi = require(w.koffi);
       const wake = koffi.load(w.lib).func('int32_t sio_wake(int32_t)');
       const f = w.flags;
       Atomics.wait(f, 0, 0);
       // Wait for the state, not for a while: main's thread asleep in the
       // kernel (it does nothing else between the flag and epoll_wait).
       const stat = '/proc/' + process.pid + '/task/' + process.pid + '/stat';
       const asleep = () => {
         const text = readFileSync(stat, 'utf8');
         return text[text.lastIndexOf(')') + 2] === 'S';
       };
       for (let i = 0; i < 20000 && !asleep() && Atomics.load(f, 2) === 0; i++) Atomics.wait(f, 2, 0, 1);
       if (Atomics.load(f, 2) === 0) {
         Atomics.store(f, 1, 1);
         wake(w.handle);
         // A hang guard, not a verdict: should the wake not end enter(), a
         // connection completes the accept, and the test fails on that.
         if (Atomics.wait(f, 2, 0, 20000) === 'timed-out') {
           const c = net.connect(w.port, '127.0.0.1', () => c.destroy());
         }
       }`,
      { eval: true, workerData: { handle: d.shim.handle, lib: libraryPath(), koffi: createRequire(import.meta.url).resolve('koffi'), flags, port } },
    );
    let workerError: unknown = null;
    worker.on('error', (e) => (workerError = e));
    await once(worker, 'online');
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    // The timeout is the last hang guard (should the worker die): enter()
    // then returns with nobody having woken it, and the test fails on that.
    const n = d.shim.enter(30_000);
    Atomics.store(flags, 2, 1);
    Atomics.notify(flags, 2);
    const wokenBefore = Atomics.load(flags, 1);
    await once(worker, 'exit');
    expect(workerError, 'the waking thread failed').to.equal(null);
    expect(wokenBefore, 'enter() returned before the other thread woke it').to.equal(1);
    expect(n, 'enter() returned on the wake, not on a completion').to.equal(0);
    const cancel = d.submit({ op: Op.CANCEL, arg0: acc, arg1: d.genOf(acc) });
    expect(d.wait(acc).res).to.equal(-E.ECANCELED);
    expect(d.wait(cancel).res).to.equal(0);
    expect(d.close(l)).to.equal(0);
  });

  for (const [name, mode] of modes) {
    it(`${name}: an unreferenced watch lets the process exit, a referenced one keeps it alive`, function () {
      this.timeout(180_000);
      // An unreferenced watch must let the child end by itself: its timeout
      // is only a hang guard. A referenced one keeps the child alive for
      // good, so it is always still running when its (short) timeout kills
      // it, after it said it had set the watch up.
      const run = (ref: boolean, timeout = 30_000) =>
        spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `import { openEpollShim } from '@stackless-io/io-epoll';
             const shim = openEpollShim();
             shim.watch(${mode}, () => shim.enter());
             shim.ref(${ref});
             console.log('watching');`,
          ],
          { timeout, encoding: 'utf8' },
        );
      // Several times: exiting with a live waiter thread once crashed in
      // about two runs out of three (the library was unmapped under it).
      for (let i = 0; i < 4; i++) {
        const unref = run(false);
        expect(unref.signal, 'exit signal').to.equal(null);
        expect(unref.status, unref.stderr).to.equal(0);
        expect(unref.stdout).to.equal('watching\n');
      }
      // A child killed before it set the watch up only started slowly: it
      // gets a longer window, so a loaded machine cannot fail the test.
      let kept = run(true, 1500);
      for (let ms = 3000; kept.stdout === '' && kept.signal === 'SIGTERM' && ms <= 24_000; ms *= 2) kept = run(true, ms);
      expect(kept.stdout, `the child set its watch up (${kept.stderr})`).to.equal('watching\n');
      expect(kept.signal, 'still running at the timeout').to.equal('SIGTERM');
    });
  }
});
