// Timeouts: an operation whose timeout expires raises TimeoutError ("timed
// out"), leaves nothing pending, and the socket works afterwards. Nothing
// ever arrives before these timeouts, so the outcome never depends on speed.
import { expect } from 'chai';
import { io, OSError, sleep, spawn, TimeoutError } from '@stackless-io/runtime';
import { conformance, joinAll, raises } from '../harness.js';
import { bindLoopback, connectTo, E, listener, pair, pattern, recvExactly, str, text, tcpPair } from '../net.js';

function expectTimeout(e: unknown, what: string): void {
  expect(e, `${what}: ${String(e)}`).to.be.instanceOf(TimeoutError);
  expect((e as OSError).errno, what).to.equal(E.ETIMEDOUT);
  expect((e as OSError).strerror, what).to.equal('timed out');
}

export function timeoutCases(name: string): void {
  conformance(name, 'recv with a timeout and no data → TimeoutError; the data sent afterwards is received', async (t) => {
    const [c, s] = await tcpPair(t);
    const [r] = await joinAll(spawn(function* reader() {
      const e = yield* raises(() => io.recv(s, 100, 0, 0.05));
      const pendingAfter = t.backend.stats().pending;
      yield* io.sendAll(c, text('late'));
      const late = str(yield* recvExactly(s, 4));
      return { e, pendingAfter, late };
    }));
    io.close(c);
    io.close(s);
    expectTimeout(r.e, 'recv');
    expect(r.pendingAfter, 'requests pending after the timeout').to.equal(0);
    expect(r.late).to.equal('late');
  });

  conformance(name, 'accept with a timeout and no client → TimeoutError; a later connection is accepted', async (t) => {
    const { lst, addr } = listener(t, 'inet');
    const [r] = await joinAll(spawn(function* acceptor() {
      const e = yield* raises(() => io.accept(lst, 0.05));
      const [c, s] = yield* pair('inet', lst, addr);
      io.close(c);
      io.close(s);
      return e;
    }));
    io.close(lst);
    expectTimeout(r, 'accept');
  });

  conformance(name, 'recvfrom with a timeout and no datagram → TimeoutError', async (t) => {
    const b = io.socket('inet', 'dgram');
    bindLoopback(t, b, 'inet');
    const [e] = await joinAll(spawn(function* receiver() {
      return yield* raises(() => io.recvfrom(b, 100, 0, 0.05));
    }));
    io.close(b);
    expectTimeout(e, 'recvfrom');
  });

  conformance(name, 'sendAll with a timeout to a peer that never reads → TimeoutError', async (t) => {
    const [c, s] = await tcpPair(t);
    const [e] = await joinAll(spawn(function* writer() {
      return yield* raises(() => io.sendAll(c, pattern(64 * 1024 * 1024), 0.2));
    }));
    io.close(c);
    io.close(s);
    expectTimeout(e, 'sendAll');
  });

  conformance(name, 'a timeout that does not expire changes nothing: recv with a timeout gets data sent in time', async (t) => {
    const [c, s] = await tcpPair(t);
    const [got] = await joinAll(
      spawn(function* reader() {
        const first = yield* io.recv(s, 7, 0, 30);
        const rest = first.length < 7 ? yield* recvExactly(s, 7 - first.length) : new Uint8Array(0);
        return str(first) + str(rest);
      }),
      spawn(function* writer() {
        yield* io.sendAll(c, text('in time'));
      }),
    );
    io.close(c);
    io.close(s);
    expect(got).to.equal('in time');
  });

  conformance(name, 'timeouts racing with arriving data: every byte arrives once and in order (a timed-out recv took nothing)', async (t) => {
    const [c, s] = await tcpPair(t);
    const N = 1000;
    const reader = spawn(function* racingReader() {
      const got: number[] = [];
      let timeouts = 0;
      // Timeouts of 0 to 1.5 ms against a writer that pauses as long: some
      // expire just as data arrives. Whichever wins, nothing may be lost.
      for (let i = 0; i < 100 * N; i++) {
        try {
          const d = yield* io.recv(s, 7, 0, 0.0005 * (i % 4));
          if (d.length === 0) break;
          got.push(...d);
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
          timeouts++;
        }
      }
      return { got, timeouts };
    });
    const writer = spawn(function* pausingWriter() {
      for (let i = 0; i < N; i++) {
        yield* io.sendAll(c, new Uint8Array([i & 0xff]));
        if (i % 3 === 0) yield* sleep(0.0005 * (i % 5));
      }
      io.shutdown(c, 1);
    });
    const [r] = await joinAll(reader, writer);
    io.close(c);
    io.close(s);
    expect(r.got.length, `bytes received (${r.timeouts} recvs timed out)`).to.equal(N);
    expect(r.got.findIndex((b, i) => b !== (i & 0xff)), 'first byte out of place').to.equal(-1);
  });

  conformance(name, 'timeouts racing with arriving connections and datagrams: each is accepted or received exactly once', async (t) => {
    const { lst, addr } = listener(t, 'inet');
    const udp = io.socket('inet', 'dgram');
    bindLoopback(t, udp, 'inet');
    const udpAddr = io.getsockname(udp);
    const N = 300;
    const acceptor = spawn(function* racingAcceptor() {
      const ids: number[] = [];
      for (let i = 0; i < 100 * N && ids.length < N; i++) {
        let h: number;
        try {
          h = (yield* io.accept(lst, 0.0005 * (i % 4))).handle;
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
          continue;
        }
        try {
          ids.push((yield* recvExactly(h, 1))[0]! + 256 * (yield* recvExactly(h, 1))[0]!);
        } finally {
          io.close(h);
        }
      }
      return ids;
    });
    const receiver = spawn(function* racingReceiver() {
      const ids: number[] = [];
      for (let i = 0; i < 100 * N && ids.length < N; i++) {
        try {
          const d = (yield* io.recvfrom(udp, 2, 0, 0.0005 * (i % 4))).data;
          ids.push(d[0]! + 256 * d[1]!);
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
        }
      }
      return ids;
    });
    const clients = spawn(function* pausingClients() {
      const sender = io.socket('inet', 'dgram');
      try {
        for (let i = 0; i < N; i++) {
          const h = yield* connectTo('inet', addr);
          try {
            yield* io.sendAll(h, new Uint8Array([i & 0xff, i >> 8]));
          } finally {
            io.close(h);
          }
          yield* io.sendto(sender, new Uint8Array([i & 0xff, i >> 8]), udpAddr);
          if (i % 3 === 0) yield* sleep(0.0005 * (i % 5));
        }
      } finally {
        io.close(sender);
      }
    });
    const [accepted, received] = await joinAll(acceptor, receiver, clients);
    io.close(lst);
    io.close(udp);
    const all = Array.from({ length: N }, (_, i) => i);
    expect(accepted, 'connections accepted, in order').to.deep.equal(all);
    expect(received, 'datagrams received, in order').to.deep.equal(all);
  }, 60);
}
