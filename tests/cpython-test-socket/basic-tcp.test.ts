// BasicTCPTest and BasicTCPTest2 of CPython's test_socket: a connected TCP
// pair, the client half in its own tasklet (CPython's client thread).
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { connectedTCP as connectedWith, createConnection, plainConnect, type ClientConnect, type Connected, type Half } from './fixtures.js';
import type { Ctx } from './frame.js';
import { testClass } from './frame.js';
import { MSG, raises, raisesNow } from './support.js';

const INT_MAX = 2 ** 31 - 1;
const UINT_MAX = 2 ** 32 - 1;

// BasicTCPTest2 (NetworkConnectionTest) runs the same tests with a client made by create_connection().
for (const [cls, connect] of [
  ['BasicTCPTest', plainConnect],
  ['BasicTCPTest2', createConnection],
] as [string, ClientConnect][]) {
const connectedTCP = (c: Ctx, server: Half<Connected>, client: Half<Connected>) => connectedWith(c, server, client, connect);
testClass(cls, ({ test }) => {
  test('testRecv', (c) =>
    connectedTCP(
      c,
      function* (f) {
        expect(yield* f.cli_conn.recv(1024)).to.deep.equal(MSG);
      },
      function* (f) {
        yield* f.serv_conn.send(MSG);
      },
    ),
  );

  test('testOverFlowRecv', (c) =>
    connectedTCP(
      c,
      function* (f) {
        const seg1 = yield* f.cli_conn.recv(MSG.length - 3);
        const seg2 = yield* f.cli_conn.recv(1024);
        expect(Buffer.concat([seg1, seg2])).to.deep.equal(MSG);
      },
      function* (f) {
        yield* f.serv_conn.send(MSG);
      },
    ),
  );

  test('testRecvFrom', (c) =>
    connectedTCP(
      c,
      function* (f) {
        const [msg] = yield* f.cli_conn.recvfrom(1024);
        expect(msg).to.deep.equal(MSG);
      },
      function* (f) {
        yield* f.serv_conn.send(MSG);
      },
    ),
  );

  test('testOverFlowRecvFrom', (c) =>
    connectedTCP(
      c,
      function* (f) {
        const [seg1] = yield* f.cli_conn.recvfrom(MSG.length - 3);
        const [seg2] = yield* f.cli_conn.recvfrom(1024);
        expect(Buffer.concat([seg1, seg2])).to.deep.equal(MSG);
      },
      function* (f) {
        yield* f.serv_conn.send(MSG);
      },
    ),
  );

  test('testSendAll', (c) =>
    connectedTCP(
      c,
      function* (f) {
        const parts: Buffer[] = [];
        for (;;) {
          const read = yield* f.cli_conn.recv(1024);
          if (read.length === 0) break;
          parts.push(read);
        }
        expect(Buffer.concat(parts)).to.deep.equal(Buffer.alloc(2048, 'f'));
      },
      function* (f) {
        yield* f.serv_conn.sendall(Buffer.alloc(2048, 'f'));
      },
    ),
  );

  test('testFromFd', (c) =>
    connectedTCP(
      c,
      function* (f) {
        const sock = socket.fromfd(f.cli_conn.fileno(), socket.AF_INET, socket.SOCK_STREAM);
        try {
          expect(sock).to.be.instanceOf(socket.socket);
          expect(yield* sock.recv(1024)).to.deep.equal(MSG);
        } finally {
          sock.close();
        }
      },
      function* (f) {
        yield* f.serv_conn.send(MSG);
      },
    ),
  );

  test('testDup', (c) =>
    connectedTCP(
      c,
      function* (f) {
        const sock = f.cli_conn.dup();
        try {
          expect(yield* sock.recv(1024)).to.deep.equal(MSG);
        } finally {
          sock.close();
        }
      },
      function* (f) {
        yield* f.serv_conn.send(MSG);
      },
    ),
  );

  test('testShutdown', (c) =>
    connectedTCP(
      c,
      function* (f) {
        expect(yield* f.cli_conn.recv(1024)).to.deep.equal(MSG);
      },
      function* (f) {
        yield* f.serv_conn.send(MSG);
        f.serv_conn.shutdown(2);
      },
    ),
  );

  test('testShutdown_overflow', (c) =>
    connectedTCP(
      c,
      function* (f) {
        expect(yield* f.cli_conn.recv(1024)).to.deep.equal(MSG);
      },
      function* (f) {
        yield* f.serv_conn.send(MSG);
        raisesNow(socket.OverflowError, () => f.serv_conn.shutdown(INT_MAX + 1));
        raisesNow(socket.OverflowError, () => f.serv_conn.shutdown(2 + (UINT_MAX + 1)));
        f.serv_conn.shutdown(2);
      },
    ),
  );

  test('testDetach', (c) =>
    connectedTCP(
      c,
      function* (f) {
        const fileno = f.cli_conn.fileno();
        const fd = f.cli_conn.detach();
        expect(fd).to.equal(fileno);
        expect(f.cli_conn.fileno()).to.equal(-1);
        yield* raises(socket.OSError, () => f.cli_conn.recv(1024));
        f.cli_conn.close();
        const sock = new socket.socket(socket.AF_INET, socket.SOCK_STREAM, -1, fd);
        try {
          expect(yield* sock.recv(1024)).to.deep.equal(MSG);
        } finally {
          sock.close();
        }
      },
      function* (f) {
        yield* f.serv_conn.send(MSG);
      },
    ),
  );
});
}
