/**
 * Echo benchmark across backends: each server in its own process (pinned to
 * CPU 0 when taskset works), the C closed-loop load generator on CPU 1, at
 * 1, 100 and 1,000 connections, 64-byte requests.
 *
 *   npm run bench:echo-backend
 *
 * All servers are started first and stay idle while another is measured;
 * the runs are interleaved (for each round, for each connection count, every
 * server in turn) and each cell reports the best round by req/s, with the
 * other rounds' req/s beside it. On a shared machine, other work only ever
 * makes a run slower, so the best round is the least disturbed one; the
 * spread shows how disturbed they were: each round as "req/s / CPU other
 * processes used meanwhile (% of one CPU)".
 *
 * Environment: ECHO_SERVERS (comma list of ours-epoll, ours-uring,
 * ours-epoll-excl, ours-uring-excl, ours-libuv, node-net, c-epoll; default
 * all but ours-uring-excl, to stay under two minutes), ECHO_CONNS
 * (default 1,100,1000), ECHO_SIZE (64), ECHO_ROUNDS (2), ECHO_DURATION
 * (2 s per run), ECHO_WARMUP (1 s), ECHO_RETRIES (0: how many times a run
 * during which other processes took over 10% of a CPU is repeated, time
 * allowing), ECHO_JSON (also write the raw results there). The session
 * itself is bench/echo/matrix.ts, shared with bench/echo-compat/run.ts.
 * "server CPU µs/request": the server process's CPU time (user + system, all
 * threads) during a run divided by the responses of that run; on a busy
 * machine it is much steadier than req/s, and "CPU efficiency" (C's or
 * Node's µs/request over ours) is the throughput ratio the two servers
 * would have if each had a whole core to itself.
 * "ramp ms": from the first connect() to the last connection's first
 * response (how fast the server accepts); warm-up and measurement start after it.
 * Before the last line, io_uring against epoll (which one is the default
 * Linux backend): ratio_ours-uring_vs_ours-epoll_<conns>=<req/s ratio>, and
 * the same for the exclusive mode when both ran.
 * Last line: ratio_vs_c_epoll_100=<ours-epoll default / C epoll at 100 conns>.
 */
import { serverSpecs, sourcesHash, compileNative } from './harness.js';
import { runMatrix } from './matrix.js';

// The default list keeps the command under two minutes; ours-uring-excl
// (io_uring in exclusive mode) is there too for ECHO_SERVERS.
const ALL = ['ours-epoll', 'ours-uring', 'ours-epoll-excl', 'ours-libuv', 'node-net', 'c-epoll'];

compileNative();
await runMatrix({
  title: 'echo benchmark',
  code: sourcesHash(),
  servers: (process.env.ECHO_SERVERS ?? ALL.join(',')).split(',').filter((s) => s !== ''),
  specs: serverSpecs(),
  ours: (s) => s.startsWith('ours-'),
  headline: 'ours-epoll',
  connsList: (process.env.ECHO_CONNS ?? '1,100,1000').split(',').map(Number),
  size: Number(process.env.ECHO_SIZE ?? 64),
  rounds: Number(process.env.ECHO_ROUNDS ?? 2),
  duration: Number(process.env.ECHO_DURATION ?? 2),
  warmup: Number(process.env.ECHO_WARMUP ?? 1),
  retries: Number(process.env.ECHO_RETRIES ?? 0),
  noisyPct: 10,
  budgetMs: 105_000,
  compare: [
    ['ours-uring', 'ours-epoll'],
    ['ours-uring-excl', 'ours-epoll-excl'],
  ],
});
