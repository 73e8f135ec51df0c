#!/usr/bin/env node
// Compiles the epoll shim with the machine's C++ compiler (no downloads) into
// build/sio_epoll.so. Run by `npm install` (the package's install script) and
// by `npm test`; `--force` rebuilds even when the library is up to date.
//
// Where the C++ source comes from: in the monorepo it is the repository's
// native/ directory (the one source of truth, shared with the other shims);
// in a packed tarball it is the package's own native/ copy, which
// scripts/copy-native.mjs makes at `npm pack` time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The files the epoll shim is built from (the .cc files are compiled). */
export const NATIVE_FILES = ['backend.h', 'uv_watch.h', 'uv_watch.cc', 'epoll.cc'];

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** native/ of the monorepo when this package sits in it, else the packed copy. */
export function monorepoNativeDir() {
  const repoNative = resolve(packageDir, '../../native');
  const self = resolve(packageDir, '../../packages/io-epoll');
  const inRepo =
    existsSync(join(repoNative, 'epoll.cc')) && existsSync(self) && realpathSync(self) === realpathSync(packageDir);
  return inRepo ? repoNative : null;
}

export function nativeDir() {
  return monorepoNativeDir() ?? join(packageDir, 'native');
}

/** g++ arguments shared by the release build and the sanitizer builds. */
export const CXXFLAGS = ['-std=c++17', '-Wall', '-Wextra', '-fPIC', '-fvisibility=hidden', '-pthread'];

/**
 * Linker arguments of the shared library. -z nodelete: koffi dlcloses the
 * library when Node exits, but a waiter thread (or a libuv callback pointer)
 * may still be running its code then; without this the code is unmapped under
 * it and the process dies with SIGSEGV on its way out.
 */
export const SHARED_LDFLAGS = ['-shared', '-Wl,-z,nodelete'];

function build({ force }) {
  if (process.platform !== 'linux') {
    console.log('@stackless-io/io-epoll: not Linux, nothing to build');
    return;
  }
  const src = nativeDir();
  const inputs = NATIVE_FILES.map((f) => join(src, f));
  const missing = inputs.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`missing native sources: ${missing.join(', ')}`);
  const out = join(packageDir, 'build', 'sio_epoll.so');
  if (!force && existsSync(out)) {
    const built = statSync(out).mtimeMs;
    // This script counts as an input too: it holds the compiler flags.
    if ([...inputs, fileURLToPath(import.meta.url)].every((f) => statSync(f).mtimeMs <= built)) return;
  }
  mkdirSync(dirname(out), { recursive: true });
  const cxx = process.env.CXX || 'g++';
  // Written under a temporary name and renamed: overwriting a .so in place
  // would corrupt it under any process that has it loaded.
  const tmp = `${out}.${process.pid}.tmp`;
  const args = [...CXXFLAGS, '-O2', ...SHARED_LDFLAGS, '-I', src, '-o', tmp, ...inputs.filter((f) => f.endsWith('.cc'))];
  try {
    execFileSync(cxx, args, { stdio: 'inherit' });
  } catch (err) {
    throw new Error(`@stackless-io/io-epoll: '${cxx} ${args.join(' ')}' failed (${err.message}); a C++17 compiler is required`);
  }
  renameSync(tmp, out);
  console.log(`@stackless-io/io-epoll: built ${out}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    build({ force: process.argv.includes('--force') });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
