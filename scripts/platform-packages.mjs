#!/usr/bin/env node
// The per-platform shim packages (packages/io-X-<os>-<cpu>) are not npm
// workspaces (npm refuses a workspace whose "cpu" is not the machine's), so
// changesets does not see them. They are named by the root package.json's
// "overrides" (file: paths), and this script keeps them in step:
//
//   node scripts/platform-packages.mjs sync     each takes its backend's version,
//                                               and the backend pins it there
//   node scripts/platform-packages.mjs publish  npm publish of each whose library
//                                               is built (before the workspaces)
//   node scripts/platform-packages.mjs list     their folders
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
const write = (dir, m) => writeFileSync(join(root, dir, 'package.json'), `${JSON.stringify(m, null, 2)}\n`);

/** Every platform package: its folder and manifest, and the workspace that lists it. */
export function platformPackages() {
  const rootManifest = read('.');
  const dirs = Object.values(rootManifest.overrides ?? {})
    .filter((v) => typeof v === 'string' && v.startsWith('file:'))
    .map((v) => v.slice('file:'.length).replace(/^\.\//, ''));
  const owners = rootManifest.workspaces.map((dir) => ({ dir, manifest: read(dir) }));
  return dirs.map((dir) => {
    const manifest = read(dir);
    const owner = owners.find((w) => manifest.name in (w.manifest.optionalDependencies ?? {}));
    if (owner === undefined) throw new Error(`${manifest.name} is listed by no workspace's optionalDependencies`);
    return { dir, manifest, owner };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv[2];
  const all = platformPackages();
  if (command === 'list') {
    for (const p of all) console.log(p.dir);
  } else if (command === 'sync') {
    for (const { dir, manifest, owner } of all) {
      manifest.version = owner.manifest.version;
      write(dir, manifest);
      const fresh = read(owner.dir);
      fresh.optionalDependencies[manifest.name] = owner.manifest.version;
      write(owner.dir, fresh);
      console.log(`${manifest.name} ${manifest.version}`);
    }
  } else if (command === 'publish') {
    for (const { dir, manifest } of all) {
      const missing = manifest.files.filter((f) => !existsSync(join(root, dir, f)));
      if (missing.length > 0) {
        console.log(`${manifest.name}: not built here (${missing.join(', ')}), not published`);
        continue;
      }
      execFileSync('npm', ['publish', ...process.argv.slice(3)], { cwd: join(root, dir), stdio: 'inherit' });
    }
  } else {
    console.error('usage: platform-packages.mjs list | sync | publish [npm publish options]');
    process.exit(2);
  }
}
