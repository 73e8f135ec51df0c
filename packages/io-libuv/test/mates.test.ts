// Both ends of a connection in this process (mates.ts): what the kernel
// moves from one socket to the other within the sending call is known to
// the other record at once, not a loop turn later. And the options Linux
// answers differently by family.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, MsgFlag, OSError, SockOpt, type TaskletGenerator } from '@stackless-io/runtime';
import { bytes, run, tcpPair, text, withLibuv } from './harness.js';

const E = constants.errno;

/** A connected Unix pair through a listener on a path in `dir`: { c, s }; the listener is closed. */
function* unixPair(dir: string): TaskletGenerator<{ c: number; s: number }> {
  const path = join(dir, 'pair.sock');
  const l = io.socket('unix', 'stream');
  io.bind(l, { family: 'unix', path });
  io.listen(l, 1);
  const c = io.socket('unix', 'stream');
  yield* io.connect(c, { family: 'unix', path });
  const { handle: s } = yield* io.accept(l);
  io.close(l);
  return { c, s };
}

function errnoOf(f: () => unknown): number | null {
  try {
    f();
    return null;
  } catch (e) {
    return (e as OSError).errno;
  }
}

describe('libuv backend: both ends in this process', () => {
  withLibuv();
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sio-libuv-mates-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a receive gets every byte the other end sent, not only what Node delivered so far', async () => {
    const got = await run(function* () {
      const { c, s } = yield* unixPair(dir);
      yield* io.send(c, bytes('first '));
      // A loop turn passes: "first " is read ahead; "second" is still in the kernel.
      yield* io.recv(s, 6, MsgFlag.PEEK);
      yield* io.send(c, bytes('second'));
      const all = text(yield* io.recv(s, 100));
      io.close(c);
      io.close(s);
      return all;
    });
    expect(got).to.equal('first second');
  });

  it('a reset by the other end sets SO_ERROR at once; the data sent before it still comes first', async () => {
    const r = await run(function* () {
      const { c, s, l } = yield* tcpPair();
      yield* io.sendAll(c, bytes('before reset'));
      io.setsockopt(c, SockOpt.LINGER, 0);
      io.close(c);
      const soError = io.getsockopt(s, SockOpt.ERROR);
      const again = io.getsockopt(s, SockOpt.ERROR);
      const data = text(yield* io.recv(s, 100));
      const eof = (yield* io.recv(s, 100)).length;
      io.close(s);
      io.close(l);
      return { soError, again, data, eof };
    });
    expect(r).to.deep.equal({ soError: E.ECONNRESET, again: 0, data: 'before reset', eof: 0 });
  });

  it('a Unix send to an end that is gone answers EPIPE and keeps the data not read yet', async () => {
    const r = await run(function* () {
      const { c, s } = yield* unixPair(dir);
      yield* io.send(c, bytes('last words'));
      io.close(c);
      let sendErr = 0;
      try {
        yield* io.send(s, bytes('x'));
      } catch (e) {
        sendErr = (e as OSError).errno;
      }
      const data = text(yield* io.recv(s, 100));
      const eof = (yield* io.recv(s, 100)).length;
      io.close(s);
      return { sendErr, data, eof };
    });
    expect(r).to.deep.equal({ sendErr: E.EPIPE, data: 'last words', eof: 0 });
  });

  it("the other end's FIN counts at once: after both shut down writing, TCP shutdown is ENOTCONN", async () => {
    const r = await run(function* () {
      const { c, s, l } = yield* tcpPair();
      io.shutdown(c, 1);
      io.shutdown(s, 2);
      const err = errnoOf(() => io.shutdown(c, 2));
      for (const h of [c, s, l]) io.close(h);
      return err;
    });
    expect(r).to.equal(E.ENOTCONN);
  });
});

describe('libuv backend: options by family, as Linux answers', () => {
  withLibuv();

  it('IPV6_V6ONLY elsewhere: IPv4 refuses to set it (ENOPROTOOPT) and to read it (EOPNOTSUPP), AF_UNIX both (EOPNOTSUPP)', () => {
    const t = io.socket('inet', 'stream');
    const u = io.socket('inet', 'dgram');
    const x = io.socket('unix', 'stream');
    try {
      expect([errnoOf(() => io.setsockopt(t, SockOpt.V6ONLY, 1)), errnoOf(() => io.getsockopt(t, SockOpt.V6ONLY))]).to.deep.equal([E.ENOPROTOOPT, E.EOPNOTSUPP]);
      expect([errnoOf(() => io.setsockopt(u, SockOpt.V6ONLY, 1)), errnoOf(() => io.getsockopt(u, SockOpt.V6ONLY))]).to.deep.equal([E.ENOPROTOOPT, E.EOPNOTSUPP]);
      expect([errnoOf(() => io.setsockopt(x, SockOpt.V6ONLY, 1)), errnoOf(() => io.getsockopt(x, SockOpt.V6ONLY))]).to.deep.equal([E.EOPNOTSUPP, E.EOPNOTSUPP]);
    } finally {
      for (const h of [t, u, x]) io.close(h);
    }
  });

  it('binding a specific IPv6 address turns IPV6_V6ONLY on; the wildcard leaves it off', () => {
    const a = io.socket('inet6', 'stream');
    const w = io.socket('inet6', 'stream');
    const d = io.socket('inet6', 'dgram');
    try {
      io.bind(a, { family: 'inet6', host: '::1', port: 0 });
      io.bind(w, { family: 'inet6', host: '::', port: 0 });
      io.bind(d, { family: 'inet6', host: '::1', port: 0 });
      expect([io.getsockopt(a, SockOpt.V6ONLY), io.getsockopt(w, SockOpt.V6ONLY), io.getsockopt(d, SockOpt.V6ONLY)]).to.deep.equal([1, 0, 1]);
    } finally {
      for (const h of [a, w, d]) io.close(h);
    }
  });
});
