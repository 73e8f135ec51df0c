/**
 * Profiles our echo server under load: starts ours-server with
 * `node --cpu-prof` (pinned to CPU 0), drives it with the C load generator
 * (CPU 1), lets the server exit by itself (so V8 writes the profile) and
 * prints the top self-time functions.
 *
 *   npm run build && node build/bench/echo/profile.js
 *
 * Environment: PROF_SERVER (ours-epoll | ours-epoll-excl | ours-libuv |
 * compat, the socket-compat example of examples/echo-server | a .js file
 * that prints "listening <port>" and takes --port and --max-seconds;
 * default ours-epoll), PROF_CONNS (100), PROF_SIZE (64), PROF_DURATION (5),
 * PROF_TOP (25), PROF_FLAGS (extra server flags, e.g. --alloc).
 * The .cpuprofile stays in build/bench-prof/ (open it in Chrome DevTools).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compileNative, fmtInt, PIN, ROOT, runLoad, table } from './harness.js';

interface ProfNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const which = process.env.PROF_SERVER ?? 'ours-epoll';

/** The script and arguments that start the server to profile. */
function serverCommand(server: string): string[] {
  if (server === 'compat') return [path.join(ROOT, 'build', 'examples', 'echo-server', 'main.js'), '--port', '0'];
  if (server.endsWith('.js')) return [server, '--port', '0'];
  const backend = server === 'ours-libuv' ? 'libuv' : 'epoll';
  return [path.join(ROOT, 'build', 'bench', 'echo', 'ours-server.js'), '--backend', backend, ...(server === 'ours-epoll-excl' ? ['--exclusive'] : [])];
}
const conns = Number(process.env.PROF_CONNS ?? 100);
const size = Number(process.env.PROF_SIZE ?? 64);
const duration = Number(process.env.PROF_DURATION ?? 5);
const top = Number(process.env.PROF_TOP ?? 25);
const warmup = 1;

compileNative();
const dir = path.join(ROOT, 'build', 'bench-prof');
fs.mkdirSync(dir, { recursive: true });
const name = `${path.basename(which, '.js')}-${conns}c-${Date.now()}.cpuprofile`;
const serverArgs = [
  '--cpu-prof',
  `--cpu-prof-dir=${dir}`,
  `--cpu-prof-name=${name}`,
  ...serverCommand(which),
  ...(process.env.PROF_FLAGS ?? '').split(' ').filter((s) => s !== ''),
  // Exits by itself shortly after the load ends, so the profile is written.
  '--max-seconds',
  String(warmup + duration + 2.5),
];
const [cmd, args] = PIN ? ['taskset', ['-c', PIN.server, process.execPath, ...serverArgs]] : [process.execPath, serverArgs];
const child = spawn(cmd, args as string[], { stdio: ['ignore', 'pipe', 'inherit'] });
const killer = setTimeout(() => child.kill('SIGKILL'), (warmup + duration + 30) * 1000);
process.on('exit', () => child.kill('SIGKILL'));
const exited = new Promise<void>((r) => child.on('exit', () => r()));
const port = await new Promise<number>((resolve, reject) => {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening (\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  child.on('exit', (c) => reject(new Error(`server exited (${c}) before listening`)));
});
const r = await runLoad(port, { conns, size, duration, warmup, serverPid: child.pid });
console.log(
  `${which} under ${conns} connections x ${size} B: ${fmtInt(r.req_per_s)} req/s, p50 ${r.p50_us.toFixed(1)} µs, p99 ${r.p99_us.toFixed(1)} µs, errors ${r.errors}, server CPU ${r.cpu_us_per_req?.toFixed(2)} µs/req (profiler on)`,
);
await exited;
clearTimeout(killer);

const file = path.join(dir, name);
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
let idle = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]!)!;
  const dt = prof.timeDeltas[i] ?? 0;
  const f = n.callFrame;
  if (f.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  total += dt;
  const where = f.url === '' ? '' : `${path.relative(ROOT, f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}`;
  const key = `${f.functionName || '(anonymous)'}  ${where}`;
  self.set(key, (self.get(key) ?? 0) + dt);
}
const rows = [...self.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)
  .map(([k, us]) => [k, (us / 1000).toFixed(0), ((100 * us) / total).toFixed(1)]);
console.log(`profile: ${file}`);
console.log(`busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s (whole server lifetime, start-up and tail included)`);
console.log(table(['function (self time)', 'ms', '% of busy'], rows));
