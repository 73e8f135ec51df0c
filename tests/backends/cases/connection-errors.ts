// How connections end badly or halfway: a peer's reset (SO_LINGER 0, then
// close), half-close with shutdown(1), and a refused connect.
import { expect } from 'chai';
import { BrokenPipeError, ConnectionRefusedError, ConnectionResetError, io, OSError, sleep, SockOpt, spawn, type Family } from '@stackless-io/runtime';
import { blockedInIo, conformance, joinAll, raises, type TestEnv } from '../harness.js';
import { bindLoopback, E, pair, recvAll, recvExactly, requireIpv6, requireUnix, str, text, trySetsockopt, tcpPair } from '../net.js';

/** A connected TCP pair over IPv4 loopback, made by a tasklet. */
/** Closes `h` so that the peer sees a reset (SO_LINGER on with 0 seconds). */
function abort(t: TestEnv, h: number): void {
  const cannot = trySetsockopt(h, SockOpt.LINGER, 0);
  if (cannot !== null) {
    io.close(h);
    t.cannot('set SO_LINGER, so it cannot reset a connection', cannot);
  }
  io.close(h);
}

export function connectionErrorCases(name: string): void {
  conformance(name, 'peer reset: SO_LINGER 0 then close → ConnectionResetError in the blocked recv', async (t) => {
    const [c, s] = await tcpPair(t);
    const victim = spawn(function* blockedReader() {
      try {
        return yield* raises(() => io.recv(s, 100));
      } finally {
        io.close(s);
      }
    });
    await blockedInIo(victim);
    abort(t, c);
    const [e] = await joinAll(victim);
    expect(e, String(e)).to.be.instanceOf(ConnectionResetError);
    expect((e as OSError).errno).to.equal(E.ECONNRESET);
    expect((e as OSError).code).to.equal('ECONNRESET');
  });

  conformance(name, 'peer reset: SO_LINGER 0 then close → ConnectionResetError from the next send', async (t) => {
    const [c, s] = await tcpPair(t);
    abort(t, c);
    const [r] = await joinAll(spawn(function* writerAfterReset() {
      try {
        // The reset reaches the socket asynchronously: send until it shows.
        // The first failure must be the reset itself (a later one is EPIPE).
        for (let i = 0; i < 200; i++) {
          try {
            yield* io.send(s, text('x'));
          } catch (e) {
            return { e, sends: i };
          }
          yield* sleep(0.005);
        }
        return { e: null, sends: 200 };
      } finally {
        io.close(s);
      }
    }));
    expect(r.e, `after ${r.sends} sends: ${String(r.e)}`).to.be.instanceOf(ConnectionResetError);
    expect((r.e as OSError).errno).to.equal(E.ECONNRESET);
  });

  conformance(name, 'half-close: shutdown(1) → the peer reads EOF and can still send back', async (t) => {
    const [c, s] = await tcpPair(t);
    const client = spawn(function* client() {
      try {
        yield* io.sendAll(c, text('request'));
        io.shutdown(c, 1);
        return str(yield* recvAll(c, 100));
      } finally {
        io.close(c);
      }
    });
    const server = spawn(function* server() {
      try {
        const req = str(yield* recvAll(s, 100)); // to EOF: the client shut its side
        const again = yield* io.recv(s, 100); // EOF stays EOF
        yield* io.sendAll(s, text(`reply to ${req}`));
        return { req, again: again.length };
      } finally {
        io.close(s);
      }
    });
    const [reply, got] = await joinAll(client, server);
    expect(got.req).to.equal('request');
    expect(got.again, 'a second recv after EOF').to.equal(0);
    expect(reply).to.equal('reply to request');
  });

  conformance(name, 'half-close: the side that shut down reads what the peer sends after its EOF', async (t) => {
    const [c, s] = await tcpPair(t);
    io.shutdown(c, 1);
    const [got] = await joinAll(spawn(function* exchange() {
      const eof = yield* io.recv(s, 10);
      yield* io.sendAll(s, text('still open'));
      const back = yield* recvExactly(c, 10);
      io.close(c);
      io.close(s);
      return { eof: eof.length, back: str(back) };
    }));
    expect(got).to.deep.equal({ eof: 0, back: 'still open' });
  });

  const REFUSED: [Family, string][] = [
    ['inet', 'IPv4'],
    ['inet6', 'IPv6'],
    ['unix', 'Unix-domain'],
  ];
  for (const [family, what] of REFUSED) {
    conformance(name, `connection refused (${what}): ConnectionRefusedError, errno ECONNREFUSED`, async (t) => {
      if (family === 'inet6') requireIpv6(t);
      if (family === 'unix') requireUnix(t);
      // A socket bound but not listening owns the address, so nothing else
      // can be listening there and the connect is refused for certain.
      const idle = io.socket(family, 'stream');
      bindLoopback(t, idle, family);
      const addr = io.getsockname(idle);
      const [e] = await joinAll(spawn(function* refusedClient() {
        const h = io.socket(family, 'stream');
        try {
          return yield* raises(() => io.connect(h, addr));
        } finally {
          io.close(h);
        }
      }));
      io.close(idle);
      expect(e, String(e)).to.be.instanceOf(ConnectionRefusedError);
      expect((e as OSError).errno).to.equal(E.ECONNREFUSED);
      expect((e as OSError).code).to.equal('ECONNREFUSED');
    });
  }

  conformance(name, 'shutdown(0): recv returns EOF at once; shutdown(2) then send → BrokenPipeError (EPIPE)', async (t) => {
    const [c, s] = await tcpPair(t);
    io.shutdown(s, 0);
    io.shutdown(c, 2);
    const [r] = await joinAll(spawn(function* afterShutdown() {
      const eof = (yield* io.recv(s, 10, 0, 5)).length;
      const e = yield* raises(() => io.send(c, text('x')));
      return { eof, e };
    }));
    io.close(c);
    io.close(s);
    expect(r.eof, 'recv after shutdown(0)').to.equal(0);
    expect(r.e, String(r.e)).to.be.instanceOf(BrokenPipeError);
    expect((r.e as OSError).errno).to.equal(E.EPIPE);
  });
}
