/**
 * Where a native backend's shim library is, the same way for every backend
 * (docs/native-shims.rst):
 *
 * 1. `$SIO_<NAME>_LIBRARY`, a path given by the user (tests, sanitizer builds);
 * 2. the backend package's own `build/<file>`, a from-source build
 *    (`npx stackless-io build-native`, or the monorepo's build);
 * 3. the prebuilt platform package `<backend package>-<os>-<cpu>`
 *    (`@stackless-io/io-epoll-linux-x64`), an optional dependency that npm
 *    installs on the platform it is for;
 * 4. nowhere: the backend is unavailable, and the one-line reason says what
 *    to install or run.
 *
 * Each backend package calls {@link locateLibrary} / {@link libraryProblem}
 * with its own {@link LibrarySpec}; nothing here knows a backend by name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ShimError, probeLibrary } from './shim.js';

/** What a backend package says about its shim library. */
export interface LibrarySpec {
  /** The backend's name: "epoll". */
  backend: string;
  /** The library's file name, the same in build/ and in the platform packages: "sio_epoll.so". */
  file: string;
  /** The environment variable that overrides the search: "SIO_EPOLL_LIBRARY". */
  envVar: string;
  /** The backend package's directory (the one holding its package.json). */
  packageDir: string;
  /** The platforms (`${process.platform}-${process.arch}`) that have a prebuilt package. */
  prebuilt: readonly string[];
}

/** Where the library was found, and what to do when it is broken there. */
export interface LibraryLocation {
  /** The library's path, or null when there is none. */
  path: string | null;
  /** Where it came from: "$SIO_EPOLL_LIBRARY", "a from-source build", "the platform package …"; or why there is none. */
  from: string;
  /** The command or step that gets a working library. */
  fix: string;
}

const manifests = new Map<string, { name: string; version: string }>();

function manifest(dir: string): { name: string; version: string } {
  let m = manifests.get(dir);
  if (m === undefined) {
    m = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
    manifests.set(dir, m);
  }
  return m;
}

/** The name of the prebuilt package for this platform: "@stackless-io/io-epoll-linux-x64". */
export function platformPackageName(spec: LibrarySpec): string {
  return `${manifest(spec.packageDir).name}-${process.platform}-${process.arch}`;
}

/** The command that builds the shim from source in an installed project. */
export function buildCommand(spec: LibrarySpec): string {
  return `npx stackless-io build-native ${spec.backend}`;
}

/**
 * Finds the library (no loading): the first of the env override, the
 * package's build/ and the platform package that exists.
 */
export function locateLibrary(spec: LibrarySpec): LibraryLocation {
  const env = process.env[spec.envVar];
  if (env !== undefined && env !== '') return { path: env, from: `$${spec.envVar}`, fix: `fix or unset $${spec.envVar}` };
  const built = join(spec.packageDir, 'build', spec.file);
  if (existsSync(built)) {
    return {
      path: built,
      from: 'a from-source build',
      fix: `rebuild it with \`${buildCommand(spec)}\`, or delete it to use the prebuilt package`,
    };
  }
  const { version } = manifest(spec.packageDir);
  const pkg = platformPackageName(spec);
  const install = `\`npm install ${pkg}@${version}\``;
  const fromSource = `build it from source with \`${buildCommand(spec)}\` (needs a C++17 compiler)`;
  const libuv = 'or use the portable backend (STACKLESS_IO_BACKEND=libuv)';
  const key = `${process.platform}-${process.arch}`;
  if (spec.prebuilt.includes(key)) {
    try {
      const found = createRequire(join(spec.packageDir, 'package.json')).resolve(`${pkg}/package.json`);
      return { path: join(dirname(found), spec.file), from: `the platform package ${pkg}`, fix: `reinstall it: ${install}` };
    } catch {
      if (isGlibc()) {
        return {
          path: null,
          from: `the prebuilt package ${pkg} is not installed (optional dependencies omitted?)`,
          fix: `install it: ${install}; or ${fromSource}; ${libuv}`,
        };
      }
    }
  }
  return {
    path: null,
    from: `no prebuilt ${spec.backend} shim for ${key}${process.platform === 'linux' && !isGlibc() ? ' with this C library (prebuilt ones need glibc)' : ''}`,
    fix: `${fromSource}; ${libuv}`,
  };
}

let glibc: boolean | undefined;

/** Whether Node runs on glibc (the prebuilt Linux packages are built against it). */
function isGlibc(): boolean {
  if (glibc === undefined) {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    glibc = header?.glibcVersionRuntime !== undefined;
  }
  return glibc;
}

/**
 * Why the backend's library cannot be used, as one line with the fix, or
 * null when it can: it is found, it is a whole shared library for this CPU,
 * it loads, it speaks this ABI and it is the backend it should be. Loads the
 * library (once per process) but creates nothing.
 */
export function libraryProblem(spec: LibrarySpec): string | null {
  const at = locateLibrary(spec);
  if (at.path === null) return `${at.from}: ${at.fix}`;
  try {
    const info = probeLibrary(at.path);
    if (info.backendName !== spec.backend) {
      return `${at.path} (from ${at.from}) is the ${info.backendName} shim, not ${spec.backend}: ${at.fix}`;
    }
    return null;
  } catch (e) {
    if (!(e instanceof ShimError)) throw e;
    return `${e.message} (from ${at.from}): ${at.fix}`;
  }
}

/** The path of a usable library; throws a ShimError with {@link libraryProblem}'s line otherwise. */
export function requireLibrary(spec: LibrarySpec): string {
  const problem = libraryProblem(spec);
  if (problem !== null) throw new ShimError(problem);
  return locateLibrary(spec).path!;
}

/** One line about the library in use: path, origin, shim name and ABI (the doctor's line). */
export function describeLibrary(spec: LibrarySpec): string {
  const at = locateLibrary(spec);
  if (at.path === null) return `no library: ${at.from}`;
  const problem = libraryProblem(spec);
  if (problem !== null) return problem;
  const info = probeLibrary(at.path);
  return `${at.path} (${at.from}): shim "${info.backendName}", ABI ${info.abiVersion}`;
}
