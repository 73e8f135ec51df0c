// Run by lifecycle.test.ts in a child process: leaves the backend in a given
// state and lets the script end, so the parent can see whether the process
// exits (nothing waits) or stays until its blocked tasklet is served.
import { installBackend, io, spawn, type InetAddress } from '@stackless-io/runtime';
import { wakeFromLoop } from '@stackless-io/runtime/internal';
import { backend } from '@stackless-io/io-libuv';

const b = installBackend(backend.create(wakeFromLoop));
const LO = '127.0.0.1';
const mode = process.argv[2];

function listener(): [number, number] {
  const l = io.socket('inet', 'stream');
  io.bind(l, { family: 'inet', host: LO, port: 0 });
  io.listen(l);
  return [l, (io.getsockname(l) as InetAddress).port];
}

/**
 * Later, from a timer that does not itself keep the process alive; it
 * prints "serving" first, so the parent sees that the process was still
 * there when the timer came.
 */
function later(fn: () => Generator<any, void, any>): void {
  setTimeout(() => {
    console.log('serving');
    spawn(fn);
  }, 300).unref();
}

switch (mode) {
  case 'idle':
    // Open sockets of every kind, some with unread data arriving, and nothing waiting.
    spawn(function* () {
      const [l, port] = listener();
      const c = io.socket('inet', 'stream');
      yield* io.connect(c, { family: 'inet', host: LO, port });
      const { handle: s } = yield* io.accept(l);
      yield* io.sendAll(c, Uint8Array.of(1));
      yield* io.recv(s, 1);
      yield* io.sendAll(s, new Uint8Array(1000));
      const u = io.socket('inet', 'dgram');
      io.bind(u, { family: 'inet', host: LO, port: 0 });
      yield* io.sendto(u, Uint8Array.of(2), io.getsockname(u));
      yield* io.recvfrom(u, 1);
      yield* io.sendto(u, Uint8Array.of(3), io.getsockname(u));
      console.log(`idle ${JSON.stringify(b.stats())}`);
    });
    break;
  case 'accept':
    spawn(function* () {
      const [l, port] = listener();
      later(function* () {
        const c = io.socket('inet', 'stream');
        yield* io.connect(c, { family: 'inet', host: LO, port });
        io.close(c);
      });
      const { handle } = yield* io.accept(l);
      io.close(handle);
      io.close(l);
      console.log('accepted');
    });
    break;
  case 'recv':
    spawn(function* () {
      const [l, port] = listener();
      const c = io.socket('inet', 'stream');
      yield* io.connect(c, { family: 'inet', host: LO, port });
      const { handle: s } = yield* io.accept(l);
      later(function* () {
        yield* io.sendAll(c, Uint8Array.of(9));
      });
      const got = yield* io.recv(s, 10);
      for (const h of [c, s, l]) io.close(h);
      console.log(`received ${got.length}`);
    });
    break;
  case 'recvfrom':
    spawn(function* () {
      const u = io.socket('inet', 'dgram');
      io.bind(u, { family: 'inet', host: LO, port: 0 });
      later(function* () {
        yield* io.sendto(u, Uint8Array.of(1, 2), io.getsockname(u));
      });
      const got = yield* io.recvfrom(u, 10);
      io.close(u);
      console.log(`received ${got.data.length}`);
    });
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}
