// The epoll backend driven the way programs use it: tasklets calling the
// runtime's portable `io` operations. Every test ends with the backend's
// counters at zero, no arena memory held and no fd left open (the root mocha
// hook then checks the runtime: no tasklet, timer or IO wait left).
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  closeBackend,
  ConnectionRefusedError,
  installBackend,
  io,
  IoOp,
  IoRequest,
  MsgFlag,
  OSError,
  run,
  runExclusive,
  SockOpt,
  sleep,
  spawn,
  TimeoutError,
  useBackend,
  type SockAddr,
} from '@stackless-io/runtime';
import { wakeFromLoop } from '@stackless-io/runtime/internal';
import { FakeClock, skipBecause, until } from '@stackless-io/test-support';
import { backend as epollModule, EpollBackend, type EpollBackendOptions } from '@stackless-io/io-epoll';
import { E, fdCount } from './harness.js';

const LOOPBACK: SockAddr = { family: 'inet', host: '127.0.0.1', port: 0 };
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >>> 11) + seed) & 0xff;
  return out;
}

/** A listening TCP socket on 127.0.0.1:<ephemeral>, and its address. */
function listener(): [number, SockAddr] {
  const l = io.socket('inet', 'stream');
  io.setsockopt(l, SockOpt.REUSEADDR, 1);
  io.bind(l, LOOPBACK);
  io.listen(l, 16);
  return [l, io.getsockname(l)];
}

/** A connected pair over loopback: [client, server, listener]. */
async function tcpPair(): Promise<[number, number, number]> {
  const [l, addr] = listener();
  const acc = spawn(function* () {
    return (yield* io.accept(l)).handle;
  });
  const con = spawn(function* () {
    const c = io.socket('inet', 'stream');
    yield* io.connect(c, addr);
    return c;
  });
  return [await con.join(), await acc.join(), l];
}

/** Reads until `n` bytes or EOF. */
function* recvAll(h: number, n: number, chunk = 65536) {
  const parts: Uint8Array[] = [];
  let got = 0;
  while (got < n) {
    const part: Uint8Array = yield* io.recv(h, Math.min(chunk, n - got));
    if (part.length === 0) break;
    parts.push(part);
    got += part.length;
  }
  return Buffer.concat(parts);
}

