/**
 * The c10k demo: 10,000 concurrent TCP connections to ONE server process,
 * the socket-compat echo server of examples/echo-server (one tasklet per
 * connection, blocking-style recv/sendall), driven by a C client in another
 * process. Most connections sit idle; 1% send a 64-byte request every
 * 100 ms. A live line shows connections open, requests/s, p99 latency and
 * the server's resident memory; at the end, a summary with the memory each
 * connection costs the server.
 *
 *   npm start                          (builds, then runs this file)
 *   node build/examples/c10k/main.js [--seconds 20] [--connections 10000]
 *
 * Options:
 *   --seconds N       how long the client runs, ramp included (default 20)
 *   --connections N   concurrent connections (default 10000)
 *   --active PCT      percent of them that send requests (default 1)
 *   --interval MS     each active connection sends one request per MS (default 100)
 *   --bufsize N       the echo server's recv() size (default 1024, the example's own)
 *   --semi-space MB   V8's --max-semi-space-size for a Node server (default 0:
 *                     V8's own; 1 makes the young generation smaller, see README.md)
 *   --server NAME     compat (default), node (Node's net) or c (C epoll), for comparison
 *   --backend NAME    IO backend of the compat server (default: the runtime's choice)
 *   --json            also print the summary as one JSON line at the end
 *
 * Loopback only. The client compiles on the fly (gcc) into build/examples-native/.
 * Both children run with their soft open-file limit raised to what the
 * connections need (never above the hard limit; fewer connections, with a
 * warning, when the hard limit is too low). Every wait here has a deadline,
 * and both children are killed on the way out, Ctrl-C included.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// ---- options ---------------------------------------------------------------

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const NATIVE = path.join(ROOT, 'build', 'examples-native');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`${name} needs a value`);
  return v;
}

function num(name: string, fallback: number, min: number, max: number): number {
  const s = option(name);
  const v = s === undefined ? fallback : Number(s);
  if (!Number.isFinite(v) || v < min || v > max) fail(`${name} must be a number in [${min}, ${max}]`);
  return v;
}

function fail(message: string): never {
  process.stderr.write(`c10k: ${message}\n`);
  process.exit(2);
}

const known = new Set(['--seconds', '--connections', '--active', '--interval', '--bufsize', '--semi-space', '--server', '--backend', '--json']);
for (const a of process.argv.slice(2)) if (a.startsWith('--') && !known.has(a)) fail(`unknown option ${a} (see examples/c10k/README.md)`);

const seconds = num('--seconds', 20, 3, 3600);
let connections = Math.floor(num('--connections', 10000, 1, 50000));
const activePct = num('--active', 1, 0, 100);
const intervalMs = num('--interval', 100, 1, 60000);
const bufsize = Math.floor(num('--bufsize', 1024, 1, 1 << 20));
const semiSpace = Math.floor(num('--semi-space', 0, 0, 1024));
const serverKind = option('--server') ?? 'compat';
if (!['compat', 'node', 'c'].includes(serverKind)) fail('--server is compat, node or c');
const backendName = option('--backend');
const json = process.argv.includes('--json');
/** Quiet time after the ramp, in which the server is measured with every connection established and idle. */
const IDLE_MS = 1500;

// ---- children, always killed on the way out ----------------------------------

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

function alive(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
function stop(c: ChildProcess, graceMs: number): Promise<void> {
  if (!alive(c)) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    c.kill('SIGTERM');
  });
}

// ---- native pieces ---------------------------------------------------------

