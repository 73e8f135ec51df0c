// How every native backend builds its shim (docs/native-shims.rst). A
// backend package's scripts/build-native.mjs describes its shim (sources,
// library file name, extra flags, the platforms it has prebuilt packages
// for) and calls runBuild(); this file knows the targets and compilers.
//
//   node scripts/build-native.mjs             from source, for this machine,
//                                             into the package's build/
//   node scripts/build-native.mjs --prebuilt  (monorepo) also fills the
//                                             platform packages next to it:
//                                             this machine's, and each other
//                                             target whose cross compiler is
//                                             installed (skipped, with a line
//                                             saying so, when it is not)
//   node scripts/build-native.mjs --target linux-arm64
//                                             one platform package; fails
//                                             when its compiler is missing
//   --force                                   rebuild even when up to date
//
// No downloads: the compiler is the machine's ($CXX, or the target's cross
// compiler). A library is written under a temporary name and renamed, since
// overwriting a loaded .so in place corrupts it under the processes using it.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's native/ (the one source of truth of every shim) when the
 * backend package at `packageDir` is the monorepo's `packages/<its folder>`
 * and `marker` (one of its sources) is there, else null: a packed tarball
 * builds from its own native/ copy.
 */
export function monorepoNativeDir(packageDir, marker) {
  const repoNative = resolve(packageDir, '../../native');
  const self = resolve(packageDir, '../../packages', basename(packageDir));
  const inRepo = existsSync(join(repoNative, marker)) && existsSync(self) && realpathSync(self) === realpathSync(packageDir);
  return inRepo ? repoNative : null;
}

/** Where a backend package's C++ sources are: the monorepo's native/, else its packed copy. */
export function nativeDir(packageDir, marker) {
  return monorepoNativeDir(packageDir, marker) ?? join(packageDir, 'native');
}

/**
 * The `npm pack` hooks of a backend package: copies `files` (paths under
 * native/) from the repository's native/ into the package (prepack), so
 * that the tarball can build from source, or removes the copy (`clean`,
 * postpack). Outside the monorepo the package holds its copy already and
 * nothing happens.
 */
export function copyNative(packageDir, marker, files, { clean = false } = {}) {
  const repoNative = monorepoNativeDir(packageDir, marker);
  if (repoNative === null) return;
  const copy = join(packageDir, 'native');
  rmSync(copy, { recursive: true, force: true });
  if (clean) return;
  for (const f of new Set(files)) {
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    copyFileSync(join(repoNative, f), join(copy, f));
  }
}

/**
 * The targets the project builds, by `${process.platform}-${process.arch}`:
 * the compiler when it is not this machine's, and the flags that make a
 * shared library there. Linux libraries get -z nodelete: koffi dlcloses the
 * library when Node exits, but a waiter thread (or a libuv callback pointer)
 * may still be running its code then, and unmapping it under them kills the
 * process with SIGSEGV on its way out. The darwin recipes serve from-source
 * builds on macOS (`npx stackless-io build-native`) and cannot be tried on
 * this project's Linux CI.
 */
export const TARGETS = {
  'linux-x64': { cross: 'x86_64-linux-gnu-g++', cxxflags: ['-fPIC', '-pthread'], ldflags: ['-shared', '-Wl,-z,nodelete'] },
  'linux-arm64': { cross: 'aarch64-linux-gnu-g++', cxxflags: ['-fPIC', '-pthread'], ldflags: ['-shared', '-Wl,-z,nodelete'] },
  'win32-x64': { cross: 'x86_64-w64-mingw32-g++', cxxflags: [], ldflags: ['-shared', '-static-libgcc', '-static-libstdc++'] },
  'darwin-x64': { cxxflags: ['-fPIC', '-pthread'], ldflags: ['-dynamiclib', '-undefined', 'dynamic_lookup'] },
  'darwin-arm64': { cxxflags: ['-fPIC', '-pthread'], ldflags: ['-dynamiclib', '-undefined', 'dynamic_lookup'] },
};

/** Flags every shim is compiled with, whatever the target. */
export const COMMON_CXXFLAGS = ['-std=c++17', '-Wall', '-Wextra', '-fvisibility=hidden'];

/** This machine's target name. */
export function hostTarget() {
  return `${process.platform}-${process.arch}`;
}

