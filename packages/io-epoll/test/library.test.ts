// Where the epoll shim's library is found, and what a broken one gives:
// shim-backend's locateLibrary()/libraryProblem() with io-epoll's spec. A
// truncated, foreign or mismatched library is reported with its fix and
// never crashes (a truncated .so handed straight to dlopen() dies of SIGBUS
// when its segments reach past the end of the file).
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ABI_VERSION, EPOLL_LIBRARY, describeLibrary, libraryProblem, locateLibrary } from '@stackless-io/io-epoll';

const child = fileURLToPath(new URL('./library-child.js', import.meta.url));
const packageDir = EPOLL_LIBRARY.packageDir;
/** The library the monorepo's build made (the from-source one). */
const built = join(packageDir, 'build', 'sio_epoll.so');

/** Runs library-child.js on `paths`: one answer per path. */
function probe(paths: string[]): { path: string; reason: string | null; thrown: string | null; name: string }[] {
  const r = spawnSync(process.execPath, [child, ...paths], { encoding: 'utf8' });
  expect(r.signal, `the loader survived (stderr: ${r.stderr})`).to.equal(null);
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { path: string; reason: string | null; thrown: string | null; name: string });
}

describe('io-epoll: locating the shim library, and broken libraries', function () {
  this.timeout(60_000);
  let dir = '';
  const savedEnv = process.env.SIO_EPOLL_LIBRARY;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sio-lib-'));
  });
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.SIO_EPOLL_LIBRARY;
    else process.env.SIO_EPOLL_LIBRARY = savedEnv;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a truncated library, cut anywhere, is reported as truncated with the fix, never loaded', () => {
    const whole = readFileSync(built);
    // Inside the ELF header, inside the program headers, inside each
    // loaded segment, and one byte short (only the section headers cut).
    const cuts = [0, 3, 5, 20, 63, 100, 4096, whole.length >> 1, whole.length - 4096, whole.length - 1];
    const paths = cuts.map((n) => {
      const p = join(dir, `cut-${n}.so`);
      writeFileSync(p, whole.subarray(0, n));
      return p;
    });
    for (const [i, got] of probe(paths).entries()) {
      const n = cuts[i]!;
      // Under 4 bytes there is no ELF magic to recognise.
      const why = n === 0 ? 'is empty' : n < 4 ? 'is not a shared library (no ELF, PE or Mach-O header)' : `is truncated (${n} bytes)`;
      expect(got.reason, `cut at ${n}`).to.equal(`${got.path} ${why} (from $SIO_EPOLL_LIBRARY): fix or unset $SIO_EPOLL_LIBRARY`);
      expect(got.name, `cut at ${n}: opening it throws a ShimError`).to.equal('ShimError');
      expect(got.thrown).to.equal(got.reason);
    }
  });

  it('a file that is no shared library, a program, and a library of another CPU are each reported with the fix', () => {
    const text = join(dir, 'text.so');
    writeFileSync(text, 'this is not a library\n');
    const program = '/bin/true'; // a position-independent executable: ELF type DYN, but dlopen() refuses it
    const arm = join(packageDir, '..', 'io-epoll-linux-arm64', 'sio_epoll.so');
    const paths = [text, program, ...(existsSync(arm) ? [arm] : [])];
    if (!existsSync(arm)) console.log(`      (skipped the other-CPU case: ${arm} is not built, aarch64-linux-gnu-g++ missing)`);
    const got = probe(paths);
    expect(got[0]!.reason).to.equal(`${text} is not a shared library (no ELF, PE or Mach-O header) (from $SIO_EPOLL_LIBRARY): fix or unset $SIO_EPOLL_LIBRARY`);
    expect(got[1]!.reason).to.match(/^\/bin\/true (could not be loaded: .+|is an ELF file but not a shared library .+) \(from \$SIO_EPOLL_LIBRARY\): fix or unset/);
    if (got[2] !== undefined) expect(got[2].reason).to.equal(`${arm} is built for arm64, this process is ${process.arch} (from $SIO_EPOLL_LIBRARY): fix or unset $SIO_EPOLL_LIBRARY`);
    for (const g of got) expect(g.name).to.equal('ShimError');
  });

  it('a library of another ABI version, one that is no shim, and an incomplete shim are each reported with the fix', function () {
    const cxx = process.env.CXX || 'g++';
    if (spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status !== 0) {
      console.log(`      (skipped: no C++ compiler (${cxx}) to make the fake libraries with)`);
      this.skip();
    }
    const src = join(dir, 'fake.cc');
    writeFileSync(
      src,
      [
        '#include <cstdint>',
        '#ifndef NO_SHIM',
        'extern "C" uint32_t sio_abi_version(void) { return ABI; }',
        'extern "C" const char *sio_backend_name(void) { return "epoll"; }',
        '#endif',
        'extern "C" int not_a_shim(void) { return 0; }',
      ].join('\n'),
    );
    const make = (name: string, defs: string[]) => {
      const out = join(dir, name);
      execFileSync(cxx, ['-shared', '-fPIC', ...defs, '-o', out, src]);
      return out;
    };
    const other = make('abi-other.so', [`-DABI=${ABI_VERSION + 1}`]);
    const none = make('no-shim.so', ['-DNO_SHIM']);
    const partial = make('partial.so', [`-DABI=${ABI_VERSION}`]);
    const [a, b, c] = probe([other, none, partial]);
    const fix = '(from $SIO_EPOLL_LIBRARY): fix or unset $SIO_EPOLL_LIBRARY';
    expect(a!.reason).to.equal(`${other} speaks shim ABI ${ABI_VERSION + 1}, this @stackless-io/shim-backend speaks ABI ${ABI_VERSION} ${fix}`);
    expect(b!.reason).to.equal(`${none} is not a Stackless IO shim (it exports no sio_abi_version) ${fix}`);
    expect(c!.reason).to.match(new RegExp(`^${partial.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is an incomplete shim: .*sio_create.* \\(from \\$SIO_EPOLL_LIBRARY\\)`));
  });

  it('search order: the env override, then build/, then the platform package; a broken platform package says to reinstall it', () => {
    // A copy of the package as npm lays it out: node_modules/@stackless-io/io-epoll and its platform package beside it.
    const scope = join(dir, 'project', 'node_modules', '@stackless-io');
    const pkg = join(scope, 'io-epoll');
    const plat = join(scope, `io-epoll-${process.platform}-${process.arch}`);
    mkdirSync(pkg, { recursive: true });
    mkdirSync(plat, { recursive: true });
    copyFileSync(join(packageDir, 'package.json'), join(pkg, 'package.json'));
    const spec = { ...EPOLL_LIBRARY, packageDir: pkg };
    delete process.env.SIO_EPOLL_LIBRARY;
    const platName = `@stackless-io/io-epoll-${process.platform}-${process.arch}`;
    const supported = EPOLL_LIBRARY.prebuilt.includes(`${process.platform}-${process.arch}`);
    expect(locateLibrary(spec).path, 'nothing installed: no library').to.equal(null);
    if (supported) {
      expect(libraryProblem(spec)).to.equal(
        `the prebuilt package ${platName} is not installed (optional dependencies omitted?): install it: \`npm install ${platName}@0.1.0\`; ` +
          'or build it from source with `npx stackless-io build-native epoll` (needs a C++17 compiler); or use the portable backend (STACKLESS_IO_BACKEND=libuv)',
      );
      writeFileSync(join(plat, 'package.json'), JSON.stringify({ name: platName, version: '0.1.0' }));
      writeFileSync(join(plat, 'sio_epoll.so'), readFileSync(built).subarray(0, 5000));
      const lib = join(plat, 'sio_epoll.so');
      expect(locateLibrary(spec)).to.deep.equal({ path: lib, from: `the platform package ${platName}`, fix: `reinstall it: \`npm install ${platName}@0.1.0\`` });
      expect(libraryProblem(spec)).to.equal(
        `${lib} is truncated (5000 bytes) (from the platform package ${platName}): reinstall it: \`npm install ${platName}@0.1.0\``,
      );
      copyFileSync(built, lib);
      expect(libraryProblem(spec), 'a whole library in the platform package').to.equal(null);
      expect(describeLibrary(spec)).to.equal(`${lib} (the platform package ${platName}): shim "epoll", ABI ${ABI_VERSION}`);
    }
    mkdirSync(join(pkg, 'build'));
    copyFileSync(built, join(pkg, 'build', 'sio_epoll.so'));
    expect(locateLibrary(spec).from, 'a from-source build comes before the platform package').to.equal('a from-source build');
    expect(locateLibrary(spec).fix).to.equal('rebuild it with `npx stackless-io build-native epoll`, or delete it to use the prebuilt package');
    process.env.SIO_EPOLL_LIBRARY = '/nonexistent/sio_epoll.so';
    expect(locateLibrary(spec).path, 'the env override comes first').to.equal('/nonexistent/sio_epoll.so');
    expect(libraryProblem(spec)).to.equal('/nonexistent/sio_epoll.so is missing (from $SIO_EPOLL_LIBRARY): fix or unset $SIO_EPOLL_LIBRARY');
  });
});