/** gcc -O2 `src` into build/examples-native/`name` when missing or older than its source. */
function compile(src: string, name: string): string {
  const bin = path.join(NATIVE, name);
  if (fs.existsSync(bin) && fs.statSync(bin).mtimeMs >= fs.statSync(src).mtimeMs) return bin;
  fs.mkdirSync(NATIVE, { recursive: true });
  try {
    execFileSync('gcc', ['-O2', '-Wall', '-o', bin, src], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    fail(`could not compile ${path.relative(ROOT, src)} with gcc (${(e as Error).message.split('\n')[0]}); the demo needs gcc`);
  }
  return bin;
}

/** The soft and hard open-file limits children start with (null: unlimited). */
function fileLimits(): { soft: number | null; hard: number | null } {
  const r = spawnSync('sh', ['-c', 'ulimit -S -n; ulimit -H -n'], { encoding: 'utf8' });
  const [s, h] = (r.stdout ?? '').trim().split('\n');
  const parse = (x: string | undefined): number | null => (x === undefined || x === 'unlimited' ? null : Number(x) || null);
  return { soft: parse(s), hard: parse(h) };
}

/** Runs cmd with its soft open-file limit raised to `limit` (when lower), through sh. */
function withFileLimit(limit: number, cmd: string, args: string[]): [string, string[]] {
  const script = 'cur=$(ulimit -S -n); if [ "$cur" != unlimited ] && [ "$cur" -lt "$1" ]; then ulimit -S -n "$1" || exit 111; fi; shift; exec "$@"';
  return ['sh', ['-c', script, 'c10k-limit', String(limit), cmd, ...args]];
}

/** The resident memory of a process, in bytes, or null. */
function rssOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

const CLK_TCK = 100;
/** CPU seconds (user + system) a process has used, or null. */
function cpuOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (b: number | null): string => (b === null ? '?' : `${(b / 2 ** 20).toFixed(1)} MiB`);
const ms = (us: number | undefined): string => (us === undefined ? '-' : `${(us / 1000).toFixed(2)} ms`);

// ---- the run ---------------------------------------------------------------

interface Status {
  phase?: string;
  open?: number;
  connecting?: number;
  errors?: number;
  requests?: number;
  rps?: number;
  p50_us?: number;
  p99_us?: number;
}
interface Summary {
  stopped_by: string;
  conns: number;
  active: number;
  peak_open: number;
  open_at_end: number;
  errors: number;
  ramp_ms: number;
  requests: number;
  active_seconds: number;
  req_per_s: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
}

const clientBin = compile(path.join(ROOT, 'examples', 'c10k', 'client.c'), 'c10k-client');
const limits = fileLimits();
const need = connections + 256;
if (limits.hard !== null && limits.hard < need) {
  const n = Math.max(1, limits.hard - 256);
  process.stderr.write(`c10k: the hard open-file limit is ${limits.hard}: ${int(n)} connections instead of ${int(connections)}\n`);
  connections = n;
}
const fdLimit = limits.hard === null ? need : Math.min(need, limits.hard);

let serverCmd: [string, string[]];
let serverLabel: string;
const semiFlags = semiSpace > 0 ? [`--max-semi-space-size=${semiSpace}`] : [];
const lifetime = String(Math.ceil(seconds + 60)); // a forgotten server stops by itself
if (serverKind === 'compat') {
  const main = path.join(ROOT, 'build', 'examples', 'echo-server', 'main.js');
  if (!fs.existsSync(main)) fail(`${path.relative(ROOT, main)} is missing: run npm run build first`);
  const args = [...semiFlags, main, '--port', '0', '--bufsize', String(bufsize), '--max-seconds', lifetime];
  if (backendName !== undefined) args.push('--backend', backendName);
  serverCmd = [process.execPath, args];
  serverLabel = `socket-compat echo server (examples/echo-server, recv(${bufsize}) + sendall${semiSpace > 0 ? `, --max-semi-space-size=${semiSpace}` : ''})`;
} else if (serverKind === 'node') {
  serverCmd = [process.execPath, [...semiFlags, path.join(ROOT, 'build', 'examples', 'c10k', 'node-server.js'), '--port', '0', '--max-seconds', lifetime]];
  serverLabel = `Node net echo server${semiSpace > 0 ? ` (--max-semi-space-size=${semiSpace})` : ''}`;
} else {
  const bin = compile(path.join(ROOT, 'bench', 'echo', 'c-epoll-server.c'), 'c-epoll-server');
  serverCmd = [bin, ['-p', '0', '-t', lifetime]];
  serverLabel = 'C epoll echo server (bench/echo/c-epoll-server.c)';
}

const tty = process.stdout.isTTY === true;
const t0 = Date.now();
let interrupted = false;
let server: ChildProcess | null = null;
let client: ChildProcess | null = null;

async function shutdown(): Promise<void> {
  const waits: Promise<void>[] = [];
  if (client) waits.push(stop(client, 3000));
  if (server) waits.push(stop(server, 5000));
  await Promise.all(waits);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    if (tty) process.stdout.write('\n');
    process.stdout.write(`c10k: ${sig}, stopping\n`);
    // The client stops on SIGTERM and still prints its summary; main's flow
    // below then reports what was measured. Whatever happens, exit soon.
    setTimeout(() => process.exit(130), 8000).unref();
    void shutdown();
  });
}

