// Socket options (set, then read back; defaults as Linux has them), receive
// flags (MSG_PEEK, MSG_WAITALL) and readiness waits (waitReadable,
// waitWritable). A backend may answer ENOPROTOOPT/EOPNOTSUPP for what it
// cannot do (the contract allows it); the test then skips, naming that answer.
import { expect } from 'chai';
import { io, MsgFlag, OSError, SockOpt, spawn, waitFor, type Family, type SocketKind, type SockOptCode } from '@stackless-io/runtime';
import { blockedInIo, conformance, joinAll, settle } from '../harness.js';
import { E, listener, recvExactly, requireIpv6, str, text, tcpPair } from '../net.js';

const POLLIN = 0x1;
const POLLOUT = 0x4;
const POLLHUP = 0x10;

/** [option, its name, socket family and kind, default on Linux, values to set and what reading back must give]. */
const OPTIONS: [SockOptCode, string, Family, SocketKind, number, [number, (v: number) => boolean, string][]][] = [
  [SockOpt.REUSEADDR, 'SO_REUSEADDR', 'inet', 'stream', 0, [[1, (v) => v === 1, '1'], [0, (v) => v === 0, '0']]],
  [SockOpt.REUSEPORT, 'SO_REUSEPORT', 'inet', 'stream', 0, [[1, (v) => v === 1, '1']]],
  [SockOpt.KEEPALIVE, 'SO_KEEPALIVE', 'inet', 'stream', 0, [[1, (v) => v === 1, '1'], [0, (v) => v === 0, '0']]],
  [SockOpt.BROADCAST, 'SO_BROADCAST', 'inet', 'dgram', 0, [[1, (v) => v === 1, '1']]],
  [SockOpt.NODELAY, 'TCP_NODELAY', 'inet', 'stream', 0, [[1, (v) => v === 1, '1'], [0, (v) => v === 0, '0']]],
  [SockOpt.V6ONLY, 'IPV6_V6ONLY', 'inet6', 'stream', 0, [[1, (v) => v === 1, '1']]],
  [SockOpt.LINGER, 'SO_LINGER', 'inet', 'stream', -1, [[5, (v) => v === 5, '5'], [0, (v) => v === 0, '0'], [-1, (v) => v === -1, '-1 (off)']]],
  [SockOpt.RCVBUF, 'SO_RCVBUF', 'inet', 'stream', NaN, [[65536, (v) => v >= 65536, 'at least 65536']]],
  [SockOpt.SNDBUF, 'SO_SNDBUF', 'inet', 'stream', NaN, [[65536, (v) => v >= 65536, 'at least 65536']]],
];

/** Calls `fn`; null when it worked, the errno name when the backend says it cannot (ENOPROTOOPT, EOPNOTSUPP). */
function unsupported(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof OSError && (e.errno === E.ENOPROTOOPT || e.errno === E.EOPNOTSUPP)) return e.code;
    throw e;
  }
}

