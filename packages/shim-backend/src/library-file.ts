/**
 * Checks that a file is a whole shared library for this platform and CPU
 * before it is handed to the dynamic loader. dlopen() maps a library's
 * segments straight from the file: a truncated library whose headers are
 * intact can map pages past the end of the file, and touching them kills the
 * process with SIGBUS instead of failing. So the ELF headers are read here
 * first and every loaded segment must lie inside the file. A Windows DLL (PE)
 * is checked the same way: its PE signature, its machine, that it is a DLL,
 * and that its headers, sections, symbol table and signature lie inside the
 * file. Windows' loader refuses such a file rather than crashing, but with an
 * error number (ERROR_BAD_EXE_FORMAT) that names neither the file's fault nor
 * its fix. Mach-O (macOS) files are recognised by their magic and left to
 * dyld. The checks go by file format, never by backend: any shim's library
 * is checked alike, and a library of another platform's format (a DLL on
 * Linux) is named as such.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** ELF e_machine values of the CPUs Node runs on, by process.arch. */
const ELF_MACHINE: Readonly<Record<string, number>> = {
  ia32: 3,
  arm: 40,
  x64: 62,
  arm64: 183,
  riscv64: 243,
  ppc64: 21,
  s390x: 22,
  loong64: 258,
};

const ELF_MACHINE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(ELF_MACHINE).map(([arch, m]) => [m, arch]),
);

/** PE (COFF) Machine values of the CPUs Node runs on Windows with, by process.arch. */
const PE_MACHINE: Readonly<Record<string, number>> = { ia32: 0x14c, x64: 0x8664, arm64: 0xaa64 };

const PE_MACHINE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(PE_MACHINE).map(([arch, m]) => [m, arch]),
);

