// Packing for the packaging tests: every published workspace, and the
// prebuilt platform packages their optionalDependencies name
// (packages/io-epoll-linux-x64, ...), which are not workspaces because npm
// refuses a workspace whose `cpu` is not this machine's (EBADPLATFORM, even
// with --ignore-scripts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  files?: string[];
  scripts?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every published workspace (the root's list, less the private ones), as directories. */
export function workspaceDirs(): string[] {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  return workspaces.map((ws) => join(root, ws)).filter((dir) => manifest(dir).private !== true);
}

/** The platform packages of this repository: the @stackless-io optionalDependencies of the workspaces. */
export function platformPackageDirs(): string[] {
  return workspaceDirs().flatMap((dir) =>
    Object.keys(manifest(dir).optionalDependencies ?? {})
      .filter((name) => name.startsWith('@stackless-io/'))
      .map((name) => join(root, 'packages', name.slice('@stackless-io/'.length))),
  );
}

/** Packs the package in `dir` into `dest`; the tarball's path and the files in it. */
export function pack(dir: string, dest: string): { tarball: string; files: string[] } {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir, encoding: 'utf8' });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(dest, info!.filename), files: info!.files.map((f) => f.path) };
}

/** Whether the platform package in `dir` is for the machine running the tests (os, cpu; glibc is assumed). */
export function isForThisMachine(dir: string): boolean {
  const m = manifest(dir);
  return (m.os ?? [process.platform]).includes(process.platform) && (m.cpu ?? [process.arch]).includes(process.arch);
}

/**
 * A directory for PATH that holds node, npm and npx and nothing else: with
 * it (and CXX naming a compiler that does not exist) no C++ compiler can be
 * found, as on a machine without build tools.
 */
export function compilerFreeBin(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const which = (cmd: string) => realpathSync(execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim());
  // sh runs package bins under npx; it compiles nothing.
  const tools: Record<string, string> = { node: process.execPath, npm: which('npm'), npx: which('npx'), sh: which('sh') };
  for (const [name, target] of Object.entries(tools)) {
    if (!existsSync(join(bin, name))) symlinkSync(target, join(bin, name));
  }
  return bin;
}

/** Environment with no compiler: PATH is only `bin`, CXX/CC name nothing that exists. */
export function noCompilerEnv(bin: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: bin, CXX: '/nonexistent/g++', CC: '/nonexistent/cc', npm_config_ignore_scripts: 'true' };
}
