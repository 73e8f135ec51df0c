// Ready to publish: `npm publish --dry-run` for every public workspace, as the
// release would run it (scripts included: io-epoll's prepack copies its
// native sources in). --offline keeps the registry out of it; the one warning
// a dry run always gives, that nobody is logged in, is the only one allowed.
// Then what the tarball holds and the metadata the registry shows are
// checked, so that a missing "types", a test file or a build cache shipped,
// or a lost "repository" fails here rather than after a release.
//
// The packages are read from the root package.json's workspaces, so a
// package added there (a per-platform shim package, a new backend) is
// checked too; the rules that depend on what a package ships (exports,
// types) apply only to what it declares.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  engines?: { node?: string };
  types?: string;
  exports?: Record<string, unknown>;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface DryRun {
  name: string;
  version: string;
  files: { path: string }[];
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
}

const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest & {
  workspaces: string[];
  overrides?: Record<string, string>;
};
const workspaces = rootManifest.workspaces.map((dir) => ({ dir, manifest: readManifest(dir) }));
/**
 * The per-platform shim packages: not workspaces (npm refuses one whose
 * "cpu" is not the machine's) but linked through the root's "overrides"
 * (file: paths), published by scripts/platform-packages.mjs before the
 * workspaces, and held to the same rules.
 */
const platformPackages = Object.values(rootManifest.overrides ?? {})
  .filter((v) => v.startsWith('file:'))
  .map((v) => v.slice('file:'.length).replace(/^\.\//, ''))
  .map((dir) => ({ dir, manifest: readManifest(dir) }));
const published = [...platformPackages, ...workspaces.filter((w) => w.manifest.private !== true)];

/** The packages of this repository that `m` needs at install time. */
function ownDependencies(m: Manifest): [string, string][] {
  const all = { ...m.dependencies, ...m.optionalDependencies, ...m.peerDependencies };
  return Object.entries(all).filter(([name]) => published.some((w) => w.manifest.name === name));
}

/** Every file an "exports" entry points at ("./dist/x.js" → "dist/x.js"). */
function exportTargets(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry.replace(/^\.\//, '')];
  if (entry !== null && typeof entry === 'object') return Object.values(entry).flatMap(exportTargets);
  return [];
}

describe('packaging: every public package is ready to publish', function () {
  this.timeout(120_000);

  it('the root package is private and the test helpers are not published', () => {
    expect(rootManifest.private).to.equal(true);
    expect(published.map((w) => w.manifest.name)).to.not.include('@stackless-io/test-support');
    expect(published.map((w) => w.dir)).to.include.members([
      'packages/runtime',
      'packages/channel',
      'packages/io-epoll',
      'packages/io-uring',
      'packages/io-libuv',
      'packages/socket-compat',
    ]);
  });

  it('every package carries one version, and depends on its siblings at exactly that version (changesets moves them together)', () => {
    const version = published[0]!.manifest.version;
    for (const { manifest } of published) {
      expect(manifest.version, manifest.name).to.equal(version);
      for (const [dep, range] of ownDependencies(manifest)) expect(range, `${manifest.name} → ${dep}`).to.equal(version);
    }
    const config = JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8')) as { fixed: string[][] };
    expect(config.fixed, 'one fixed group for every package').to.have.length(1);
  });

  it('the workspaces are listed in dependency order, the order `npm publish --workspaces` publishes them in', () => {
    // The platform packages are published first (scripts/platform-packages.mjs).
    const seen = new Set<string>(platformPackages.map((p) => p.manifest.name));
    for (const { manifest } of workspaces) {
      for (const [dep] of ownDependencies(manifest)) expect(seen.has(dep), `${dep} is listed before ${manifest.name}`).to.equal(true);
      seen.add(manifest.name);
    }
  });

  for (const { dir, manifest } of published) {
    it(`${manifest.name}: npm publish --dry-run is clean, ships what it declares and nothing of the build or the tests`, () => {
      const run = spawnSync('npm', ['publish', '--dry-run', '--json', '--offline'], { cwd: join(root, dir), encoding: 'utf8' });
      expect(run.status, run.stderr).to.equal(0);
      const warnings = run.stderr
        .split('\n')
        .filter((line) => /^npm (warn|WARN|error|ERR)/.test(line))
        .filter((line) => !/requires you to be logged in/.test(line));
      expect(warnings, 'npm publish warnings').to.deep.equal([]);
      const info = (JSON.parse(run.stdout) as Record<string, DryRun>)[manifest.name]!;
      expect(info.version).to.equal(manifest.version);
      const files = info.files.map((f) => f.path);

      expect(files, 'the license text').to.include('LICENSE');
      expect(files, 'the README').to.include('README.md');
      expect(files, 'the changelog').to.include('CHANGELOG.md');
      expect(files.filter((f) => f.endsWith('.tsbuildinfo')), 'build caches').to.deep.equal([]);
      expect(files.filter((f) => /(^|\/)(tests?|__tests__)\/|\.test\.[cm]?[jt]s$/.test(f)), 'test files').to.deep.equal([]);

      if (manifest.exports !== undefined) {
        for (const [key, entry] of Object.entries(manifest.exports)) {
          if (entry !== null && typeof entry === 'object') {
            expect(Object.keys(entry)[0], `exports["${key}"] lists "types" first`).to.equal('types');
          }
          for (const target of exportTargets(entry)) expect(files, `exports["${key}"] → ${target}`).to.include(target);
        }
        expect(manifest.types, 'a top-level "types" for older resolvers').to.be.a('string');
        expect(files, 'the top-level "types" file').to.include(manifest.types!.replace(/^\.\//, ''));
      }
    });

    it(`${manifest.name}: license, repository (with its directory), homepage, bugs and engines`, () => {
      expect(manifest.license).to.equal(rootManifest.license);
      expect(manifest.repository, 'repository').to.deep.equal({ ...rootManifest.repository, directory: dir });
      expect(manifest.repository!.url).to.match(/^git\+https:\/\/.+\.git$/);
      expect(manifest.homepage).to.be.a('string').and.contain(dir);
      expect(manifest.bugs?.url).to.be.a('string');
      expect(manifest.engines?.node, 'engines.node').to.equal(rootManifest.engines!.node);
    });
  }

  it('the release scripts exist: changeset, version-packages (which also moves the platform packages and updates the lock file), release (platform packages first)', () => {
    const scripts = (rootManifest as unknown as { scripts: Record<string, string> }).scripts;
    expect(scripts['changeset']).to.equal('changeset');
    expect(scripts['version-packages']).to.match(/^changeset version && node scripts\/platform-packages.mjs sync && npm install --package-lock-only/);
    expect(scripts['release']).to.match(/platform-packages.mjs publish && npm publish --workspaces/);
    // The changeset CLI is installed (a devDependency), not fetched by npx.
    execFileSync(join(root, 'node_modules/.bin/changeset'), ['--version'], { cwd: root, encoding: 'utf8' });
  });
});