/** The platforms (process.platform) whose loader takes each format; a platform in none is not checked. */
const FORMAT_PLATFORMS: Readonly<Record<string, readonly string[]>> = {
  ELF: ['linux', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos'],
  PE: ['win32', 'cygwin'],
  'Mach-O': ['darwin'],
};

/** The machine a library is checked for: by default this process's. */
export interface LibraryHost {
  /** As process.platform: "linux", "win32". */
  platform: string;
  /** As process.arch: "x64", "arm64". */
  arch: string;
}

/**
 * What is wrong with the file at `path` as a shared library for `host` (this
 * process, unless another machine's library is being checked), or null when
 * nothing is.
 */
export function libraryFileProblem(path: string, host: LibraryHost = { platform: process.platform, arch: process.arch }): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return `${path} cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  try {
    const size = fstatSync(fd).size;
    // The headers of a shim are well inside its first 64 KiB.
    const head = Buffer.alloc(Math.min(size, 65536));
    readSync(fd, head, 0, head.length, 0);
    const readAt = (offset: number, length: number): Buffer => {
      const b = Buffer.alloc(length);
      return b.subarray(0, readSync(fd, b, 0, length, offset));
    };
    return problemOf(path, head, size, host, readAt);
  } finally {
    closeSync(fd);
  }
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
type ReadAt = (offset: number, length: number) => Buffer;

function problemOf(path: string, head: Buffer, size: number, host: LibraryHost, readAt: ReadAt): string | null {
  if (size === 0) return `${path} is empty`;
  let format: string;
  if (head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46) format = 'ELF';
  else if (head.length >= 2 && head.toString('latin1', 0, 2) === 'MZ') format = 'PE';
  else if (head.length >= 4 && [0xfeedfacf, 0xcffaedfe, 0xcafebabe, 0xbebafeca].includes(head.readUInt32BE(0))) format = 'Mach-O';
  else return `${path} is not a shared library (no ELF, PE or Mach-O header)`;
  const takers = Object.entries(FORMAT_PLATFORMS).filter(([, platforms]) => platforms.includes(host.platform));
  if (takers.length > 0 && !takers.some(([f]) => f === format)) {
    const kind = format === 'PE' ? 'a Windows (PE)' : format === 'ELF' ? 'an ELF' : 'a macOS (Mach-O)';
    return `${path} is ${kind} library, this process runs on ${host.platform}`;
  }
  if (format === 'ELF') return elfProblem(path, head, size, host);
  if (format === 'PE') return peProblem(path, head, size, host, readAt);
  return null;
}

/**
 * The PE checks (Microsoft's "PE Format" specification): the DOS header
 * points at the PE signature, which is followed by the COFF file header, the
 * optional header and the section table. Offsets here are file offsets.
 */
function peProblem(path: string, head: Buffer, size: number, host: LibraryHost, readAt: ReadAt): string | null {
  const truncated = `${path} is truncated (${size} bytes)`;
  if (size < 64) return truncated; // not even the DOS header
  const pe = head.readUInt32LE(60); // e_lfanew
  if (pe + 24 > size) return truncated;
  const coff = readAt(pe, 24);
  if (coff.readUInt32BE(0) !== 0x50450000) return `${path} is not a Windows library (an MZ header without a PE signature)`;
  const machine = coff.readUInt16LE(4);
  const want = PE_MACHINE[host.arch];
  if (want !== undefined && machine !== want) {
    return `${path} is built for ${PE_MACHINE_NAMES[machine] ?? `PE machine 0x${machine.toString(16)}`}, this process is ${host.arch}`;
  }
  const sections = coff.readUInt16LE(6);
  const symbols = coff.readUInt32LE(12);
  const symbolCount = coff.readUInt32LE(16);
  const optSize = coff.readUInt16LE(20);
  const characteristics = coff.readUInt16LE(22);
  if ((characteristics & 0x2000) === 0) return `${path} is a Windows program, not a DLL (characteristics 0x${characteristics.toString(16)})`;
  const opt = pe + 24;
  const table = opt + optSize;
  if (table + sections * 40 > size) return truncated;
  // The parts of the file that must be there: the headers (SizeOfHeaders),
  // each section's raw data, the COFF symbol table with its string table
  // (kept by unstripped mingw-w64 builds) and a signature (the certificate
  // table, the one data directory given as a file offset).
  const ends: number[] = [table + sections * 40];
  const optional = readAt(opt, optSize);
  if (optional.length >= 64) ends.push(optional.readUInt32LE(60));
  const plus = optional.length >= 2 && optional.readUInt16LE(0) === 0x20b; // PE32+, else PE32
  const dirs = plus ? 112 : 96;
  if (optional.length >= dirs && optional.readUInt32LE(dirs - 4) > 4 && optional.length >= dirs + 40) {
    const certAt = optional.readUInt32LE(dirs + 32);
    const certSize = optional.readUInt32LE(dirs + 36);
    if (certSize > 0) ends.push(certAt + certSize);
  }
  const sectionTable = readAt(table, sections * 40);
  for (let i = 0; i < sections; i++) {
    const rawSize = sectionTable.readUInt32LE(i * 40 + 16);
    const rawAt = sectionTable.readUInt32LE(i * 40 + 20);
    if (rawSize > 0) ends.push(rawAt + rawSize);
  }
  if (symbols !== 0) {
    const strings = symbols + symbolCount * 18;
    if (strings + 4 > size) return truncated;
    ends.push(strings + readAt(strings, 4).readUInt32LE(0));
  }
  return ends.some((end) => end > size) ? truncated : null;
}

function elfProblem(path: string, head: Buffer, size: number, host: LibraryHost): string | null {
  const truncated = `${path} is truncated (${size} bytes)`;
  if (head.length < 16) return truncated; // not even the identification bytes
  const is64 = head[4] === 2;
  if (head[5] !== 1) return `${path} is not a little-endian ELF file`;
  if (head.length < (is64 ? 64 : 52)) return truncated;
  const type = head.readUInt16LE(16);
  if (type !== 3) return `${path} is an ELF file but not a shared library (e_type ${type})`;
  const machine = head.readUInt16LE(18);
  const want = ELF_MACHINE[host.arch];
  if (want !== undefined && machine !== want) {
    return `${path} is built for ${ELF_MACHINE_NAMES[machine] ?? `ELF machine ${machine}`}, this process is ${host.arch}`;
  }
  const num = (at64: number, at32: number) => (is64 ? Number(head.readBigUInt64LE(at64)) : head.readUInt32LE(at32));
  const phoff = num(32, 28);
  const shoff = num(40, 32);
  const phentsize = head.readUInt16LE(is64 ? 54 : 42);
  const phnum = head.readUInt16LE(is64 ? 56 : 44);
  const shentsize = head.readUInt16LE(is64 ? 58 : 46);
  const shnum = head.readUInt16LE(is64 ? 60 : 48);
  if (phoff + phentsize * phnum > head.length) return truncated;
  if (shoff !== 0 && shoff + shentsize * shnum > size) return truncated;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (head.readUInt32LE(p) !== 1) continue; // PT_LOAD only: those are mapped from the file
    const offset = is64 ? Number(head.readBigUInt64LE(p + 8)) : head.readUInt32LE(p + 4);
    const filesz = is64 ? Number(head.readBigUInt64LE(p + 32)) : head.readUInt32LE(p + 16);
    if (offset + filesz > size) return truncated;
  }
  return null;
}
