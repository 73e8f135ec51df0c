/**
 * Echo benchmark of the socket-compat echo server (examples/echo-server: one
 * tasklet per connection, `recv` + `sendall`) against Node's `net` echo
 * server and the C epoll echo server, in the same run.
 *
 *   npm run bench:echo      (builds, then node build/bench/echo-compat/run.js)
 *
 * Each server runs in its own process (pinned to CPU 0 when taskset works);
 * the closed-loop C load generator of bench/echo (load.c: 64-byte requests,
 * each connection waits for the whole echo before sending the next) runs in
 * another process on CPU 1, at 1, 100 and 1,000 connections. All servers
 * are started first and stay idle while another one is measured; the runs
 * are interleaved (for each round, for each connection count, every server
 * in turn) and each cell shows the best round by req/s, with every round as
 * "req/s / CPU other processes used meanwhile (% of one CPU)". "server CPU
 * µs/request" is the server process's CPU time (user + system, all threads)
 * over the responses of a run: the measure that noise on a shared machine
 * moves least. The plumbing (compiling the C programs, pinning, killing
 * children) is bench/echo/harness.ts, the session (rounds, retries, tables)
 * bench/echo/matrix.ts, shared with bench/echo/run.ts.
 *
 * Environment: ECHO_SERVERS (comma list of compat, compat-epoll, compat-uring,
 * compat-libuv, compat-into, compat-4k, node-net, c-epoll, ours-epoll,
 * ours-uring; default compat, compat-uring, compat-libuv, node-net, c-epoll). compat is the example as it ships (recv(1024) +
 * sendall) on the default backend (epoll on Linux); compat-epoll and
 * compat-uring the same on the epoll and io_uring backends, compared head
 * to head; compat-libuv the same on the libuv backend (beside Node net,
 * which it is built on);
 * compat-into runs it with --recv-into (recv_into one buffer per
 * connection + sendall of a view); compat-4k with --bufsize 4096;
 * ours-epoll is bench/echo's server on the raw io layer (no socket-compat).
 * ECHO_CONNS (1,100,1000), ECHO_ROUNDS (3), ECHO_DURATION (1.5 s),
 * ECHO_WARMUP (1 s), ECHO_RETRIES (2: how many times a run during which
 * other processes took over 10% of a CPU is repeated, when the time
 * budget leaves time for it), ECHO_BUDGET (115 s: no run starts after
 * it, so the whole command ends within about two minutes), ECHO_SIZE (64), COMPAT_FLAGS (extra flags for every
 * compat server), BENCH_NODE_FLAGS (extra node flags for the Node servers),
 * ECHO_JSON (also write the raw results there), ECHO_BEFORE (the directory of
 * another built checkout: servers `before` and `before-libuv` run its
 * example, e.g. ECHO_SERVERS=compat,before,c-epoll ECHO_BEFORE=../old).
 * Before the last line: ratio_vs_c_epoll_1000=<median over rounds of compat
 * req/s ÷ C epoll req/s in the same round, at 1,000 connections> and
 * worst_ratio_vs_c_epoll_1000=<the lowest round's>.
 * Also before the last line: ratio_compat-uring_vs_compat_<conns>=<req/s ratio>.
 * Last line: ratio_vs_c_epoll_100=<compat req/s ÷ C epoll req/s at 100 connections>.
 */
import path from 'node:path';
import { codeHash, compileNative, ROOT, serverSpecs, type ServerSpec } from '../echo/harness.js';
import { runMatrix } from '../echo/matrix.js';

const DEFAULT = ['compat', 'compat-uring', 'compat-libuv', 'node-net', 'c-epoll'];
const compatFlags = (process.env.COMPAT_FLAGS ?? '').split(' ').filter((s) => s !== '');

/** The socket-compat echo server, as a user runs it (plus a lifetime bound and `flags`). */
function compatSpec(name: string, flags: string[], root = ROOT): ServerSpec {
  const main = path.join(root, 'build', 'examples', 'echo-server', 'main.js');
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((s) => s !== '');
  return { name, cmd: process.execPath, args: [...extra, main, '--port', '0', '--max-seconds', '300', ...flags, ...compatFlags] };
}

compileNative();
await runMatrix({
  title: 'echo benchmark (socket-compat)',
  // The code under test: runtime, the backends (compat-libuv runs io-libuv), socket-compat, native/ and the example.
  code: codeHash([...['runtime', 'shim-backend', 'io-epoll', 'io-uring', 'io-libuv', 'socket-compat'].map((p) => `packages/${p}/src`), 'native', 'examples/echo-server']),
  servers: (process.env.ECHO_SERVERS ?? DEFAULT.join(',')).split(',').filter((s) => s !== ''),
  specs: {
    ...serverSpecs(),
    compat: compatSpec('compat', []),
    'compat-epoll': compatSpec('compat-epoll', ['--backend', 'epoll']),
    'compat-uring': compatSpec('compat-uring', ['--backend', 'io_uring']),
    'compat-into': compatSpec('compat-into', ['--recv-into']),
    'compat-4k': compatSpec('compat-4k', ['--bufsize', '4096']),
    'compat-libuv': compatSpec('compat-libuv', ['--backend', 'libuv']),
    // ECHO_BEFORE: another built checkout, for before/after pairs in one run.
    ...(process.env.ECHO_BEFORE ? { before: compatSpec('before', [], path.resolve(process.env.ECHO_BEFORE)), 'before-libuv': compatSpec('before-libuv', ['--backend', 'libuv'], path.resolve(process.env.ECHO_BEFORE)) } : {}),
  },
  ours: (s) => s.startsWith('compat') || s.startsWith('ours-') || s.startsWith('before'),
  headline: 'compat',
  connsList: (process.env.ECHO_CONNS ?? '1,100,1000').split(',').map(Number),
  size: Number(process.env.ECHO_SIZE ?? 64),
  rounds: Number(process.env.ECHO_ROUNDS ?? 3),
  duration: Number(process.env.ECHO_DURATION ?? 1.5),
  warmup: Number(process.env.ECHO_WARMUP ?? 1),
  retries: Number(process.env.ECHO_RETRIES ?? 2),
  noisyPct: 10,
  budgetMs: Number(process.env.ECHO_BUDGET ?? 115) * 1000,
  // compat runs the default backend, epoll on Linux: io_uring against it.
  compare: [['compat-uring', 'compat']],
});
