// Tests what is published: every workspace is packed with `npm pack`, the
// tarballs are installed into an empty folder (the registry is asked only
// for koffi, and the npm cache usually answers), the epoll shim compiles on
// install, and a program there imports them by name, runs tasklets over a
// channel, and echoes through socket-compat on every backend. This catches a missing file in "files", a
// wrong "exports" map or a dependency on something that is not shipped.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');
/** Every published workspace: the root's list, less the private ones (test helpers). */
const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces.filter(
  (ws) => (JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8')) as { private?: boolean }).private !== true,
);

describe('packaging: the packed tarballs install and work in an empty folder', function () {
  this.timeout(120_000);
  let dir = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stackless-pack-'));
  });

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('packs each workspace, installs the tarballs in an empty folder and runs a program importing them (channels, and a socket-compat echo on epoll and libuv)', () => {
    const tarballs: string[] = [];
    for (const ws of workspaces) {
      const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: join(root, ws), encoding: 'utf8' });
      const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
      const files = info!.files.map((f) => f.path);
      expect(files, `${ws} ships its built entry point`).to.include('dist/index.js');
      expect(files, `${ws} ships its types`).to.include('dist/index.d.ts');
      expect(files.some((f) => f.endsWith('.tsbuildinfo')), `${ws} ships no build cache`).to.equal(false);
      tarballs.push(join(dir, info!.filename));
    }
    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { cwd: app, encoding: 'utf8' });
    writeFileSync(
      join(app, 'main.mjs'),
      [
        "import { spawn, run, stats } from '@stackless-io/runtime';",
        "import { Channel } from '@stackless-io/channel';",
        'const ch = new Channel();',
        'const got = [];',
        'spawn(function* () { yield* ch.sendSequence([1, 2, 3]); });',
        'spawn(function* () { for (let i = 0; i < 3; i++) got.push(yield* ch.receive()); });',
        'run();',
        "import { useBackend, closeBackend } from '@stackless-io/runtime';",
        "import { socket, AF_INET, SOCK_STREAM } from '@stackless-io/socket-compat';",
        'const echoed = {};',
        "for (const name of ['epoll', 'libuv']) {",
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
      ].join('\n'),
    );
    const out = execFileSync('node', ['main.mjs'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(out)).to.deep.equal({ got: [1, 2, 3], alive: 0, echoed: { epoll: 'ping', libuv: 'ping' } });
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/@stackless-io/channel/package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(pkg.exports)[0], 'the exports map is shipped').to.equal('.');
  });
});
