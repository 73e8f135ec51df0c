// Tests what is published: every workspace and every prebuilt platform
// package is packed with `npm pack`, the tarballs are installed into an
// empty folder the way a user with no build tools would (--ignore-scripts,
// no C++ compiler on PATH, CXX naming none; the registry is asked only for
// koffi, and the npm cache usually answers), and a program there imports
// them by name, runs tasklets over a channel, and echoes through
// socket-compat on every backend, epoll and io_uring from their prebuilt
// shims. Then the platform packages are taken away (what --omit=optional does) and
// `npx stackless-io` says so, and builds the shim from source once a
// compiler is back. This catches a missing file in "files", a wrong
// "exports" map, a dependency on something that is not shipped, and any
// need for a compiler or an install script.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { compilerFreeBin, isForThisMachine, manifest, noCompilerEnv, pack, platformPackageDirs, root, workspaceDirs } from './tarballs.js';

const ECHO_PROGRAM = [
  "import { spawn, run, stats } from '@stackless-io/runtime';",
  "import { Channel } from '@stackless-io/channel';",
  'const ch = new Channel();',
  'const got = [];',
  'spawn(function* () { yield* ch.sendSequence([1, 2, 3]); });',
  'spawn(function* () { for (let i = 0; i < 3; i++) got.push(yield* ch.receive()); });',
  'run();',
  "import { useBackend, closeBackend, availableBackends } from '@stackless-io/runtime';",
  "import { socket, AF_INET, SOCK_STREAM } from '@stackless-io/socket-compat';",
  'const echoed = {};',
  'const available = await availableBackends();',
  "for (const name of ['epoll', 'io_uring', 'libuv']) {",
  '  const why = available.find((b) => b.name === name).unavailable;',
  '  if (why !== null) { echoed[name] = `unavailable: ${why}`; continue; }',
  '  await useBackend(name);',
  '  const srv = new socket(AF_INET, SOCK_STREAM);',
  "  srv.bind(['127.0.0.1', 0]);",
  '  srv.listen();',
  '  const port = srv.getsockname()[1];',
  '  spawn(function* () { const [conn] = yield* srv.accept(); const data = yield* conn.recv(100); yield* conn.sendall(data); conn.close(); srv.close(); });',
  '  echoed[name] = await spawn(function* () {',
  '    const c = new socket(AF_INET, SOCK_STREAM);',
  "    yield* c.connect(['127.0.0.1', port]);",
  "    yield* c.sendall(new TextEncoder().encode('ping'));",
  '    const reply = yield* c.recv(100);',
  '    c.close();',
  '    return new TextDecoder().decode(reply);',
  '  }).join();',
  '  closeBackend();',
  '}',
  'console.log(JSON.stringify({ got, alive: stats().alive, echoed }));',
].join('\n');

/**
 * The echo program's answers: 'ping' from each backend; io_uring may be
 * refused by the kernel (a container's seccomp filter), and then its reason
 * is printed and epoll and libuv are still required.
 */
function checkEchoed(ctx: Mocha.Context, echoed: Record<string, string>, uringBuilt = true): void {
  expect(echoed.epoll).to.equal('ping');
  expect(echoed.libuv).to.equal('ping');
  if (uringBuilt && echoed.io_uring?.includes('io_uring_setup')) {
    console.log(`      io_uring echo skipped: ${echoed.io_uring}`);
    ctx.test!.title += ' [io_uring refused by this kernel]';
  } else if (uringBuilt) expect(echoed.io_uring).to.equal('ping');
  else expect(echoed.io_uring).to.match(/^unavailable: the prebuilt package @stackless-io\/io-uring-linux-x64 is not installed/);
}

