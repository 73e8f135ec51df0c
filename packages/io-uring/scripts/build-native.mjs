#!/usr/bin/env node
// Builds the io_uring shim with the machine's C++ compiler (no downloads):
// `node scripts/build-native.mjs` compiles build/sio_uring.so, a from-source
// build (what `npx stackless-io build-native io_uring` runs in an installed
// project on a platform with no prebuilt package); the monorepo's build adds
// `--prebuilt`, which also fills packages/io-uring-linux-x64 and, when
// aarch64-linux-gnu-g++ is installed, packages/io-uring-linux-arm64. The
// targets, compilers and command line are shim-backend's (the same for every
// native backend): see its scripts/native-build.mjs. Only the kernel's
// <linux/io_uring.h> is needed (linux-libc-dev), not liburing.
//
// Where the C++ source comes from: in the monorepo it is the repository's
// native/ directory (the one source of truth, shared with the other shims);
// in a packed tarball it is the package's own native/ copy, which
// scripts/copy-native.mjs makes at `npm pack` time.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMMON_CXXFLAGS, TARGETS, runBuild, monorepoNativeDir as sharedMonorepoNativeDir, nativeDir as sharedNativeDir } from '@stackless-io/shim-backend/native-build';

/** The files the io_uring shim is built from (the .cc files are compiled): the readiness core and the io_uring poller. */
export const NATIVE_FILES = [
  'backend.h',
  'readiness.h',
  'shim_instance.h',
  'readiness.cc',
  'sockcalls.h',
  'uv_api.h',
  'uv_watch.h',
  'uv_watch.cc',
  'uring_ring.h',
  'uring_ring.cc',
  'uring.cc',
];

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** native/ of the monorepo when this package sits in it, else null (shim-backend's monorepoNativeDir). */
export const monorepoNativeDir = () => sharedMonorepoNativeDir(packageDir, 'uring.cc');

/** native/ of the monorepo when this package sits in it, else the packed copy. */
export const nativeDir = () => sharedNativeDir(packageDir, 'uring.cc');

/** Compiler arguments shared by the release build and the sanitizer builds (scripts/sanitize.mjs). */
export const CXXFLAGS = [...COMMON_CXXFLAGS, ...TARGETS['linux-x64'].cxxflags];

/** Linker arguments of the shared library (see TARGETS in shim-backend's native-build.mjs). */
export const SHARED_LDFLAGS = TARGETS['linux-x64'].ldflags;

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const src = nativeDir();
  runBuild({
    name: '@stackless-io/io-uring',
    packageDir,
    library: 'sio_uring.so',
    os: ['linux'],
    // Keep in step with optionalDependencies and src/library.ts.
    prebuilt: ['linux-x64', 'linux-arm64'],
    sources: NATIVE_FILES.map((f) => join(src, f)),
    includes: [src],
    scriptPath: fileURLToPath(import.meta.url),
  });
}