/** The compiler for `target`: $CXX on this machine, else $CXX_<target> or the target's cross compiler. */
export function compilerFor(target) {
  if (target === hostTarget()) return process.env.CXX || 'g++';
  const override = process.env[`CXX_${target.replace('-', '_')}`];
  return override || TARGETS[target]?.cross || null;
}

/** Whether `cxx` runs. */
export function compilerExists(cxx) {
  return cxx !== null && spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Compiles `spec.sources` (paths; .cc files are compiled, the rest are
 * dependencies for the up-to-date check) for `target` into `out`, unless
 * `out` is newer than every input. `spec.scriptPath` (the calling script,
 * which holds the flags) counts as an input.
 */
export function compile(spec, target, out, { force = false } = {}) {
  const t = TARGETS[target];
  if (t === undefined) throw new Error(`${spec.name}: no build recipe for ${target}`);
  const missing = spec.sources.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`${spec.name}: missing native sources: ${missing.join(', ')}`);
  const inputs = [...spec.sources, spec.scriptPath, fileURLToPath(import.meta.url)];
  if (!force && existsSync(out)) {
    const built = statSync(out).mtimeMs;
    if (inputs.every((f) => statSync(f).mtimeMs <= built)) return false;
  }
  const cxx = compilerFor(target);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const args = [
    ...COMMON_CXXFLAGS,
    ...t.cxxflags,
    '-O2',
    ...t.ldflags,
    ...spec.includes.flatMap((d) => ['-I', d]),
    '-o',
    tmp,
    ...spec.sources.filter((f) => f.endsWith('.cc')),
    ...(spec.libs?.[target] ?? []),
  ];
  try {
    execFileSync(cxx, args, { stdio: 'inherit' });
  } catch (err) {
    throw new Error(`${spec.name}: '${cxx} ${args.join(' ')}' failed (${err.message}); a C++17 compiler is required`);
  }
  renameSync(tmp, out);
  console.log(`${spec.name}: built ${out} (${target})`);
  return true;
}

/** Copies `from` to `to` (via a temporary name) when `to` is missing or older. */
function copyIfNewer(from, to) {
  if (existsSync(to) && statSync(to).mtimeMs >= statSync(from).mtimeMs) return;
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
  console.log(`copied ${basename(from)} into ${dirname(to)}`);
}

/**
 * The command line of a backend's build-native.mjs. `spec`: { name (the
 * package name), packageDir, library (file name), os (platforms it runs
 * on), prebuilt (targets with a platform package), sources, includes, libs?
 * ({ target: [-l flags] }), scriptPath }. The platform package of target T
 * is the directory `${packageDir}-${T}` (packages/io-epoll-linux-x64).
 */
export function runBuild(spec, argv = process.argv.slice(2)) {
  const force = argv.includes('--force');
  const at = argv.indexOf('--target');
  const platformDir = (target) => `${spec.packageDir}-${target}`;
  try {
    if (at >= 0) {
      const target = argv[at + 1];
      if (!spec.prebuilt.includes(target)) throw new Error(`${spec.name}: no platform package for ${target} (${spec.prebuilt.join(', ')})`);
      if (!compilerExists(compilerFor(target))) throw new Error(`${spec.name}: ${compilerFor(target)} is not installed, so ${target} cannot be built`);
      compile(spec, target, join(platformDir(target), spec.library), { force });
      return;
    }
    const host = hostTarget();
    if (!spec.os.includes(process.platform)) {
      console.log(`${spec.name}: runs on ${spec.os.join(', ')}, not ${process.platform}: nothing to build here`);
    } else {
      const out = join(spec.packageDir, 'build', spec.library);
      compile(spec, host, out, { force });
      if (argv.includes('--prebuilt') && spec.prebuilt.includes(host)) copyIfNewer(out, join(platformDir(host), spec.library));
    }
    if (!argv.includes('--prebuilt')) return;
    for (const target of spec.prebuilt) {
      if (target === host) continue;
      const cxx = compilerFor(target);
      if (!compilerExists(cxx)) {
        console.log(`${spec.name}: ${target} skipped: no ${cxx} on this machine`);
        continue;
      }
      compile(spec, target, join(platformDir(target), spec.library), { force });
    }
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
