#!/usr/bin/env node
// `npm pack` hooks: copies the shim's sources from the repository's native/
// into the package (prepack) so that the tarball can compile them on install,
// and removes the copy again (postpack, `--clean`). Outside the monorepo the
// package already holds its copy and this does nothing.
import { copyNative } from '@stackless-io/shim-backend/native-build';
import { NATIVE_FILES, packageDir } from './build-native.mjs';

copyNative(packageDir, 'uring.cc', NATIVE_FILES, { clean: process.argv.includes('--clean') });
