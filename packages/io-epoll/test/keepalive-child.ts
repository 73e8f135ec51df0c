// Child process for backend.test.ts: shows whether the epoll backend keeps
// Node's event loop alive. It never calls process.exit: the process ends by
// itself once nothing keeps the loop alive, or the parent's timeout kills it.
//   idle:    IO that finished leaves nothing ref'd: the process exits.
//   blocked: a tasklet blocked in accept/recv keeps it alive, although the
//            only thing that will ever wake it is an unref'd timer's client.
import { connect } from 'node:net';
import { io, spawn, useBackend, type SockAddr } from '@stackless-io/runtime';

await useBackend('epoll');
const l = io.socket('inet', 'stream');
io.bind(l, { family: 'inet', host: '127.0.0.1', port: 0 });
io.listen(l);
const addr = io.getsockname(l) as SockAddr & { port: number };

if (process.argv[2] === 'idle') {
  spawn(function* () {
    const { handle } = yield* io.accept(l);
    yield* io.sendAll(handle, Uint8Array.of(1));
    io.close(handle);
  });
  const t = spawn(function* () {
    const c = io.socket('inet', 'stream');
    yield* io.connect(c, addr);
    const got: Uint8Array = yield* io.recv(c, 4);
    io.close(c);
    io.close(l);
    return got.length;
  });
  process.stdout.write(`idle: echoed ${await t.join()} byte\n`);
} else {
  const t = spawn(function* () {
    const { handle } = yield* io.accept(l);
    const got: Uint8Array = yield* io.recv(handle, 16);
    io.close(handle);
    io.close(l);
    return new TextDecoder().decode(got);
  });
  setTimeout(() => {
    process.stdout.write('blocked: connecting\n');
    const c = connect(addr.port, '127.0.0.1', () => c.end('ping'));
  }, 300).unref();
  process.stdout.write(`blocked: got ${await t.join()}\n`);
}
