// CreateServerTest and CreateServerFunctionalTest of CPython's test_socket:
// create_server()'s address, family, options and an echo over IPv4, IPv6
// and a dual-stack server. CPython's echo thread is a tasklet here.
import { expect } from 'chai';
import { constants } from 'node:os';
import { sleep, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { testClass, type Ctx } from './frame.js';
import { b } from './support.js';

/** socket_helper.find_unused_port, for a family. */
function* findUnusedPort(family: socket.Int = socket.AF_INET): TaskletGenerator<number> {
  const s = new socket.socket(family, socket.SOCK_STREAM);
  try {
    yield* s.bind([socket.AddressFamily(family) === socket.AF_INET ? '127.0.0.1' : '::1', 0]);
    return (s.getsockname() as [string, number])[1];
  } finally {
    s.close();
  }
}

/**
 * Runs `body` with a port find_unused_port() gave, again with a new port
 * (up to 5 times) when the bind says EADDRINUSE: between releasing the port
 * and binding it again another process may take it (CPython's own tests
 * retry the same way), and a backend over Node's net may release it a turn
 * later than close() returns.
 */
function* withUnusedPort(family: socket.Int, body: (port: number) => TaskletGenerator<void>): TaskletGenerator<void> {
  for (let i = 0; ; i++) {
    const port = yield* findUnusedPort(family);
    try {
      return yield* body(port);
    } catch (e) {
      if ((e as socket.OSError).errno !== EADDRINUSE || i === 5) throw e;
      yield* sleep(0.01);
    }
  }
}

/** `with socket.create_server(...) as sock:` */
function* withServer(address: [string, number], options: socket.CreateServerOptions, body: (s: socket.socket) => TaskletGenerator<void>): TaskletGenerator<void> {
  yield* socket.withSocket(yield* socket.create_server(address, options), body);
}

const TIMEOUT = 30;
const { EADDRINUSE } = constants.errno;

testClass('CreateServerTest', ({ test }) => {
  test('test_address', function* () {
    yield* withUnusedPort(socket.AF_INET, function* (port) {
      yield* withServer(['127.0.0.1', port], {}, function* (sock) {
        expect(sock.getsockname()).to.deep.equal(['127.0.0.1', port]);
      });
      yield* withServer(['::1', port], { family: socket.AF_INET6 }, function* (sock) {
        const [host, p] = sock.getsockname() as [string, number];
        expect([host, p]).to.deep.equal(['::1', port]);
      });
    });
  });

  test('test_family_and_type', function* () {
    yield* withServer(['127.0.0.1', 0], {}, function* (sock) {
      expect(sock.family).to.equal(socket.AF_INET);
      expect(sock.type).to.equal(socket.SOCK_STREAM);
    });
    yield* withServer(['::1', 0], { family: socket.AF_INET6 }, function* (s) {
      expect(s.family).to.equal(socket.AF_INET6);
      expect(s.type).to.equal(socket.SOCK_STREAM);
    });
  });

  test('test_reuse_port', function* () {
    yield* withServer(['localhost', 0], {}, function* (sock) {
      expect(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)).to.equal(0);
    });
    yield* withServer(['localhost', 0], { reuse_port: true }, function* (sock) {
      expect(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)).not.to.equal(0);
    });
  });

  test('test_ipv6_only_default', function* () {
    yield* withServer(['::1', 0], { family: socket.AF_INET6 }, function* (sock) {
      expect(sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).not.to.equal(0);
    });
  });

  test('test_dualstack_ipv6_family', function* () {
    expect(socket.has_dualstack_ipv6(), 'dualstack_ipv6 supported').to.equal(true);
    yield* withServer(['::1', 0], { family: socket.AF_INET6, dualstack_ipv6: true }, function* (sock) {
      expect(sock.family).to.equal(socket.AF_INET6);
    });
  });
});

/** CreateServerFunctionalTest.echo_server: accept one connection in a tasklet and echo one message. */
function echoServer(c: Ctx, sock: socket.socket): void {
  sock.settimeout(TIMEOUT);
  c.actor(function* () {
    const [conn] = yield* sock.accept();
    yield* socket.withSocket(conn, function* () {
      const msg = yield* conn.recv(1024);
      if (msg.length > 0) yield* conn.sendall(msg);
    });
  });
}

/** CreateServerFunctionalTest.echo_client. */
function* echoClient(addr: [string, number], family: socket.Int): TaskletGenerator<void> {
  yield* socket.withSocket(new socket.socket(family), function* (sock) {
    sock.settimeout(TIMEOUT);
    yield* sock.connect(addr);
    yield* sock.sendall(b('foo'));
    expect(yield* sock.recv(1024)).to.deep.equal(b('foo'));
  });
}

testClass('CreateServerFunctionalTest', ({ test }) => {
  const cases: [string, socket.CreateServerOptions, string, socket.AddressFamily][] = [
    ['test_tcp4', {}, '127.0.0.1', socket.AF_INET],
    ['test_tcp6', { family: socket.AF_INET6 }, '::1', socket.AF_INET6],
    ['test_dual_stack_client_v4', { family: socket.AF_INET6, dualstack_ipv6: true }, '127.0.0.1', socket.AF_INET],
    ['test_dual_stack_client_v6', { family: socket.AF_INET6, dualstack_ipv6: true }, '::1', socket.AF_INET6],
  ];
  for (const [name, options, host, family] of cases) {
    test(name, function* (c) {
      yield* withUnusedPort(options.family ?? socket.AF_INET, function* (port) {
        const sock = yield* socket.create_server(['', port], options);
        try {
          echoServer(c, sock);
          yield* echoClient([host, port], family);
          yield* c.finish();
        } finally {
          sock.close();
        }
      });
    });
  }
});
