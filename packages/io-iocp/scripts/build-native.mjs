#!/usr/bin/env node
// Builds the IOCP shim, build/sio_iocp.dll, from the repository's native/
// directory: cross-compiled with mingw-w64 on Linux (the command Debian's
// g++-mingw-w64-x86-64 installs), or with $CXX (a mingw-w64 g++) on Windows.
// Nothing is built when no such compiler is found: the package then says
// why the backend is unavailable. `--force` rebuilds even when up to date.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The files the IOCP shim is built from (the .cc file is compiled). */
export const NATIVE_FILES = ['backend.h', 'iocp.cc'];

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function nativeDir() {
  return resolve(packageDir, '../../native');
}

/**
 * Compiler flags. The C++ runtime is linked statically so that the DLL
 * needs nothing beside Windows' own DLLs (ws2_32 for Winsock, mswsock for
 * AcceptEx).
 */
export const CXXFLAGS = ['-std=c++17', '-Wall', '-Wextra', '-O2', '-shared'];
export const LDFLAGS = ['-static-libgcc', '-static-libstdc++', '-lws2_32', '-lmswsock'];

/** The compiler: $CXX, else mingw-w64's cross compiler when it is installed. */
export function compiler() {
  if (process.env.CXX) return process.env.CXX;
  return process.platform === 'win32' ? 'g++' : 'x86_64-w64-mingw32-g++';
}

export function outputPath() {
  return join(packageDir, 'build', 'sio_iocp.dll');
}

function build({ force }) {
  const src = nativeDir();
  const inputs = NATIVE_FILES.map((f) => join(src, f));
  const missing = inputs.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`missing native sources: ${missing.join(', ')}`);
  const out = outputPath();
  if (!force && existsSync(out)) {
    const built = statSync(out).mtimeMs;
    if ([...inputs, fileURLToPath(import.meta.url)].every((f) => statSync(f).mtimeMs <= built)) return;
  }
  mkdirSync(dirname(out), { recursive: true });
  const cxx = compiler();
  // Written under a temporary name and renamed, so that a process that has
  // the DLL loaded never sees a half-written one.
  const tmp = `${out}.${process.pid}.tmp`;
  const args = [...CXXFLAGS, '-I', src, '-o', tmp, join(src, 'iocp.cc'), ...LDFLAGS];
  try {
    execFileSync(cxx, args, { stdio: 'inherit' });
  } catch (err) {
    throw new Error(`@stackless-io/io-iocp: '${cxx} ${args.join(' ')}' failed (${err.message}); mingw-w64's g++ is required`);
  }
  renameSync(tmp, out);
  console.log(`@stackless-io/io-iocp: built ${out}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    build({ force: process.argv.includes('--force') });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
