import { expect } from 'chai';
import { constants } from 'node:os';
import { io, MsgFlag, OSError, SockOpt, type InetAddress } from '@stackless-io/runtime';
import { bytes, LO, run, text, withLibuv } from './harness.js';

const E = constants.errno;

function udp(family: 'inet' | 'inet6' = 'inet'): [number, InetAddress] {
  const h = io.socket(family, 'dgram');
  io.bind(h, family === 'inet' ? { family, host: LO, port: 0 } : { family, host: '::1', port: 0 });
  return [h, io.getsockname(h) as InetAddress];
}

describe('libuv backend: UDP', () => {
  withLibuv();

  it('sendto/recvfrom with the sender address; a long datagram is truncated', async () => {
    await run(function* () {
      const [a, aAddr] = udp();
      const [b, bAddr] = udp();
      expect(yield* io.sendto(a, bytes('0123456789'), bAddr)).to.equal(10);
      const got = yield* io.recvfrom(b, 4);
      expect(text(got.data)).to.equal('0123');
      expect(got.truncated).to.equal(true);
      expect(got.addr).to.deep.equal(aAddr);
      // The rest of a truncated datagram is gone: the next one comes whole.
      yield* io.sendto(a, bytes('ok'), bAddr);
      const next = yield* io.recvfrom(b, 100);
      expect([text(next.data), next.truncated]).to.deep.equal(['ok', false]);
      io.close(a);
      io.close(b);
    });
  });

  it('keeps datagram boundaries; MSG_PEEK leaves the datagram queued', async () => {
    await run(function* () {
      const [a] = udp();
      const [b, bAddr] = udp();
      for (const m of ['one', 'two', 'three']) yield* io.sendto(a, bytes(m), bAddr);
      expect(text((yield* io.recvfrom(b, 100, MsgFlag.PEEK)).data)).to.equal('one');
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) seen.push(text((yield* io.recvfrom(b, 100)).data));
      expect(seen).to.deep.equal(['one', 'two', 'three']);
      io.close(a);
      io.close(b);
    });
  });

  it('connect() then send/recv; sendto on a connected socket is EISCONN; send unconnected is EDESTADDRREQ', async () => {
    await run(function* () {
      const [a, aAddr] = udp();
      const [b, bAddr] = udp();
      const c = io.socket('inet', 'dgram');
      try {
        yield* io.send(c, bytes('x'));
        expect.fail('send on an unconnected UDP socket');
      } catch (e) {
        expect((e as OSError).errno).to.equal(E.EDESTADDRREQ);
      }
      io.close(c);
      yield* io.connect(a, bAddr);
      expect(io.getpeername(a)).to.deep.equal(bAddr);
      expect(io.getsockname(a)).to.deep.equal(aAddr);
      expect(yield* io.send(a, bytes('hello'))).to.equal(5);
      const got = yield* io.recvfrom(b, 100);
      expect([text(got.data), got.addr]).to.deep.equal(['hello', aAddr]);
      yield* io.sendto(b, bytes('back'), aAddr);
      expect(text(yield* io.recv(a, 100))).to.equal('back');
      try {
        yield* io.sendto(a, bytes('x'), bAddr);
        expect.fail('sendto on a connected UDP socket');
      } catch (e) {
        expect((e as OSError).errno).to.equal(E.EISCONN);
      }
      io.close(a);
      io.close(b);
    });
  });

  it('after connect(), getsockname names the source address the kernel chose', async () => {
    await run(function* () {
      const [b, bAddr] = udp();
      const a = io.socket('inet', 'dgram');
      io.bind(a, { family: 'inet', host: '0.0.0.0', port: 0 });
      const port = (io.getsockname(a) as InetAddress).port;
      yield* io.connect(a, bAddr);
      expect(io.getsockname(a)).to.deep.equal({ family: 'inet', host: LO, port });
      io.close(a);
      io.close(b);
    });
  });

  it('an unbound socket gets a port on its first sendto', async () => {
    await run(function* () {
      const [b, bAddr] = udp();
      const a = io.socket('inet', 'dgram');
      expect((io.getsockname(a) as InetAddress).port).to.equal(0);
      yield* io.sendto(a, bytes('hi'), bAddr);
      const port = (io.getsockname(a) as InetAddress).port;
      expect(port).to.be.greaterThan(0);
      expect(((yield* io.recvfrom(b, 10)).addr as InetAddress).port).to.equal(port);
      io.close(a);
      io.close(b);
    });
  });

  it('IPv6 loopback, and EADDRINUSE on a second bind of a port', async () => {
    await run(function* () {
      const [a, aAddr] = udp('inet6');
      const [b, bAddr] = udp('inet6');
      expect(aAddr).to.include({ family: 'inet6', host: '::1' });
      yield* io.sendto(a, bytes('v6'), bAddr);
      const got = yield* io.recvfrom(b, 10);
      expect(got.addr).to.deep.equal(aAddr);
      const c = io.socket('inet6', 'dgram');
      expect(() => io.bind(c, bAddr)).to.throw(OSError).with.property('errno', E.EADDRINUSE);
      for (const h of [a, b, c]) io.close(h);
    });
  });

  it('options: TYPE is 2, setting NODELAY is ENOPROTOOPT, BROADCAST and RCVBUF are kept', async () => {
    await run(function* () {
      const [a] = udp();
      expect(io.getsockopt(a, SockOpt.TYPE)).to.equal(2);
      expect(() => io.setsockopt(a, SockOpt.NODELAY, 1)).to.throw(OSError).with.property('errno', E.ENOPROTOOPT);
      expect(() => io.getsockopt(a, SockOpt.NODELAY)).to.throw(OSError).with.property('errno', E.EOPNOTSUPP);
      io.setsockopt(a, SockOpt.BROADCAST, 1);
      expect(io.getsockopt(a, SockOpt.BROADCAST)).to.equal(1);
      io.setsockopt(a, SockOpt.RCVBUF, 65536);
      expect(io.getsockopt(a, SockOpt.RCVBUF)).to.equal(131072);
      io.close(a);
    });
  });

  it('a Unix-domain datagram socket is EAFNOSUPPORT (Node has none)', () => {
    expect(() => io.socket('unix', 'dgram')).to.throw(OSError).with.property('errno', E.EAFNOSUPPORT);
  });
});
