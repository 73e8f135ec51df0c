#!/usr/bin/env node
// The monorepo's native build (part of `npm run build`, hence of `npm ci`'s
// postinstall and `npm test`): runs every workspace's
// scripts/build-native.mjs with --prebuilt, which compiles its shim for this
// machine into the package's build/ and fills its platform packages
// (packages/io-X-<os>-<cpu>/), cross-compiling those whose compiler is
// installed. A new native backend needs nothing here: its own
// scripts/build-native.mjs is found. Extra arguments (--force) are passed on.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const ws of workspaces) {
  const script = join(root, ws, 'scripts', 'build-native.mjs');
  if (!existsSync(script)) continue;
  try {
    execFileSync(process.execPath, [script, '--prebuilt', ...process.argv.slice(2)], { stdio: 'inherit' });
  } catch {
    process.exit(1);
  }
}