console.log(`c10k demo: ${int(connections)} connections to one server process, ${activePct}% of them sending ${64}-byte requests every ${intervalMs} ms, ${seconds} s`);
console.log(`server: ${serverLabel}`);
console.log(`client: ${path.relative(ROOT, clientBin)} (C, epoll, another process) | open-file limit for both: ${fdLimit} (hard ${limits.hard ?? 'unlimited'})`);

// Server: start, wait for its port, then let it settle and take the baseline.
const [scmd, sargs] = withFileLimit(fdLimit, serverCmd[0], serverCmd[1]);
server = spawn(scmd, sargs, { stdio: ['ignore', 'pipe', 'pipe'] });
children.add(server);
let serverErr = '';
server.stderr!.on('data', (d: Buffer) => {
  if (serverErr.length < 4000) serverErr += d.toString();
});
let serverOut = '';
const port = await new Promise<number>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the server printed no "listening" line within 15 s')), 15000);
  server!.on('exit', (code, sig) => {
    clearTimeout(timer);
    reject(new Error(`the server exited (${code ?? sig}) before listening: ${serverErr.trim().split('\n').slice(-3).join(' | ')}`));
  });
  server!.stdout!.on('data', (d: Buffer) => {
    serverOut += d.toString();
    const m = /^listening (\d+)/m.exec(serverOut);
    if (m) {
      clearTimeout(timer);
      resolve(Number(m[1]));
    }
  });
}).catch((e: Error) => (interrupted ? process.exit(130) : fail(e.message)));
const spid = server.pid;
await sleepMs(1000);
let rssBase = rssOf(spid);
for (let i = 0; i < 2; i++) {
  await sleepMs(150);
  rssBase = rssOf(spid) ?? rssBase;
}
console.log(`server pid ${spid} listening on 127.0.0.1:${port} | RSS before any connection: ${mb(rssBase)}`);

// Client: ramp, idle, active; its JSON lines drive the live line.
const status: Status = {};
let established: { open: number; ramp_ms: number } | null = null;
let rssIdle: number | null = null;
let openAtIdle = 0;
let rssPeak = rssBase ?? 0;
let summary: Summary | null = null;
const cpu0 = cpuOf(spid);
let cpuPrev = cpu0;
let cpuPrevT = Date.now();
let cpuPct = 0;

