#!/usr/bin/env node
// Compiles the kqueue shim with the machine's C++ compiler (no downloads).
// Run explicitly (`npm run build:native -w @stackless-io/io-kqueue`, or
// `node node_modules/@stackless-io/io-kqueue/scripts/build-native.mjs`) and
// by the package's tests; there is no install script (see the repository's
// native-shipping convention). `--force` rebuilds even when up to date.
//
// - macOS, FreeBSD, OpenBSD, NetBSD: the real shim, build/sio_kqueue.<dylib|so>,
//   from kqueue.cc, readiness.cc, uv_watch.cc and the BSD socket calls
//   (sockcalls_bsd.cc, sockabi.cc), which translate the ABI's Linux numbers.
// - Linux: the emulated build for tests only, build/sio_kqueue_emulated.so,
//   compiled against native/testing/kqueue-emu (kqueue()/kevent() over epoll).
//   It names itself "kqueue (emulated)" and is never picked by default.
// - Anything else: nothing to build.
//
// Where the C++ source comes from: in the monorepo it is the repository's
// native/ directory (the one source of truth); in a packed tarball it is the
// package's own native/ copy (scripts/copy-native.mjs, at `npm pack`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { monorepoNativeDir as sharedMonorepoNativeDir, nativeDir as sharedNativeDir } from '@stackless-io/shim-backend/native-build';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The platforms where kqueue is the kernel's. */
export const KQUEUE_PLATFORMS = ['darwin', 'freebsd', 'openbsd', 'netbsd'];

/** Sources of the real shim (the .cc files are compiled). */
export const NATIVE_FILES = [
  'backend.h',
  'readiness.h',
  'shim_instance.h',
  'readiness_only.h',
  'readiness.cc',
  'sockcalls.h',
  'sockcalls_bsd.cc',
  'sockabi.h',
  'sockabi.cc',
  'uv_api.h',
  'uv_watch.h',
  'uv_watch.cc',
  'kqueue.cc',
];

/** Sources of the emulated build (Linux, tests only): the emulation, and no BSD socket calls. */
export const EMULATED_FILES = [
  'backend.h',
  'readiness.h',
  'shim_instance.h',
  'readiness_only.h',
  'readiness.cc',
  'sockcalls.h',
  'uv_api.h',
  'uv_watch.h',
  'uv_watch.cc',
  'kqueue.cc',
  'testing/kqueue-emu/sys/event.h',
  'testing/kqueue-emu/kqueue_emu.cc',
];

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** native/ of the monorepo when this package sits in it, else null (shim-backend's monorepoNativeDir). */
export const monorepoNativeDir = () => sharedMonorepoNativeDir(packageDir, 'kqueue.cc');

/** native/ of the monorepo when this package sits in it, else the packed copy. */
export const nativeDir = () => sharedNativeDir(packageDir, 'kqueue.cc');

/** Compiler arguments shared by the release build and the sanitizer builds. */
export const CXXFLAGS = ['-std=c++17', '-Wall', '-Wextra', '-fPIC', '-fvisibility=hidden', '-pthread'];

/**
 * Linker arguments of the shared library. -z nodelete (GNU ld, lld): the
 * waiter thread or a libuv callback may still run the library's code when
 * koffi unloads it at exit. Apple's linker has no such flag; there, dyld does
 * not unload a library that another image (Node's koffi) still links against
 * through dlopen until exit.
 */
export function sharedLdflags(platform = process.platform) {
  return platform === 'darwin' ? ['-dynamiclib'] : ['-shared', '-Wl,-z,nodelete'];
}

/** The library this platform builds, or null when there is none. */
export function libraryFile(platform = process.platform) {
  if (platform === 'linux') return 'sio_kqueue_emulated.so';
  if (platform === 'darwin') return 'sio_kqueue.dylib';
  if (KQUEUE_PLATFORMS.includes(platform)) return 'sio_kqueue.so';
  return null;
}

/** Sources and -I flags of this platform's build. */
export function buildInputs(platform = process.platform) {
  const src = nativeDir();
  const emulated = platform === 'linux';
  const files = (emulated ? EMULATED_FILES : NATIVE_FILES).map((f) => join(src, f));
  const includes = emulated ? ['-I', src, '-I', join(src, 'testing/kqueue-emu')] : ['-I', src];
  return { files, includes, sources: files.filter((f) => f.endsWith('.cc')) };
}

function build({ force }) {
  const name = libraryFile();
  if (name === null) {
    console.log(`@stackless-io/io-kqueue: nothing to build on ${process.platform}`);
    return;
  }
  const { files, includes, sources } = buildInputs();
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`missing native sources: ${missing.join(', ')}`);
  const out = join(packageDir, 'build', name);
  if (!force && existsSync(out)) {
    const built = statSync(out).mtimeMs;
    // This script counts as an input too: it holds the compiler flags.
    if ([...files, fileURLToPath(import.meta.url)].every((f) => statSync(f).mtimeMs <= built)) return;
  }
  mkdirSync(dirname(out), { recursive: true });
  const cxx = process.env.CXX || (process.platform === 'linux' ? 'g++' : 'c++');
  // Written under a temporary name and renamed: overwriting a library in
  // place would corrupt it under any process that has it loaded.
  const tmp = `${out}.${process.pid}.tmp`;
  const args = [...CXXFLAGS, '-O2', ...sharedLdflags(), ...includes, '-o', tmp, ...sources];
  try {
    execFileSync(cxx, args, { stdio: 'inherit' });
  } catch (err) {
    throw new Error(`@stackless-io/io-kqueue: '${cxx} ${args.join(' ')}' failed (${err.message}); a C++17 compiler is required`);
  }
  renameSync(tmp, out);
  console.log(`@stackless-io/io-kqueue: built ${out}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    build({ force: process.argv.includes('--force') });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
