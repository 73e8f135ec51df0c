// TCPCloserTest, BasicSocketPairTest and ContextManagersTest of CPython's
// test_socket: closing, socketpair() defaults, and `with socket` (here
// withSocket, or close() in a finally block).
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { socketPair, threadedTCP } from './fixtures.js';
import { testClass } from './frame.js';
import { Event, HOST, MSG, b, raises } from './support.js';

testClass('TCPCloserTest', ({ test }) => {
  test('testClose', (c) => {
    const done = new Event();
    return threadedTCP(
      c,
      function* ({ serv, cli }) {
        const [conn] = yield* serv.accept();
        conn.close();
        // select([cli], [], [], 1.0) saying readable, then recv(1): the recv
        // waits for that readiness itself (a timeout bounds it, as select's did).
        cli.settimeout(60);
        expect(yield* cli.recv(1)).to.deep.equal(b(''));
        conn.close();
        conn.close();
        done.set();
      },
      function* ({ cli, port }) {
        yield* cli.connect([HOST, port]);
        // CPython's client sleeps a second to keep its socket open while the server looks at it.
        yield* done.wait();
      },
    );
  });
});

function checkDefaults(sock: socket.socket): void {
  expect(sock).to.be.instanceOf(socket.socket);
  expect(sock.family).to.equal(socket.AF_UNIX);
  expect(sock.type).to.equal(socket.SOCK_STREAM);
  expect(sock.proto).to.equal(0);
}

testClass('BasicSocketPairTest', ({ test }) => {
  test('testDefaults', (c) =>
    socketPair(
      c,
      function* ({ serv }) {
        checkDefaults(serv);
      },
      function* ({ cli }) {
        checkDefaults(cli);
      },
    ),
  );

  test('testRecv', (c) =>
    socketPair(
      c,
      function* ({ serv }) {
        expect(yield* serv.recv(1024)).to.deep.equal(MSG);
      },
      function* ({ cli }) {
        yield* cli.send(MSG);
      },
    ),
  );

  test('testSend', (c) =>
    socketPair(
      c,
      function* ({ serv }) {
        yield* serv.send(MSG);
      },
      function* ({ cli }) {
        expect(yield* cli.recv(1024)).to.deep.equal(MSG);
      },
    ),
  );
});

testClass('ContextManagersTest', ({ test }) => {
  test('testSocketClass', (c) =>
    threadedTCP(
      c,
      function* () {},
      function* () {
        let sock = new socket.socket();
        yield* socket.withSocket(sock, function* (s) {
          expect(s._closed).to.equal(false);
        });
        expect(sock._closed).to.equal(true);
        sock = new socket.socket();
        yield* socket.withSocket(sock, function* (s) {
          s.close();
        });
        expect(sock._closed).to.equal(true);
        sock = new socket.socket();
        yield* socket.withSocket(sock, function* (s) {
          yield* raises(socket.OSError, () => s.sendall(b('foo')));
        });
        expect(sock._closed).to.equal(true);
      },
    ),
  );

  test('testCreateConnectionBase', (c) =>
    threadedTCP(
      c,
      function* ({ serv }) {
        const [conn] = yield* serv.accept();
        try {
          yield* conn.sendall(yield* conn.recv(1024));
        } finally {
          conn.close();
        }
      },
      function* ({ serv }) {
        const sock = yield* socket.create_connection(serv.getsockname() as [string, number]);
        yield* socket.withSocket(sock, function* (s) {
          expect(s._closed).to.equal(false);
          yield* s.sendall(b('foo'));
          expect(yield* s.recv(1024)).to.deep.equal(b('foo'));
        });
        expect(sock._closed).to.equal(true);
      },
    ),
  );

  test('testCreateConnectionClose', (c) =>
    threadedTCP(
      c,
      function* ({ serv }) {
        const [conn] = yield* serv.accept();
        try {
          yield* conn.sendall(yield* conn.recv(1024));
        } finally {
          conn.close();
        }
      },
      function* ({ serv }) {
        const sock = yield* socket.create_connection(serv.getsockname() as [string, number]);
        yield* socket.withSocket(sock, function* (s) {
          s.close();
        });
        expect(sock._closed).to.equal(true);
        yield* raises(socket.OSError, () => sock.sendall(b('foo')));
      },
    ),
  );
});
