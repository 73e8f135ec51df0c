// 1,000 concurrent connections: 1,000 client tasklets, an acceptor and one
// handler tasklet per connection, each pair exchanging a message; and more
// blocked receives at once than a backend's own buffers hold.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { io, OSError, spawn, type Tasklet } from '@stackless-io/runtime';
import { conformance, joinAll, settle } from '../harness.js';
import { connectTo, listener, pair, recvAll, recvExactly, str, text } from '../net.js';

const N = 1000;

export function manyCases(name: string): void {
  conformance(
    name,
    `${N} concurrent connections, all open at once, each exchanging a message`,
    async (t) => {
      const { lst, addr } = listener(t, 'inet', 1024);
      // The handlers reply only once every connection is accepted, so all
      // N connections (2N sockets) are open at the same time.
      const go = new Channel<void>();
      const handlers: Tasklet<[], void>[] = [];
      const acceptor = spawn(function* acceptor() {
        for (let i = 0; i < N; i++) {
          const { handle } = yield* io.accept(lst);
          const h = spawn(function* handler() {
            try {
              const msg = str(yield* recvExactly(handle, 16));
              yield* go.receive();
              yield* io.sendAll(handle, text(`echo ${msg}`));
            } finally {
              io.close(handle);
            }
          });
          handlers.push(h);
          // Joined from now on, so a handler's error is awaited (below) by
          // this test instead of escaping to the event loop.
          h.join().catch(() => undefined);
        }
        const openAtOnce = t.backend.stats().handles;
        for (let i = 0; i < N; i++) yield* go.send(undefined);
        return openAtOnce;
      });
      const clients = Array.from({ length: N }, (_, i) =>
        spawn(function* client() {
          const h = yield* connectTo('inet', addr);
          try {
            yield* io.sendAll(h, text(`client ${String(i).padStart(9, '0')}`));
            return str(yield* recvAll(h, 64, 4096));
          } finally {
            io.close(h);
          }
        }),
      );
      const [openAtOnce, ...replies] = await joinAll(acceptor, ...clients);
      await joinAll(...handlers);
      io.close(lst);
      expect(openAtOnce, 'sockets open at once: listener, clients, accepted').to.equal(2 * N + 1);
      expect(replies.length).to.equal(N);
      replies.forEach((r, i) => expect(r, `reply to client ${i}`).to.equal(`echo client ${String(i).padStart(9, '0')}`));
    },
    120,
  );
}

const M = 200;

export function capacityCases(name: string): void {
  conformance(
    name,
    `${M} tasklets blocked at once in recv of 64 KiB each (12.5 MiB of buffers); half of them killed; nothing lost`,
    async (t) => {
      const { lst, addr } = listener(t, 'inet', 256);
      const [pairs] = await joinAll(spawn(function* connectAll() {
        const out: [number, number][] = [];
        for (let i = 0; i < M; i++) out.push(yield* pair('inet', lst, addr));
        return out;
      }));
      io.close(lst);
      const msg = (i: number): string => `msg ${String(i).padStart(4, '0')}`;
      const readers = pairs.map(([, s]) =>
        spawn(function* bigReader() {
          const first = yield* io.recv(s, 65536);
          const rest = first.length < 8 ? yield* recvExactly(s, 8 - first.length) : new Uint8Array(0);
          return str(first) + str(rest);
        }),
      );
      await settle('every reader blocked in recv', () => readers.every((r) => r.blocked));
      const killed = readers.filter((_, i) => i % 2 === 0);
      for (const r of killed) r.join().catch(() => undefined);
      for (const r of killed) r.kill();
      await settle(`the ${M / 2} killed readers' requests completed`, () => t.backend.stats().pending === M / 2);
      const survivors = readers.filter((_, i) => i % 2 === 1);
      const senders = spawn(function* senders() {
        for (let i = 0; i < M; i++) yield* io.sendAll(pairs[i]![0], text(msg(i)));
      });
      const heirs = spawn(function* heirs() {
        const out: string[] = [];
        for (let i = 0; i < M; i += 2) out.push(str(yield* recvExactly(pairs[i]![1], 8)));
        return out;
      });
      const [, inherited, ...got] = await joinAll(senders, heirs, ...survivors);
      for (const [c, s] of pairs) {
        io.close(c);
        io.close(s);
      }
      expect(got, 'what the surviving readers received').to.deep.equal(survivors.map((_, k) => msg(2 * k + 1)));
      expect(inherited, 'what the killed readers left for the next recv').to.deep.equal(killed.map((_, k) => msg(2 * k)));
    },
    60,
  );
}

const U = 5000;

export function udpCapacityCases(name: string): void {
  conformance(
    name,
    `${U} tasklets blocked in recvfrom at once; a third killed, a third closed under them, the rest served`,
    async (t) => {
      const socks: number[] = [];
      for (let i = 0; i < U; i++) {
        const h = io.socket('inet', 'dgram');
        socks.push(h);
        io.bind(h, { family: 'inet', host: '127.0.0.1', port: 0 });
      }
      const addrs = socks.map((h) => io.getsockname(h));
      const readers = socks.map((h) =>
        spawn(function* udpReader() {
          try {
            return str((yield* io.recvfrom(h, 64)).data);
          } catch (e) {
            return e instanceof OSError ? e.code : String(e);
          }
        }),
      );
      await settle(`all ${U} readers blocked`, () => readers.every((r) => r.blocked) && t.backend.stats().pending === U);
      const killed = readers.filter((_, i) => i % 3 === 0);
      for (const r of killed) r.join().catch(() => undefined);
      for (const r of killed) r.kill();
      for (let i = 1; i < U; i += 3) io.close(socks[i]!);
      const served = readers.filter((_, i) => i % 3 === 2);
      const sender = io.socket('inet', 'dgram');
      const [, ...got] = await joinAll(
        spawn(function* sendToEach() {
          for (let i = 2; i < U; i += 3) yield* io.sendto(sender, text(`d${i}`), addrs[i]!);
        }),
        ...readers.filter((_, i) => i % 3 !== 0),
      );
      io.close(sender);
      for (let i = 0; i < U; i++) if (i % 3 !== 1) io.close(socks[i]!);
      const closedAnswers = got.filter((_, k) => k % 2 === 0);
      const servedAnswers = got.filter((_, k) => k % 2 === 1);
      expect(new Set(closedAnswers), 'readers whose socket was closed').to.deep.equal(new Set(['EBADF']));
      expect(servedAnswers, 'readers served').to.deep.equal(served.map((_, k) => `d${3 * k + 2}`));
    },
    60,
  );
}
