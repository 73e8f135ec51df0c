// UDP datagrams: boundaries kept, the sender's address reported, a datagram
// larger than the buffer truncated (truncated=true, as many bytes as fit,
// the rest discarded), empty datagrams, order on loopback.
import { expect } from 'chai';
import { io, OSError, spawn, type Family, type SockAddr } from '@stackless-io/runtime';
import { conformance, joinAll, type TestEnv } from '../harness.js';
import { bindLoopback, E, pattern, requireIpv6, sameAddr, sha256, str, text } from '../net.js';

/** Two datagram sockets bound to the family's loopback. */
function twoSockets(t: TestEnv, family: Family): { a: number; b: number; aAddr: SockAddr; bAddr: SockAddr } {
  if (family === 'inet6') requireIpv6(t);
  const a = io.socket(family, 'dgram');
  const b = io.socket(family, 'dgram');
  bindLoopback(t, a, family);
  bindLoopback(t, b, family);
  return { a, b, aAddr: io.getsockname(a), bAddr: io.getsockname(b) };
}

export function udpCases(name: string): void {
  for (const family of ['inet', 'inet6'] as const) {
    conformance(name, `UDP over ${family}: datagrams arrive whole, in order, with the sender's address`, async (t) => {
      const { a, b, aAddr, bAddr } = twoSockets(t, family);
      const receiver = spawn(function* receiver() {
        const got: { data: string; addr: SockAddr | null; truncated: boolean }[] = [];
        for (let i = 0; i < 10; i++) {
          const d = yield* io.recvfrom(b, 100);
          got.push({ data: str(d.data), addr: d.addr, truncated: d.truncated });
        }
        return got;
      });
      const sender = spawn(function* sender() {
        const sizes: number[] = [];
        for (let i = 0; i < 10; i++) sizes.push(yield* io.sendto(a, text(`datagram ${i}`), bAddr));
        return sizes;
      });
      const [got, sizes] = await joinAll(receiver, sender);
      io.close(a);
      io.close(b);
      expect(sizes).to.deep.equal(Array.from({ length: 10 }, (_, i) => `datagram ${i}`.length));
      expect(got.map((g) => g.data)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `datagram ${i}`));
      expect(got.map((g) => g.truncated)).to.deep.equal(new Array(10).fill(false));
      for (const g of got) expect(sameAddr(g.addr, aAddr), `sender ${JSON.stringify(g.addr)} is ${JSON.stringify(aAddr)}`).to.equal(true);
    });
  }

  conformance(name, 'UDP truncation: recvfrom with a short buffer → truncated=true, the bytes that fit, the rest dropped', async (t) => {
    const { a, b, aAddr, bAddr } = twoSockets(t, 'inet');
    const big = pattern(1000);
    const [r] = await joinAll(spawn(function* truncation() {
      yield* io.sendto(a, big, bAddr);
      yield* io.sendto(a, text('next'), bAddr);
      const first = yield* io.recvfrom(b, 10);
      const second = yield* io.recvfrom(b, 10);
      return { first, second };
    }));
    io.close(a);
    io.close(b);
    expect(r.first.truncated, 'first datagram truncated').to.equal(true);
    expect([...r.first.data], 'the first 10 bytes').to.deep.equal([...big.subarray(0, 10)]);
    expect(sameAddr(r.first.addr, aAddr), 'sender of the truncated datagram').to.equal(true);
    expect(r.second.truncated, 'second datagram truncated').to.equal(false);
    expect(str(r.second.data), 'the rest of a truncated datagram is discarded').to.equal('next');
  });

  conformance(name, 'UDP: a datagram exactly the buffer size is not truncated; an empty one arrives empty', async (t) => {
    const { a, b, bAddr } = twoSockets(t, 'inet');
    const [r] = await joinAll(spawn(function* exact() {
      yield* io.sendto(a, text('0123456789'), bAddr);
      const sentEmpty = yield* io.sendto(a, new Uint8Array(0), bAddr);
      const exactFit = yield* io.recvfrom(b, 10);
      const empty = yield* io.recvfrom(b, 10);
      return { exactFit, empty, sentEmpty };
    }));
    io.close(a);
    io.close(b);
    expect(str(r.exactFit.data)).to.equal('0123456789');
    expect(r.exactFit.truncated).to.equal(false);
    expect(r.sentEmpty).to.equal(0);
    expect(r.empty.data.length).to.equal(0);
    expect(r.empty.truncated).to.equal(false);
  });

  conformance(name, 'Unix-domain datagrams: whole datagrams with the sender\'s path', async (t) => {
    const dir = t.tmpdir();
    let a: number;
    try {
      a = io.socket('unix', 'dgram');
    } catch (e) {
      if (e instanceof OSError && [E.EAFNOSUPPORT, E.EPROTONOSUPPORT, E.EOPNOTSUPP].includes(e.errno)) {
        return t.cannot("make Unix-domain datagram sockets (Node's dgram has no AF_UNIX)", e.code);
      }
      throw e;
    }
    const b = io.socket('unix', 'dgram');
    const aAddr = { family: 'unix', path: `${dir}/a.sock` } as const;
    const bAddr = { family: 'unix', path: `${dir}/b.sock` } as const;
    io.bind(a, aAddr);
    io.bind(b, bAddr);
    const [r] = await joinAll(spawn(function* unixDatagrams() {
      yield* io.sendto(a, text('first'), bAddr);
      yield* io.sendto(a, pattern(100), bAddr);
      const one = yield* io.recvfrom(b, 100);
      const two = yield* io.recvfrom(b, 10);
      return { one, two };
    }));
    io.close(a);
    io.close(b);
    expect(str(r.one.data)).to.equal('first');
    expect(r.one.addr, 'the sender').to.deep.equal(aAddr);
    expect(r.two.truncated).to.equal(true);
    expect([...r.two.data]).to.deep.equal([...pattern(100).subarray(0, 10)]);
  });

  conformance(name, 'UDP from an unbound socket: sendto binds it; the receiver sees the address getsockname then gives', async (t) => {
    const a = io.socket('inet', 'dgram');
    const b = io.socket('inet', 'dgram');
    bindLoopback(t, b, 'inet');
    const [r] = await joinAll(spawn(function* unboundSender() {
      yield* io.sendto(a, text('hi'), io.getsockname(b));
      const got = yield* io.recvfrom(b, 10);
      return { got, aName: io.getsockname(a) };
    }));
    io.close(a);
    io.close(b);
    expect(str(r.got.data)).to.equal('hi');
    expect(r.aName.family === 'inet' && r.aName.port > 0, `the sender is bound now: ${JSON.stringify(r.aName)}`).to.equal(true);
    expect(r.got.addr !== null && r.got.addr.family === 'inet' && r.got.addr.port === (r.aName as { port: number }).port, `sender ${JSON.stringify(r.got.addr)}`).to.equal(true);
  });

  conformance(name, 'connected UDP: connect, then send and recv; getpeername names the peer', async (t) => {
    const { a, b, aAddr, bAddr } = twoSockets(t, 'inet');
    const [r] = await joinAll(spawn(function* connectedUdp() {
      yield* io.connect(a, bAddr);
      yield* io.connect(b, aAddr);
      const peer = io.getpeername(a);
      const sent = yield* io.send(a, text('over connect'));
      const got = str(yield* io.recv(b, 100));
      yield* io.send(b, text('back'));
      const back = str(yield* io.recv(a, 100));
      return { peer, sent, got, back };
    }));
    io.close(a);
    io.close(b);
    expect(sameAddr(r.peer, bAddr), `getpeername ${JSON.stringify(r.peer)}`).to.equal(true);
    expect(r).to.deep.include({ sent: 12, got: 'over connect', back: 'back' });
  });

  conformance(name, 'UDP size limit: a 65,507-byte datagram arrives whole; one byte more → OSError(EMSGSIZE)', async (t) => {
    const { a, b, bAddr } = twoSockets(t, 'inet');
    const big = pattern(65507);
    const [r] = await joinAll(spawn(function* sizeLimit() {
      const sent = yield* io.sendto(a, big, bAddr);
      const got = yield* io.recvfrom(b, 70_000);
      let e: unknown = null;
      try {
        yield* io.sendto(a, new Uint8Array(65508), bAddr);
      } catch (err) {
        e = err;
      }
      return { sent, got, e };
    }));
    io.close(a);
    io.close(b);
    expect(r.sent).to.equal(65507);
    expect(r.got.truncated).to.equal(false);
    expect(sha256(r.got.data), 'the largest datagram, whole').to.equal(sha256(big));
    expect(r.e, String(r.e)).to.be.instanceOf(OSError);
    expect((r.e as OSError).errno).to.equal(E.EMSGSIZE);
  });
}