export function optionCases(name: string): void {
  for (const [opt, optName, family, kind, dflt, sets] of OPTIONS) {
    conformance(name, `socket option ${optName}: default${Number.isNaN(dflt) ? '' : ` ${dflt}`}, then each value set reads back`, async (t) => {
      if (family === 'inet6') requireIpv6(t);
      const h = io.socket(family, kind);
      try {
        let first: number | null = null;
        const why = unsupported(() => (first = io.getsockopt(h, opt)));
        if (why !== null) t.cannot(`read ${optName}`, why);
        if (!Number.isNaN(dflt)) expect(first, `${optName} on a new socket`).to.equal(dflt);
        for (const [value, ok, want] of sets) {
          const cannot = unsupported(() => io.setsockopt(h, opt, value));
          if (cannot !== null) t.cannot(`set ${optName} to ${value}`, cannot);
          const got = io.getsockopt(h, opt);
          expect(ok(got), `${optName} set to ${value} reads back ${got}, expected ${want}`).to.equal(true);
        }
      } finally {
        io.close(h);
      }
    });
  }

  conformance(name, 'socket options SO_TYPE and SO_ERROR: read-only, stream 1 and datagram 2, no pending error', async () => {
    const s = io.socket('inet', 'stream');
    const d = io.socket('inet', 'dgram');
    try {
      expect(io.getsockopt(s, SockOpt.TYPE), 'SO_TYPE of a stream socket').to.equal(1);
      expect(io.getsockopt(d, SockOpt.TYPE), 'SO_TYPE of a datagram socket').to.equal(2);
      expect(io.getsockopt(s, SockOpt.ERROR), 'SO_ERROR of a new socket').to.equal(0);
      // +0: an option value is a C int, which has no negative zero.
      expect(Object.is(io.getsockopt(s, SockOpt.ERROR), 0), 'SO_ERROR of a new stream socket is +0').to.equal(true);
      expect(Object.is(io.getsockopt(d, SockOpt.ERROR), 0), 'SO_ERROR of a new datagram socket is +0').to.equal(true);
      let e: unknown = null;
      try {
        io.setsockopt(s, SockOpt.TYPE, 2);
      } catch (err) {
        e = err;
      }
      expect(e, 'setting SO_TYPE').to.be.instanceOf(OSError);
      expect((e as OSError).errno, 'setting SO_TYPE (Linux: ENOPROTOOPT)').to.equal(E.ENOPROTOOPT);
      e = null;
      try {
        io.setsockopt(s, SockOpt.ERROR, 1);
      } catch (err) {
        e = err;
      }
      expect(e, 'setting SO_ERROR').to.be.instanceOf(OSError);
      expect((e as OSError).errno, 'setting SO_ERROR (Linux: ENOPROTOOPT)').to.equal(E.ENOPROTOOPT);
      expect(io.getsockopt(s, SockOpt.ERROR), 'SO_ERROR after the refused set').to.equal(0);
    } finally {
      io.close(s);
      io.close(d);
    }
  });

  conformance(name, 'MSG_PEEK: a stream recv with PEEK leaves the bytes for the next recv', async (t) => {
    const [c, s] = await tcpPair(t);
    try {
      const [r] = await joinAll(spawn(function* peeker() {
        yield* io.sendAll(c, text('hello'));
        let peeked: Uint8Array;
        try {
          peeked = yield* io.recv(s, 100, MsgFlag.PEEK);
        } catch (e) {
          if (e instanceof OSError && e.errno === E.EOPNOTSUPP) return null;
          throw e;
        }
        const read = yield* recvExactly(s, 5);
        return { peeked: str(peeked), read: str(read) };
      }));
      if (r === null) return t.cannot('do MSG_PEEK on streams', 'EOPNOTSUPP');
      expect(r.peeked.length, 'peeked bytes').to.be.greaterThan(0);
      expect('hello'.startsWith(r.peeked), `peeked "${r.peeked}" is the start of the stream`).to.equal(true);
      expect(r.read).to.equal('hello');
    } finally {
      io.close(c);
      io.close(s);
    }
  });

  conformance(name, 'MSG_PEEK: recvfrom with PEEK leaves the datagram for the next recvfrom', async (t) => {
    const a = io.socket('inet', 'dgram');
    const b = io.socket('inet', 'dgram');
    try {
      io.bind(a, { family: 'inet', host: '127.0.0.1', port: 0 });
      io.bind(b, { family: 'inet', host: '127.0.0.1', port: 0 });
      const [r] = await joinAll(spawn(function* peeker() {
        yield* io.sendto(a, text('one'), io.getsockname(b));
        yield* io.sendto(a, text('two'), io.getsockname(b));
        let peeked;
        try {
          peeked = yield* io.recvfrom(b, 100, MsgFlag.PEEK);
        } catch (e) {
          if (e instanceof OSError && e.errno === E.EOPNOTSUPP) return null;
          throw e;
        }
        const first = yield* io.recvfrom(b, 100);
        const second = yield* io.recvfrom(b, 100);
        return [str(peeked.data), str(first.data), str(second.data)];
      }));
      if (r === null) return t.cannot('do MSG_PEEK on datagrams', 'EOPNOTSUPP');
      expect(r).to.deep.equal(['one', 'one', 'two']);
    } finally {
      io.close(a);
      io.close(b);
    }
  });

  conformance(name, 'MSG_WAITALL: recv waits for the whole length across separate sends (or returns less at EOF)', async (t) => {
    const [c, s] = await tcpPair(t);
    try {
      const reader = spawn(function* waitAllReader() {
        try {
          const all = str(yield* io.recv(s, 10, MsgFlag.WAITALL));
          const atEof = str(yield* io.recv(s, 10, MsgFlag.WAITALL));
          return { all, atEof };
        } catch (e) {
          if (e instanceof OSError && e.errno === E.EOPNOTSUPP) return null;
          throw e;
        }
      });
      const writer = spawn(function* writer() {
        // Each part goes out while the WAITALL receive waits; a correct one
        // keeps waiting for the rest (whatever the parts' timing).
        yield* waitFor(blockedInIo(reader));
        yield* io.sendAll(c, text('abcde'));
        yield* waitFor(blockedInIo(reader));
        yield* io.sendAll(c, text('fghij'));
        yield* waitFor(blockedInIo(reader));
        yield* io.sendAll(c, text('xyz'));
        io.shutdown(c, 1);
      });
      const [r] = await joinAll(reader, writer);
      if (r === null) return t.cannot('do MSG_WAITALL', 'EOPNOTSUPP');
      expect(r).to.deep.equal({ all: 'abcdefghij', atEof: 'xyz' });
    } finally {
      io.close(c);
      io.close(s);
    }
  });

  conformance(name, 'waitWritable/waitReadable: revents as poll(2) gives them, without consuming data', async (t) => {
    const [c, s] = await tcpPair(t);
    let readData = false;
    const reader = spawn(function* pollReader() {
      const first = yield* io.waitReadable(s);
      const data = str(yield* recvExactly(s, 4));
      readData = true;
      const atClose = yield* io.waitReadable(s);
      const eof = (yield* io.recv(s, 10)).length;
      return { first, data, atClose, eof };
    });
    const writer = spawn(function* pollWriter() {
      const w = yield* io.waitWritable(c);
      // The reader waits before the data comes, and again before the close.
      yield* waitFor(blockedInIo(reader));
      yield* io.sendAll(c, text('ping'));
      yield* waitFor(settle('the reader took the data and waits again', () => readData && reader.blocked && t.backend.stats().pending >= 1));
      io.close(c);
      return w;
    });
    const [r, w] = await joinAll(reader, writer);
    io.close(s);
    expect(w & POLLOUT, `waitWritable revents ${w} has POLLOUT`).to.equal(POLLOUT);
    expect(r.first & POLLIN, `waitReadable revents ${r.first} has POLLIN`).to.equal(POLLIN);
    expect(r.data, 'the data waitReadable saw is still there').to.equal('ping');
    expect(r.atClose & (POLLIN | POLLHUP), `waitReadable after the peer closed: revents ${r.atClose}`).to.not.equal(0);
    expect(r.eof, 'recv after the peer closed').to.equal(0);
  });

  conformance(name, 'waitReadable on a listening socket wakes when a connection waits; accept then takes it', async (t) => {
    const { lst, addr } = listener(t, 'inet');
    const waiter = spawn(function* pollAcceptor() {
      const ev = yield* io.waitReadable(lst);
      const { handle } = yield* io.accept(lst, 5);
      io.close(handle);
      return ev;
    });
    const client = spawn(function* client() {
      yield* waitFor(blockedInIo(waiter));
      const h = io.socket('inet', 'stream');
      yield* io.connect(h, addr);
      io.close(h);
    });
    const [ev] = await joinAll(waiter, client);
    io.close(lst);
    expect(ev & POLLIN, `revents ${ev} has POLLIN`).to.equal(POLLIN);
  });
}
