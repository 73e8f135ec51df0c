// The IOCP DLL under random submissions (as io-epoll's fuzz test does for its
// shim): every submission completes exactly once, every result is in range,
// no call crashes, and at the end nothing is left (no socket, no operation,
// no OVERLAPPED record Windows still holds). Runs where the DLL can load:
// Windows, or Windows Node under Wine (tests/wine/test-wine.sh fuzz).
//
// Addresses: the arena holds only zeros and loopback templates (127.0.0.1,
// ::1), and nothing random is ever written to it (no message ops: the shim
// answers ENOSYS to them), so every address an operation can name is
// loopback or invalid: nothing leaves the machine.
import { expect } from 'chai';
import { backend, openIocpShim } from '@stackless-io/io-iocp';
import { Op, SQE_NOWAIT } from '@stackless-io/shim-backend';
import { skipBecause } from '@stackless-io/test-support';

const skipReason = backend.unavailableReason();

/** Runs `iterations` random submissions with `seed`; a summary, or throws on a broken promise. */
function fuzz(iterations: number, seed0: number): { submitted: number; completed: number; ok: number; errnos: Record<number, number> } {
  let seed = seed0 >>> 0 || 1;
  const rnd = (): number => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed;
  };
  const below = (n: number) => rnd() % n;
  const pick = <T>(xs: readonly T[]): T => xs[below(xs.length)]!;
  const field = (interesting: readonly number[]) => (below(4) === 0 ? rnd() : pick(interesting));

  const shim = openIocpShim({ sqEntries: 64, maxOps: 128, arenaBytes: 1 << 16 });
  const A = shim.arena.length;
  const dv = new DataView(shim.arena.buffer, shim.arena.byteOffset, A);
  const T4 = 1024;
  const T6 = 1056;
  dv.setUint16(T4, 2, true);
  dv.setUint16(T4 + 2, 40000 + below(1000), false);
  dv.setUint32(T4 + 4, 0x7f000001, false);
  dv.setUint16(T6, 10, true);
  dv.setUint16(T6 + 2, 40000 + below(1000), false);
  dv.setUint8(T6 + 23, 1); // ::1

  const domains = [1, 2, 10];
  const types = [1, 2, 5, 1 | 0x800, 2 | 0x80000];
  const offsets = [0, 1, 8, T4, T6, 4096, A - 1, A, A + 1, 0x7fffffff, 0xffffffff];
  const lengths = [0, 1, 2, 4, 16, 28, 110, 128, 4096, A, A + 1, 0x80000000, 0xffffffff];
  const ops = (Object.values(Op) as number[]).filter((o) => o !== Op.SENDMSG && o !== Op.RECVMSG);
  const CLOSER = 126;
  const maxRes = 1 << 30;
  let submitted = 0;
  let completed = 0;
  let ok = 0;
  const byErrno = new Map<number, number>();
  // The shim numbers its sockets from 3 up; these are the numbers it may use.
  const fdPool = Array.from({ length: 40 }, (_, i) => i + 3);

  const check = (res: number): void => {
    if (!Number.isInteger(res) || res < -4095 || res > maxRes) throw new Error(`seed ${seed0}: result out of range: ${res}`);
    if (res >= 0) ok++;
    else byErrno.set(-res, (byErrno.get(-res) ?? 0) + 1);
  };
  const enter = (timeoutMs: number): void => {
    const n = shim.enter(timeoutMs);
    if (n > shim.cqEntries) throw new Error(`seed ${seed0}: enter returned ${n} > cq capacity`);
    for (let i = 0; i < n; i++) check(shim.res(i));
    completed += n;
  };
  const randomSqe = (): number[] => {
    let op = below(10) === 0 ? below(256) : pick(ops);
    if (op === Op.SENDMSG || op === Op.RECVMSG) op = Op.NOP;
    const nowait = below(4) === 0 ? SQE_NOWAIT << 8 : 0;
    const w0 = op | nowait | (below(3) === 0 ? (rnd() & 0xffff) << 16 : 0);
    const fd = field([...fdPool, -1, 0, 1, 2, 0x7fffffff]);
    let token = below(2) ? below(shim.maxOps) : field([0, 1, 127, 128, 129]);
    if (token === CLOSER) token = 0;
    const isSocket = op === Op.SOCKET;
    const isOption = op === Op.SETSOCKOPT || op === Op.GETSOCKOPT;
    const arg0 = isSocket ? field(domains) : isOption ? field([0, 1, 6, 17, 41]) : field([...offsets, 0, 1, 6, 41, 128]);
    const arg1 = isSocket ? field(types) : isOption ? (below(4) === 0 ? rnd() : below(100)) : field([...lengths, 1, 2, 3, 4, 13, 20]);
    const w = [w0, fd, token, rnd(), field(offsets), isSocket ? below(2) * (below(2) ? 6 : 17) : field(lengths), arg0, arg1];
    // SO_LINGER with a timeout makes a close block: not asked for.
    if (op === Op.SETSOCKOPT && w[6] === 1 && w[7] === 13) w[7] = 14;
    return w;
  };
  const native = (shim as unknown as {
    native: {
      enter(h: number, n: number, t: number): number;
      send(h: number, fd: number, buf: Uint8Array, len: number, msgFlags: number, addrOff: number, addrLen: number): number;
    };
  }).native;
  const outside = new Uint8Array(1 << 16).map((_, i) => i & 0xff);
  const randomSend = (): void => {
    const fd = field([...fdPool, -1, 0, 1, 2, 0x7fffffff]);
    const start = below(outside.length);
    const view = outside.subarray(start, start + below(outside.length - start + 1));
    const handle = below(50) === 0 ? field([0, -1, shim.handle + 256]) : shim.handle;
    const addrLen = below(2) === 0 ? 0 : field(lengths);
    const r = native.send(handle, fd | 0, view, view.length, below(3) === 0 ? rnd() : 0, field(offsets), addrLen);
    check(r);
    if (r > view.length) throw new Error(`seed ${seed0}: sio_send took ${r} bytes of ${view.length}`);
  };

  try {
    while (submitted < iterations) {
      const batch = 1 + below(shim.sqEntries);
      for (let i = 0; i < batch; i++) shim.submitRaw(randomSqe());
      if (below(50) === 0) {
        const r = native.enter(shim.handle, shim.sqEntries + 1 + below(1000), 0);
        if (r >= 0) throw new Error(`seed ${seed0}: enter(n > sqEntries) gave ${r}`);
      }
      submitted += batch;
      enter(below(20) === 0 ? 1 : 0);
      if (below(8) === 0) {
        const w = randomSqe();
        check(shim.sync({ op: w[0]! & 0xff, msgFlags: w[0]! >>> 16, fd: w[1]! | 0, token: w[2]!, gen: w[3]!, off: w[4]!, len: w[5]!, arg0: w[6]!, arg1: w[7]! }));
      }
      if (below(4) === 0) for (let i = below(8); i >= 0; i--) randomSend();
    }
    // Close every number the shim may have used (and some it never did):
    // its own close, the others are -EBADF; parked operations complete.
    for (const fd of [...fdPool, 0, 1, 2, 1000]) {
      if (!shim.submit({ op: Op.CLOSE, fd, token: CLOSER, gen: 0xc105e })) {
        enter(0);
        shim.submit({ op: Op.CLOSE, fd, token: CLOSER, gen: 0xc105e });
      }
      submitted++;
    }
    for (let round = 0; completed < submitted && round < 1000; round++) enter(10);
    if (completed !== submitted) throw new Error(`seed ${seed0}: ${submitted} submissions but ${completed} completions; ${JSON.stringify(shim.stats())}`);
    const stats = shim.stats();
    if (stats.opsParked || stats.fdsOpen || stats.fdsDeferred) throw new Error(`seed ${seed0}: leak: ${JSON.stringify(stats)}`);
  } finally {
    shim.close();
  }
  return { submitted, completed, ok, errnos: Object.fromEntries([...byErrno].sort((a, b) => b[1] - a[1]).slice(0, 8)) };
}

describe('iocp shim: fuzzed submissions', function () {
  this.timeout(600000);
  for (const seed of [1, 2, 3]) {
    it(`survives 20000 random submissions, each completed exactly once, nothing left (seed ${seed})`, function () {
      if (skipReason !== null) skipBecause(this, skipReason);
      const r = fuzz(20000, seed);
      expect(r.completed).to.equal(r.submitted);
      expect(r.ok, 'some submissions succeed').to.be.greaterThan(0);
    });
  }
});
