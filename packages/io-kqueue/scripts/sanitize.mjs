#!/usr/bin/env node
// The kqueue shim's native tests, on Linux through the kqueue emulation:
//   emu     native/testing/kqueue-emu's unit tests (the emulation itself),
//   sockabi native/test/sockabi_test.cc (the BSD translations, with the
//           macOS and FreeBSD tables),
//   asan    the shim's C ABI driver (native/test/shim_test.cc: it speaks
//           only backend.h, so it drives any shim) against kqueue.cc over the
//           emulation, under AddressSanitizer + UndefinedBehaviorSanitizer,
//   tsan    the same under ThreadSanitizer,
//   js      the package's mocha suite (fuzz included) against an ASan+UBSan
//           build of the emulated shim preloaded into Node (run `npm test`
//           once first so that build/test exists).
// The first four also run the emulation's tests under each sanitizer. Pass
// variant names to run only some. Monorepo only (the C++ drivers are not
// published; how the builds and runs go is the repository's
// scripts/sanitize-shim.mjs); Linux only (the driver uses Linux's network
// namespaces).
import { join } from 'node:path';
import { ASAN, TSAN, monorepoOnly, runSanitizers } from '../../../scripts/sanitize-shim.mjs';
import { CXXFLAGS, buildInputs, monorepoNativeDir, packageDir, sharedLdflags } from './build-native.mjs';

const native = monorepoOnly(monorepoNativeDir());
if (process.platform !== 'linux') {
  console.log(`sanitize: the native drivers run on Linux (through the kqueue emulation); nothing to do on ${process.platform}`);
  process.exit(0);
}
const emu = join(native, 'testing/kqueue-emu');
const emuTests = { includes: ['-I', emu], sources: [join(emu, 'kqueue_emu.cc'), join(emu, 'test/kqueue_emu_test.cc')] };
const { includes, sources: shim } = buildInputs('linux');
const driver = [...shim, join(native, 'test/shim_test.cc')];
runSanitizers({
  packageDir,
  cxxflags: CXXFLAGS,
  prefix: 'kqueue',
  programs: {
    emu: { flags: ASAN, ...emuTests },
    sockabi: { flags: ASAN, includes: ['-I', native], sources: [join(native, 'sockabi.cc'), join(native, 'test/sockabi_test.cc')] },
    // -rdynamic exports the driver's fake libuv to the shim's dlsym lookups.
    asan: { flags: [...ASAN, '-rdynamic'], includes, sources: driver },
    tsan: { flags: [...TSAN, '-rdynamic'], includes, sources: driver },
    'emu-tsan': { flags: TSAN, ...emuTests, with: 'emu' },
  },
  js: {
    library: 'sio_kqueue_emulated_asan.so',
    ldflags: sharedLdflags('linux'),
    includes,
    sources: shim,
    libraryEnv: 'SIO_KQUEUE_LIBRARY',
    env: { SIO_KQUEUE_EMULATED: '1' },
  },
});
