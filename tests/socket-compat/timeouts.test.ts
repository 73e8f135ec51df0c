// The three timeout modes of CPython's sockets: null blocks the tasklet, 0
// is non-blocking (BlockingIOError where the call would wait; EINPROGRESS
// for connect), > 0 raises `timeout` ("timed out", errno None); sendall's
// timeout covers the whole call; MSG_DONTWAIT makes one call non-blocking.
import { expect } from 'chai';
import { sleep, spawn, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { expectError, inTasklet, raises, raisesNow, useDefaultBackend, waitJoin } from './helpers.js';

function* pair(): TaskletGenerator<{ server: socket.socket; client: socket.socket; conn: socket.socket; closeAll(): void }> {
  const server = yield* socket.create_server(['127.0.0.1', 0]);
  const client = yield* socket.create_connection(server.getsockname() as [string, number]);
  const [conn] = yield* server.accept();
  return {
    server,
    client,
    conn,
    closeAll() {
      for (const s of [client, conn, server]) s.close();
    },
  };
}

describe('socket-compat: timeouts', function () {
  useDefaultBackend();

  it('timeout > 0: recv, accept and recvfrom raise socket.timeout, a TimeoutError with errno None', async function () {
    const r = await inTasklet(function* () {
      const { server, conn, closeAll } = yield* pair();
      conn.settimeout(0.05);
      server.settimeout(0.05);
      const u = new socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      yield* u.bind(['127.0.0.1', 0]);
      u.settimeout(0.05);
      const t0 = performance.now();
      const errors = [yield* raises(() => conn.recv(1)), yield* raises(() => server.accept()), yield* raises(() => u.recvfrom(10))];
      const ms = performance.now() - t0;
      u.close();
      closeAll();
      return { errors, ms };
    });
    for (const e of r.errors) {
      expect(e).to.be.instanceOf(socket.timeout);
      expect(e).to.be.instanceOf(socket.TimeoutError);
      expect(e).to.be.instanceOf(socket.OSError);
      expectError(e, 'TimeoutError', 'timed out', null);
      expect((e as socket.OSError).strerror).to.equal(null);
    }
    expect(r.ms).to.be.at.least(140);
  });

  it('timeout 0: operations that would wait raise BlockingIOError(EAGAIN); ready ones succeed', async function () {
    const r = await inTasklet(function* () {
      const { server, client, conn, closeAll } = yield* pair();
      conn.setblocking(false);
      server.setblocking(false);
      const recv = yield* raises(() => conn.recv(1));
      const accept = yield* raises(() => server.accept());
      yield* client.sendall(Buffer.from('ready'));
      yield* sleep(0.02);
      const got = String(yield* conn.recv(10));
      const flags = [conn.getblocking(), conn.gettimeout(), client.getblocking(), client.gettimeout()];
      closeAll();
      return { recv, accept, got, flags };
    });
    expectError(r.recv, 'BlockingIOError', '[Errno 11] Resource temporarily unavailable', 11);
    expectError(r.accept, 'BlockingIOError', '[Errno 11] Resource temporarily unavailable', 11);
    expect(r.got).to.equal('ready');
    expect(r.flags).to.deep.equal([false, 0, true, null]);
  });

  it('timeout 0: connect raises EINPROGRESS; connect_ex then answers EALREADY, 0 once connected, then EISCONN', async function () {
    const r = await inTasklet(function* () {
      const server = yield* socket.create_server(['127.0.0.1', 0]);
      const addr = server.getsockname() as [string, number];
      const c = new socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
      const first = yield* raises(() => c.connect(addr));
      const codes = [yield* c.connect_ex(addr)];
      yield* sleep(0.05);
      codes.push(yield* c.connect_ex(addr), yield* c.connect_ex(addr));
      const err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
      c.close();
      server.close();
      return { first, codes, err, type: c.type };
    });
    expectError(r.first, 'BlockingIOError', '[Errno 115] Operation now in progress', 115);
    // EALREADY while the handshake runs (it may already be over: then 0 comes first).
    expect(r.codes).to.deep.equal(r.codes[0] === 114 ? [114, 0, 106] : [0, 106, 106]);
    expect(r.err).to.equal(0);
    expect(r.type).to.equal(socket.SOCK_STREAM);
  });

  it('timeout 0: a refused connect reports ECONNREFUSED once (or via SO_ERROR), then starts over', async function () {
    const r = await inTasklet(function* () {
      const probe = new socket.socket();
      yield* probe.bind(['127.0.0.1', 0]);
      const addr = probe.getsockname() as [string, number];
      probe.close();
      const a = new socket.socket();
      a.setblocking(false);
      const first = yield* a.connect_ex(addr);
      yield* sleep(0.05);
      const second = yield* a.connect_ex(addr);
      const third = yield* a.connect_ex(addr);
      const b = new socket.socket();
      b.setblocking(false);
      yield* b.connect_ex(addr);
      yield* sleep(0.05);
      const soError = b.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
      const afterSoError = yield* b.connect_ex(addr);
      a.close();
      b.close();
      return [first, second, third, soError, afterSoError];
    });
    expect(r).to.deep.equal([115, 111, 115, 111, 103]);
  });

  it('connect with a timeout: connect raises timeout, connect_ex returns EAGAIN, as CPython does', async function () {
    // A listener with a full accept queue drops further SYNs: the handshake never ends.
    const r = await inTasklet(function* () {
      const server = new socket.socket();
      yield* server.bind(['127.0.0.1', 0]);
      server.listen(0);
      const addr = server.getsockname() as [string, number];
      const made: socket.socket[] = [server];
      try {
        const codes: number[] = [];
        for (let i = 0; i < 3; i++) {
          const c = new socket.socket();
          made.push(c);
          c.settimeout(0.1);
          codes.push(yield* c.connect_ex(addr));
        }
        const d = new socket.socket();
        made.push(d);
        d.settimeout(0.1);
        const e = yield* raises(() => d.connect(addr));
        return { codes, e };
      } finally {
        for (const s of made) s.close();
      }
    });
    expect(r.codes[0]).to.equal(0);
    expect(r.codes.slice(1)).to.deep.equal([11, 11]);
    expectError(r.e, 'TimeoutError', 'timed out', null);
  });

  it('sendall: the timeout covers the whole call, not each send', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* pair();
      client.settimeout(0.2);
      // The peer reads a little every 50 ms: each send() makes progress
      // within any per-send limit, but the whole transfer cannot end in time.
      let stop = false;
      const trickle = spawn(function* () {
        while (!stop) {
          yield* sleep(0.05);
          yield* conn.recv(4096);
        }
      });
      const t0 = performance.now();
      const e = yield* raises(() => client.sendall(Buffer.alloc(64 << 20)));
      const ms = performance.now() - t0;
      stop = true;
      yield* waitJoin(trickle);
      closeAll();
      return { e, ms };
    }, 20_000);
    expectError(r.e, 'TimeoutError', 'timed out', null);
    expect(r.ms).to.be.within(150, 2000);
  });

  it('sendall on a non-blocking socket raises BlockingIOError once the buffers are full', async function () {
    const r = await inTasklet(function* () {
      const { client, closeAll } = yield* pair();
      client.setblocking(false);
      const e = yield* raises(() => client.sendall(Buffer.alloc(64 << 20)));
      closeAll();
      return e;
    });
    expectError(r, 'BlockingIOError', '[Errno 11] Resource temporarily unavailable', 11);
  });

  it('MSG_DONTWAIT makes one call non-blocking on a blocking socket', async function () {
    const r = await inTasklet(function* () {
      const { conn, closeAll } = yield* pair();
      const e = yield* raises(() => conn.recv(10, socket.MSG_DONTWAIT));
      const still = conn.gettimeout();
      closeAll();
      return { e, still };
    });
    expectError(r.e, 'BlockingIOError', '[Errno 11] Resource temporarily unavailable', 11);
    expect(r.still).to.equal(null);
  });

  it('settimeout/setblocking: conversions and bad values as CPython', function () {
    const s = new socket.socket();
    s.settimeout(5);
    const a = s.gettimeout();
    s.settimeout(1e-10);
    const b = s.gettimeout();
    s.settimeout(true as never);
    const c = s.gettimeout();
    s.setblocking(false);
    const d = [s.gettimeout(), s.getblocking()];
    s.setblocking(1);
    const e = [s.gettimeout(), s.getblocking()];
    expect([a, b, c, d, e]).to.deep.equal([5, 1e-9, 1, [0, false], [null, true]]);
    expectError(raisesNow(() => s.settimeout(-1)), 'ValueError', 'Timeout value out of range');
    expectError(raisesNow(() => s.settimeout(Number.NaN)), 'ValueError', 'Invalid value NaN (not a number)');
    expectError(raisesNow(() => s.settimeout(1e300)), 'OverflowError', 'timestamp out of range for platform time_t');
    expectError(raisesNow(() => s.settimeout(-Infinity)), 'OverflowError', 'timestamp out of range for platform time_t');
    expectError(raisesNow(() => s.settimeout('a' as never)), 'TypeError', "'str' object cannot be interpreted as an integer");
    expectError(raisesNow(() => (s.settimeout as (...a: unknown[]) => void)()), 'TypeError', 'socket.settimeout() takes exactly one argument (0 given)');
    expectError(raisesNow(() => s.setblocking('a' as never)), 'TypeError', "'str' object cannot be interpreted as an integer");
    s.close();
  });
});
