// The reusable call objects behind recv/send/sendall (sock-call.ts): one per
// socket serves a tasklet's calls one after another (receives and sends);
// tasklets waiting at the same time get objects of their own; a killed or
// timed-out call frees its object only
// once the backend has let go of the request; close() reaches every call.
import { expect } from 'chai';
import { sleep, spawn, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { expectError, inTasklet, raises, untilPending, useDefaultBackend, waitJoin } from './helpers.js';

const { AF_INET, SOCK_STREAM } = socket;

function* tcpPair(): TaskletGenerator<{ client: socket.socket; conn: socket.socket; closeAll(): void }> {
  const server = yield* socket.create_server(['127.0.0.1', 0]);
  const client = new socket.socket(AF_INET, SOCK_STREAM);
  yield* client.connect(server.getsockname() as [string, number]);
  const [conn] = yield* server.accept();
  server.close();
  return {
    client,
    conn,
    closeAll() {
      client.close();
      conn.close();
    },
  };
}

describe('socket-compat: reusable calls', function () {
  useDefaultBackend();

  it('recv(n) returns a new Buffer of exactly the bytes received, and the call object is reused', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      yield* client.sendall(Buffer.from('hello'));
      const op1 = conn.recv(4096);
      const a = yield* op1;
      yield* client.sendall(Buffer.from('world!'));
      const op2 = conn.recv(4096);
      const b = yield* op2;
      const sendOps = [client.send(Buffer.from('x'))];
      yield* sendOps[0]!;
      sendOps.push(client.send(Buffer.from('y')));
      yield* sendOps[1]!;
      const c = yield* conn.recv(10);
      closeAll();
      return { a, b, c: String(c), sameRecv: op1 === op2, sameSend: sendOps[0] === sendOps[1] };
    });
    expect(Buffer.isBuffer(r.a)).to.equal(true);
    expect(r.a.length).to.equal(5);
    expect(String(r.a)).to.equal('hello');
    expect(String(r.b)).to.equal('world!');
    expect(r.b, 'each recv returns a buffer of its own').to.not.equal(r.a);
    expect(r.c).to.equal('xy');
    expect(r.sameRecv, 'one object serves receive after receive').to.equal(true);
    expect(r.sameSend, 'one object serves send after send').to.equal(true);
  });

  it('a tasklet that receives and sends in turn uses one call object for both', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      yield* client.sendall(Buffer.from('ping'));
      const recvOp = conn.recv(10);
      const got = String(yield* recvOp);
      const sendOp = conn.sendall(Buffer.from('pong'));
      yield* sendOp;
      const back = String(yield* client.recv(10));
      closeAll();
      return { got, back, same: (recvOp as unknown) === (sendOp as unknown) };
    });
    expect(r).to.deep.equal({ got: 'ping', back: 'pong', same: true });
  });

  it('a tasklet sending while another waits in recv on the same socket: both proceed', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      const reader = spawn(function* () {
        return String(yield* conn.recv(100));
      });
      yield* untilPending(1);
      yield* conn.sendall(Buffer.from('to the client'));
      const atClient = String(yield* client.recv(100));
      yield* client.sendall(Buffer.from('to the reader'));
      const atReader = yield* waitJoin(reader);
      closeAll();
      return { atClient, atReader };
    });
    expect(r).to.deep.equal({ atClient: 'to the client', atReader: 'to the reader' });
  });

  it('two tasklets blocked in recv on one socket: each gets its own call, both get data in order', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      const first = spawn(function* () {
        return String(yield* conn.recv(3));
      });
      const second = spawn(function* () {
        return String(yield* conn.recv(3));
      });
      yield* untilPending(2);
      yield* client.sendall(Buffer.from('abcdef'));
      const got = [yield* waitJoin(first), yield* waitJoin(second)];
      closeAll();
      return got;
    });
    expect(r).to.deep.equal(['abc', 'def']);
  });

  it('close() wakes every tasklet blocked on the socket, whichever call object it waits on', async function () {
    const r = await inTasklet(function* () {
      const { conn, closeAll } = yield* tcpPair();
      const blocked = [0, 1, 2].map(() =>
        spawn(function* () {
          return yield* raises(() => conn.recv(10));
        }),
      );
      yield* untilPending(3);
      conn.close();
      const errors: Error[] = [];
      for (const t of blocked) errors.push((yield* waitJoin(t)) as Error);
      closeAll();
      return errors;
    });
    for (const e of r) expectError(e, 'OSError', '[Errno 9] Bad file descriptor', 9);
  });

  it('a tasklet killed while blocked in recv: the next recv on the socket gets the data', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      const victim = spawn(function* () {
        yield* conn.recv(100);
        return 'the victim received data';
      });
      yield* untilPending(1);
      victim.kill();
      yield* untilPending(0);
      yield* client.sendall(Buffer.from('nothing lost'));
      const got = String(yield* conn.recv(100));
      closeAll();
      return { got, alive: victim.alive };
    });
    expect(r).to.deep.equal({ got: 'nothing lost', alive: false });
  });

  it('a recv that timed out leaves the socket usable: the data that comes later is received whole', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      conn.settimeout(0.01);
      const e = yield* raises(() => conn.recv(100));
      conn.settimeout(null);
      yield* client.sendall(Buffer.from('later'));
      const got = String(yield* conn.recv(100));
      closeAll();
      return { e, got };
    });
    expectError(r.e, 'TimeoutError', 'timed out');
    expect(r.got).to.equal('later');
  });

  it('sendall of 8 MiB to a slow reader: every byte arrives in order (many partial sends, one call)', async function () {
    const size = 8 << 20;
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 11)) & 0xff;
      const writer = spawn(function* () {
        yield* client.sendall(data);
        client.shutdown(socket.SHUT_WR);
      });
      const parts: Buffer[] = [];
      for (;;) {
        const b = yield* conn.recv(65536);
        if (b.length === 0) break;
        parts.push(b);
        if (parts.length % 16 === 0) yield* sleep(0.001);
      }
      yield* waitJoin(writer);
      closeAll();
      return Buffer.compare(Buffer.concat(parts), data);
    }, 60_000);
    expect(r, 'the received bytes equal the sent ones').to.equal(0);
  });

  it('running a finished call again with yield* gives nothing more, as a finished generator', async function () {
    const r = await inTasklet(function* () {
      const { client, conn, closeAll } = yield* tcpPair();
      yield* client.sendall(Buffer.from('once'));
      const op = conn.recv(10);
      const first = String(yield* op);
      const again: unknown = yield* op;
      closeAll();
      return { first, again };
    });
    expect(r).to.deep.equal({ first: 'once', again: undefined });
  });
});
