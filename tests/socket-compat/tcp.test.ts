// TCP sockets on the default backend: every method of the socket object,
// run inside tasklets, over IPv4 and IPv6, ending with every socket closed.
import { expect } from 'chai';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentBackend, sleep, spawn, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { skipBecause } from '@stackless-io/test-support';
import { expectError, inTasklet, needPython, pythonJson, raises, raisesNow, untilPending, useDefaultBackend, waitJoin } from './helpers.js';

const { AF_INET, AF_INET6, SOCK_STREAM, SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6 } = socket;

/** A listening server, a client connected to it, and the accepted end. */
function* tcpPair(family = AF_INET): TaskletGenerator<{ server: socket.socket; client: socket.socket; conn: socket.socket; closeAll(): void }> {
  const host = family === AF_INET ? '127.0.0.1' : '::1';
  const server = yield* socket.create_server([host, 0], { family });
  const client = new socket.socket(family, SOCK_STREAM);
  yield* client.connect(server.getsockname() as [string, number]);
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

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
}

describe('socket-compat: TCP', function () {
  useDefaultBackend();

  for (const family of [AF_INET, AF_INET6]) {
    const name = family === AF_INET ? 'IPv4' : 'IPv6';

    it(`${name}: connect, accept, names, send, recv, shutdown and end of stream`, async function () {
      const r = await inTasklet(function* () {
        const { server, client, conn, closeAll } = yield* tcpPair(family);
        const out = {
          family: [server.family, client.family, conn.family],
          type: [server.type, client.type, conn.type],
          peerIsClient: JSON.stringify(conn.getpeername()) === JSON.stringify(client.getsockname()),
          clientPeerIsServer: JSON.stringify(client.getpeername()) === JSON.stringify(server.getsockname()),
          sent: yield* client.send(Buffer.from('hello')),
          got: String(yield* conn.recv(100)),
          blockingNew: conn.gettimeout(),
          eof: '',
        };
        client.shutdown(socket.SHUT_WR);
        out.eof = String(yield* conn.recv(100));
        closeAll();
        return out;
      });
      expect(r).to.deep.equal({
        family: [family, family, family],
        type: [SOCK_STREAM, SOCK_STREAM, SOCK_STREAM],
        peerIsClient: true,
        clientPeerIsServer: true,
        sent: 5,
        got: 'hello',
        blockingNew: null,
        eof: '',
      });
    });
  }

  it('bind() with a host name is an operation (resolved without blocking); left unrun, the socket says so', async function () {
    const r = await inTasklet(function* () {
      const s = new socket.socket();
      yield* s.bind(['localhost', 0]);
      const name = (s.getsockname() as string[])[0];
      const t = new socket.socket();
      t.bind(['localhost', 0]); // no yield*: nothing happened yet
      const forgot = raisesNow(() => t.listen());
      s.close();
      t.close();
      return { name, forgot };
    });
    expect(r.name).to.equal('127.0.0.1');
    expect(r.forgot.message).to.match(/^bind\(\) with a host name .* yield\* sock\.bind\(address\)$/);
  });

  it('IPv6 addresses are [host, port, flowinfo, scope_id]', async function () {
    const a = await inTasklet(function* () {
      const s = new socket.socket(AF_INET6);
      yield* s.bind(['::1', 0]);
      const name = s.getsockname();
      s.close();
      return name;
    });
    expect(a).to.have.length(4);
    expect([(a as unknown[])[0], (a as unknown[])[2], (a as unknown[])[3]]).to.deep.equal(['::1', 0, 0]);
  });

  for (const [size, small] of [
    [8 << 20, false],
    [128 << 10, true],
  ] as const) {
    it(`sendall delivers all ${size} bytes in order to a slow reader${small ? ' with tiny socket buffers' : ''} (partial sends lose nothing)`, async function () {
      const data = pattern(size);
      const r = await inTasklet(function* () {
        const { client, conn, closeAll } = yield* tcpPair();
        if (small) {
          client.setsockopt(SOL_SOCKET, socket.SO_SNDBUF, 4096);
          conn.setsockopt(SOL_SOCKET, socket.SO_RCVBUF, 4096);
        }
        let partial = 0;
        const reader = spawn(function* () {
          const parts: Buffer[] = [];
          let n = 0;
          while (n < size) {
            const b = yield* conn.recv(65536);
            if (b.length === 0) break;
            parts.push(b);
            n += b.length;
            if (parts.length % 16 === 0) yield* sleep(0.001);
          }
          return Buffer.concat(parts);
        });
        // A plain send() of it all is partial: what sendall() has to finish.
        partial = yield* client.send(data);
        yield* client.sendall(data.subarray(partial));
        const got = yield* waitJoin(reader);
        closeAll();
        return { got, partial };
      }, 60_000);
      expect(r.partial).to.be.below(size);
      expect(r.got.length).to.equal(size);
      expect(r.got.equals(data)).to.equal(true);
    });
  }

  it('recv_into, recvfrom and recvfrom_into on a stream (the address is None, as Linux gives none)', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      const buf = Buffer.alloc(10);
      yield* client.sendall(Buffer.from('abcdef'));
      const n1 = yield* conn.recv_into(buf, 3);
      const [d, a] = yield* conn.recvfrom(2);
      const [n2, a2] = yield* conn.recvfrom_into(buf.subarray(5));
      closeAll();
      return { n1, first: String(buf.subarray(0, 3)), d: String(d), a, n2, rest: String(buf.subarray(5, 5 + n2)), a2 };
    });
    expect(r).to.deep.equal({ n1: 3, first: 'abc', d: 'de', a: null, n2: 1, rest: 'f', a2: null });
  });

  it('recv with MSG_PEEK leaves the data; MSG_WAITALL waits for all of it', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      yield* client.sendall(Buffer.from('peek'));
      const peeked = String(yield* conn.recv(10, socket.MSG_PEEK));
      const read = String(yield* conn.recv(10));
      const writer = spawn(function* () {
        for (const part of ['ab', 'cd', 'ef']) {
          // The WAITALL recv is already waiting when each part is sent.
          yield* untilPending(1);
          yield* client.sendall(Buffer.from(part));
        }
      });
      const all = String(yield* conn.recv(6, socket.MSG_WAITALL));
      yield* waitJoin(writer);
      closeAll();
      return { peeked, read, all };
    });
    expect(r).to.deep.equal({ peeked: 'peek', read: 'peek', all: 'abcdef' });
  });

  it('connect raises ConnectionRefusedError; connect_ex returns its errno', async function () {
    const r = await inTasklet(function* () {
      const probe = new socket.socket();
      yield* probe.bind(['127.0.0.1', 0]);
      const addr = probe.getsockname() as [string, number];
      probe.close();
      const a = new socket.socket();
      const e = yield* raises(() => a.connect(addr));
      const b = new socket.socket();
      const code = yield* b.connect_ex(addr);
      a.close();
      b.close();
      return { e, code };
    });
    expect(r.e).to.be.instanceOf(socket.ConnectionRefusedError);
    expectError(r.e, 'ConnectionRefusedError', '[Errno 111] Connection refused', 111);
    expect(r.code).to.equal(111);
  });

  it('create_connection tries each address, sets the timeout, binds source_address; errors as CPython', async function () {
    const r = await inTasklet(function* () {
      const server = yield* socket.create_server(['127.0.0.1', 0]);
      const [, port] = server.getsockname() as [string, number];
      const c = yield* socket.create_connection(['localhost', port], 3, ['127.0.0.1', 0]);
      const [conn] = yield* server.accept();
      const out = { timeout: c.gettimeout(), proto: c.proto, local: (c.getsockname() as string[])[0] };
      server.close();
      const refused = yield* raises(() => socket.create_connection(['127.0.0.1', port]));
      // Every address the name resolves to is tried: all_errors has one error per address.
      const addrs = yield* socket.getaddrinfo('localhost', port, 0, SOCK_STREAM);
      const all = yield* raises(() => socket.create_connection(['localhost', port], undefined, null, { all_errors: true }));
      for (const s of [c, conn]) s.close();
      return { out, refused, all, tried: addrs.length };
    });
    expect(r.out).to.deep.equal({ timeout: 3, proto: 6, local: '127.0.0.1' });
    expect(r.refused).to.be.instanceOf(socket.ConnectionRefusedError);
    expect(r.all).to.be.instanceOf(AggregateError);
    const errors = (r.all as AggregateError).errors;
    expect(errors, `one error per address of localhost (${r.tried})`).to.have.length(r.tried);
    for (const e of errors) expect(e).to.be.instanceOf(socket.ConnectionRefusedError);
    expectError(raisesNow(() => socket.create_connection('x' as never)), 'ValueError', 'not enough values to unpack (expected 2, got 1)');
    expectError(raisesNow(() => socket.create_connection(['127.0.0.1', 1], -1)), 'ValueError', 'Timeout value out of range');
  });

  it('create_server: SO_REUSEADDR and listening, dualstack (an IPv4 client reaches the IPv6 server); bind errors name the address', async function () {
    const r = await inTasklet(function* () {
      const s = yield* socket.create_server(['127.0.0.1', 0], { backlog: 5 });
      const opts = [s.getsockopt(SOL_SOCKET, socket.SO_REUSEADDR), s.getsockopt(SOL_SOCKET, socket.SO_ACCEPTCONN)];
      const taken = yield* raises(() => socket.create_server(s.getsockname() as [string, number]));
      const d = yield* socket.create_server(['', 0], { family: AF_INET6, dualstack_ipv6: true });
      const v6only = d.getsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY);
      const c = yield* socket.create_connection(['127.0.0.1', (d.getsockname() as [string, number])[1]]);
      const [conn, peer] = yield* d.accept();
      for (const x of [s, d, c, conn]) x.close();
      return { opts, taken, v6only, peer: (peer as string[])[0] };
    });
    expect(r.opts).to.deep.equal([1, 1]);
    expect(r.taken.name).to.equal('OSError');
    expect(r.taken.message).to.match(/^\[Errno 98\] Address already in use \(while attempting to bind on address \('127\.0\.0\.1', \d+\)\)$/);
    expect(r.v6only).to.equal(0);
    expect(r.peer).to.equal('::ffff:127.0.0.1');
    expectError(raisesNow(() => socket.create_server(['', 0], { dualstack_ipv6: true })), 'ValueError', 'dualstack_ipv6 requires AF_INET6 family');
    expect(socket.has_dualstack_ipv6()).to.equal(true);
  });

  it('create_server(reuse_port=True) sets SO_REUSEPORT: two servers share the port', async function () {
    const r = await inTasklet(function* () {
      const a = yield* raises(function* () {
        const s1 = yield* socket.create_server(['127.0.0.1', 0], { reuse_port: true });
        try {
          const s2 = yield* socket.create_server(s1.getsockname() as [string, number], { reuse_port: true });
          const same = JSON.stringify(s2.getsockname()) === JSON.stringify(s1.getsockname());
          const opt = s2.getsockopt(SOL_SOCKET, socket.SO_REUSEPORT);
          s2.close();
          throw Object.assign(new Error('done'), { same, opt });
        } finally {
          s1.close();
        }
      });
      return a as Error & { same?: boolean; opt?: number; errno?: number };
    });
    if (r.errno === constants.errno.ENOPROTOOPT) skipBecause(this, 'the backend cannot set SO_REUSEPORT (it answers ENOPROTOOPT, as the contract allows)');
    expect([r.message, r.same, r.opt]).to.deep.equal(['done', true, 1]);
  });

  it('close() wakes a tasklet blocked in recv with OSError(EBADF), even while a dup() keeps the socket open', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      const other = conn.dup();
      const blocked = spawn(function* () {
        return yield* raises(() => conn.recv(10));
      });
      yield* untilPending(1);
      conn.close();
      const e = (yield* waitJoin(blocked)) as Error;
      // The duplicate still works: the peer's bytes reach it.
      yield* client.sendall(Buffer.from('still open'));
      const got = String(yield* other.recv(100));
      other.close();
      closeAll();
      return { e, got };
    });
    expectError(r.e, 'OSError', '[Errno 9] Bad file descriptor', 9);
    expect(r.got).to.equal('still open');
  });

  it('a closed socket: fileno() is -1, operations raise EBADF, close() again is fine, repr says [closed]', async function () {
    const r = await inTasklet(function* () {
      const s = new socket.socket();
      s.close();
      s.close();
      return {
        fileno: s.fileno(),
        recv: yield* raises(() => s.recv(1)),
        send: yield* raises(() => s.send(Buffer.from('x'))),
        connect_ex: yield* s.connect_ex(['127.0.0.1', 1]),
        name: raisesNow(() => s.getsockname()),
        settimeout: raisesNow(() => s.settimeout(1)),
        timeoutAfter: s.gettimeout(),
        dup: raisesNow(() => s.dup()),
        detach: s.detach(),
        repr: String(s),
        family: s.family,
      };
    });
    expect(r.fileno).to.equal(-1);
    for (const e of [r.recv, r.send, r.name, r.settimeout, r.dup]) expectError(e, 'OSError', '[Errno 9] Bad file descriptor', 9);
    expect(r.connect_ex).to.equal(9);
    expect(r.timeoutAfter).to.equal(1);
    expect(r.detach).to.equal(-1);
    expect(r.repr).to.equal('<socket.socket [closed] fd=-1, family=2, type=1, proto=0>');
    expect(r.family).to.equal(AF_INET);
  });

  it('detach(), fileno(), socket(fileno=...), fromfd() and dup(): descriptors of their own on one socket, open until the last one closes', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      conn.settimeout(4);
      const d = conn.dup();
      const f = socket.fromfd(conn.fileno(), AF_INET, SOCK_STREAM);
      const h = client.detach();
      const adopted = new socket.socket(-1, -1, -1, h);
      const out = {
        dupTimeout: d.gettimeout(),
        fromfdTimeout: f.gettimeout(),
        adopted: [adopted.family, adopted.type, adopted.proto, adopted.fileno() === h],
        clientClosed: [client.fileno(), String(client)],
        distinctFds: new Set([d.fileno(), conn.fileno(), f.fileno()]).size,
      };
      const connFd = conn.fileno();
      conn.close();
      // The closed descriptor is gone although its socket lives on in d and f.
      const closedFd = raisesNow(() => new socket.socket(-1, -1, -1, connFd));
      yield* adopted.sendall(Buffer.from('via adopted'));
      const got1 = String(yield* d.recv(100));
      d.close();
      yield* adopted.sendall(Buffer.from('via fromfd'));
      const got2 = String(yield* f.recv(100));
      f.close();
      adopted.close();
      closeAll();
      return { ...out, got1, got2, closedFd };
    });
    expect(r).to.deep.equal({
      dupTimeout: 4,
      fromfdTimeout: null,
      adopted: [AF_INET, SOCK_STREAM, 6, true],
      clientClosed: [-1, '<socket.socket [closed] fd=-1, family=2, type=1, proto=0>'],
      distinctFds: 3,
      got1: 'via adopted',
      got2: 'via fromfd',
      closedFd: r.closedFd,
    });
    expectError(r.closedFd, 'OSError', '[Errno 9] Bad file descriptor', 9);
    expectError(raisesNow(() => new socket.socket(AF_INET, SOCK_STREAM, 0, -1)), 'ValueError', 'negative file descriptor');
    expectError(raisesNow(() => socket.fromfd(-1, AF_INET, SOCK_STREAM)), 'OSError', '[Errno 9] Bad file descriptor', 9);
    expectError(raisesNow(() => new socket.socket(AF_INET, SOCK_STREAM, 0, 99999)), 'OSError', '[Errno 9] Bad file descriptor', 9);
    expectError(raisesNow(() => new socket.socket(AF_INET, SOCK_STREAM, 0, 'a' as never)), 'TypeError', "'str' object cannot be interpreted as an integer");
  });

  it('module-level dup() and close(): owners of a bare handle, as Python\'s socket.dup(fd) and socket.close(fd)', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      const h = socket.dup(conn.fileno());
      conn.close();
      const t = new socket.socket(AF_INET, SOCK_STREAM, 0, h);
      yield* client.sendall(Buffer.from('dup'));
      const got = String(yield* t.recv(10));
      t.close();
      const bare = client.detach();
      socket.close(bare);
      const again = raisesNow(() => socket.close(bare));
      closeAll();
      return { got, again };
    });
    expect(r.got).to.equal('dup');
    expectError(r.again, 'OSError', '[Errno 9] Bad file descriptor', 9);
  });

  it('withSocket() and [Symbol.dispose]() close the socket however the body ends', async function () {
    const r = await inTasklet(function* () {
      const a = new socket.socket();
      const v = yield* socket.withSocket(a, function* (s) {
        yield* sleep(0);
        return s.family;
      });
      const b = new socket.socket();
      const e = yield* raises(() =>
        socket.withSocket(b, function* () {
          yield* sleep(0);
          throw new Error('boom');
        }),
      );
      const c = new socket.socket();
      c[Symbol.dispose]();
      return { v, e: e.message, closed: [a.fileno(), b.fileno(), c.fileno()] };
    });
    expect(r).to.deep.equal({ v: AF_INET, e: 'boom', closed: [-1, -1, -1] });
  });

  it('accept() takes a burst of queued connections without asking the backend an option per socket; each is what CPython makes (compared with CPython)', async function () {
    needPython(this);
    const N = 30;
    // What CPython's accepted sockets say of themselves, for the same calls.
    const want = pythonJson<unknown[]>(`
import json, socket
srv = socket.create_server(("127.0.0.1", 0), backlog=64)
cs = [socket.create_connection(srv.getsockname()) for _ in range(${N})]
out = []
for _ in range(${N}):
    conn, peer = srv.accept()
    out.append([conn.family, conn.type, conn.proto, conn.gettimeout(), conn.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), conn.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL), conn.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN), peer[0]])
    conn.close()
for c in cs: c.close()
srv.close()
print(json.dumps(out[0]) if all(o == out[0] for o in out) else json.dumps(out))
`);
    const b = currentBackend();
    const r = await inTasklet(function* () {
      const server = yield* socket.create_server(['127.0.0.1', 0], { backlog: 64 });
      const clients: socket.socket[] = [];
      for (let i = 0; i < N; i++) clients.push(yield* socket.create_connection(server.getsockname() as [string, number]));
      // Spy on the backend's option calls while the burst is accepted:
      // what accept() knows (the listener's family, type and protocol) it
      // must not ask for again per connection.
      let asked = 0;
      const getOption = b.getOption;
      const getsockopt = b.getsockopt;
      b.getOption = (...a: Parameters<typeof getOption>) => (asked++, getOption.apply(b, a));
      b.getsockopt = (...a: Parameters<typeof getsockopt>) => (asked++, getsockopt.apply(b, a));
      const conns: socket.socket[] = [];
      try {
        for (let i = 0; i < N; i++) conns.push((yield* server.accept())[0]);
      } finally {
        b.getOption = getOption;
        b.getsockopt = getsockopt;
      }
      const seen = conns.map((c) => [+c.family, +c.type, c.proto, c.gettimeout(), c.getsockopt(SOL_SOCKET, socket.SO_TYPE), c.getsockopt(SOL_SOCKET, socket.SO_PROTOCOL), c.getsockopt(SOL_SOCKET, socket.SO_ACCEPTCONN), (c.getpeername() as [string, number])[0]]);
      // Every accepted socket works: each client's bytes come back to it.
      let echoed = 0;
      for (const [i, c] of clients.entries()) yield* c.sendall(Buffer.from(`m${i}`.padEnd(4)));
      for (const c of conns) yield* c.sendall(yield* c.recv(4));
      for (const [i, c] of clients.entries()) if (String(yield* c.recv(4)) === `m${i}`.padEnd(4)) echoed++;
      for (const s of [...conns, ...clients, server]) s.close();
      return { asked, same: seen.every((x) => JSON.stringify(x) === JSON.stringify(seen[0])), first: seen[0], echoed };
    });
    expect(r.asked, 'option calls to the backend while accepting').to.equal(0);
    expect(r.same, 'every accepted socket says the same of itself').to.equal(true);
    expect(r.first).to.deep.equal(want);
    expect(r.echoed, 'clients that got their own bytes back').to.equal(N);
  });

  it('a tasklet killed while blocked in accept leaves nothing behind', async function () {
    const stillAlive = await inTasklet(function* () {
      const server = yield* socket.create_server(['127.0.0.1', 0]);
      const t = spawn(function* () {
        yield* server.accept();
      });
      yield* untilPending(1);
      yield* t.kill();
      server.close();
      return t.alive;
    });
    // Nothing behind: no tasklet (checked here and by the root hooks), no
    // backend handle or request, no descriptor (useDefaultBackend's checks).
    expect(stillAlive, 'the killed tasklet').to.equal(false);
  });

  it('SO_LINGER turned off reads back as the running kernel keeps it (compared with CPython)', async function () {
    needPython(this);
    // What l_linger reads after the option is turned off is the kernel's
    // choice (Linux keeps the seconds set before): CPython asks the kernel.
    const want = pythonJson<number[][]>(`
import json, socket, struct
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 5))
on = list(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, bytes(8))
print(json.dumps([on, list(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))]))
s.close()`);
    const got = await inTasklet(function* () {
      const s = new socket.socket();
      s.setsockopt(SOL_SOCKET, socket.SO_LINGER, Buffer.from([1, 0, 0, 0, 5, 0, 0, 0]));
      const on = [...(s.getsockopt(SOL_SOCKET, socket.SO_LINGER, 8) as Buffer)];
      s.setsockopt(SOL_SOCKET, socket.SO_LINGER, Buffer.alloc(8));
      const off = [...(s.getsockopt(SOL_SOCKET, socket.SO_LINGER, 8) as Buffer)];
      s.close();
      return [on, off];
    });
    expect(got).to.deep.equal(want);
  });

  it('socket options: the contract ones by int and by bytes, the local ones, and the errors', async function () {
    const r = await inTasklet(function* () {
      const s = new socket.socket();
      s.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, 1);
      s.setsockopt(SOL_SOCKET, socket.SO_KEEPALIVE, Buffer.from([1, 0, 0, 0]));
      s.setsockopt(IPPROTO_TCP, socket.TCP_NODELAY, true as never);
      s.setsockopt(SOL_SOCKET, socket.SO_LINGER, Buffer.from([1, 0, 0, 0, 5, 0, 0, 0]));
      const lingerOn = [...(s.getsockopt(SOL_SOCKET, socket.SO_LINGER, 8) as Buffer)];
      s.setsockopt(SOL_SOCKET, socket.SO_LINGER, Buffer.alloc(8));
      s.setsockopt(SOL_SOCKET, socket.SO_LINGER, Buffer.from([1, 0, 0, 0, 5, 0, 0, 0]));
      const out = {
        reuse: s.getsockopt(SOL_SOCKET, socket.SO_REUSEADDR),
        keepalive: s.getsockopt(SOL_SOCKET, socket.SO_KEEPALIVE),
        nodelay: s.getsockopt(IPPROTO_TCP, socket.TCP_NODELAY),
        linger: s.getsockopt(SOL_SOCKET, socket.SO_LINGER),
        linger8: [...(s.getsockopt(SOL_SOCKET, socket.SO_LINGER, 8) as Buffer)],
        lingerOn,
        type: s.getsockopt(SOL_SOCKET, socket.SO_TYPE),
        type1: [...(s.getsockopt(SOL_SOCKET, socket.SO_TYPE, 1) as Buffer)],
        type16: [...(s.getsockopt(SOL_SOCKET, socket.SO_TYPE, 16) as Buffer)],
        error: s.getsockopt(SOL_SOCKET, socket.SO_ERROR),
        domain: s.getsockopt(SOL_SOCKET, socket.SO_DOMAIN),
        protocol: s.getsockopt(SOL_SOCKET, socket.SO_PROTOCOL),
        acceptconn: s.getsockopt(SOL_SOCKET, socket.SO_ACCEPTCONN),
        sndbufPositive: (s.getsockopt(SOL_SOCKET, socket.SO_SNDBUF) as number) > 0,
        v6onlyOnV4: raisesNow(() => s.getsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY)),
        unknown: raisesNow(() => s.getsockopt(SOL_SOCKET, 12345)),
        unknownSet: raisesNow(() => s.setsockopt(12345, 1, 1)),
        buflen: raisesNow(() => s.getsockopt(SOL_SOCKET, socket.SO_TYPE, 2000)),
        shortBytes: raisesNow(() => s.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, Buffer.from([1]))),
        lingerInt: raisesNow(() => s.setsockopt(SOL_SOCKET, socket.SO_LINGER, 1)),
        str: raisesNow(() => s.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, 'a' as never)),
        none: raisesNow(() => s.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, null)),
        noneLen: raisesNow(() => s.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, null, 4)),
        big: raisesNow(() => s.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, 2 ** 40)),
      };
      s.close();
      return out;
    });
    expect(r.reuse).to.equal(1);
    expect(r.keepalive).to.equal(1);
    expect(r.nodelay).to.equal(1);
    expect(r.linger).to.equal(1);
    expect(r.linger8).to.deep.equal([1, 0, 0, 0, 5, 0, 0, 0]);
    expect(r.lingerOn).to.deep.equal([1, 0, 0, 0, 5, 0, 0, 0]);
    expect([r.type, r.type1, r.type16, r.error, r.domain, r.protocol, r.acceptconn, r.sndbufPositive]).to.deep.equal([1, [1], [1, 0, 0, 0], 0, +AF_INET, 6, 0, true]);
    expectError(r.v6onlyOnV4, 'OSError', '[Errno 95] Operation not supported', 95);
    expectError(r.unknown, 'OSError', '[Errno 92] Protocol not available', 92);
    expectError(r.unknownSet, 'OSError', '[Errno 92] Protocol not available', 92);
    expectError(r.buflen, 'OSError', 'getsockopt buflen out of range', null);
    expectError(r.shortBytes, 'OSError', '[Errno 22] Invalid argument', 22);
    expectError(r.lingerInt, 'OSError', '[Errno 22] Invalid argument', 22);
    expectError(r.str, 'TypeError', "a bytes-like object is required, not 'str'");
    expectError(r.none, 'TypeError', "a bytes-like object is required, not 'NoneType'");
    expectError(r.noneLen, 'OSError', '[Errno 14] Bad address', 14);
    expectError(r.big, 'TypeError', "a bytes-like object is required, not 'int'");
  });

  it('toString() is Python repr()', async function () {
    const r = await inTasklet(function* () {
      const { client, closeAll } = yield* tcpPair();
      const s = String(client);
      closeAll();
      return s;
    });
    expect(r).to.match(/^<socket\.socket fd=\d+, family=2, type=1, proto=0, laddr=\('127\.0\.0\.1', \d+\), raddr=\('127\.0\.0\.1', \d+\)>$/);
  });

  it('sendfile() sends a file by descriptor, FileHandle or file-like object, with offset and count', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'sio-sendfile-'));
    const path = join(dir, 'data.bin');
    const data = pattern(300_000);
    writeFileSync(path, data);
    const fd = openSync(path, 'r');
    const handle = await openFile(path, 'r');
    try {
      const r = await inTasklet(function* () {
        const { client, conn, closeAll } = yield* tcpPair();
        const reader = spawn(function* () {
          const parts: Buffer[] = [];
          for (;;) {
            const b = yield* conn.recv(65536);
            if (b.length === 0) return Buffer.concat(parts);
            parts.push(b);
          }
        });
        let pos = 0;
        const fileLike = {
          mode: 'rb',
          read: (n: number) => {
            const out = data.subarray(pos, pos + n);
            pos += out.length;
            return out;
          },
          seek: (p: number) => {
            pos = p;
          },
        };
        const sent = [yield* client.sendfile(fd), yield* client.sendfile(handle, 1000, 5000), yield* client.sendfile(fileLike, 299_000)];
        const seekAfter = pos;
        client.shutdown(socket.SHUT_WR);
        const got = (yield* waitJoin(reader)) as Buffer;
        const errors = {
          text: raisesNow(() => client.sendfile({ mode: 'r', read: () => Buffer.alloc(0) })),
          count0: raisesNow(() => client.sendfile(fd, 0, 0)),
          countStr: raisesNow(() => client.sendfile(fd, 0, 'a' as never)),
          dgram: (() => {
            const u = new socket.socket(AF_INET, socket.SOCK_DGRAM);
            const e = raisesNow(() => u.sendfile(fd));
            u.close();
            return e;
          })(),
          negative: yield* raises(() => client.sendfile(fd, -1)),
        };
        client.setblocking(false);
        const nb = yield* raises(() => client.sendfile(fd));
        closeAll();
        return { sent, seekAfter, got, errors, nb };
      });
      expect(r.sent).to.deep.equal([300_000, 5000, 1000]);
      expect(r.seekAfter).to.equal(300_000);
      expect(r.got.equals(Buffer.concat([data, data.subarray(1000, 6000), data.subarray(299_000)]))).to.equal(true);
      expectError(r.errors.text, 'ValueError', 'file should be opened in binary mode');
      expectError(r.errors.count0, 'ValueError', 'count must be a positive integer (got 0)');
      expectError(r.errors.countStr, 'TypeError', "count must be a positive integer (got 'a')");
      expectError(r.errors.dgram, 'ValueError', 'only SOCK_STREAM type sockets are supported');
      expectError(r.errors.negative, 'OSError', '[Errno 22] Invalid argument', 22);
      expectError(r.nb, 'ValueError', 'non-blocking sockets are not supported');
    } finally {
      closeSync(fd);
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
