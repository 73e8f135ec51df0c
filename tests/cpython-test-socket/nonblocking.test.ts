// NonBlockingTCPTests of CPython's test_socket: setblocking/settimeout
// and their effect on accept and recv, with the client half in a tasklet.
// CPython also reads the descriptor's O_NONBLOCK flag with fcntl; here
// every descriptor is non-blocking by design (a tasklet that waits must not
// block the process), so only the socket's own view is compared.
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { threadedTCP } from './fixtures.js';
import { testClass } from './frame.js';
import { Event, HOST, MSG, raises, whenReady } from './support.js';

function assertSockTimeout(sock: socket.socket, timeout: number | null): void {
  expect(sock.gettimeout()).to.equal(timeout);
  expect(sock.getblocking()).to.equal(timeout !== 0);
}

testClass('NonBlockingTCPTests', ({ test }) => {
  test('testSetBlocking', (c) =>
    threadedTCP(
      c,
      function* ({ serv }) {
        serv.setblocking(true);
        assertSockTimeout(serv, null);
        serv.setblocking(false);
        assertSockTimeout(serv, 0);
        serv.settimeout(null);
        assertSockTimeout(serv, null);
        serv.settimeout(0);
        assertSockTimeout(serv, 0);
        serv.settimeout(10);
        assertSockTimeout(serv, 10);
        serv.settimeout(0);
        assertSockTimeout(serv, 0);
      },
      function* () {},
    ),
  );

  test('testSetBlocking_overflow', (c) =>
    threadedTCP(
      c,
      function* ({ serv }) {
        serv.setblocking(false);
        assertSockTimeout(serv, 0);
        // UINT_MAX + 1 is true, not 0 truncated from a C unsigned int.
        serv.setblocking(2 ** 32);
        assertSockTimeout(serv, null);
      },
      function* () {},
    ),
  );

  test('testInitNonBlocking', (c) =>
    threadedTCP(
      c,
      function* () {
        const s = new socket.socket(socket.AF_INET, +socket.SOCK_STREAM | +socket.SOCK_NONBLOCK);
        try {
          assertSockTimeout(s, 0);
        } finally {
          s.close();
        }
      },
      function* () {},
    ),
  );

  test('testInheritFlagsBlocking', (c) =>
    threadedTCP(
      c,
      function* ({ serv }) {
        socket.setdefaulttimeout(null);
        serv.settimeout(10);
        const [conn] = yield* serv.accept();
        try {
          expect(conn.gettimeout()).to.equal(null);
        } finally {
          conn.close();
        }
      },
      function* (f) {
        yield* f.cli.connect([HOST, f.port]);
      },
    ),
  );

  test('testInheritFlagsTimeout', (c) =>
    threadedTCP(
      c,
      function* ({ serv }) {
        socket.setdefaulttimeout(20);
        try {
          serv.settimeout(10);
          const [conn] = yield* serv.accept();
          try {
            expect(conn.gettimeout()).to.equal(20);
          } finally {
            conn.close();
          }
        } finally {
          socket.setdefaulttimeout(null);
        }
      },
      function* (f) {
        yield* f.cli.connect([HOST, f.port]);
      },
    ),
  );

  test('testAccept', (c) => {
    const ev = new Event();
    return threadedTCP(
      c,
      function* ({ serv }) {
        serv.setblocking(false);
        yield* raises(socket.BlockingIOError, () => serv.accept());
        ev.set();
        const [conn] = yield* whenReady(() => serv.accept());
        try {
          expect(conn.gettimeout()).to.equal(null);
        } finally {
          conn.close();
        }
      },
      function* (f) {
        yield* ev.wait();
        yield* f.cli.connect([HOST, f.port]);
      },
    );
  });

  test('testRecv', (c) => {
    const ev = new Event();
    return threadedTCP(
      c,
      function* ({ serv }) {
        const [conn] = yield* serv.accept();
        try {
          conn.setblocking(false);
          yield* raises(socket.BlockingIOError, () => conn.recv(MSG.length));
          ev.set();
          expect(yield* whenReady(() => conn.recv(MSG.length))).to.deep.equal(MSG);
        } finally {
          conn.close();
        }
      },
      function* (f) {
        yield* f.cli.connect([HOST, f.port]);
        yield* ev.wait();
        yield* f.cli.sendall(MSG);
      },
    );
  });
});