/** Runs `cmd` in `cwd` with `env`; its stdout (throws with stderr when it fails). */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('packaging: the packed tarballs install and work in an empty folder, with no compiler and no install scripts', function () {
  this.timeout(180_000);
  let dir = '';
  let app = '';
  let env: NodeJS.ProcessEnv = {};
  const tarballs: string[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stackless-pack-'));
    app = join(dir, 'app');
    mkdirSync(app);
    env = noCompilerEnv(compilerFreeBin(dir));
  });

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('packs each workspace with its entry point and types, and no build cache', () => {
    for (const ws of workspaceDirs()) {
      const { tarball, files } = pack(ws, dir);
      const name = relative(root, ws);
      expect(files, `${name} ships its built entry point`).to.include('dist/index.js');
      expect(files, `${name} ships its types`).to.include('dist/index.d.ts');
      expect(files.some((f) => f.endsWith('.tsbuildinfo')), `${name} ships no build cache`).to.equal(false);
      const scripts = Object.keys(manifest(ws).scripts ?? {});
      expect(scripts.filter((s) => /^(pre|post)?install$/.test(s)), `${name} has no install script`).to.deep.equal([]);
      tarballs.push(tarball);
    }
  });

  it('packs each platform package: its library, os/cpu/libc, no scripts, the version of the package that lists it', () => {
    const dirs = platformPackageDirs();
    expect(dirs.map((d) => relative(root, d))).to.include.members([
      'packages/io-epoll-linux-x64',
      'packages/io-epoll-linux-arm64',
      'packages/io-uring-linux-x64',
      'packages/io-uring-linux-arm64',
      'packages/io-iocp-win32-x64',
    ]);
    for (const p of dirs) {
      const m = manifest(p);
      const name = relative(root, p);
      expect(m.scripts, `${name} has no scripts`).to.equal(undefined);
      expect(m.os, `${name} says its OS`).to.have.length(1);
      expect(m.cpu, `${name} says its CPU`).to.have.length(1);
      if (m.os![0] === 'linux') expect(m.libc, `${name} is for glibc`).to.deep.equal(['glibc']);
      const lister = workspaceDirs().find((ws) => manifest(ws).optionalDependencies?.[m.name] !== undefined)!;
      expect(manifest(lister).optionalDependencies![m.name], `${name} is listed at its own version`).to.equal(m.version);
      expect(m.version).to.equal(manifest(lister).version);
      const { tarball, files } = pack(p, dir);
      expect(files.sort(), `${name} ships its library (built by npm run build), its changelog and what npm always adds`).to.deep.equal(
        [...m.files!, 'LICENSE', 'README.md', 'package.json'].sort(),
      );
      // The other machines' packages cannot be installed here (npm refuses a
      // non-optional package for another CPU); the registry's copy is what
      // their users get.
      if (isForThisMachine(p)) tarballs.push(tarball);
    }
  });

  it('installs with --ignore-scripts and no compiler on PATH, and runs channels and a socket-compat echo on epoll, io_uring and libuv', function () {
    expect(() => run('sh', ['-c', 'command -v g++ || command -v c++ || command -v cc || command -v gcc || command -v clang'], app, env)).to.throw();
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], app, env);
    writeFileSync(join(app, 'main.mjs'), ECHO_PROGRAM);
    const out = run('node', ['main.mjs'], app, env);
    const result = JSON.parse(out) as { got: number[]; alive: number; echoed: Record<string, string> };
    expect(result).to.deep.include({ got: [1, 2, 3], alive: 0 });
    checkEchoed(this, result.echoed);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/@stackless-io/channel/package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(pkg.exports)[0], 'the exports map is shipped').to.equal('.');
    expect(readdirSync(join(app, 'node_modules/@stackless-io/io-epoll')), 'nothing was compiled on install').not.to.include('build');
    expect(readdirSync(join(app, 'node_modules/@stackless-io/io-uring')), 'nothing was compiled on install').not.to.include('build');
  });

  it('`npx stackless-io doctor` names the platform, each backend, the prebuilt shim with its ABI, and the default', () => {
    const out = run('npx', ['--offline', 'stackless-io', 'doctor'], app, env);
    expect(out).to.include(`platform: ${process.platform} ${process.arch}, glibc `);
    expect(out).to.include(`Node ${process.version}`);
    expect(out).to.match(/^ {2}epoll +available$/m);
    expect(out).to.match(/^ {2}libuv +available$/m);
    // Available, or refused by this kernel with io_uring_setup's answer.
    expect(out).to.match(/^ {2}io_uring +(available|unavailable: .*io_uring_setup.*)$/m);
    if (/^ {2}io_uring +available$/m.test(out)) {
      const uring = join(app, 'node_modules/@stackless-io/io-uring-linux-x64/sio_uring.so');
      expect(out).to.include(`shim: ${uring} (the platform package @stackless-io/io-uring-linux-x64): shim "io_uring", ABI `);
    }
    const lib = join(app, 'node_modules/@stackless-io/io-epoll-linux-x64/sio_epoll.so');
    expect(out).to.include(`shim: ${lib} (the platform package @stackless-io/io-epoll-linux-x64): shim "epoll", ABI `);
    expect(out).to.match(/^default: epoll \(the best available; STACKLESS_IO_BACKEND is not set\)$/m);
  });

  it('without the platform packages, epoll and io_uring are unavailable with the command that fixes it, libuv is the default, and `npx stackless-io build-native` builds epoll from source', function () {
    rmSync(join(app, 'node_modules/@stackless-io/io-epoll-linux-x64'), { recursive: true });
    rmSync(join(app, 'node_modules/@stackless-io/io-uring-linux-x64'), { recursive: true });
    const out = run('npx', ['--offline', 'stackless-io', 'doctor'], app, env);
    expect(out).to.match(
      /^ {2}epoll +unavailable: the prebuilt package @stackless-io\/io-epoll-linux-x64 is not installed .*`npm install @stackless-io\/io-epoll-linux-x64@0\.1\.0`.*`npx stackless-io build-native epoll`.*STACKLESS_IO_BACKEND=libuv/m,
    );
    expect(out).to.match(
      /^ {2}io_uring +unavailable: the prebuilt package @stackless-io\/io-uring-linux-x64 is not installed .*`npx stackless-io build-native io_uring`/m,
    );
    expect(out).to.match(/^default: libuv /m);
    let failed = '';
    try {
      run('npx', ['--offline', 'stackless-io', 'build-native', 'epoll'], app, env);
    } catch (e) {
      failed = String((e as { stderr?: string }).stderr);
    }
    expect(failed, 'with no compiler the build says what it needs').to.include('a C++17 compiler is required');
    run('npx', ['--offline', 'stackless-io', 'build-native', 'epoll'], app, process.env);
    const after = run('npx', ['--offline', 'stackless-io', 'doctor'], app, env);
    expect(after).to.include(`shim: ${join(app, 'node_modules/@stackless-io/io-epoll/build/sio_epoll.so')} (a from-source build): shim "epoll", ABI `);
    checkEchoed(this, JSON.parse(run('node', ['main.mjs'], app, env)).echoed, false);
  });
});
