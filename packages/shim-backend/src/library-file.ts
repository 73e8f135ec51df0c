/**
 * Checks that a file is a whole shared library before it is handed to the
 * dynamic loader. dlopen() maps a library's segments straight from the file:
 * a truncated library whose headers are intact can map pages past the end of
 * the file, and touching them kills the process with SIGBUS instead of
 * failing. So the ELF headers are read here first and every loaded segment
 * must lie inside the file. PE (Windows) and Mach-O (macOS) files are
 * recognised by their magic and left to their loaders, which read them
 * rather than map them blindly.
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

/** What is wrong with the file at `path` as a shared library, or null when nothing is. */
export function libraryFileProblem(path: string): string | null {
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
    return problemOf(path, head, size);
  } finally {
    closeSync(fd);
  }
}

function problemOf(path: string, head: Buffer, size: number): string | null {
  if (size === 0) return `${path} is empty`;
  if (head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46) return elfProblem(path, head, size);
  if (head.length >= 2 && head.toString('latin1', 0, 2) === 'MZ') {
    return head.length >= 64 && head.readUInt32LE(60) + 4 <= size ? null : `${path} is a truncated Windows library`;
  }
  if (head.length >= 4 && [0xfeedfacf, 0xcffaedfe, 0xcafebabe, 0xbebafeca].includes(head.readUInt32BE(0))) return null;
  return `${path} is not a shared library (no ELF, PE or Mach-O header)`;
}

function elfProblem(path: string, head: Buffer, size: number): string | null {
  const truncated = `${path} is truncated (${size} bytes)`;
  if (head.length < 16) return truncated; // not even the identification bytes
  const is64 = head[4] === 2;
  if (head[5] !== 1) return `${path} is not a little-endian ELF file`;
  if (head.length < (is64 ? 64 : 52)) return truncated;
  const type = head.readUInt16LE(16);
  if (type !== 3) return `${path} is an ELF file but not a shared library (e_type ${type})`;
  const machine = head.readUInt16LE(18);
  const want = ELF_MACHINE[process.arch];
  if (want !== undefined && machine !== want) {
    return `${path} is built for ${ELF_MACHINE_NAMES[machine] ?? `ELF machine ${machine}`}, this process is ${process.arch}`;
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
