// How a readiness shim's native tests run under the sanitizers (monorepo
// only: the C++ drivers in native/test are not published). Each backend
// package's scripts/sanitize.mjs (`npm run test:native -w <package>`) names
// its shim's sources and flags and calls runSanitizers(); this file builds
// and runs them the same way for every shim:
//
//   programs  C++ test programs (native/test/shim_test.cc, the C ABI driver
//             that speaks only backend.h, with the shim; unit tests of their
//             own), each compiled with its sanitizer flags into the package's
//             build/<prefix>_test_<name> and run; they print "N passed,
//             M failed" last and exit non-zero on a failure.
//   js        the package's compiled mocha suite (fuzz included) against an
//             ASan+UBSan build of the shim preloaded into Node (run
//             `npm test` once first so that build/test exists).
//
// Names on the command line run only those (a program may also run with
// another's name: the kqueue emulation's TSan run goes with "emu").
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** AddressSanitizer + UndefinedBehaviorSanitizer, stopping at the first report. */
export const ASAN = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'];

/** ThreadSanitizer. */
export const TSAN = ['-fsanitize=thread'];

/**
 * `native` (the package's monorepoNativeDir()) when the package sits in the
 * monorepo; otherwise says there is nothing to do and exits.
 */
export function monorepoOnly(native) {
  if (native === null) {
    console.log('sanitize: native/test is only in the monorepo; nothing to do');
    process.exit(0);
  }
  return native;
}

/**
 * Builds and runs what `spec` describes, in order, and exits with 1 at the
 * first failure. `spec`: { packageDir, cxxflags (the release build's),
 * prefix (build/<prefix>_test_<name>), programs: { name: { flags,
 * includes (compiler arguments), sources, runs? (environments to run it
 * in, each printed before the command; default one, the inherited),
 * with? (another program's name that runs this one too) } }, js: {
 * library (file name in build/), ldflags, includes, sources, libraryEnv
 * (the variable through which the package's tests load a library), env?
 * (more variables for the suite) } }.
 */
export function runSanitizers(spec, argv = process.argv.slice(2)) {
  const cxx = process.env.CXX || 'g++';
  const build = join(spec.packageDir, 'build');
  const wanted = (name, also) => argv.length === 0 || argv.includes(name) || (also !== undefined && argv.includes(also));
  const compile = (args) => {
    console.log(`$ ${cxx} ${args.join(' ')}`);
    execFileSync(cxx, args, { stdio: 'inherit' });
  };
  const run = (file, args, options) => {
    try {
      execFileSync(file, args, { stdio: 'inherit', ...options });
    } catch {
      process.exit(1);
    }
  };
  mkdirSync(build, { recursive: true });

  for (const [name, p] of Object.entries(spec.programs)) {
    if (!wanted(name, p.with)) continue;
    const out = join(build, `${spec.prefix}_test_${name}`);
    compile([...spec.cxxflags, '-g', '-O1', ...p.flags, ...p.includes, '-o', out, ...p.sources]);
    for (const vars of p.runs ?? [{}]) {
      console.log(['$', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), out].join(' '));
      run(out, [], { env: { ...process.env, ...vars } });
    }
  }

  if (!wanted('js')) return;
  const { js } = spec;
  const lib = join(build, js.library);
  compile([...spec.cxxflags, '-g', '-O1', ...ASAN, ...js.ldflags, ...js.includes, '-o', lib, ...js.sources]);
  if (!existsSync(join(build, 'test'))) {
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
    [js.libraryEnv]: lib,
    ...js.env,
  };
  const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
  console.log(`$ ${js.libraryEnv}=${lib} LD_PRELOAD=${env.LD_PRELOAD} mocha`);
  run(process.execPath, [mocha], { env, cwd: spec.packageDir });
}
