#!/usr/bin/env node
// The kqueue shim's native tests, on Linux through the kqueue emulation:
//   emu     native/testing/kqueue-emu's unit tests (the emulation itself),
//   sockabi native/test/sockabi_test.cc (the BSD translations, with the
//           macOS and FreeBSD tables),
//   asan    the shim's C ABI driver (native/test/epoll_test.cc: it speaks
//           only backend.h, so it drives any shim) against kqueue.cc over the
//           emulation, under AddressSanitizer + UndefinedBehaviorSanitizer,
//   tsan    the same under ThreadSanitizer,
//   js      the package's mocha suite (fuzz included) against an ASan+UBSan
//           build of the emulated shim preloaded into Node (run `npm test`
//           once first so that build/test exists).
// The first four also run the emulation's tests under each sanitizer. Pass
// variant names to run only some. Monorepo only (the C++ drivers are not
// published); Linux only (the driver uses Linux's network namespaces).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CXXFLAGS, buildInputs, monorepoNativeDir, packageDir, sharedLdflags } from './build-native.mjs';

const native = monorepoNativeDir();
if (native === null) {
  console.log('sanitize: native/test is only in the monorepo; nothing to do');
  process.exit(0);
}
if (process.platform !== 'linux') {
  console.log(`sanitize: the native drivers run on Linux (through the kqueue emulation); nothing to do on ${process.platform}`);
  process.exit(0);
}
const cxx = process.env.CXX || 'g++';
const asan = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'];
const tsan = ['-fsanitize=thread'];
const emu = join(native, 'testing/kqueue-emu');
const { includes, sources: shimSources } = buildInputs('linux');
const programs = {
  emu: { flags: asan, includes: ['-I', emu], sources: [join(emu, 'kqueue_emu.cc'), join(emu, 'test/kqueue_emu_test.cc')] },
  sockabi: { flags: asan, includes: ['-I', native], sources: [join(native, 'sockabi.cc'), join(native, 'test/sockabi_test.cc')] },
  // -rdynamic exports the driver's fake libuv to the shim's dlsym lookups.
  asan: { flags: [...asan, '-rdynamic'], includes, sources: [...shimSources, join(native, 'test/epoll_test.cc')] },
  tsan: { flags: [...tsan, '-rdynamic'], includes, sources: [...shimSources, join(native, 'test/epoll_test.cc')] },
  'emu-tsan': { flags: tsan, includes: ['-I', emu], sources: [join(emu, 'kqueue_emu.cc'), join(emu, 'test/kqueue_emu_test.cc')] },
};
const only = process.argv.slice(2);
const wanted = (name) => only.length === 0 || only.includes(name) || (name === 'emu-tsan' && only.includes('emu'));
mkdirSync(join(packageDir, 'build'), { recursive: true });
for (const [name, p] of Object.entries(programs)) {
  if (!wanted(name)) continue;
  const out = join(packageDir, 'build', `kqueue_test_${name}`);
  const args = [...CXXFLAGS, '-g', '-O1', ...p.flags, ...p.includes, '-o', out, ...p.sources];
  console.log(`$ ${cxx} ${args.join(' ')}`);
  execFileSync(cxx, args, { stdio: 'inherit' });
  console.log(`$ ${out}`);
  try {
    execFileSync(out, { stdio: 'inherit' });
  } catch {
    process.exit(1);
  }
}

if (wanted('js')) {
  const lib = join(packageDir, 'build', 'sio_kqueue_emulated_asan.so');
  const args = [...CXXFLAGS, '-g', '-O1', ...asan, ...sharedLdflags('linux'), ...includes, '-o', lib, ...shimSources];
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
    SIO_KQUEUE_LIBRARY: lib,
    SIO_KQUEUE_EMULATED: '1',
  };
  const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
  console.log(`$ SIO_KQUEUE_LIBRARY=${lib} LD_PRELOAD=${env.LD_PRELOAD} mocha`);
  try {
    execFileSync(process.execPath, [mocha], { stdio: 'inherit', env, cwd: packageDir });
  } catch {
    process.exit(1);
  }
}
