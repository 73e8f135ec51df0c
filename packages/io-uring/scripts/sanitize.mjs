#!/usr/bin/env node
// Builds the shim ABI's C++ test driver (native/test/epoll_test.cc: it drives
// any shim through backend.h alone, fake libuv included) against the io_uring
// shim (the readiness core with the io_uring poller) under AddressSanitizer + UndefinedBehaviorSanitizer ("asan"), then
// under ThreadSanitizer ("tsan"), and runs both, each twice: as built, and
// with SIO_URING_REFUSE_MULTISHOT=1 (the kernel refuses multishot accept,
// as before 5.19, so the single-shot fallback runs); then ("js") runs this
// package's compiled mocha suite, fuzz included, against an ASan+UBSan build
// of the shim preloaded into Node (run `npm test` once first so that
// build/test exists). Pass variant names to run only some. Monorepo only.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CXXFLAGS, SHARED_LDFLAGS, monorepoNativeDir, packageDir } from './build-native.mjs';

const native = monorepoNativeDir();
if (native === null) {
  console.log('sanitize: native/test is only in the monorepo; nothing to do');
  process.exit(0);
}
const cxx = process.env.CXX || 'g++';
const shimSources = ['readiness.cc', 'uring.cc', 'uring_ring.cc', 'uv_watch.cc'].map((f) => join(native, f));
const sources = [...shimSources, join(native, 'test/epoll_test.cc')];
const asan = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'];
const variants = { asan, tsan: ['-fsanitize=thread'] };
const only = process.argv.slice(2);
mkdirSync(join(packageDir, 'build'), { recursive: true });
for (const [name, flags] of Object.entries(variants)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const out = join(packageDir, 'build', `uring_test_${name}`);
  // -rdynamic exports the driver's fake libuv to the shim's dlsym lookups.
  const args = [...CXXFLAGS, '-g', '-O1', ...flags, '-rdynamic', '-I', native, '-o', out, ...sources];
  console.log(`$ ${cxx} ${args.join(' ')}`);
  execFileSync(cxx, args, { stdio: 'inherit' });
  console.log(`$ ${out}`);
  try {
    execFileSync(out, { stdio: 'inherit' });
    // Again with the kernel refusing multishot accept (as before 5.19): the
    // single-shot fallback passes the same tests.
    console.log(`$ SIO_URING_REFUSE_MULTISHOT=1 ${out}`);
    execFileSync(out, { stdio: 'inherit', env: { ...process.env, SIO_URING_REFUSE_MULTISHOT: '1' } });
  } catch {
    process.exit(1);
  }
}

if (only.length === 0 || only.includes('js')) {
  const lib = join(packageDir, 'build', 'sio_uring_asan.so');
  const args = [...CXXFLAGS, '-g', '-O1', ...asan, ...SHARED_LDFLAGS, '-I', native, '-o', lib, ...shimSources];
  console.log(`$ ${cxx} ${args.join(' ')}`);
  execFileSync(cxx, args, { stdio: 'inherit' });
  if (!existsSync(join(packageDir, 'build', 'test'))) {
    console.error('sanitize js: build/test is missing; run `npm test` first');
    process.exit(1);
  }
  const runtime = (name) => execFileSync(cxx, [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
  const env = {
    ...process.env,
    // Node itself is not instrumented: preload the runtimes, and leave leak
    // checking off (V8's allocations at exit are not ours).
    LD_PRELOAD: `${runtime('libasan.so')}:${runtime('libubsan.so')}`,
    ASAN_OPTIONS: 'detect_leaks=0',
    SIO_URING_LIBRARY: lib,
  };
  const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
  console.log(`$ SIO_URING_LIBRARY=${lib} LD_PRELOAD=${env.LD_PRELOAD} mocha`);
  try {
    execFileSync(process.execPath, [mocha], { stdio: 'inherit', env, cwd: packageDir });
  } catch {
    process.exit(1);
  }
}
