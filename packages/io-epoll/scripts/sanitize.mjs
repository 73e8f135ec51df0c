#!/usr/bin/env node
// Builds the shim ABI's C++ test driver (native/test/shim_test.cc) with the
// epoll shim under AddressSanitizer + UndefinedBehaviorSanitizer ("asan"),
// then under ThreadSanitizer ("tsan"), and runs both; then ("js") runs the
// compiled mocha suite, fuzz included, against an ASan+UBSan build of the
// shim preloaded into Node (run `npm test` once first so that build/test
// exists). Pass variant names to run only some. Monorepo only (the C++
// driver is not published); how the builds and runs go is the repository's
// scripts/sanitize-shim.mjs.
import { join } from 'node:path';
import { ASAN, TSAN, monorepoOnly, runSanitizers } from '../../../scripts/sanitize-shim.mjs';
import { CXXFLAGS, SHARED_LDFLAGS, monorepoNativeDir, packageDir } from './build-native.mjs';

const native = monorepoOnly(monorepoNativeDir());
const shim = ['readiness.cc', 'epoll.cc', 'uv_watch.cc'].map((f) => join(native, f));
const driver = [...shim, join(native, 'test/shim_test.cc')];
const includes = ['-I', native];
runSanitizers({
  packageDir,
  cxxflags: CXXFLAGS,
  prefix: 'epoll',
  programs: {
    // -rdynamic exports the driver's fake libuv to the shim's dlsym lookups.
    asan: { flags: [...ASAN, '-rdynamic'], includes, sources: driver },
    tsan: { flags: [...TSAN, '-rdynamic'], includes, sources: driver },
  },
  js: { library: 'sio_epoll_asan.so', ldflags: SHARED_LDFLAGS, includes, sources: shim, libraryEnv: 'SIO_EPOLL_LIBRARY' },
});
