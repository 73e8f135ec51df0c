// Ending a wait from outside: closing a socket another tasklet is blocked on
// (it raises OSError(EBADF), as CPython does in blocked threads), and killing
// a tasklet blocked in IO (its operation is cancelled in the backend and
// nothing it was waiting for is lost).
import { expect } from 'chai';
import { io, OSError, schedule, spawn, stats, TaskletExit, type Tasklet } from '@stackless-io/runtime';
import { blockedInIo, conformance, joinAll, raises, settle, type TestEnv } from '../harness.js';
import { bindLoopback, connectTo, E, listener, pair, pattern, recvExactly, str, text, tcpPair } from '../net.js';

function expectEbadf(e: unknown, what: string): void {
  expect(e, `${what}: ${String(e)}`).to.be.instanceOf(OSError);
  expect((e as OSError).errno, what).to.equal(E.EBADF);
  expect((e as OSError).code, what).to.equal('EBADF');
}

/** Kills `victim` and proves it died of the kill and its operation left the backend. */
async function killAndSettle(t: TestEnv, victim: Tasklet<any[], any>): Promise<void> {
  const died = victim.join().then(
    (v) => new Error(`the victim returned ${String(v)}`),
    (e: unknown) => e,
  );
  victim.kill();
  expect(await died).to.be.instanceOf(TaskletExit);
  await settle('the cancelled operation has completed in the backend', () => t.backend.stats().pending === 0);
  expect(stats().io, 'runtime IO count').to.equal(0);
}

