// An echo server and three clients, each a tasklet, with socket-compat.
import { spawn, useBackend, waitFor, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';

await useBackend(); // the best backend here: epoll on Linux, else libuv

// <<server>>
// socketserver.ThreadingTCPServer, with a tasklet where Python has a thread.
function* echo(conn: socket.socket): TaskletGenerator<void> {
  yield* socket.withSocket(conn, function* (c) {
    for (;;) {
      const data = yield* c.recv(4096); // blocks this tasklet only
      if (data.length === 0) return; // b'': the client shut down its side
      yield* c.sendall(data);
    }
  });
}

function* serve(server: socket.socket, connections: number): TaskletGenerator<void> {
  for (let i = 0; i < connections; i++) {
    const [conn, peer] = yield* server.accept(); // conn, peer = server.accept()
    console.log('accepted a connection from', peer[0]);
    spawn(echo, conn);
  }
  server.close();
}
// <</server>>

// <<client>>
function* client(name: string, address: [string, number]): TaskletGenerator<string> {
  const s = yield* socket.create_connection(address, 5); // 5 s timeout
  return yield* socket.withSocket(s, function* (s) {
    yield* s.sendall(Buffer.from(`hello from ${name}`));
    s.shutdown(socket.SHUT_WR); // no more to send
    const chunks: Buffer[] = [];
    for (let b = yield* s.recv(4096); b.length > 0; b = yield* s.recv(4096)) chunks.push(b);
    return Buffer.concat(chunks).toString();
  });
}
// <</client>>

// <<main>>
const main = spawn(function* (): TaskletGenerator<void> {
  const server = yield* socket.create_server(['127.0.0.1', 0]);
  const address = server.getsockname() as [string, number];
  const serving = spawn(serve, server, 3);
  const clients = ['ann', 'bob', 'cyd'].map((name) => spawn(client, name, address));
  yield* waitFor(serving.join()); // the three connections are accepted
  for (const t of clients) console.log('echoed:', yield* waitFor(t.join()));
});
await main.join();
// <</main>>
