// NetworkConnectionNoServer, NetworkConnectionAttributesTest and
// NetworkConnectionBehaviourTest of CPython's test_socket:
// create_connection()'s errors, attributes and timeouts.
import { expect } from 'chai';
import { constants } from 'node:os';
import { currentBackend, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { until } from '@stackless-io/test-support';
import { threadedTCP, type Pair } from './fixtures.js';
import { testClass } from './frame.js';
import { Event, HOST, b, raises } from './support.js';
import { waitFor } from '@stackless-io/runtime';

const { ECONNREFUSED, EADDRINUSE } = constants.errno;

/** socket_helper.find_unused_port: a port nothing listens on (bound, then released). */
function* findUnusedPort(): TaskletGenerator<number> {
  const s = new socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  try {
    yield* s.bind([HOST, 0]);
    return (s.getsockname() as [string, number])[1];
  } finally {
    s.close();
  }
}

testClass('NetworkConnectionNoServer', ({ test, cannot }) => {
  test('test_connect', function* () {
    const port = yield* findUnusedPort();
    const cli = new socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    try {
      const e = yield* raises<socket.OSError>(socket.OSError, () => cli.connect([HOST, port]));
      expect(e.errno).to.equal(ECONNREFUSED);
    } finally {
      cli.close();
    }
  });

  test('test_create_connection', function* () {
    const port = yield* findUnusedPort();
    const e = yield* raises<socket.OSError>(socket.OSError, () => socket.create_connection([HOST, port]));
    expect(e.errno).to.equal(ECONNREFUSED);
  });

  test('test_create_connection_all_errors', function* () {
    const port = yield* findUnusedPort();
    let eg: AggregateError | null = null;
    try {
      (yield* socket.create_connection([HOST, port], undefined, null, { all_errors: true })).close();
    } catch (e) {
      eg = e as AggregateError;
    }
    expect(eg, 'expected connection to fail').to.be.instanceOf(AggregateError);
    for (const e of eg!.errors) expect(e).to.be.instanceOf(socket.OSError);
    const addresses = yield* socket.getaddrinfo('localhost', port, 0, socket.SOCK_STREAM);
    expect(eg!.errors.length).to.equal(addresses.length);
  });

  cannot('test_create_connection_timeout', "it replaces socket.socket in the module with a mock class, and an ES module's exports are read-only bindings");
});

/** NetworkConnectionAttributesTest: the server only accepts; the client half checks create_connection(). */
function justAccept(client: (f: Pair) => TaskletGenerator<socket.socket>) {
  return (c: Parameters<typeof threadedTCP>[0]) =>
    threadedTCP(
      c,
      function* ({ serv }) {
        const [conn] = yield* serv.accept();
        conn.close();
      },
      function* (f) {
        const cli = yield* client(f);
        cli.close();
      },
    );
}

testClass('NetworkConnectionAttributesTest', ({ test }) => {
  test(
    'testFamily',
    justAccept(function* ({ port }) {
      const cli = yield* socket.create_connection([HOST, port], 30);
      expect(Number(cli.family)).to.equal(2);
      return cli;
    }),
  );

  test(
    'testSourceAddress',
    justAccept(function* ({ port }) {
      // Another process may take the port between its release and the bind (CPython's tests retry so too).
      for (let i = 0; ; i++) {
        const source = yield* findUnusedPort();
        try {
          const cli = yield* socket.create_connection([HOST, port], 30, ['', source]);
          expect((cli.getsockname() as [string, number])[1]).to.equal(source);
          return cli;
        } catch (e) {
          if ((e as socket.OSError).errno !== EADDRINUSE || i === 5) throw e;
        }
      }
    }),
  );

  test(
    'testTimeoutDefault',
    justAccept(function* ({ port }) {
      expect(socket.getdefaulttimeout()).to.equal(null);
      socket.setdefaulttimeout(42);
      let cli: socket.socket;
      try {
        cli = yield* socket.create_connection([HOST, port]);
      } finally {
        socket.setdefaulttimeout(null);
      }
      expect(cli.gettimeout()).to.equal(42);
      return cli;
    }),
  );

  test(
    'testTimeoutNone',
    justAccept(function* ({ port }) {
      expect(socket.getdefaulttimeout()).to.equal(null);
      socket.setdefaulttimeout(30);
      let cli: socket.socket;
      try {
        cli = yield* socket.create_connection([HOST, port], null);
      } finally {
        socket.setdefaulttimeout(null);
      }
      expect(cli.gettimeout()).to.equal(null);
      return cli;
    }),
  );

  test(
    'testTimeoutValueNamed',
    justAccept(function* ({ port }) {
      const cli = yield* socket.create_connection([HOST, port], 30);
      expect(cli.gettimeout()).to.equal(30);
      return cli;
    }),
  );

  test(
    'testTimeoutValueNonamed',
    justAccept(function* ({ port }) {
      const cli = yield* socket.create_connection([HOST, port], 30);
      expect(cli.gettimeout()).to.equal(30);
      return cli;
    }),
  );
});

testClass('NetworkConnectionBehaviourTest', ({ test }) => {
  // CPython's server sleeps 3 seconds before sending; here it waits until the
  // client is blocked in recv (no timeout: the recv waits as long as it takes).
  test('testInsideTimeout', (c) =>
    threadedTCP(
      c,
      function* ({ serv }) {
        const [conn] = yield* serv.accept();
        try {
          yield* waitFor(until('the client blocked in recv', () => currentBackend().stats().pending >= 1));
          yield* conn.send(b('done!'));
        } finally {
          conn.close();
        }
      },
      function* (f) {
        f.cli.close();
        f.cli = yield* socket.create_connection([HOST, f.port]);
        expect(yield* f.cli.recv(5)).to.deep.equal(b('done!'));
      },
    ),
  );

  // Here the server sends only after the client's recv timed out (CPython's 3-second sleep against a 1-second timeout).
  test('testOutsideTimeout', (c) => {
    const timedOut = new Event();
    return threadedTCP(
      c,
      function* ({ serv }) {
        const [conn] = yield* serv.accept();
        try {
          yield* timedOut.wait();
          yield* conn.send(b('done!'));
        } finally {
          conn.close();
        }
      },
      function* (f) {
        f.cli.close();
        f.cli = yield* socket.create_connection([HOST, f.port], 1);
        const sock = f.cli;
        yield* raises(socket.TimeoutError, () => sock.recv(5));
        timedOut.set();
      },
    );
  });
});
