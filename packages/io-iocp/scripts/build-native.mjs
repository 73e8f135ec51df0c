#!/usr/bin/env node
// Builds the IOCP shim, sio_iocp.dll, with mingw-w64 (no downloads).
// `node scripts/build-native.mjs` on Windows compiles build/sio_iocp.dll
// with $CXX (a mingw-w64 g++), a from-source build (what
// `npx stackless-io build-native iocp` runs in an installed project); on any
// other platform it builds nothing for the machine itself. The monorepo's
// build adds `--prebuilt`, which also cross-compiles the DLL into
// packages/io-iocp-win32-x64 when x86_64-w64-mingw32-g++ (Debian's
// g++-mingw-w64-x86-64) is installed, and says it skipped it otherwise;
// `--target win32-x64` builds only that and fails without the compiler. The
// targets, compilers and command line are shim-backend's (the same for every
// native backend): see its scripts/native-build.mjs.
//
// Where the C++ source comes from: in the monorepo it is the repository's
// native/ directory (the one source of truth, shared with the other shims);
// in a packed tarball it is the package's own native/ copy, which
// scripts/copy-native.mjs makes at `npm pack` time.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runBuild, monorepoNativeDir as sharedMonorepoNativeDir, nativeDir as sharedNativeDir } from '@stackless-io/shim-backend/native-build';

/** The files the IOCP shim is built from (the .cc file is compiled). */
export const NATIVE_FILES = ['backend.h', 'shim_instance.h', 'uv_api.h', 'iocp.cc'];

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** native/ of the monorepo when this package sits in it, else null (shim-backend's monorepoNativeDir). */
export const monorepoNativeDir = () => sharedMonorepoNativeDir(packageDir, 'iocp.cc');

/** native/ of the monorepo when this package sits in it, else the packed copy. */
export const nativeDir = () => sharedNativeDir(packageDir, 'iocp.cc');

/**
 * Windows' own libraries the DLL links against: ws2_32 for Winsock, mswsock
 * for AcceptEx. The C++ runtime is linked statically (the win32-x64 target's
 * flags), so the DLL needs nothing that Windows does not have.
 */
export const LIBS = { 'win32-x64': ['-lws2_32', '-lmswsock'] };

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const src = nativeDir();
  runBuild({
    name: '@stackless-io/io-iocp',
    packageDir,
    library: 'sio_iocp.dll',
    os: ['win32'],
    // Keep in step with optionalDependencies and src/library.ts.
    prebuilt: ['win32-x64'],
    sources: NATIVE_FILES.map((f) => join(src, f)),
    includes: [src],
    libs: LIBS,
    scriptPath: fileURLToPath(import.meta.url),
  });
}
