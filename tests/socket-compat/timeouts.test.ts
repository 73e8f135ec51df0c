// The three timeout modes of CPython's sockets: null blocks the tasklet, 0
// is non-blocking (BlockingIOError where the call would wait; EINPROGRESS
// for connect), > 0 raises `timeout` ("timed out", errno None); sendall's
// timeout covers the whole call; MSG_DONTWAIT makes one call non-blocking.
// How long a call waited is read on a fake clock (the runtime's timers read
// performance.now()), never measured: "still waiting 1 ms before its
// timeout, raised at it" holds on any machine. Where a test needs the
// peer's data or a handshake to have arrived, it waits for that event (the
// runtime's poll on the socket's handle, fileno()), not for a while.
import { expect } from 'chai';
import { io, run, setScheduleCallback, spawn, stats, type Operation, type Tasklet, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { FakeClock, until } from '@stackless-io/test-support';
import { expectError, inTasklet, needPython, pythonJson, raises, raisesNow, useDefaultBackend } from './helpers.js';

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

/** Reads from `conn` (it has data waiting) until `enough()` holds; returns the count read. */
function* readUntil(conn: socket.socket, enough: () => boolean): TaskletGenerator<number> {
  let n = 0;
  while (!enough()) n += (yield* conn.recv(256 << 10)).length;
  return n;
}

describe('socket-compat: timeouts', function () {
  useDefaultBackend();

  it('timeout > 0: recv, accept and recvfrom wait out their timeout (still waiting 1 ms before it), then raise socket.timeout, a TimeoutError with errno None; data sent later still arrives', async function () {
    const { server, client, conn, closeAll } = await inTasklet(pair);
    const u = new socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const clock = new FakeClock();
    try {
      await inTasklet(function* () {
        yield* u.bind(['127.0.0.1', 0]);
      });
      for (const s of [conn, server, u]) s.settimeout(0.05);
      const calls: [string, () => Operation<unknown>][] = [
        ['recv', () => conn.recv(1)],
        ['accept', () => server.accept()],
        ['recvfrom', () => u.recvfrom(10)],
      ];
      for (const [name, call] of calls) {
        const t = spawn(function* () {
          return yield* raises(call);
        });
        await until(`${name} waiting in the backend`, () => stats().io === 1);
        clock.advance(49);
        run();
        expect(t.alive && stats().io === 1, `${name} still waiting 1 ms before its timeout`).to.equal(true);
        clock.advance(1);
        run();
        const e = await t.join();
        expect(e, name).to.be.instanceOf(socket.timeout);
        expect(e).to.be.instanceOf(socket.TimeoutError);
        expect(e).to.be.instanceOf(socket.OSError);
        expectError(e, 'TimeoutError', 'timed out', null);
        expect((e as socket.OSError).strerror).to.equal(null);
      }
      // The timed-out recv took nothing and broke nothing: bytes sent now arrive.
      const late = await inTasklet(function* () {
        yield* client.sendall(Buffer.from('late'));
        return String(yield* conn.recv(10));
      });
      expect(late).to.equal('late');
    } finally {
      clock.restore();
      u.close();
      closeAll();
    }
  });

  it('timeout 0: operations that would wait raise BlockingIOError(EAGAIN); ready ones succeed', async function () {
    const r = await inTasklet(function* () {
      const { server, client, conn, closeAll } = yield* pair();
      conn.setblocking(false);
      server.setblocking(false);
      const recv = yield* raises(() => conn.recv(1));
      const accept = yield* raises(() => server.accept());
      yield* client.sendall(Buffer.from('ready'));
      // The data has arrived (an event, not a while): now the call is ready.
      yield* io.waitReadable(conn.fileno());
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
      const c = new socket.socket(socket.AF_INET, +socket.SOCK_STREAM | +socket.SOCK_NONBLOCK);
      const first = yield* raises(() => c.connect(addr));
      const codes = [yield* c.connect_ex(addr)];
      // Writable: the handshake is over.
      yield* io.waitWritable(c.fileno());
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

  it('timeout 0: a refused connect reports ECONNREFUSED once (or via SO_ERROR), then starts over, as CPython on this kernel', async function () {
    needPython(this);
    // What the running kernel answers to the same sequence, through CPython
    // (kernels differ in what a socket may do after a failed connect).
    const want = pythonJson<number[]>(`
import json, select, socket
p = socket.socket(); p.bind(("127.0.0.1", 0)); addr = p.getsockname(); p.close()
a = socket.socket(); a.setblocking(False)
first = a.connect_ex(addr); select.select([], [a], [])
second = a.connect_ex(addr); third = a.connect_ex(addr)
b = socket.socket(); b.setblocking(False); b.connect_ex(addr); select.select([], [b], [])
so_error = b.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR); after = b.connect_ex(addr)
a.close(); b.close()
print(json.dumps([first, second, third, so_error, after]))
`);
    expect(want.slice(0, 2), 'CPython: in progress, then refused').to.deep.equal([115, 111]);
    const r = await inTasklet(function* () {
      const probe = new socket.socket();
      yield* probe.bind(['127.0.0.1', 0]);
      const addr = probe.getsockname() as [string, number];
      probe.close();
      const a = new socket.socket();
      a.setblocking(false);
      const first = yield* a.connect_ex(addr);
      // A refused connect ends with the socket writable (and in error).
      yield* io.waitWritable(a.fileno());
      const second = yield* a.connect_ex(addr);
      const third = yield* a.connect_ex(addr);
      const b = new socket.socket();
      b.setblocking(false);
      yield* b.connect_ex(addr);
      yield* io.waitWritable(b.fileno());
      const soError = b.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
      const afterSoError = yield* b.connect_ex(addr);
      a.close();
      b.close();
      return [first, second, third, soError, afterSoError];
    });
    expect(r).to.deep.equal(want);
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

  it('sendall: the timeout covers the whole call, not each send (it makes progress at 50, 100 and 150 ms, still runs at 199 and raises at 200)', async function () {
    const { client, conn, closeAll } = await inTasklet(pair);
    const clock = new FakeClock();
    // Each time sendall's tasklet resumes, one of its sends has ended.
    let resumed = 0;
    let sender: Tasklet<[], Error> | null = null;
    const oldCallback = setScheduleCallback((_prev, next) => {
      if (next === sender) resumed++;
    });
    try {
      client.settimeout(0.2);
      const t = (sender = spawn(function* () {
        return yield* raises(() => client.sendall(Buffer.alloc(64 << 20)));
      }));
      const read: number[] = [];
      for (let step = 1; step <= 3; step++) {
        await until('sendall waits: the socket buffers are full', () => t.blocked && stats().io === 1);
        clock.advance(50);
        run();
        expect(t.alive, `sendall still running at ${50 * step} ms`).to.equal(true);
        // The peer reads until one of sendall's sends has ended: the next
        // one starts now, when a per-send timeout would start afresh.
        const before = resumed;
        read.push(await inTasklet(() => readUntil(conn, () => resumed > before)));
      }
      await until('sendall waits again', () => t.blocked && stats().io === 1);
      clock.advance(49);
      run();
      expect(t.alive, 'sendall still running 1 ms before its timeout').to.equal(true);
      clock.advance(1);
      run();
      await until('sendall has ended (at 200 ms)', () => !t.alive);
      expectError(await t.join(), 'TimeoutError', 'timed out', null);
      expect(read.every((n) => n > 0), `bytes the peer read at each step: ${read.join(', ')}`).to.equal(true);
    } finally {
      setScheduleCallback(oldCallback);
      clock.restore();
      if (sender?.alive) sender.kill();
      closeAll();
    }
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
