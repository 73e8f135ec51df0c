// The runtime's socket operations (`io`) over a chosen IO backend.
import {
  ConnectionRefusedError,
  OSError,
  TimeoutError,
  availableBackends,
  io,
  schedule,
  spawn,
  useBackend,
  type InetAddress,
  type Tasklet,
  type TaskletGenerator,
} from '@stackless-io/runtime';

// <<select>>
const backend = await useBackend('libuv'); // runs wherever Node runs
console.log('backend:', backend.name);
const known = (await availableBackends()).map((b) => b.name);
console.log('known:', known.join(', '));
// <</select>>

// <<echo>>
const text = new TextEncoder();
const words = new TextDecoder();
const loopback: InetAddress = { family: 'inet', host: '127.0.0.1', port: 0 };

const listener = io.socket('inet', 'stream');
io.bind(listener, loopback);
io.listen(listener);
const { port } = io.getsockname(listener) as InetAddress; // the port the kernel picked

// One tasklet serves one connection: it echoes upper-cased until EOF.
const server = spawn(function* (): TaskletGenerator<void> {
  const { handle, addr } = yield* io.accept(listener);
  console.log('server: connection from', (addr as InetAddress).host);
  for (;;) {
    const data = yield* io.recv(handle, 4096); // blocks this tasklet only
    if (data.length === 0) break; // EOF
    yield* io.sendAll(handle, text.encode(words.decode(data).toUpperCase()));
  }
  io.close(handle);
});

const client = spawn(function* (): TaskletGenerator<string> {
  const h = io.socket('inet', 'stream');
  yield* io.connect(h, { ...loopback, port });
  yield* io.sendAll(h, text.encode('hello, tasklets'));
  const reply = words.decode(yield* io.recv(h, 4096));
  io.shutdown(h, 1); // no more to send: the server sees EOF
  io.close(h);
  return reply;
});

console.log('client got:', await client.join());
await server.join();
// <</echo>>

// <<errors>>
const errors = spawn(function* (): TaskletGenerator<Tasklet<[], void>> {
  // Nobody listens once the listener is closed: ECONNREFUSED.
  io.close(listener);
  const h = io.socket('inet', 'stream');
  try {
    yield* io.connect(h, { ...loopback, port });
  } catch (e) {
    if (e instanceof ConnectionRefusedError) console.log('connect:', e.name, e.code);
  } finally {
    io.close(h);
  }

  // A timeout (seconds) cancels the request: TimeoutError("timed out").
  const u = io.socket('inet', 'dgram');
  io.bind(u, loopback);
  try {
    yield* io.recvfrom(u, 1500, 0, 0.05);
  } catch (e) {
    if (e instanceof TimeoutError) console.log('recvfrom:', e.name, e.strerror);
  }

  // Closing a socket wakes the tasklets blocked on it with EBADF.
  const reader = spawn(function* (): TaskletGenerator<void> {
    try {
      yield* io.recvfrom(u, 1500);
    } catch (e) {
      if (e instanceof OSError) console.log('blocked recvfrom:', e.name, e.code);
    }
  });
  yield* schedule(); // the reader runs and blocks in recvfrom
  io.close(u);
  return reader;
});
await (await errors.join()).join();
// <</errors>>
