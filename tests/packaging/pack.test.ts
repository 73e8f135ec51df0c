// Tests what is published: every workspace is packed with `npm pack`, the
// tarballs are installed into an empty folder (no registry needed: they
// depend only on each other), and a program there imports them by name and
// runs tasklets over a channel. This catches a missing file in "files", a
// wrong "exports" map or a dependency on something that is not shipped.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');
const workspaces = ['packages/runtime', 'packages/channel'];

describe('packaging: the packed tarballs install and work in an empty folder', function () {
  this.timeout(120_000);
  let dir = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stackless-pack-'));
  });

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('packs each workspace, installs the tarballs offline and runs a program importing them', () => {
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
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], { cwd: app, encoding: 'utf8' });
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
        'console.log(JSON.stringify({ got, alive: stats().alive }));',
      ].join('\n'),
    );
    const out = execFileSync('node', ['main.mjs'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(out)).to.deep.equal({ got: [1, 2, 3], alive: 0 });
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/@stackless-io/channel/package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(pkg.exports)[0], 'the exports map is shipped').to.equal('.');
  });
});
