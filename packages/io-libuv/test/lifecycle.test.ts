import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { closeBackend, io, MsgFlag, OSError, spawn, TimeoutError, useBackend, waitFor } from '@stackless-io/runtime';
import { backend } from '@stackless-io/io-libuv';
import { until } from '@stackless-io/test-support';
import { bytes, listener, run, tcpPair, text, withLibuv } from './harness.js';

const E = constants.errno;

describe('libuv backend: close, kill, timeouts', () => {
  const t = withLibuv();

  it('close() wakes a tasklet blocked in recv with EBADF', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      const reader = spawn(function* () {
        try {
          yield* io.recv(s, 10);
          return 'data';
        } catch (e) {
          return (e as OSError).errno;
        }
      });
      yield* waitFor(until('the reader blocked in recv', () => reader.blocked && t.b.stats().pending === 1));
      io.close(s);
      expect(yield* waitFor(reader.join())).to.equal(E.EBADF);
      io.close(c);
      io.close(l);
    });
  });

  it('close() from outside the tasklets wakes a blocked accept with EBADF', async () => {
    const [l] = listener();
    const acceptor = spawn(function* () {
      try {
        yield* io.accept(l);
      } catch (e) {
        return (e as OSError).errno;
      }
      return 0;
    });
    await until('the acceptor blocked in accept', () => acceptor.blocked && t.b.stats().pending === 1);
    io.close(l);
    expect(await acceptor.join()).to.equal(E.EBADF);
  });

  it('killing a tasklet blocked in recv cancels the request, and the data goes to the next recv', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      const victim = spawn(function* () {
        yield* io.recv(s, 10);
        return 'not reached';
      });
      yield* waitFor(until('the victim blocked in recv', () => victim.blocked && t.b.stats().pending === 1));
      yield* victim.kill();
      yield* waitFor(until('the cancelled request completed', () => t.b.stats().pending === 0));
      yield* io.sendAll(c, bytes('kept'));
      expect(text(yield* io.recv(s, 10))).to.equal('kept');
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('killing a tasklet blocked in accept leaves the connection for the next accept', async () => {
    await run(function* () {
      const [l, port] = listener();
      const victim = spawn(function* () {
        yield* io.accept(l);
      });
      yield* waitFor(until('the victim blocked in accept', () => victim.blocked && t.b.stats().pending === 1));
      yield* victim.kill();
      expect(victim.alive, 'the killed acceptor').to.equal(false);
      const c = io.socket('inet', 'stream');
      yield* io.connect(c, { family: 'inet', host: '127.0.0.1', port });
      const { handle } = yield* io.accept(l, 5);
      for (const h of [handle, c, l]) io.close(h);
    });
  });

  it('a timeout raises TimeoutError and loses nothing that arrives later', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      try {
        yield* io.recv(s, 10, 0, 0.05);
        expect.fail('recv should time out');
      } catch (e) {
        expect(e).to.be.instanceOf(TimeoutError);
        expect((e as TimeoutError).errno).to.equal(E.ETIMEDOUT);
      }
      yield* io.sendAll(c, bytes('late'));
      expect(text(yield* io.recv(s, 10, 0, 5))).to.equal('late');
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('a MSG_WAITALL receive that times out returns the bytes it already took', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      yield* io.sendAll(c, bytes('abc'));
      const got = yield* io.recv(s, 10, MsgFlag.WAITALL, 0.1);
      expect(text(got)).to.equal('abc');
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('a connect that times out goes on in the background, as a kernel connect does', async () => {
    await run(function* () {
      const [l, port] = listener();
      const c = io.socket('inet', 'stream');
      let timedOut = false;
      try {
        // A zero timeout expires before the handshake can finish.
        yield* io.connect(c, { family: 'inet', host: '127.0.0.1', port }, 0);
      } catch (e) {
        timedOut = e instanceof TimeoutError;
      }
      expect(timedOut).to.equal(true);
      expect(yield* io.waitWritable(c, 5)).to.equal(4);
      expect(io.getpeername(c)).to.deep.include({ port });
      try {
        yield* io.connect(c, { family: 'inet', host: '127.0.0.1', port });
        expect.fail('a second connect');
      } catch (e) {
        expect((e as OSError).errno).to.equal(E.EISCONN);
      }
      const { handle } = yield* io.accept(l);
      for (const h of [handle, c, l]) io.close(h);
    });
  });

  it('wait() (exclusive mode) sleeps for a timeout but refuses to block forever while IO waits', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      expect(t.b.wait(5)).to.equal(0);
      const reader = spawn(function* () {
        try {
          yield* io.recv(s, 1);
        } catch (e) {
          return (e as OSError).errno;
        }
        return 0;
      });
      yield* waitFor(until('the reader blocked in recv', () => reader.blocked && t.b.stats().pending === 1));
      expect(() => t.b.wait(-1)).to.throw(/exclusive mode/);
      io.close(s);
      expect(yield* waitFor(reader.join())).to.equal(E.EBADF);
      io.close(c);
      io.close(l);
    });
  });

  it('destroy() closes everything; stats are back to zero', async () => {
    const [l] = listener();
    const u = io.socket('inet', 'dgram');
    io.bind(u, { family: 'inet', host: '127.0.0.1', port: 0 });
    const blocked = spawn(function* () {
      yield* io.recvfrom(u, 10);
    });
    await until('the receiver blocked in recvfrom', () => blocked.blocked && t.b.stats().pending === 1);
    expect(t.b.stats()).to.deep.equal({ handles: 2, pending: 1 });
    t.b.destroy();
    expect(t.b.stats()).to.deep.equal({ handles: 0, pending: 0 });
    blocked.kill();
    expect(() => io.close(l), 'handles are gone').to.throw(OSError).with.property('errno', E.EBADF);
  });
});

describe('libuv backend: selection and the process', () => {
  it('useBackend("libuv") loads this package', async () => {
    expect(backend.name).to.equal('libuv');
    expect(backend.unavailableReason()).to.equal(null);
    const b = await useBackend('libuv');
    expect(b.name).to.equal('libuv');
    expect(b.stats()).to.deep.equal({ handles: 0, pending: 0 });
    closeBackend();
  });

  // The child exits by itself or is killed at the timeout (a hang guard:
  // then execFile reports an error and the test fails).
  const child = fileURLToPath(new URL('./idle-child.js', import.meta.url));
  function runChild(mode: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [child, mode], { timeout: 10_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${mode}: ${err.message}\n${stderr}`));
        else resolve(stdout.trim());
      });
    });
  }

  it('an idle backend with open sockets does not keep the process alive', async () => {
    expect(await runChild('idle')).to.equal('idle {"handles":4,"pending":0}');
  });

  for (const mode of ['accept', 'recv', 'recvfrom']) {
    it(`a tasklet blocked in ${mode} keeps the process alive until it is served`, async () => {
      // Only the blocked tasklet holds the process: the unref'd timer that
      // serves it fires only if the process is still there, and says so first.
      const out = await runChild(mode);
      expect(out).to.match(/^serving\n(accepted|received \d+)$/);
    });
  }
});
