#!/usr/bin/env node
// Builds the shim ABI's C++ test driver (native/test/shim_test.cc: it drives
// any shim through backend.h alone, fake libuv included) against the io_uring
// shim (the readiness core with the io_uring poller) under AddressSanitizer +
// UndefinedBehaviorSanitizer ("asan"), then under ThreadSanitizer ("tsan"),
// and runs both, each twice: as built, and with SIO_URING_REFUSE_MULTISHOT=1
// (the kernel refuses multishot accept, as before 5.19, so the single-shot
// fallback runs); then ("js") runs this package's compiled mocha suite, fuzz
// included, against an ASan+UBSan build of the shim preloaded into Node (run
// `npm test` once first so that build/test exists). Pass variant names to
// run only some. Monorepo only; how the builds and runs go is the
// repository's scripts/sanitize-shim.mjs.
import { join } from 'node:path';
import { ASAN, TSAN, monorepoOnly, runSanitizers } from '../../../scripts/sanitize-shim.mjs';
import { CXXFLAGS, SHARED_LDFLAGS, monorepoNativeDir, packageDir } from './build-native.mjs';

const native = monorepoOnly(monorepoNativeDir());
const shim = ['readiness.cc', 'uring.cc', 'uring_ring.cc', 'uv_watch.cc'].map((f) => join(native, f));
const driver = [...shim, join(native, 'test/shim_test.cc')];
const includes = ['-I', native];
// Again with the kernel refusing multishot accept (as before 5.19): the
// single-shot fallback passes the same tests.
const runs = [{}, { SIO_URING_REFUSE_MULTISHOT: '1' }];
runSanitizers({
  packageDir,
  cxxflags: CXXFLAGS,
  prefix: 'uring',
  programs: {
    // -rdynamic exports the driver's fake libuv to the shim's dlsym lookups.
    asan: { flags: [...ASAN, '-rdynamic'], includes, sources: driver, runs },
    tsan: { flags: [...TSAN, '-rdynamic'], includes, sources: driver, runs },
  },
  js: { library: 'sio_uring_asan.so', ldflags: SHARED_LDFLAGS, includes, sources: shim, libraryEnv: 'SIO_URING_LIBRARY' },
});