export function cancelCases(name: string): void {
  conformance(name, 'close while another tasklet is blocked in recv → it raises OSError(EBADF)', async (t) => {
    const [c, s] = await tcpPair(t);
    const blocked = spawn(function* blockedReader() {
      return yield* raises(() => io.recv(s, 100));
    });
    await blockedInIo(blocked);
    const closer = spawn(function* closer() {
      io.close(s);
    });
    const [e] = await joinAll(blocked, closer);
    io.close(c);
    expectEbadf(e, 'the blocked recv');
  });

  conformance(name, 'close while another tasklet is blocked in accept → it raises OSError(EBADF)', async (t) => {
    const { lst } = listener(t, 'inet');
    const blocked = spawn(function* blockedAcceptor() {
      return yield* raises(() => io.accept(lst));
    });
    await blockedInIo(blocked);
    const [e] = await joinAll(blocked, spawn(function* closer() {
      io.close(lst);
    }));
    expectEbadf(e, 'the blocked accept');
  });

  conformance(name, 'close while one tasklet is blocked in recv and another in sendAll on the same socket → both raise EBADF', async (t) => {
    const [c, s] = await tcpPair(t);
    // The peer never reads: 64 MiB cannot fit in the kernel's buffers, so
    // sendAll must block (a backend that buffers without bound fails here).
    const sender = spawn(function* blockedSender() {
      return yield* raises(() => io.sendAll(s, pattern(64 * 1024 * 1024)));
    });
    const reader = spawn(function* blockedReader() {
      return yield* raises(() => io.recv(s, 100));
    });
    await blockedInIo(reader, 2);
    await blockedInIo(sender, 2);
    const [es, er] = await joinAll(sender, reader, spawn(function* closer() {
      io.close(s);
    }));
    io.close(c);
    expectEbadf(es, 'the blocked sendAll');
    expectEbadf(er, 'the blocked recv');
  });

  conformance(name, 'kill of a tasklet blocked in recv: the recv is cancelled (pending back to 0) and a later recv gets the data', async (t) => {
    const [c, s] = await tcpPair(t);
    const victim = spawn(function* victim() {
      const got = yield* io.recv(s, 100);
      return `the victim received ${got.length} bytes`;
    });
    await blockedInIo(victim);
    await killAndSettle(t, victim);
    const [got] = await joinAll(spawn(function* heir() {
      yield* io.sendAll(c, text('nothing lost'));
      return str(yield* recvExactly(s, 12));
    }));
    io.close(c);
    io.close(s);
    expect(got).to.equal('nothing lost');
  });

  conformance(name, 'kill of a tasklet blocked in accept: the connection that comes later is accepted by another', async (t) => {
    const { lst, addr } = listener(t, 'inet');
    const victim = spawn(function* victim() {
      yield* io.accept(lst);
      return 'the victim accepted a connection';
    });
    await blockedInIo(victim);
    await killAndSettle(t, victim);
    const [[c, s]] = await joinAll(spawn(function* heir() {
      return yield* pair('inet', lst, addr);
    }));
    expect(t.backend.stats().handles, 'listener, client, accepted').to.equal(3);
    io.close(c);
    io.close(s);
    io.close(lst);
  });

  conformance(name, 'kill of a tasklet blocked in recvfrom: a later recvfrom gets the datagram', async (t) => {
    const a = io.socket('inet', 'dgram');
    const b = io.socket('inet', 'dgram');
    bindLoopback(t, a, 'inet');
    bindLoopback(t, b, 'inet');
    const victim = spawn(function* victim() {
      yield* io.recvfrom(b, 100);
      return 'the victim received a datagram';
    });
    await blockedInIo(victim);
    await killAndSettle(t, victim);
    const [got] = await joinAll(spawn(function* heir() {
      yield* io.sendto(a, text('kept'), io.getsockname(b));
      return str((yield* io.recvfrom(b, 100)).data);
    }));
    io.close(a);
    io.close(b);
    expect(got).to.equal('kept');
  });

  conformance(name, 'kill of a tasklet blocked in connect-then-recv leaves the socket usable and closable', async (t) => {
    const { lst, addr } = listener(t, 'inet');
    let h = -1;
    const victim = spawn(function* victim() {
      h = yield* connectTo('inet', addr);
      yield* io.recv(h, 100);
    });
    const [{ handle: s }] = await joinAll(spawn(function* acceptor() {
      return yield* io.accept(lst);
    }));
    // Connected (h set) and then blocked: in recv, not still in connect.
    await settle('the victim blocked in recv', () => h >= 0 && victim.blocked && t.backend.stats().pending === 1);
    await killAndSettle(t, victim);
    io.close(h);
    const [eof] = await joinAll(spawn(function* peer() {
      return (yield* io.recv(s, 10)).length;
    }));
    expect(eof, 'the peer sees the close as EOF').to.equal(0);
    io.close(s);
    io.close(lst);
  });

  conformance(name, 'kill of a tasklet blocked in sendAll: the send is cancelled and the peer receives an exact prefix of the data', async (t) => {
    const [c, s] = await tcpPair(t);
    const data = pattern(64 * 1024 * 1024);
    const victim = spawn(function* victim() {
      yield* io.sendAll(c, data);
      return 'the victim sent 64 MiB to a peer that does not read';
    });
    await blockedInIo(victim);
    await killAndSettle(t, victim);
    io.close(c);
    const [got] = await joinAll(spawn(function* drain() {
      const buf = new Uint8Array(256 * 1024);
      let total = 0;
      let firstWrong = -1;
      for (let i = 0; i <= data.length; i++) {
        const n = yield* io.recvInto(s, buf);
        if (n === 0) break;
        if (total + n > data.length) throw new Error('more bytes than were ever sent');
        if (firstWrong < 0) {
          const at = buf.subarray(0, n).findIndex((b, k) => b !== data[total + k]);
          if (at >= 0) firstWrong = total + at;
        }
        total += n;
      }
      return { total, firstWrong };
    }));
    io.close(s);
    expect(got.firstWrong, `first byte that differs from the data (of ${got.total} received)`).to.equal(-1);
    expect(got.total, 'bytes received before EOF').to.be.greaterThan(0);
  });

  conformance(name, 'a handle number reused at once after close: the old waiter gets EBADF, the new socket works', async (t) => {
    const { lst, addr } = listener(t, 'inet');
    const [[c, s]] = await joinAll(spawn(function* connectPair() {
      return yield* pair('inet', lst, addr);
    }));
    const old = spawn(function* oldWaiter() {
      return yield* raises(() => io.recv(s, 100));
    });
    await blockedInIo(old);
    // Close and, in the same breath, open new sockets: the kernel (or the
    // backend's table) is free to hand out the same number again, and a
    // late completion for the old socket must not reach the new one.
    const [r] = await joinAll(spawn(function* reuser() {
      io.close(s);
      const [c2, s2] = yield* pair('inet', lst, addr);
      yield* io.sendAll(c2, text('new'));
      const got = str(yield* recvExactly(s2, 3));
      return { got, c2, s2 };
    }));
    const [e] = await joinAll(old);
    expectEbadf(e, 'the waiter on the closed socket');
    expect(r.got, 'the new socket').to.equal('new');
    for (const h of [c, r.c2, r.s2, lst]) io.close(h);
  });

  conformance(name, 'kill of a tasklet whose accept has completed but which has not run yet: the accepted socket is not leaked', async (t) => {
    const { lst, addr } = listener(t, 'inet');
    const acceptor = spawn(function* acceptor() {
      const { handle } = yield* io.accept(lst);
      io.close(handle);
      return 'the acceptor ran before the kill';
    });
    acceptor.join().catch(() => undefined);
    await blockedInIo(acceptor);
    const [r] = await joinAll(spawn(function* killer() {
      const c = io.socket('inet', 'stream');
      const client = spawn(function* client() {
        yield* io.connect(c, addr);
      });
      // The scheduler is FIFO: a completion makes the acceptor runnable at
      // the end of the queue, behind this tasklet, which then sees it
      // woken but not yet run, and kills it there.
      for (let i = 0; i < 100_000 && acceptor.blocked; i++) yield* schedule();
      const woken = !acceptor.blocked && acceptor.alive;
      yield* acceptor.kill();
      for (let i = 0; i < 100_000 && client.alive; i++) yield* schedule();
      io.close(c);
      return woken;
    }));
    io.close(lst);
    expect(r, 'the acceptor was woken by its completion and had not run when killed').to.equal(true);
    await settle('the accepted socket closed', () => t.backend.stats().handles === 0, 1000).catch(() => undefined);
    expect(t.backend.stats().handles, 'handles left: the connection the killed tasklet had accepted').to.equal(0);
  });
}
