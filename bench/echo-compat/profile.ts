/**
 * Profiles the socket-compat echo server (examples/echo-server) under load:
 * starts it with `node --cpu-prof` (pinned to CPU 0), drives it with the C
 * load generator of bench/echo (CPU 1), lets the server exit by itself (so
 * V8 writes the profile) and prints the top self-time functions.
 *
 *   npm run build && node build/bench/echo-compat/profile.js
 *
 * Environment: PROF_CONNS (100), PROF_SIZE (64), PROF_DURATION (5),
 * PROF_TOP (30), PROF_FLAGS (extra server flags, e.g. "--bufsize 1024"),
 * PROF_SERVER (a .js file to profile instead of the example; it must print
 * "listening <port>" and accept --port and --max-seconds).
 * The .cpuprofile stays in build/bench-prof/ (open it in Chrome DevTools).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compileNative, fmtInt, PIN, ROOT, runLoad, table } from '../echo/harness.js';

interface ProfNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfNode[];
  samples: number[];
  timeDeltas: number[];
}

const conns = Number(process.env.PROF_CONNS ?? 100);
const size = Number(process.env.PROF_SIZE ?? 64);
const duration = Number(process.env.PROF_DURATION ?? 5);
const top = Number(process.env.PROF_TOP ?? 30);
const script = process.env.PROF_SERVER ?? path.join(ROOT, 'build', 'examples', 'echo-server', 'main.js');
const warmup = 1;

compileNative();
const dir = path.join(ROOT, 'build', 'bench-prof');
fs.mkdirSync(dir, { recursive: true });
const name = `compat-${conns}c-${Date.now()}.cpuprofile`;
const serverArgs = [
  '--cpu-prof',
  `--cpu-prof-dir=${dir}`,
  `--cpu-prof-name=${name}`,
  script,
  '--port',
  '0',
  ...(process.env.PROF_FLAGS ?? '').split(' ').filter((s) => s !== ''),
  // Stops by itself shortly after the load ends, so the profile is written.
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
  `compat under ${conns} connections x ${size} B: ${fmtInt(r.req_per_s)} req/s, p50 ${r.p50_us.toFixed(1)} µs, p99 ${r.p99_us.toFixed(1)} µs, errors ${r.errors}, server CPU ${r.cpu_us_per_req?.toFixed(2)} µs/req (profiler on)`,
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