const cargs = [
  '-p', String(port),
  '-c', String(connections),
  '-a', String(activePct),
  '-i', String(intervalMs),
  '-d', String(seconds),
  '-I', String(IDLE_MS),
  '-t', String(Math.min(30, seconds)),
  '-s', '250',
];
const [ccmd, cargv] = withFileLimit(fdLimit, clientBin, cargs);
if (!interrupted) {
  client = spawn(ccmd, cargv, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(client);
}
let clientErr = '';
let clientBuf = '';
const clientDone = new Promise<number | null>((resolve) => {
  if (client === null) return resolve(null);
  // The client stops by itself after --seconds; this is the backstop.
  const killer = setTimeout(() => client!.kill('SIGKILL'), (seconds + 20) * 1000);
  client.on('exit', (code) => {
    clearTimeout(killer);
    resolve(code);
  });
  client.stderr!.on('data', (d: Buffer) => {
    if (clientErr.length < 4000) clientErr += d.toString();
  });
  client.stdout!.on('data', (d: Buffer) => {
    clientBuf += d.toString();
    let nl: number;
    while ((nl = clientBuf.indexOf('\n')) >= 0) {
      const line = clientBuf.slice(0, nl);
      clientBuf = clientBuf.slice(nl + 1);
      let ev: Record<string, unknown>;
      try {
        ev = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (ev.event === 'status') Object.assign(status, ev);
      else if (ev.event === 'established') established = ev as unknown as { open: number; ramp_ms: number };
      else if (ev.event === 'idle') {
        // Every connection is established and has been quiet for IDLE_MS.
        rssIdle = rssOf(spid);
        openAtIdle = Number(ev.open);
        status.phase = 'active';
      } else if (ev.event === 'summary') summary = ev as unknown as Summary;
    }
  });
});

function perConn(): string {
  if (rssIdle === null || rssBase === null || openAtIdle === 0) return '';
  return `, ${((rssIdle - rssBase) / openAtIdle / 1024).toFixed(2)} KiB/conn`;
}

function liveLine(): string {
  const t = ((Date.now() - t0) / 1000).toFixed(1).padStart(5);
  const rss = rssOf(spid);
  const open = status.open ?? 0;
  const phase = (status.phase ?? 'start').padEnd(6);
  const delta = rss !== null && rssBase !== null ? ` (+${mb(rss - rssBase)}${perConn()})` : '';
  return (
    `[${t} s ${phase}] conns ${int(open).padStart(6)}/${int(connections)} | ${int(status.rps ?? 0).padStart(6)} req/s | ` +
    `p99 ${ms(status.p99_us && status.requests ? status.p99_us : undefined).padStart(8)} | server RSS ${mb(rss)}${delta} | CPU ${cpuPct.toFixed(0)}%`
  );
}

let ticks = 0;
const ticker = setInterval(() => {
  const rss = rssOf(spid);
  if (rss !== null && rss > rssPeak) rssPeak = rss;
  const c = cpuOf(spid);
  const now = Date.now();
  if (c !== null && cpuPrev !== null && now > cpuPrevT) cpuPct = (100 * (c - cpuPrev)) / ((now - cpuPrevT) / 1000);
  cpuPrev = c;
  cpuPrevT = now;
  ticks++;
  if (tty) process.stdout.write(`\r${liveLine()}\x1b[K`);
  else if (ticks % 8 === 0) process.stdout.write(`${liveLine()}\n`);
}, 250);

const clientCode = await clientDone;
clearInterval(ticker);
if (tty) process.stdout.write(`\r${liveLine()}\x1b[K\n`);
const rssEnd = rssOf(spid);
const cpuUsed = cpuOf(spid);
await shutdown();
children.clear();

// ---- summary -----------------------------------------------------------------

const s = summary as Summary | null;
const est = established as { open: number; ramp_ms: number } | null;
console.log('');
console.log(`summary (${serverKind} server, ${((Date.now() - t0) / 1000).toFixed(1)} s${interrupted ? ', interrupted' : ''}):`);
if (s === null) {
  console.log(`  the client gave no summary (exit ${clientCode}): ${clientErr.trim().split('\n').slice(-3).join(' | ') || 'no stderr'}`);
} else {
  const ramp =
    s.peak_open === s.conns
      ? `all open after ${(s.ramp_ms / 1000).toFixed(2)} s`
      : `${int(s.conns - s.peak_open)} never answered; the ramp ended after ${(s.ramp_ms / 1000).toFixed(2)} s`;
  console.log(`  peak connections open   ${int(s.peak_open)} of ${int(s.conns)} (${ramp}; ${int(s.errors)} errors)`);
  console.log(`  requests                ${int(s.requests)} from ${int(s.active)} active connections in ${s.active_seconds.toFixed(1)} s (${int(s.req_per_s)} req/s)`);
  console.log(`  latency                 p50 ${ms(s.p50_us)}, p99 ${ms(s.p99_us)}, p99.9 ${ms(s.p999_us)}, max ${ms(s.max_us)}`);
}
const perConnBytes = rssIdle !== null && rssBase !== null && openAtIdle > 0 ? (rssIdle - rssBase) / openAtIdle : null;
console.log(
  `  server RSS              ${mb(rssBase)} before connections, ${mb(rssIdle)} with ${int(openAtIdle)} established and idle, ${mb(rssPeak)} peak, ${mb(rssEnd)} at the end`,
);
console.log(
  `  RSS per connection      ${perConnBytes === null ? 'n/a (the connections never all became idle)' : `${(perConnBytes / 1024).toFixed(2)} KiB (${int(perConnBytes)} bytes; (idle - before) / connections)`}`,
);
if (cpuUsed !== null && cpu0 !== null) console.log(`  server CPU              ${(cpuUsed - cpu0).toFixed(2)} s while the client ran`);
if (est === null && s !== null && s.peak_open === 0) console.log(`  (no connection was ever answered: is the server healthy? ${serverErr.trim().split('\n').slice(-2).join(' | ')})`);
if (json) {
  console.log(
    JSON.stringify({
      server: serverKind,
      bufsize,
      semi_space_mb: semiSpace,
      connections,
      rss_before: rssBase,
      rss_idle: rssIdle,
      rss_peak: rssPeak,
      rss_end: rssEnd,
      open_at_idle: openAtIdle,
      rss_per_conn: perConnBytes,
      server_cpu_s: cpuUsed !== null && cpu0 !== null ? cpuUsed - cpu0 : null,
      client: s,
    }),
  );
}
process.exit(interrupted ? 130 : s === null ? 1 : 0);
