// While main waits in block() on tasklets that wait on IO, the runtime waits
// in the backend's wait(), as exclusive mode does. A backend whose IO
// completes only through Node's event loop (libuv) cannot: block() then
// raises a RuntimeError naming the alternative, and nothing is left pending.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { block, closeBackend, io, RuntimeError, sleep, stats, tasklet, useBackend, type InetAddress } from '@stackless-io/runtime';

/** A UDP socket bound to a free loopback port, and its address. */
function udp(): { h: number; addr: InetAddress } {
  const h = io.socket('inet', 'dgram');
  io.bind(h, { family: 'inet', host: '127.0.0.1', port: 0 });
  return { h, addr: io.getsockname(h) as InetAddress };
}

describe('runtime: main blocks while tasklets wait on IO', () => {
  afterEach(() => closeBackend());

  it('epoll: main receives what a tasklet read from a socket, the thread waiting in the backend meanwhile', async () => {
    await useBackend('epoll');
    const a = udp();
    const b = udp();
    const ch = new Channel<string>();
    tasklet(function* () {
      const { data } = yield* io.recvfrom(a.h, 64);
      yield* ch.send(new TextDecoder().decode(data));
    })();
    tasklet(function* () {
      yield* sleep(0.005);
      yield* io.sendto(b.h, new TextEncoder().encode('datagram'), a.addr);
    })();
    try {
      expect(block(ch.receive())).to.equal('datagram');
    } finally {
      io.close(a.h);
      io.close(b.h);
    }
    expect(stats().io).to.equal(0);
  });

  it('libuv: main waiting on a tasklet blocked in IO raises RuntimeError naming the alternative', async () => {
    await useBackend('libuv');
    const a = udp();
    const ch = new Channel<string>();
    const reader = tasklet(function* () {
      yield* io.recvfrom(a.h, 64);
      yield* ch.send('never');
    })();
    let err: unknown;
    try {
      block(ch.receive());
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(RuntimeError);
    expect((err as Error).message).to.match(/libuv backend/);
    expect((err as Error).message).to.match(/await t\.join\(\) or ch\.receiveAsync\(\)/);
    expect(ch.balance).to.equal(0);
    reader.kill();
    io.close(a.h);
    // The cancelled receive completes through Node's loop: wait for it.
    for (let i = 0; i < 1000 && stats().io > 0; i++) await new Promise((r) => setTimeout(r, 1));
  });
});
