/**
 * Our echo server: one tasklet per connection, blocking style
 * (io.accept / io.recvInto / io.sendAll), over the IO backend named by
 * --backend (or $STACKLESS_IO_BACKEND; default: the best available, epoll
 * on Linux).
 *
 * Default mode: the scheduler lives beside Node's event loop (no blocking).
 * --exclusive: the tasklets own the thread; runExclusive() blocks in the
 * backend's kernel wait.
 *
 * usage: node build/bench/echo/ours-server.js [--port N] [--backend epoll|libuv]
 *          [--exclusive] [--alloc] [--buf BYTES] [--acceptors N] [--max-seconds S]
 * Prints "listening <port> <backend> <mode>" once it accepts connections.
 * --alloc uses io.recv (a new buffer per read) instead of io.recvInto.
 * --acceptors N: N tasklets blocked in io.accept on the listening socket
 * (default 1; more accept faster when many connections arrive at once).
 * --max-seconds S: exits (code 0) after S seconds; lets --cpu-prof write its
 * profile.
 */
import { io, runExclusive, sleep, spawn, SockOpt, useBackend, type TaskletGenerator } from '@stackless-io/runtime';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(argValue('--port') ?? 0);
const backendName = argValue('--backend') ?? process.env.STACKLESS_IO_BACKEND ?? undefined;
const exclusive = process.argv.includes('--exclusive');
const alloc = process.argv.includes('--alloc');
const bufSize = Number(argValue('--buf') ?? 16384);
const maxSeconds = Number(argValue('--max-seconds') ?? 600);
const acceptors = Number(argValue('--acceptors') ?? 1);

let unexpected = 0;

function* serve(h: number): TaskletGenerator<void> {
  const buf = new Uint8Array(bufSize);
  try {
    for (;;) {
      if (alloc) {
        const data = yield* io.recv(h, bufSize);
        if (data.length === 0) break;
        yield* io.sendAll(h, data);
      } else {
        const n = yield* io.recvInto(h, buf);
        if (n === 0) break;
        yield* io.sendAll(h, n === buf.length ? buf : buf.subarray(0, n));
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') {
      if (unexpected++ < 5) console.error('connection error:', e);
    }
  } finally {
    io.close(h);
  }
}

function* acceptor(ls: number): TaskletGenerator<void> {
  for (;;) {
    let conn: { handle: number };
    try {
      conn = yield* io.accept(ls);
    } catch (e) {
      // EMFILE and friends: say so, back off briefly, keep serving.
      if (unexpected++ < 5) console.error('accept error:', e);
      yield* sleep(0.01);
      continue;
    }
    try {
      io.setsockopt(conn.handle, SockOpt.NODELAY, 1);
    } catch {
      /* a unix socket or an already reset connection */
    }
    spawn(serve, conn.handle);
  }
}

function* stopAfter(seconds: number): TaskletGenerator<void> {
  yield* sleep(seconds);
  process.exit(0);
}

const backend = await useBackend(backendName);
const ls = io.socket('inet', 'stream');
io.setsockopt(ls, SockOpt.REUSEADDR, 1);
io.bind(ls, { family: 'inet', host: '127.0.0.1', port });
io.listen(ls, 4096);
const bound = io.getsockname(ls);
process.stdout.write(`listening ${'port' in bound ? bound.port : 0} ${backend.name} ${exclusive ? 'exclusive' : 'default'}\n`);

for (let i = 0; i < acceptors; i++) spawn(acceptor, ls);
spawn(stopAfter, maxSeconds);
if (exclusive) {
  runExclusive();
}
