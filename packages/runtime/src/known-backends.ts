/**
 * The IO backends Stackless IO knows, best first: the one table that backend
 * selection, its error messages and `stackless-io doctor` read. A new
 * backend package is added here (one line), and `published` turns true once
 * its package is on the registry, so that messages only ever tell users to
 * install packages that exist.
 */

/** One known backend. */
export interface KnownBackend {
  /** The backend's name, as useBackend() and STACKLESS_IO_BACKEND take it. */
  readonly name: string;
  /** The npm package that provides it. */
  readonly package: string;
  /** Whether that package is published (false: planned, not installable yet). */
  readonly published: boolean;
  /** The process.platform values it runs on; undefined: every platform. */
  readonly os?: readonly string[];
}

/**
 * Known backends, best first: the default is the first one available. epoll
 * comes before io_uring: measured head to head (bench/RESULTS.md, "io_uring
 * against epoll") neither was faster beyond the noise, and the io_uring shim
 * makes the same socket syscalls as epoll's (it takes only readiness from the
 * ring), so the older backend stays the default; swapping the two lines
 * makes io_uring the default on Linux (epoll then serves where the kernel
 * refuses io_uring).
 */
export const KNOWN_BACKENDS: readonly KnownBackend[] = [
  { name: 'epoll', package: '@stackless-io/io-epoll', published: true, os: ['linux'] },
  { name: 'io_uring', package: '@stackless-io/io-uring', published: true, os: ['linux'] },
  { name: 'kqueue', package: '@stackless-io/io-kqueue', published: true, os: ['darwin', 'freebsd', 'openbsd', 'netbsd'] },
  { name: 'iocp', package: '@stackless-io/io-iocp', published: true, os: ['win32'] },
  { name: 'libuv', package: '@stackless-io/io-libuv', published: true },
];

/** Why a known backend's package cannot be imported, as one line that says what to do. */
export function notInstalledReason(b: KnownBackend): string {
  if (b.os !== undefined && !b.os.includes(process.platform)) return `${b.name} runs on ${b.os.join(', ')}, not ${process.platform}`;
  if (!b.published) return `no ${b.name} backend package is released yet`;
  return `${b.package} is not installed: \`npm install ${b.package}\``;
}
