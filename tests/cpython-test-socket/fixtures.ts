// The base classes of CPython's test_socket as fixtures. Where CPython runs a
// client thread beside the test (ThreadableTest), the fixture runs the
// client half as a second tasklet: `server` is the test method, `client` its
// `_test` twin. As in CPython, the client's socket is closed when its half
// ends (clientTearDown), the server's when the test ends (tearDown).
import type { TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import type { Ctx } from './frame.js';
import { HOST, bindPort, closeAll, tcpServer, udpServer } from './support.js';

/** What the halves of a threaded test share. */
export interface Pair {
  /** The server's socket: listening (TCP), bound (UDP), or one end of a socketpair. */
  serv: socket.socket;
  /** The port `serv` is bound to (0 for a socketpair). */
  port: number;
  /** The client's socket (unconnected for ThreadedTCPSocketTest). */
  cli: socket.socket;
}

/** A half of a threaded test. */
export type Half<F> = (f: F) => TaskletGenerator<void>;

/** Runs both halves: the client in its own tasklet, closing `cli` when it ends; then closes `serv`. */
function* runHalves<F extends Pair>(c: Ctx, f: F, server: Half<F>, client: Half<F>, closeServer: () => void): TaskletGenerator<void> {
  const t = c.actor(function* () {
    try {
      yield* client(f);
    } finally {
      f.cli.close();
    }
  });
  try {
    yield* server(f);
    yield* c.join(t);
  } finally {
    closeServer();
  }
}

/** ThreadedTCPSocketTest: a listening server and an unconnected client. */
export function* threadedTCP(c: Ctx, server: Half<Pair>, client: Half<Pair>): TaskletGenerator<void> {
  const { serv, port } = yield* tcpServer();
  const f: Pair = { serv, port, cli: new socket.socket(socket.AF_INET, socket.SOCK_STREAM) };
  yield* runHalves(c, f, server, client, () => serv.close());
}

/** ThreadedUDPSocketTest (ThreadedUDPLITESocketTest with IPPROTO_UDPLITE): a bound server and an unbound client. */
export function* threadedUDP(c: Ctx, server: Half<Pair>, client: Half<Pair>, proto = 0): TaskletGenerator<void> {
  const { serv, port } = yield* udpServer(proto);
  let cli: socket.socket;
  try {
    cli = new socket.socket(socket.AF_INET, socket.SOCK_DGRAM, proto);
  } catch (e) {
    serv.close();
    throw e;
  }
  const f: Pair = { serv, port, cli };
  yield* runHalves(c, f, server, client, () => serv.close());
}

/** What SocketConnectedTest adds: the accepted end and the connected client. */
export interface Connected extends Pair {
  /** The server's end of the connection (accepted). */
  cli_conn: socket.socket;
  /** The client's end of the connection (the same socket as `cli`). */
  serv_conn: socket.socket;
}

/** How the client half gets its connected socket (the port is the server's). */
export type ClientConnect = (port: number) => TaskletGenerator<socket.socket>;

/** SocketConnectedTest's clientSetUp: a new socket, then connect(). */
export function* plainConnect(port: number): TaskletGenerator<socket.socket> {
  const cli = new socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  try {
    yield* cli.connect([HOST, port]);
  } catch (e) {
    cli.close();
    throw e;
  }
  return cli;
}

/** NetworkConnectionTest's clientSetUp: create_connection(). */
export function* createConnection(port: number): TaskletGenerator<socket.socket> {
  return yield* socket.create_connection([HOST, port]);
}

/** SocketConnectedTest: the client connects, the server accepts, then both halves run. */
export function* connectedTCP(c: Ctx, server: Half<Connected>, client: Half<Connected>, connect: ClientConnect = plainConnect): TaskletGenerator<void> {
  const { serv, port } = yield* tcpServer();
  const f = { serv, port } as Connected;
  const t = c.actor(function* () {
    try {
      f.cli = f.serv_conn = yield* connect(port);
      yield* client(f);
    } finally {
      f.cli?.close();
    }
  });
  try {
    [f.cli_conn] = yield* serv.accept();
    try {
      yield* server(f);
      yield* c.join(t);
    } finally {
      f.cli_conn.close();
    }
  } finally {
    serv.close();
  }
}

/** SocketPairTest: the two ends of socketpair(). */
export function* socketPair(c: Ctx, server: Half<Pair>, client: Half<Pair>, family?: number, type?: number): TaskletGenerator<void> {
  const [serv, cli] = yield* socket.socketpair(family ?? null, type);
  yield* runHalves(c, { serv, cli, port: 0 }, server, client, () => serv.close());
}

export { bindPort, closeAll };
