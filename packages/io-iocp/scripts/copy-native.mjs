#!/usr/bin/env node
// `npm pack` hooks: copies the shim's sources from the repository's native/
// into the package (prepack) so that a from-source build of the tarball
// (`npx stackless-io build-native iocp` on Windows with mingw-w64) finds
// them, and removes the copy again (postpack, `--clean`). Outside the
// monorepo the package already holds its copy and this does nothing.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NATIVE_FILES, monorepoNativeDir, packageDir } from './build-native.mjs';

const repoNative = monorepoNativeDir();
const copy = join(packageDir, 'native');
if (repoNative !== null) {
  rmSync(copy, { recursive: true, force: true });
  if (!process.argv.includes('--clean')) {
    mkdirSync(copy);
    for (const f of NATIVE_FILES) copyFileSync(join(repoNative, f), join(copy, f));
  }
}