describe('epoll backend: the runtime IO contract over the shim', () => {
  let b: EpollBackend;
  let fdsBefore = 0;

  async function install(options?: EpollBackendOptions): Promise<void> {
    if (options === undefined) {
      const chosen = await useBackend('epoll');
      expect(chosen).to.be.instanceOf(EpollBackend);
      b = chosen as EpollBackend;
    } else {
      b = installBackend(new EpollBackend(wakeFromLoop, options)) as EpollBackend;
    }
  }

  beforeEach(async () => {
    fdsBefore = fdCount();
    await install();
  });

  afterEach(async function () {
    await tick();
    if (this.currentTest?.state !== 'failed') {
      expect(b.stats(), 'backend counters').to.deep.equal({ handles: 0, pending: 0 });
      expect(b.memory(), 'arena').to.include({ inUse: 0, blocks: 0, waiting: 0 });
      expect(b.stale, 'stale completions').to.equal(0);
    }
    closeBackend();
    expect(fdCount(), 'process fds').to.equal(fdsBefore);
  });

  it('is what backend selection finds on Linux', () => {
    expect(epollModule.name).to.equal('epoll');
    expect(epollModule.unavailableReason()).to.equal(null);
    expect(b.name).to.equal('epoll');
  });

  it('echoes one byte; accept and connect report the right addresses', async () => {
    const [l, laddr] = listener();
    const server = spawn(function* () {
      const { handle, addr } = yield* io.accept(l);
      const got: Uint8Array = yield* io.recv(handle, 16);
      yield* io.sendAll(handle, got);
      return { handle, addr };
    });
    const client = spawn(function* () {
      const c = io.socket('inet', 'stream');
      yield* io.connect(c, laddr);
      expect(yield* io.send(c, Uint8Array.of(0x5a))).to.equal(1);
      const back: Uint8Array = yield* io.recv(c, 16);
      return { c, back };
    });
    const { c, back } = await client.join();
    const { handle: s, addr } = await server.join();
    expect([...back]).to.deep.equal([0x5a]);
    expect(addr).to.deep.equal(io.getsockname(c));
    expect(io.getpeername(c)).to.deep.equal(laddr);
    expect(io.getpeername(s)).to.deep.equal(io.getsockname(c));
    expect(b.stats().handles).to.equal(3);
    for (const h of [c, s, l]) io.close(h);
  });

  it('echoes 8 MiB through 256 KiB arena transfers', async () => {
    const [c, s, l] = await tcpPair();
    const total = 8 << 20;
    const data = pattern(total);
    const echo = spawn(function* () {
      for (;;) {
        const part: Uint8Array = yield* io.recv(s, 1 << 20);
        expect(part.length).to.be.at.most(256 << 10);
        if (part.length === 0) break;
        yield* io.sendAll(s, part);
      }
      io.close(s);
    });
    const writer = spawn(function* () {
      yield* io.sendAll(c, data);
      io.shutdown(c, 1);
    });
    const reader = spawn(function* () {
      return yield* recvAll(c, total + 1, 1 << 20);
    });
    const got = await reader.join();
    await writer.join();
    await echo.join();
    expect(got.length).to.equal(total);
    expect(Buffer.compare(got, data)).to.equal(0);
    io.close(c);
    io.close(l);
  });

  it('sendto/recvfrom over UDP: sender address, truncation', async () => {
    const a = io.socket('inet', 'dgram');
    const r = io.socket('inet', 'dgram');
    io.bind(a, LOOPBACK);
    io.bind(r, LOOPBACK);
    const to = io.getsockname(r);
    const t = spawn(function* () {
      expect(yield* io.sendto(a, pattern(100), to)).to.equal(100);
      expect(yield* io.sendto(a, pattern(100, 1), to)).to.equal(100);
      const short = yield* io.recvfrom(r, 10);
      const whole = yield* io.recvfrom(r, 200);
      return { short, whole };
    });
    const { short, whole } = await t.join();
    expect(short.truncated).to.equal(true);
    expect([...short.data]).to.deep.equal([...pattern(10)]);
    expect(short.addr).to.deep.equal(io.getsockname(a));
    expect(whole.truncated).to.equal(false);
    expect([...whole.data]).to.deep.equal([...pattern(100, 1)]);
    expect(io.getsockopt(a, SockOpt.TYPE)).to.equal(2);
    io.close(a);
    io.close(r);
  });

  it('UDP over IPv6 loopback, when the machine has it', async function () {
    const a = io.socket('inet6', 'dgram');
    try {
      io.bind(a, { family: 'inet6', host: '::1', port: 0 });
    } catch (e) {
      io.close(a);
      if ((e as OSError).errno === E.EADDRNOTAVAIL) skipBecause(this, 'this machine has no IPv6 loopback (binding ::1 answered EADDRNOTAVAIL)');
      throw e;
    }
    const to = io.getsockname(a);
    expect(to).to.include({ family: 'inet6', host: '::1', flowinfo: 0, scopeId: 0 });
    const t = spawn(function* () {
      yield* io.sendto(a, Uint8Array.of(1, 2, 3), to);
      return yield* io.recvfrom(a, 16);
    });
    const got = await t.join();
    expect([...got.data]).to.deep.equal([1, 2, 3]);
    expect(got.addr).to.deep.equal(to);
    io.close(a);
  });

  it('Unix stream sockets, by path and by abstract name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sio-epoll-'));
    try {
      for (const path of [join(dir, 's'), `\0sio-epoll-${process.pid}`]) {
        const l = io.socket('unix', 'stream');
        io.bind(l, { family: 'unix', path });
        io.listen(l);
        expect(io.getsockname(l)).to.deep.equal({ family: 'unix', path });
        const acc = spawn(function* () {
          const { handle, addr } = yield* io.accept(l);
          yield* io.sendAll(handle, new TextEncoder().encode('hi'));
          return { handle, addr };
        });
        const cli = spawn(function* () {
          const c = io.socket('unix', 'stream');
          yield* io.connect(c, { family: 'unix', path });
          return { c, got: new TextDecoder().decode(yield* io.recv(c, 16)) };
        });
        const { c, got } = await cli.join();
        const { handle, addr } = await acc.join();
        expect(got).to.equal('hi');
        expect(addr).to.deep.equal({ family: 'unix', path: '' });
        for (const h of [c, handle, l]) io.close(h);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closing a socket wakes the tasklet blocked in recv with OSError(EBADF)', async () => {
    const [c, s, l] = await tcpPair();
    const blocked = spawn(function* () {
      try {
        yield* io.recv(s, 100);
        return null;
      } catch (e) {
        return e;
      }
    });
    await tick();
    expect(b.pending()).to.equal(1);
    spawn(function* () {
      io.close(s);
    });
    const err = (await blocked.join()) as OSError;
    expect(err).to.be.instanceOf(OSError);
    expect(err.errno).to.equal(E.EBADF);
    expect(err.code).to.equal('EBADF');
    // The handle is gone at once: further calls on it say EBADF too.
    expect(b.close(s)).to.equal(-E.EBADF);
    expect(() => io.getsockname(s)).to.throw(OSError).with.property('errno', E.EBADF);
    io.close(c);
    io.close(l);
  });

  it('close() releases the fd at once: the port can be bound again right away', () => {
    const l = io.socket('inet', 'stream');
    io.bind(l, LOOPBACK);
    io.listen(l);
    const addr = io.getsockname(l);
    const before = fdCount();
    io.close(l);
    expect(fdCount()).to.equal(before - 1);
    const again = io.socket('inet', 'stream');
    io.bind(again, addr);
    io.close(again);
  });

  it('MSG_WAITALL fills the whole buffer across sends and beyond one transfer', async () => {
    const [c, s, l] = await tcpPair();
    const n = (600 << 10) + 3;
    const data = pattern(n, 5);
    const reader = spawn(function* () {
      const buf = new Uint8Array(n);
      const got = yield* io.recvInto(s, buf, MsgFlag.WAITALL);
      return { got, buf };
    });
    const writer = spawn(function* () {
      for (let off = 0; off < n; off += 100_000) {
        if (off > 0) yield* sleep(0.002);
        yield* io.sendAll(c, data.subarray(off, Math.min(n, off + 100_000)));
      }
    });
    const { got, buf } = await reader.join();
    await writer.join();
    expect(got).to.equal(n);
    expect(Buffer.compare(buf, data)).to.equal(0);
    for (const h of [c, s, l]) io.close(h);
  });

  it('a stream recv waits without arena memory (receive pool); killing its tasklet cancels it', async () => {
    const [c, s, l] = await tcpPair();
    const blocked = spawn(function* () {
      yield* io.recv(s, 4096);
    });
    await tick();
    expect(b.pending()).to.equal(1);
    expect(b.memory().inUse, 'a waiting stream receive holds no arena block').to.equal(0);
    blocked.kill();
    await tick();
    expect(blocked.alive).to.equal(false);
    expect(b.pending()).to.equal(0);
    expect(b.memory().inUse).to.equal(0);
    // The socket is intact: data sent afterwards is not lost to the dead recv.
    const t = spawn(function* () {
      yield* io.sendAll(c, Uint8Array.of(7, 8));
      return yield* recvAll(s, 2);
    });
    expect([...(await t.join())]).to.deep.equal([7, 8]);
    for (const h of [c, s, l]) io.close(h);
  });

  it('killing a tasklet blocked in recvfrom releases its arena blocks (data and address)', async () => {
    const u = io.socket('inet', 'dgram');
    io.bind(u, { family: 'inet', host: '127.0.0.1', port: 0 });
    const blocked = spawn(function* () {
      yield* io.recvfrom(u, 4096);
    });
    await tick();
    expect(b.pending()).to.equal(1);
    expect(b.memory().inUse, 'a datagram receive keeps its block while it waits').to.be.at.least(4096);
    blocked.kill();
    await tick();
    expect(blocked.alive).to.equal(false);
    expect(b.pending()).to.equal(0);
    expect(b.memory().inUse).to.equal(0);
    io.close(u);
  });

  it('a timeout raises TimeoutError when it runs out (still waiting 1 ms before, on a fake clock) and cancels the request', async () => {
    const [c, s, l] = await tcpPair();
    const clock = new FakeClock();
    let got: unknown;
    try {
      const t = spawn(function* () {
        try {
          yield* io.recv(s, 100, 0, 0.05);
          return null;
        } catch (e) {
          return e;
        }
      });
      await until('recv waiting in the backend', () => t.blocked && b.pending() === 1);
      clock.advance(49);
      run();
      expect(t.alive && b.pending() === 1, 'recv still waiting 1 ms before its timeout').to.equal(true);
      clock.advance(1);
      run();
      got = await t.join();
    } finally {
      clock.restore();
    }
    expect(got).to.be.instanceOf(TimeoutError);
    expect((got as TimeoutError).message).to.match(/timed out/);
    expect(b.pending()).to.equal(0);
    expect(b.memory().inUse).to.equal(0);
    for (const h of [c, s, l]) io.close(h);
  });

  it('connecting to a closed port raises ConnectionRefusedError', async () => {
    const probe = io.socket('inet', 'stream');
    io.bind(probe, LOOPBACK);
    const addr = io.getsockname(probe);
    io.close(probe);
    const t = spawn(function* () {
      const h = io.socket('inet', 'stream');
      try {
        yield* io.connect(h, addr);
        return null;
      } catch (e) {
        return e;
      } finally {
        io.close(h);
      }
    });
    const err = (await t.join()) as OSError;
    expect(err).to.be.instanceOf(ConnectionRefusedError);
    expect(err.errno).to.equal(E.ECONNREFUSED);
  });

  it('answers bad input with -errno, never an exception', async () => {
    const h = io.socket('inet', 'stream');
    expect(b.bind(h, { family: 'inet', host: 'localhost', port: 1 })).to.equal(-E.EINVAL);
    expect(b.bind(h, { family: 'inet', host: '127.0.0.1', port: 70000 })).to.equal(-E.EINVAL);
    expect(b.socket('inet', 'bogus' as 'stream', 0)).to.equal(-E.EINVAL);
    expect(b.socket('irda' as 'inet', 'stream', 0)).to.equal(-E.EAFNOSUPPORT);
    expect(b.shutdown(h, 5 as 0)).to.equal(-E.EINVAL);
    expect(b.setOption(h, 99 as 1, 1)).to.equal(-E.ENOPROTOOPT);
    expect(b.getOption(h, 99 as 1)).to.deep.equal({ errno: -E.ENOPROTOOPT });
    expect(b.setsockopt(h, 1.5, 2, 1)).to.equal(-E.EINVAL);
    expect(b.setsockopt(h, 1, 2, 2 ** 31)).to.equal(-E.EINVAL);
    expect(b.setsockopt(h, 1, 2, new Uint8Array(4097))).to.equal(-E.EINVAL);
    expect(b.setsockopt(h, 1, 2, 'x' as unknown as number)).to.equal(-E.EINVAL);
    expect(b.getsockopt(h, 1, 3, -1)).to.deep.equal({ errno: -E.EINVAL });
    expect(b.getsockopt(h, 1, 3, 4097)).to.deep.equal({ errno: -E.EINVAL });
    expect(b.getsockopt(h, 1, 3, 0.5)).to.deep.equal({ errno: -E.EINVAL });
    expect(b.getsockname(12345)).to.equal(-E.EBADF);
    expect(b.close(12345)).to.equal(-E.EBADF);
    expect(b.getpeername(h)).to.equal(-E.ENOTCONN);
    const t = spawn(function* () {
      const errs: number[] = [];
      for (const op of [
        () => io.connect(h, { family: 'inet', host: 'example.com', port: 80 }),
        () => io.recv(12345, 10),
        () => io.send(h, Uint8Array.of(1), 0x40),
      ]) {
        try {
          yield* op();
        } catch (e) {
          errs.push((e as OSError).errno);
        }
      }
      return errs;
    });
    expect(await t.join()).to.deep.equal([E.EINVAL, E.EBADF, E.EOPNOTSUPP]);
    io.close(h);
  });

  it('maps the portable socket options to Linux', () => {
    const t = io.socket('inet', 'stream');
    const u = io.socket('inet', 'dgram');
    const six = io.socket('inet6', 'stream');
    const cases: [number, SockOptCodeValue, number, number][] = [
      [t, SockOpt.REUSEADDR, 1, 1],
      [t, SockOpt.REUSEPORT, 1, 1],
      [t, SockOpt.KEEPALIVE, 1, 1],
      [t, SockOpt.NODELAY, 1, 1],
      [u, SockOpt.BROADCAST, 1, 1],
      [six, SockOpt.V6ONLY, 1, 1],
      [six, SockOpt.V6ONLY, 0, 0],
      [t, SockOpt.LINGER, 0, 0],
      [t, SockOpt.LINGER, 5, 5],
      [t, SockOpt.LINGER, -1, -1],
    ];
    for (const [h, opt, value, want] of cases) {
      io.setsockopt(h, opt, value);
      expect(io.getsockopt(h, opt), `option ${opt} = ${value}`).to.equal(want);
    }
    // Linux doubles the buffer sizes it is given, after capping them at
    // net.core.[rw]mem_max (socket(7)), which machines set differently.
    const cap = (name: string): number => Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8'));
    io.setsockopt(t, SockOpt.RCVBUF, 65536);
    expect(io.getsockopt(t, SockOpt.RCVBUF)).to.equal(2 * Math.min(65536, cap('rmem_max')));
    io.setsockopt(t, SockOpt.SNDBUF, 65536);
    expect(io.getsockopt(t, SockOpt.SNDBUF)).to.equal(2 * Math.min(65536, cap('wmem_max')));
    expect(io.getsockopt(t, SockOpt.TYPE)).to.equal(1);
    expect(io.getsockopt(u, SockOpt.TYPE)).to.equal(2);
    expect(io.getsockopt(t, SockOpt.ERROR)).to.equal(0);
    // What Linux answers for a TCP option on a UDP socket.
    expect(() => io.setsockopt(u, SockOpt.NODELAY, 1)).to.throw(OSError).with.property('code', 'ENOPROTOOPT');
    for (const h of [t, u, six]) io.close(h);
  });

  it('crosses the FFI once per round, however many tasklets do IO', async () => {
    const n = 200;
    const socks = Array.from({ length: n }, () => {
      const h = io.socket('inet', 'dgram');
      io.bind(h, LOOPBACK);
      return h;
    });
    const addrs = socks.map((h) => io.getsockname(h));
    const shim = b.shim;
    const enter = shim.enter.bind(shim);
    let enters = 0;
    shim.enter = (timeoutMs?: number) => {
      enters++;
      return enter(timeoutMs);
    };
    const ts = socks.map((h, i) =>
      spawn(function* () {
        yield* io.sendto(h, Uint8Array.of(i & 0xff), addrs[(i + 1) % n]!);
        const { data } = yield* io.recvfrom(h, 4);
        return data[0];
      }),
    );
    const got = await Promise.all(ts.map((t) => t.join()));
    expect(got).to.deep.equal(socks.map((_, i) => (i - 1 + n) % n & 0xff));
    // 400 operations: a handful of rounds, not one call per operation.
    expect(enters).to.be.at.most(8);
    for (const h of socks) io.close(h);
  });

  it('runs in exclusive mode, blocking in epoll_wait between rounds', async () => {
    const [l, addr] = listener();
    spawn(function* () {
      const { handle } = yield* io.accept(l);
      const got: Uint8Array = yield* io.recv(handle, 16);
      yield* io.sendAll(handle, got);
      io.close(handle);
      io.close(l);
    });
    const client = spawn(function* () {
      const c = io.socket('inet', 'stream');
      yield* io.connect(c, addr);
      yield* io.sendAll(c, Uint8Array.of(1, 2, 3));
      const back = yield* recvAll(c, 3);
      io.close(c);
      return [...back];
    });
    expect(runExclusive()).to.equal(0);
    expect(await client.join()).to.deep.equal([1, 2, 3]);
  });

  describe('with a small arena', () => {
    it('queues transfers when the arena is full and starts them as memory frees', async () => {
      closeBackend();
      // Two 64 KiB blocks: one receive of 60000 bytes takes the first, its
      // address a piece of the second; the next two must wait.
      await install({ arenaBytes: 4096 + (128 << 10), maxIoBytes: 64 << 10, recvPoolBytes: 0 });
      const socks = [0, 1, 2].map(() => {
        const h = io.socket('inet', 'dgram');
        io.bind(h, LOOPBACK);
        return h;
      });
      const ts = socks.map((h) =>
        spawn(function* () {
          const { data } = yield* io.recvfrom(h, 60000);
          return data.length;
        }),
      );
      await tick();
      expect(b.memory().waiting).to.equal(2);
      expect(b.pending()).to.equal(3);
      // Datagrams from outside the backend (a send through it would queue too).
      const node = createSocket('udp4');
      for (const h of socks) {
        const { port } = io.getsockname(h) as { port: number };
        await new Promise<void>((resolve, reject) => node.send(new Uint8Array(1000 + port % 7), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      }
      const lens = await Promise.all(ts.map((t) => t.join()));
      expect(lens).to.deep.equal(socks.map((h) => 1000 + ((io.getsockname(h) as { port: number }).port % 7)));
      node.close();
      for (const h of socks) io.close(h);
    });

    it('carries a 1 MiB echo through a 16 KiB arena and a 4 KiB receive pool: transfers shrink, receives wait for pool room', async () => {
      closeBackend();
      await install({ arenaBytes: 4096 + 4096 + (16 << 10), maxIoBytes: 16 << 10, recvPoolBytes: 4096 });
      const [c, s, l] = await tcpPair();
      const total = 1 << 20;
      const data = pattern(total, 3);
      const echo = spawn(function* () {
        for (;;) {
          const part: Uint8Array = yield* io.recv(s, 65536);
          if (part.length === 0) break;
          yield* io.sendAll(s, part);
        }
        io.close(s);
      });
      spawn(function* () {
        yield* io.sendAll(c, data);
        io.shutdown(c, 1);
      });
      const reader = spawn(function* () {
        return yield* recvAll(c, total + 1);
      });
      const got = await reader.join();
      await echo.join();
      expect(Buffer.compare(got, data)).to.equal(0);
      io.close(c);
      io.close(l);
    });

    it('flushes a full submission array early, and queues requests when every slot is taken', async () => {
      closeBackend();
      // 8 submissions per batch; 62 slots (two tokens are reserved).
      await install({ sqEntries: 8, maxOps: 64 });
      const n = 70;
      const socks = Array.from({ length: n }, () => {
        const h = io.socket('inet', 'dgram');
        io.bind(h, LOOPBACK);
        return h;
      });
      const ts = socks.map((h) =>
        spawn(function* () {
          return (yield* io.recvfrom(h, 4)).data[0];
        }),
      );
      await tick();
      expect(b.pending()).to.equal(n);
      expect(b.memory().waiting).to.equal(n - 62);
      expect(b.shim.stats().opsParked).to.equal(62);
      // Datagrams from outside the backend: a send through it would need a slot too.
      const node = createSocket('udp4');
      for (const [i, h] of socks.entries()) {
        const { port } = io.getsockname(h) as { port: number };
        await new Promise<void>((resolve, reject) => node.send(Uint8Array.of(i), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      }
      expect(await Promise.all(ts.map((t) => t.join()))).to.deep.equal(socks.map((_, i) => i));
      node.close();
      for (const h of socks) io.close(h);
    });
  });

  it('submits from outside the scheduler still reach the kernel (no round needed)', async () => {
    const [c, s, l] = await tcpPair();
    // A raw request from main: the backend itself must make sure a round polls it.
    const done = new Promise<IoRequest>((resolve) => {
      b.submit(new IoRequest(IoOp.SEND, c, Uint8Array.of(9), null, 0, resolve));
    });
    const sent = await done;
    expect(sent.result).to.equal(1);
    const t = spawn(function* () {
      return [...(yield* io.recv(s, 4))];
    });
    expect(await t.join()).to.deep.equal([9]);
    for (const h of [c, s, l]) io.close(h);
  });
});

type SockOptCodeValue = (typeof SockOpt)[keyof typeof SockOpt];

describe('epoll backend: keeping Node alive', () => {
  const child = fileURLToPath(new URL('./keepalive-child.js', import.meta.url));
  // A child that is kept alive is killed at the timeout (a hang guard):
  // then it has a signal and no exit code, and the test fails on that.
  const runChild = (mode: string) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) => {
      const p = execFile(process.execPath, [child, mode], { timeout: 10000 }, (_err, stdout, stderr) => {
        resolve({ code: p.exitCode, signal: p.signalCode, out: stdout + stderr });
      });
    });

  it('an idle backend does not keep the process alive', async () => {
    const r = await runChild('idle');
    expect(r.out).to.equal('idle: echoed 1 byte\n');
    expect({ code: r.code, signal: r.signal }, 'the child ended by itself').to.deep.equal({ code: 0, signal: null });
  });

  it('a tasklet blocked in recv keeps the process alive until its data comes', async () => {
    const r = await runChild('blocked');
    // The unref'd timer that brings the data says so first: the process was
    // still there, held only by the blocked tasklet.
    expect(r.out).to.equal('blocked: connecting\nblocked: got ping\n');
    expect({ code: r.code, signal: r.signal }, 'the child ended by itself').to.deep.equal({ code: 0, signal: null });
  });
});
