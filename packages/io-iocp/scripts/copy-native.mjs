#!/usr/bin/env node
// `npm pack` hooks: copies the shim's sources from the repository's native/
// into the package (prepack) so that a from-source build of the tarball
// (`npx stackless-io build-native iocp` on Windows with mingw-w64) finds
// them, and removes the copy again (postpack, `--clean`). Outside the
// monorepo the package already holds its copy and this does nothing.
import { copyNative } from '@stackless-io/shim-backend/native-build';
import { NATIVE_FILES, packageDir } from './build-native.mjs';

copyNative(packageDir, 'iocp.cc', NATIVE_FILES, { clean: process.argv.includes('--clean') });
