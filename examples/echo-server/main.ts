/**
 * An echo server written the way it would be in Python with blocking
 * sockets, on socket-compat: one tasklet per connection, each looping over
 * `recv` and `sendall`. A blocked call blocks only its own tasklet, so one
 * process serves thousands of connections without callbacks or threads.
 *
 *   node build/examples/echo-server/main.js --port 9000
 *
 * Options:
 *   --port N         TCP port on --host (default 9000; 0 picks a free one)
 *   --host ADDR      address to listen on (default 127.0.0.1)
 *   --bufsize N      bytes asked of each recv() (default 1024, as in Python's docs)
 *   --recv-into      receive into one buffer per connection (recv_into +
 *                    sendall of a view: Python's zero-allocation idiom)
 *                    instead of a new bytes object per recv()
 *   --backlog N      listen() backlog (default 4096, the kernel caps it)
 *   --acceptors N    tasklets blocked in accept() on the listening socket (default 1)
 *   --backend NAME   IO backend (default: the best one here, epoll on Linux;
 *                    also $STACKLESS_IO_BACKEND)
 *   --max-seconds S  stop by itself after S seconds (default: never)
 *   --quiet          no per-connection log lines (the default: none either;
 *                    --verbose prints one line per connection)
 *
 * Prints "listening <port> <backend> echo-server" once it accepts
 * connections (port 0 gives a free port: read it from that line). SIGINT or
 * SIGTERM stops it cleanly: the listening socket and every connection are
 * closed, each tasklet ends, and it prints "stopped: ..." before exiting 0.
 */
import { sleep, spawn, useBackend, type TaskletGenerator } from '@stackless-io/runtime';
import {
  AF_INET,
  IPPROTO_TCP,
  OSError,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  TCP_NODELAY,
  socket,
} from '@stackless-io/socket-compat';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined) throw new Error(`${name} needs a value`);
  return v;
}

function intOption(name: string, fallback: number, min: number, max: number): number {
  const v = Number(option(name, String(fallback)));
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer in [${min}, ${max}]`);
  return v;
}

const port = intOption('--port', 9000, 0, 65535);
const host = option('--host', '127.0.0.1');
const bufsize = intOption('--bufsize', 1024, 1, 1 << 24);
const backlog = intOption('--backlog', 4096, 1, 1 << 16);
const acceptors = intOption('--acceptors', 1, 1, 64);
const maxSeconds = Number(option('--max-seconds', '0'));
const verbose = process.argv.includes('--verbose');
const recvInto = process.argv.includes('--recv-into');
const backendName = process.argv.includes('--backend') ? option('--backend', '') : undefined;

/** Connections open now (closed on shutdown). */
const open = new Set<socket>();
let accepted = 0;
let stopping = false;

/** One connection: echo what arrives until the peer closes (recv returns b''). */
function* handle(conn: socket, peer: string): TaskletGenerator<void> {
  try {
    for (;;) {
      const data = yield* conn.recv(bufsize); // blocks this tasklet only
      if (data.length === 0) break;
      yield* conn.sendall(data);
    }
  } catch (e) {
    failed(e, peer);
  } finally {
    closed(conn, peer);
  }
}

/** The same with --recv-into: one buffer per connection, no allocation per message. */
function* handleInto(conn: socket, peer: string): TaskletGenerator<void> {
  try {
    const buf = Buffer.allocUnsafe(bufsize);
    for (;;) {
      const n = yield* conn.recv_into(buf);
      if (n === 0) break;
      yield* conn.sendall(n === bufsize ? buf : buf.subarray(0, n));
    }
  } catch (e) {
    failed(e, peer);
  } finally {
    closed(conn, peer);
  }
}

function failed(e: unknown, peer: string): void {
  // A peer that resets, or our own close() on shutdown (EBADF), ends the
  // connection; anything else is a bug worth seeing.
  if (!(e instanceof OSError)) throw e;
  if (verbose && !stopping) console.error(`${peer}: ${e.message}`);
}

function closed(conn: socket, peer: string): void {
  open.delete(conn);
  conn.close();
  if (verbose) console.log(`${peer} closed`);
}

function* acceptLoop(server: socket): TaskletGenerator<void> {
  while (!stopping) {
    let conn: socket;
    let addr: unknown;
    try {
      [conn, addr] = yield* server.accept();
    } catch (e) {
      if (stopping) break;
      if (!(e instanceof OSError)) throw e;
      // EMFILE, ENFILE, ECONNABORTED...: say so, back off a little, go on.
      console.error(`accept: ${(e as Error).message}`);
      yield* sleep(0.01);
      continue;
    }
    if (stopping) {
      conn.close();
      break;
    }
    accepted++;
    try {
      conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    } catch {
      // The peer may already have reset it; its first recv() says so.
    }
    open.add(conn);
    // The peer's name is kept only for --verbose: 10,000 idle connections
    // should not each hold a string nobody reads.
    const peer = verbose ? (Array.isArray(addr) ? `${addr[0]}:${addr[1]}` : String(addr)) : '';
    if (verbose) console.log(`${peer} connected`);
    spawn(recvInto ? handleInto : handle, conn, peer);
  }
}

const backend = await useBackend(backendName);
const server = new socket(AF_INET, SOCK_STREAM);
server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
server.bind([host, port]);
server.listen(backlog);
const [, boundPort] = server.getsockname() as [string, number];
process.stdout.write(`listening ${boundPort} ${backend.name} echo-server\n`);

const loops = Array.from({ length: acceptors }, () => spawn(acceptLoop, server));

/** Clean shutdown: stop accepting, close every connection, let every tasklet end. */
function stop(why: string): void {
  if (stopping) return;
  stopping = true;
  const wereOpen = open.size;
  server.close(); // wakes the accept loops with OSError(EBADF)
  for (const conn of [...open]) conn.close(); // wakes each handler with OSError(EBADF)
  // Should anything hang on, exit anyway (the timer does not keep Node alive).
  setTimeout(() => process.exit(0), 3000).unref();
  void Promise.allSettled(loops.map((t) => t.join())).then(() => {
    process.stdout.write(`stopped (${why}): ${accepted} connections served, ${wereOpen} were open\n`);
  });
}

// Whoever reads our stdout may be gone by the time we say goodbye.
process.stdout.on('error', () => undefined);
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
if (maxSeconds > 0) setTimeout(() => stop(`--max-seconds ${maxSeconds}`), maxSeconds * 1000).unref();
