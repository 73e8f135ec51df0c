import { expect } from 'chai';
import { constants } from 'node:os';
import {
  ConnectionRefusedError,
  ConnectionResetError,
  io,
  OSError,
  SockOpt,
  spawn,
  MsgFlag,
  BrokenPipeError,
  waitFor,
  type InetAddress,
} from '@stackless-io/runtime';
import { bytes, freePort, listener, LO, run, tcpPair, text, withLibuv } from './harness.js';

const E = constants.errno;

function* expectOSError(errno: number, body: () => Generator<any, unknown, any>): Generator<any, OSError, any> {
  try {
    yield* body();
  } catch (e) {
    expect(e).to.be.instanceOf(OSError);
    expect((e as OSError).errno, (e as Error).message).to.equal(errno);
    return e as OSError;
  }
  throw new Error(`expected OSError errno ${errno}`);
}

describe('libuv backend: TCP', () => {
  withLibuv();

  it('echoes one byte, and names both ends', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      const cl = io.getsockname(c) as InetAddress;
      expect(io.getpeername(s)).to.deep.equal(cl);
      expect(io.getpeername(c)).to.deep.equal(io.getsockname(s));
      expect((io.getsockname(s) as InetAddress).port).to.equal((io.getsockname(l) as InetAddress).port);
      expect(yield* io.send(c, Uint8Array.of(0x5a))).to.equal(1);
      const got = yield* io.recv(s, 16);
      expect([...got]).to.deep.equal([0x5a]);
      yield* io.sendAll(s, got);
      expect([...(yield* io.recv(c, 1))]).to.deep.equal([0x5a]);
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('echoes 8 MiB with backpressure both ways', async function () {
    this.timeout(60_000);
    const total = 8 << 20;
    const data = new Uint8Array(total);
    for (let i = 0; i < total; i++) data[i] = (i * 7 + (i >>> 13)) & 0xff;
    const out = new Uint8Array(total);
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      io.close(l);
      const echo = spawn(function* () {
        for (;;) {
          const chunk = yield* io.recv(s, 65536);
          if (chunk.length === 0) break;
          yield* io.sendAll(s, chunk);
        }
        io.shutdown(s, 1);
        io.close(s);
      });
      const writer = spawn(function* () {
        yield* io.sendAll(c, data);
        io.shutdown(c, 1);
      });
      let got = 0;
      for (;;) {
        const n = yield* io.recvInto(c, out.subarray(got, Math.min(total, got + 100_000)));
        if (n === 0) break;
        got += n;
      }
      expect(got).to.equal(total);
      yield* waitFor(writer.join());
      yield* waitFor(echo.join());
      io.close(c);
    });
    let bad = -1;
    for (let i = 0; i < total && bad < 0; i++) if (out[i] !== data[i]) bad = i;
    expect(bad, 'first corrupted byte').to.equal(-1);
  });

  it('queues connections until accept, and hands each peer address out', async () => {
    await run(function* () {
      const [l, port] = listener();
      const clients: number[] = [];
      for (let i = 0; i < 3; i++) {
        const c = io.socket('inet', 'stream');
        yield* io.connect(c, { family: 'inet', host: LO, port });
        clients.push(c);
      }
      const names = new Set(clients.map((c) => (io.getsockname(c) as InetAddress).port));
      for (let i = 0; i < 3; i++) {
        const { handle, addr } = yield* io.accept(l);
        expect(addr?.family).to.equal('inet');
        expect(names.delete((addr as InetAddress).port)).to.equal(true);
        io.close(handle);
      }
      for (const c of clients) io.close(c);
      io.close(l);
    });
  });

  it('bind names the port at once; a bound socket that does not listen refuses connections', async () => {
    await run(function* () {
      const b = io.socket('inet', 'stream');
      io.bind(b, { family: 'inet', host: LO, port: 0 });
      const port = (io.getsockname(b) as InetAddress).port;
      expect(port).to.be.greaterThan(0);
      // accept() before listen() is EINVAL, as on Linux.
      yield* expectOSError(E.EINVAL, () => io.accept(b));
      const c = io.socket('inet', 'stream');
      const err = yield* expectOSError(E.ECONNREFUSED, () => io.connect(c, { family: 'inet', host: LO, port }));
      expect(err).to.be.instanceOf(ConnectionRefusedError);
      // A failed connect leaves the socket unconnected: it may try again.
      io.listen(b);
      yield* io.connect(c, { family: 'inet', host: LO, port });
      const { handle } = yield* io.accept(b);
      for (const h of [handle, c, b]) io.close(h);
    });
  });

  it('refuses a connection to a closed port with ConnectionRefusedError', async () => {
    await run(function* () {
      const port = freePort();
      const c = io.socket('inet', 'stream');
      yield* expectOSError(E.ECONNREFUSED, () => io.connect(c, { family: 'inet', host: LO, port }));
      // Never connected: recv is ENOTCONN and send EPIPE, as on Linux.
      yield* expectOSError(E.ENOTCONN, () => io.recv(c, 1));
      yield* expectOSError(E.EPIPE, () => io.send(c, Uint8Array.of(1)));
      io.close(c);
    });
  });

  it('bind: EADDRINUSE for an address another socket holds, unless both set SO_REUSEADDR and none listens', async () => {
    await run(function* () {
      const a = io.socket('inet', 'stream');
      io.bind(a, { family: 'inet', host: LO, port: 0 });
      const addr = io.getsockname(a) as InetAddress;
      const b = io.socket('inet', 'stream');
      expect(() => io.bind(b, addr)).to.throw(OSError).with.property('errno', E.EADDRINUSE);
      expect(() => io.bind(b, { family: 'inet', host: '0.0.0.0', port: addr.port }), 'the wildcard overlaps').to.throw(OSError);
      io.setsockopt(a, SockOpt.REUSEADDR, 1);
      io.setsockopt(b, SockOpt.REUSEADDR, 1);
      io.bind(b, addr);
      // Two bound, one may listen; the second listener is refused.
      io.listen(a);
      expect(() => io.listen(b)).to.throw(OSError).with.property('errno', E.EADDRINUSE);
      io.close(a);
      io.close(b);
    });
  });

  it('the side that closes first keeps its port in TIME_WAIT: binding it needs SO_REUSEADDR on both', async () => {
    await run(function* () {
      const [l, port] = listener();
      io.setsockopt(l, SockOpt.REUSEADDR, 1);
      const c = io.socket('inet', 'stream');
      yield* io.connect(c, { family: 'inet', host: LO, port });
      // The accepted socket inherits SO_REUSEADDR from the listener.
      const { handle: s } = yield* io.accept(l);
      expect(io.getsockopt(s, SockOpt.REUSEADDR)).to.equal(1);
      const addr = io.getsockname(l) as InetAddress;
      io.close(l);
      io.close(s);
      expect((yield* io.recv(c, 10)).length).to.equal(0);
      io.close(c);
      const x = io.socket('inet', 'stream');
      expect(() => io.bind(x, addr)).to.throw(OSError).with.property('errno', E.EADDRINUSE);
      const y = io.socket('inet', 'stream');
      io.setsockopt(y, SockOpt.REUSEADDR, 1);
      io.bind(y, addr);
      io.listen(y);
      io.close(x);
      io.close(y);
    });
  });

  it('send after the peer closed: accepted once, then EPIPE as the reset has come', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      io.close(s);
      expect((yield* io.recv(c, 10)).length).to.equal(0);
      expect(yield* io.send(c, bytes('first'))).to.equal(5);
      yield* expectOSError(E.EPIPE, () => io.send(c, bytes('second')));
      yield* expectOSError(E.EPIPE, () => io.send(c, bytes('third')));
      io.close(c);
      io.close(l);
    });
  });

  it('close() releases the address at once: the same port binds again', async () => {
    await run(function* () {
      const [l, port] = listener();
      io.close(l);
      const again = io.socket('inet', 'stream');
      io.bind(again, { family: 'inet', host: LO, port });
      io.listen(again);
      io.close(again);
    });
  });

  it('a receive of length 0 completes with 0 at once, connected or not', async () => {
    await run(function* () {
      const fresh = io.socket('inet', 'stream');
      expect((yield* io.recv(fresh, 0)).length).to.equal(0);
      io.close(fresh);
      const { c, s, l } = yield* tcpPair();
      expect((yield* io.recv(s, 0)).length).to.equal(0);
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('reports EADDRINUSE for an address another socket listens on', async () => {
    await run(function* () {
      const [l, port] = listener();
      const h = io.socket('inet', 'stream');
      let err: unknown = null;
      try {
        io.bind(h, { family: 'inet', host: LO, port });
        io.listen(h);
      } catch (e) {
        err = e;
      }
      expect((err as OSError).errno).to.equal(E.EADDRINUSE);
      io.close(h);
      io.close(l);
    });
  });

  it('half-closes: shutdown(1) delivers EOF after the data, and the other way stays open', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      yield* io.sendAll(c, bytes('last words'));
      io.shutdown(c, 1);
      yield* expectOSError(E.EPIPE, () => io.send(c, bytes('more')));
      expect(text(yield* io.recv(s, 100, MsgFlag.WAITALL))).to.equal('last words');
      expect((yield* io.recv(s, 100)).length).to.equal(0);
      expect((yield* io.recv(s, 100)).length, 'EOF again').to.equal(0);
      yield* io.sendAll(s, bytes('reply'));
      expect(text(yield* io.recv(c, 100))).to.equal('reply');
      io.close(s);
      expect((yield* io.recv(c, 100)).length).to.equal(0);
      io.close(c);
      io.close(l);
    });
  });

  it('reports a reset once (ECONNRESET), then EOF; data before it is delivered first', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      io.setsockopt(s, SockOpt.LINGER, 0);
      yield* io.sendAll(s, bytes('before'));
      // Let the bytes reach the client before the reset does.
      expect(yield* io.waitReadable(c)).to.equal(1);
      io.close(s);
      expect(text(yield* io.recv(c, 100))).to.equal('before');
      const err = yield* expectOSError(E.ECONNRESET, () => io.recv(c, 100));
      expect(err).to.be.instanceOf(ConnectionResetError);
      expect((yield* io.recv(c, 100)).length).to.equal(0);
      const e2 = yield* expectOSError(E.EPIPE, () => io.send(c, bytes('x')));
      expect(e2).to.be.instanceOf(BrokenPipeError);
      io.close(c);
      io.close(l);
    });
  });

  it('closing with unread data resets the connection, as Linux does', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      yield* io.sendAll(c, bytes('unread'));
      yield* io.waitReadable(s);
      io.close(s);
      yield* expectOSError(E.ECONNRESET, () => io.recv(c, 100));
      io.close(c);
      io.close(l);
    });
  });

  it('close() still delivers what send() accepted, then EOF', async function () {
    this.timeout(30_000);
    const total = 4 << 20;
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      // With a send buffer this large one send() takes it all, so nearly all
      // of it is still in Node's hands when close() comes.
      io.setsockopt(c, SockOpt.SNDBUF, 2 * total);
      expect(yield* io.send(c, new Uint8Array(total).fill(7))).to.equal(total);
      io.close(c);
      let got = 0;
      for (;;) {
        const chunk = yield* io.recv(s, 1 << 20);
        if (chunk.length === 0) break;
        got += chunk.length;
      }
      expect(got).to.equal(total);
      io.close(s);
      io.close(l);
    });
  });

  it('MSG_PEEK leaves the data for the next receive', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      yield* io.sendAll(c, bytes('peekaboo'));
      yield* io.waitReadable(s);
      expect(text(yield* io.recv(s, 4, MsgFlag.PEEK))).to.equal('peek');
      expect(text(yield* io.recv(s, 8, MsgFlag.WAITALL))).to.equal('peekaboo');
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('POLL_IN waits for data or a connection; POLL_OUT is ready on a connected socket', async () => {
    await run(function* () {
      const [l, port] = listener();
      const waiter = spawn(function* () {
        return yield* io.waitReadable(l);
      });
      const c = io.socket('inet', 'stream');
      // An unconnected socket polls as POLLOUT|POLLHUP, as Linux reports its CLOSE state.
      expect(yield* io.waitWritable(c)).to.equal(0x4 | 0x10);
      yield* io.connect(c, { family: 'inet', host: LO, port });
      expect(yield* waitFor(waiter.join())).to.equal(1);
      const { handle: s } = yield* io.accept(l);
      expect(yield* io.waitWritable(c)).to.equal(4);
      const r = spawn(function* () {
        return yield* io.waitReadable(s);
      });
      yield* io.send(c, Uint8Array.of(1));
      expect(yield* waitFor(r.join())).to.equal(1);
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('options: NODELAY, KEEPALIVE, REUSEADDR, TYPE, ERROR; REUSEPORT is ENOPROTOOPT', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      for (const opt of [SockOpt.NODELAY, SockOpt.KEEPALIVE, SockOpt.REUSEADDR]) {
        expect(io.getsockopt(c, opt)).to.equal(0);
        io.setsockopt(c, opt, 1);
        expect(io.getsockopt(c, opt)).to.equal(1);
      }
      expect(io.getsockopt(c, SockOpt.TYPE)).to.equal(1);
      expect(io.getsockopt(c, SockOpt.ERROR)).to.equal(0);
      expect(io.getsockopt(c, SockOpt.LINGER)).to.equal(-1);
      // As on Linux, the value read back is twice the value set.
      expect(io.getsockopt(c, SockOpt.SNDBUF)).to.equal(16384);
      expect(io.getsockopt(c, SockOpt.RCVBUF)).to.equal(131072);
      io.setsockopt(c, SockOpt.SNDBUF, 4096);
      expect(io.getsockopt(c, SockOpt.SNDBUF)).to.equal(8192);
      expect(() => io.setsockopt(c, SockOpt.REUSEPORT, 1)).to.throw(OSError).with.property('errno', E.ENOPROTOOPT);
      expect(() => io.setsockopt(c, SockOpt.V6ONLY, 1)).to.throw(OSError).with.property('errno', E.ENOPROTOOPT);
      expect(() => io.setsockopt(c, SockOpt.TYPE, 1)).to.throw(OSError).with.property('errno', E.ENOPROTOOPT);
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('a send larger than SNDBUF is short, and sendAll still delivers everything', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      io.setsockopt(c, SockOpt.SNDBUF, 4096);
      const n = yield* io.send(c, new Uint8Array(100_000));
      expect(n).to.be.at.most(8192).and.greaterThan(0);
      let got = 0;
      while (got < n) got += (yield* io.recv(s, 100_000)).length;
      expect(got).to.equal(n);
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('answers EBADF for a closed handle and EISCONN/EALREADY for a second connect', async () => {
    await run(function* () {
      const { c, s, l } = yield* tcpPair();
      const port = (io.getsockname(l) as InetAddress).port;
      yield* expectOSError(E.EISCONN, () => io.connect(c, { family: 'inet', host: LO, port }));
      io.close(s);
      expect(() => io.close(s)).to.throw(OSError).with.property('errno', E.EBADF);
      yield* expectOSError(E.EBADF, () => io.recv(s, 1));
      expect(() => io.getsockname(s)).to.throw(OSError).with.property('errno', E.EBADF);
      io.close(c);
      io.close(l);
    });
  });
});
