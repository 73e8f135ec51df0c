// Fuzz target, run by fuzz.test.ts in a child process: inside a private
// network namespace when the machine allows one (so random addresses can
// reach nothing but this namespace's loopback), and in a scratch directory
// (AF_UNIX binds to random paths create files there).
//
// argv: iterations seed. Env SIO_FUZZ_INET=1 allows AF_INET/AF_INET6 sockets;
// SIO_FUZZ_LIBRARY names another shim speaking the same ABI (io-kqueue's
// fuzz test runs this child on its emulated build).
// Prints one JSON summary line; exits non-zero on any broken promise of the
// shim (a submission without completion, a result out of range, a foreign fd
// closed, a leak). A crash of the shim kills the process, which the parent
// sees as a signal.
import { openSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { openEpollShim, Op, Shim, SQE_NOWAIT } from '@stackless-io/io-epoll';

const iterations = Number(process.argv[2] ?? 10000);
let seed = Number(process.argv[3] ?? 1) >>> 0 || 1;
const inet = process.env.SIO_FUZZ_INET === '1';

function rnd(): number {
  // xorshift32: deterministic per seed, so a failure can be replayed.
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
}
const below = (n: number) => rnd() % n;
const pick = <T>(xs: readonly T[]): T => xs[below(xs.length)]!;
/** A random u32 a quarter of the time, else one of the interesting values. */
const field = (interesting: readonly number[]) => (below(4) === 0 ? rnd() : pick(interesting));

const openFds = () => readdirSync('/proc/self/fd').map(Number);
/** A regular file for SENDFILE to read (Node's own binary: always there, never written). */
const regularFile = openSync(process.execPath, 'r');
const fdsBefore = new Set(openFds());

const sizes = { sqEntries: 64, maxOps: 128, arenaBytes: 1 << 16 };
const other = process.env.SIO_FUZZ_LIBRARY;
const shim = other !== undefined && other !== '' ? Shim.open(other, sizes) : openEpollShim(sizes);
const A = shim.arena.length;
const fail = (msg: string): never => {
  console.error(`fuzz (seed ${process.argv[3]}): ${msg}`);
  process.exit(1);
};

// Arena: zeros plus a few address templates at known offsets (loopback v4,
// v6, and abstract unix names), which the generator likes to point at.
const dv = new DataView(shim.arena.buffer, shim.arena.byteOffset, A);
const T4 = 1024;
const T6 = 1056;
const TU = 1088;
dv.setUint16(T4, 2, true);
dv.setUint16(T4 + 2, 40000 + below(1000), false);
dv.setUint32(T4 + 4, 0x7f000001, false);
dv.setUint16(T6, 10, true);
dv.setUint16(T6 + 2, 40000 + below(1000), false);
dv.setUint8(T6 + 23, 1); // ::1
dv.setUint16(TU, 1, true); // AF_UNIX, abstract name "\0sio-fuzz"
shim.arena.set(Buffer.from('\0sio-fuzz'), TU + 2);

const domains = inet ? [1, 2, 10] : [1];
const types = [1, 2, 5, 1 | 0x800, 2 | 0x80000];
const offsets = [0, 1, 8, T4, T6, TU, 4096, A - 1, A, A + 1, 0x7fffffff, 0xffffffff];
const lengths = [0, 1, 2, 4, 16, 28, 110, 128, 4096, A, A + 1, 0x80000000, 0xffffffff];
const ops = Object.values(Op) as number[];
/** The one token the generator never uses, so the final CLOSEs are not refused with -EBUSY. */
const CLOSER = 126;

let fdPool = openFds();
let submitted = 0;
let completed = 0;
let enters = 0;
const byErrno = new Map<number, number>();
const maxRes = 1 << 30;

let ok = 0;
function check(res: number): void {
  if (!Number.isInteger(res) || res < -4095 || res > maxRes) fail(`result out of range: ${res}`);
  if (res >= 0) ok++;
  if (res < 0) byErrno.set(-res, (byErrno.get(-res) ?? 0) + 1);
}

function enter(timeoutMs: number): void {
  const n = shim.enter(timeoutMs);
  enters++;
  if (n > shim.cqEntries) fail(`enter returned ${n} > cq capacity`);
  for (let i = 0; i < n; i++) check(shim.res(i));
  completed += n;
}

function randomSqe(): number[] {
  const op = below(10) === 0 ? below(256) : pick(ops);
  const nowait = below(4) === 0 ? SQE_NOWAIT << 8 : 0;
  const w0 = below(10) === 0 ? rnd() : op | nowait | (below(3) === 0 ? (rnd() & 0xffff) << 16 : 0);
  const fd = field([...fdPool, -1, 0, 1, 2, 0x7fffffff]);
  let token = below(2) ? below(shim.maxOps) : field([0, 1, 127, 128, 129]);
  if (token === CLOSER) token = 0; // kept free for the final close-all
  const isSocket = (w0 & 0xff) === Op.SOCKET;
  // Any level and option name reach the kernel (the contract's generic
  // setsockopt/getsockopt): the real levels, every name.
  const isOption = (w0 & 0xff) === Op.SETSOCKOPT || (w0 & 0xff) === Op.GETSOCKOPT;
  // SENDMSG/RECVMSG: message blocks aligned or not, address lengths around
  // 128 and control lengths around the arena's end (arg1 packs both); the
  // control bytes are whatever the arena holds, SCM_RIGHTS items included
  // now and then (written below).
  const isMessage = (w0 & 0xff) === Op.SENDMSG || (w0 & 0xff) === Op.RECVMSG;
  // SENDFILE: arg0 names the file (a regular one, any other descriptor, or
  // none), off/arg1 the 64-bit offset (the generic fields cover it).
  const isSendfile = (w0 & 0xff) === Op.SENDFILE;
  if (isMessage && below(2) === 0) writeRights(MSG_BLOCK + 128);
  const arg0 = isSocket ? field(domains) : isSendfile ? field([regularFile, regularFile, ...fdPool, -1]) : isOption ? field([0, 1, 6, 17, 41]) : isMessage ? field([MSG_BLOCK, MSG_BLOCK + 1, 0, A - 128, A - 136, A]) : field([...offsets, 0, 1, 6, 41, 128]);
  const arg1 = isSocket
    ? field(types)
    : isOption
      ? below(4) === 0 ? rnd() : below(100)
      : isMessage
        ? field([0, 24, 64, (16 << 24) | 24, ((128 << 24) | 64) >>> 0, (129 << 24) >>> 0, 0xffffff])
        : field([...lengths, 1, 2, 3, 4, 13, 20]);
  return [w0, fd, token, rnd(), field(offsets), isSocket ? below(2) * (below(2) ? 6 : 17) : field(lengths), arg0, arg1];
}

/** Where message blocks of the generator start (8-aligned, clear of the address templates). */
const MSG_BLOCK = 2048;

/** An SCM_RIGHTS item at `at` naming random descriptors (the shim must refuse foreign ones). */
function writeRights(at: number): void {
  const n = below(3);
  dv.setBigUint64(at, BigInt(16 + 4 * n), true);
  dv.setInt32(at + 8, 1, true);
  dv.setInt32(at + 12, 1, true);
  for (let i = 0; i < n; i++) dv.setInt32(at + 16 + 4 * i, field([...fdPool, -1, 0, 1, 2]), true);
}

const native = (shim as unknown as {
  native: {
    enter(h: number, n: number, t: number): number;
    send(h: number, fd: number, buf: Uint8Array, len: number, msgFlags: number, addrOff: number, addrLen: number): number;
    sethostname: ((name: Uint8Array, len: number) => number) | null;
  };
}).native;

/** Bytes that sio_send sends from (the caller's memory, not the arena). */
const outside = new Uint8Array(1 << 16).map((_, i) => i & 0xff);
let sends = 0;

/** One sio_send: a random fd, flags and address; a real buffer with its true length (the one thing the shim cannot check). */
function randomSend(): void {
  const fd = field([...fdPool, -1, 0, 1, 2, 0x7fffffff]);
  const start = below(outside.length);
  const view = outside.subarray(start, start + below(outside.length - start + 1));
  const handle = below(50) === 0 ? field([0, -1, shim.handle + 256]) : shim.handle;
  const addrLen = below(2) === 0 ? 0 : field(lengths);
  const r = native.send(handle, fd | 0, view, view.length, below(3) === 0 ? rnd() : 0, field(offsets), addrLen);
  check(r);
  if (r > view.length) fail(`sio_send took ${r} bytes of ${view.length}`);
  if (handle !== shim.handle && r !== -9) fail(`sio_send on handle ${handle} gave ${r}`);
  sends++;
}

let hostnames = 0;

/**
 * One sio_sethostname the kernel must refuse: the fuzz may run as root, so
 * it never offers a name any kernel would keep (Linux keeps 64 bytes,
 * macOS and the BSDs 256): 1 KiB and more, or the shim's own NULL check.
 * The host name is compared before and after the run.
 */
function randomSethostname(): void {
  if (native.sethostname === null) return;
  // A view passes its own length (the one thing the shim cannot check).
  const view = outside.subarray(0, 1024 + below(outside.length - 1024));
  const r = below(4) === 0 ? native.sethostname(null as unknown as Uint8Array, 1 + below(100)) : native.sethostname(view, view.length);
  check(r);
  if (r >= 0) fail(`sio_sethostname of a name no kernel keeps gave ${r}`);
  hostnames++;
}

const hostnameBefore = hostname();

while (submitted < iterations) {
  const batch = 1 + below(shim.sqEntries);
  for (let i = 0; i < batch; i++) {
    const w = randomSqe();
    // SO_LINGER with a timeout makes close(2) block (a kernel rule, not a
    // shim one): keep the fuzz from asking for it.
    if ((w[0]! & 0xff) === Op.SETSOCKOPT && w[6] === 1 && w[7] === 13) w[7] = 14;
    shim.submitRaw(w);
  }
  if (below(50) === 0) {
    // n beyond the submission array: refused whole, nothing consumed.
    const r = native.enter(shim.handle, shim.sqEntries + 1 + below(1000), 0);
    if (r !== -22) fail(`enter(n > sqEntries) gave ${r}`);
  }
  submitted += batch;
  enter(below(20) === 0 ? 1 : 0);
  if (below(8) === 0) {
    const w = randomSqe();
    if ((w[0]! & 0xff) === Op.SETSOCKOPT && w[6] === 1 && w[7] === 13) w[7] = 14;
    check(shim.sync({ op: w[0]! & 0xff, msgFlags: w[0]! >>> 16, fd: w[1]! | 0, token: w[2]!, gen: w[3]!, off: w[4]!, len: w[5]!, arg0: w[6]!, arg1: w[7]! }));
  }
  if (below(4) === 0) for (let i = below(8); i >= 0; i--) randomSend();
  if (below(64) === 0) randomSethostname();
  if (below(16) === 0) fdPool = openFds();
}

// Close every fd number the process has: the shim must close its own and
// refuse every other one (-EBADF), which also completes all parked ops.
for (const fd of openFds()) {
  if (!shim.submit({ op: Op.CLOSE, fd, token: CLOSER, gen: 0xc105e })) {
    enter(0);
    shim.submit({ op: Op.CLOSE, fd, token: CLOSER, gen: 0xc105e });
  }
  submitted++;
}
for (let round = 0; completed < submitted && round < 1000; round++) enter(1);
if (completed !== submitted) fail(`${submitted} submissions but ${completed} completions; ${JSON.stringify(shim.stats())}`);
const stats = shim.stats();
if (stats.opsParked || stats.fdsOpen || stats.fdsRegistered || stats.fdsDeferred) fail(`leak: ${JSON.stringify(stats)}`);
shim.close();
const after = new Set(openFds());
for (const fd of fdsBefore) if (!after.has(fd) && fd > 2) fail(`foreign fd ${fd} was closed`);
for (const fd of after) if (!fdsBefore.has(fd)) fail(`fd ${fd} leaked`);
if (hostname() !== hostnameBefore) fail(`the host name changed: ${hostnameBefore} became ${hostname()}`);
console.log(
  JSON.stringify({ submitted, completed, ok, enters, sends, hostnames, inet, errnos: Object.fromEntries([...byErrno].sort((a, b) => b[1] - a[1]).slice(0, 8)) }),
);
