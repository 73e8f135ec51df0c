// The IOCP DLL as shim-backend's file check sees it before anything is handed
// to a loader (library-file.ts): the whole DLL passes for Windows x64, and a
// copy cut anywhere is reported as truncated, checked for Windows x64 on any
// machine (the check only reads the file). Then where the DLL is found: on
// Windows (or Windows Node under Wine, tests/wine/test-wine.sh), the platform
// package, loaded; elsewhere, the one-line reason and that a DLL given to
// this process is named as a Windows library.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backend, IOCP_LIBRARY, libraryPath } from '@stackless-io/io-iocp';
import { ABI_VERSION, libraryFileProblem, libraryProblem } from '@stackless-io/shim-backend';

/** The DLL of the platform package, as the monorepo's build cross-compiles it (mingw-w64). */
const dll = join(IOCP_LIBRARY.packageDir, '..', 'io-iocp-win32-x64', 'sio_iocp.dll');
const WINDOWS_X64 = { platform: 'win32', arch: 'x64' };

function readDll(ctx: Mocha.Context): Buffer {
  try {
    return readFileSync(dll);
  } catch {
    console.log(`      (skipped: ${dll} is not built: x86_64-w64-mingw32-g++ is not installed)`);
    return ctx.skip();
  }
}

describe('io-iocp: the DLL before it is loaded, and where it is found', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sio-iocp-lib-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the whole DLL is a library for Windows x64, and not for Windows arm64 or Linux', function () {
    readDll(this);
    expect(libraryFileProblem(dll, WINDOWS_X64)).to.equal(null);
    expect(libraryFileProblem(dll, { platform: 'win32', arch: 'arm64' })).to.equal(`${dll} is built for x64, this process is arm64`);
    expect(libraryFileProblem(dll, { platform: 'linux', arch: 'x64' })).to.equal(`${dll} is a Windows (PE) library, this process runs on linux`);
  });

  it('a copy cut anywhere (DOS header, PE header, section table, sections, symbols, last byte) is truncated', function () {
    const whole = readDll(this);
    const pe = whole.readUInt32LE(60);
    const cuts = [1, 2, 63, 64, pe, pe + 4, pe + 23, pe + 24 + 100, 0x500, 0x600, 0x601, 4096, whole.length >> 1, whole.length - 4096, whole.length - 1];
    for (const n of cuts) {
      const p = join(dir, `cut-${n}.dll`);
      writeFileSync(p, whole.subarray(0, n));
      // One byte is not yet the 'MZ' magic that says what the file is.
      const why = n < 2 ? 'is not a shared library (no ELF, PE or Mach-O header)' : `is truncated (${n} bytes)`;
      expect(libraryFileProblem(p, WINDOWS_X64), `cut at ${n}`).to.equal(`${p} ${why}`);
    }
  });

  it('an MZ file without a PE signature, and a Windows program, are no DLL', function () {
    const whole = readDll(this);
    const dos = Buffer.from(whole);
    dos.write('XX', dos.readUInt32LE(60), 'latin1');
    const exe = Buffer.from(whole);
    const characteristics = exe.readUInt32LE(60) + 22;
    exe.writeUInt16LE(exe.readUInt16LE(characteristics) & ~0x2000, characteristics);
    const [a, b] = [join(dir, 'dos.dll'), join(dir, 'program.dll')];
    writeFileSync(a, dos);
    writeFileSync(b, exe);
    expect(libraryFileProblem(a, WINDOWS_X64)).to.equal(`${a} is not a Windows library (an MZ header without a PE signature)`);
    expect(libraryFileProblem(b, WINDOWS_X64)).to.match(/is a Windows program, not a DLL \(characteristics 0x[0-9a-f]+\)$/);
  });

  it('where it is found: on Windows x64 the platform package, loaded; elsewhere the one-line reason', function () {
    const saved = process.env.SIO_IOCP_LIBRARY;
    delete process.env.SIO_IOCP_LIBRARY;
    try {
      if (process.platform === 'win32' && process.arch === 'x64') {
        readDll(this);
        expect(backend.unavailableReason()).to.equal(null);
        const name = '@stackless-io/io-iocp-win32-x64';
        expect(backend.describe!()).to.match(new RegExp(`sio_iocp\\.dll \\((the platform package ${name}|a from-source build)\\): shim "iocp", ABI ${ABI_VERSION}$`));
      } else {
        expect(backend.unavailableReason()).to.equal(`IO completion ports are Windows only (this is ${process.platform})`);
        expect(libraryPath()).to.equal(join(IOCP_LIBRARY.packageDir, 'build', 'sio_iocp.dll'));
        readDll(this);
        // Given to this process anyway, the DLL is named for what it is and never reaches dlopen().
        process.env.SIO_IOCP_LIBRARY = dll;
        expect(libraryProblem(IOCP_LIBRARY)).to.equal(
          `${dll} is a Windows (PE) library, this process runs on ${process.platform} (from $SIO_IOCP_LIBRARY): fix or unset $SIO_IOCP_LIBRARY`,
        );
      }
    } finally {
      if (saved === undefined) delete process.env.SIO_IOCP_LIBRARY;
      else process.env.SIO_IOCP_LIBRARY = saved;
    }
  });
});
