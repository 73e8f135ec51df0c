// port.py, ported to socket-compat: threads become tasklets.
import { spawn, useBackend, waitFor, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';

// bytes.upper(): ASCII letters only, as Python does it.
const upper = (data: Uint8Array): Uint8Array => data.map((c) => (c >= 0x61 && c <= 0x7a ? c - 0x20 : c));

function* handle(conn: socket.socket): TaskletGenerator<void> {
  yield* socket.withSocket(conn, function* (conn) {
    for (;;) {
      const data = yield* conn.recv(1024);
      if (data.length === 0) break;
      yield* conn.sendall(upper(data));
    }
  });
}

function* serve(server: socket.socket): TaskletGenerator<void> {
  const [conn, addr] = yield* server.accept();
  console.log('server: connection from', addr[0]);
  yield* handle(conn);
}

function* main(): TaskletGenerator<void> {
  const server = yield* socket.create_server(['127.0.0.1', 0]);
  const [host, port] = server.getsockname() as [string, number];
  const t = spawn(serve, server);
  yield* socket.withSocket(yield* socket.create_connection([host, port], 5), function* (client) {
    yield* client.sendall(Buffer.from('hello, world'));
    const reply = yield* client.recv(1024);
    console.log('client: got', reply.toString());
  });
  yield* waitFor(t.join());
  server.close();
}

await useBackend();
await spawn(main).join();
