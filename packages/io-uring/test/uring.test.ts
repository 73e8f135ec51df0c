// What is particular to the io_uring shim, through its raw ABI: readiness
// polls in the ring (counted as fdsRegistered while in flight) and their
// removal when a socket closes; receives the kernel does by completion (no
// poll; counted in opsParked until their CQE) and their end when a socket
// closes; more of either in one call than the kernel's submission ring
// holds; and wake-ups through the eventfd poll. The ABI
// behaviour shared with every shim is proved by the conformance suite
// (tests/backends), the C++ driver under sanitizers (scripts/sanitize.mjs)
// and the random-argument test (fuzz.test.ts).
import { expect } from 'chai';
import { fdCount, skipBecause } from '@stackless-io/test-support';
import { backend, type Completion, Op, openUringShim, type Shim, type Submission } from '@stackless-io/io-uring';

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const EBADF = 9;

/** Submits, then enters (waiting up to 20 ms a turn) until every token completed. */
function run(shim: Shim, subs: Submission[], wanted = subs.map((s) => s.token)): Map<number, Completion> {
  for (const s of subs) expect(shim.submit(s), 'submission array full').to.equal(true);
  const got = new Map<number, Completion>();
  for (let turns = 0; wanted.some((t) => !got.has(t)); turns++) {
    if (turns > 500) throw new Error(`tokens ${wanted.filter((t) => !got.has(t)).join(',')} never completed`);
    const n = shim.enter(turns === 0 ? 0 : 20);
    for (let i = 0; i < n; i++) got.set(shim.token(i), shim.completion(i));
  }
  return got;
}

/** A connected AF_UNIX stream pair made by the shim: [a, b]. */
function pair(shim: Shim, at: number): [number, number] {
  const a = run(shim, [{ op: Op.SOCKETPAIR, token: 0, gen: 1, off: at, arg0: AF_UNIX, arg1: SOCK_STREAM }]).get(0)!.res;
  expect(a).to.be.at.least(0);
  return [a, new DataView(shim.arena.buffer, shim.arena.byteOffset + at, 4).getInt32(0, true)];
}

describe('io_uring shim: readiness polls and operations in the ring', function () {
  let shim: Shim;
  let fdsBefore = 0;
  before(function () {
    // Not built, or refused by this kernel (a container's seccomp filter):
    // refusal.test.ts covers that path.
    const why = backend.unavailableReason();
    if (why !== null) skipBecause(this, why);
  });
  beforeEach(function () {
    fdsBefore = fdCount();
    shim = openUringShim({ sqEntries: 1024, maxOps: 2048, arenaBytes: 1 << 20 });
  });
  afterEach(function () {
    if (shim === undefined) return;
    if (this.currentTest?.state !== 'failed') {
      shim.enter(0);
      expect(shim.stats(), 'shim counters').to.deep.equal({ opsParked: 0, fdsOpen: 0, fdsRegistered: 0, fdsDeferred: 0 });
    }
    shim.close();
    expect(fdCount(), 'process fds after the test').to.equal(fdsBefore);
  });

  it('names itself io_uring', function () {
    expect(shim.backendName).to.equal('io_uring');
  });

  it('a parked POLL_IN holds one poll; CLOSE fails it with EBADF, removes the poll, and the peer sees the end', function () {
    const [a, b] = pair(shim, 0);
    expect(shim.submit({ op: Op.POLL_IN, token: 1, gen: 1, fd: a })).to.equal(true);
    expect(shim.enter(0)).to.equal(0);
    expect(shim.stats()).to.include({ opsParked: 1, fdsRegistered: 1 });
    const closed = run(shim, [{ op: Op.CLOSE, token: 2, gen: 1, fd: a }], [1, 2]);
    expect(closed.get(1)!.res).to.equal(-EBADF);
    expect(closed.get(2)!.res).to.equal(0);
    // The poll held a reference to the socket: had it stayed, b would never
    // see the end of the stream.
    expect(run(shim, [{ op: Op.RECV, token: 3, gen: 1, fd: b, off: 64, len: 16 }]).get(3)!.res).to.equal(0);
    shim.enter(0);
    expect(shim.stats().fdsRegistered, 'polls left in the ring').to.equal(0);
    run(shim, [{ op: Op.CLOSE, token: 4, gen: 1, fd: b }]);
  });

  it('a parked receive is done by the kernel (no poll); CLOSE ends it with EBADF and the peer sees the end', function () {
    const [a, b] = pair(shim, 0);
    expect(shim.submit({ op: Op.RECV, token: 1, gen: 1, fd: a, off: 64, len: 16 })).to.equal(true);
    expect(shim.enter(0)).to.equal(0);
    expect(shim.stats()).to.include({ opsParked: 1, fdsRegistered: 0 });
    const closed = run(shim, [{ op: Op.CLOSE, token: 2, gen: 1, fd: a }], [1, 2]);
    expect(closed.get(1)!.res).to.equal(-EBADF);
    expect(closed.get(2)!.res).to.equal(0);
    // The receive in the kernel held a reference to the socket: had it
    // stayed, b would never see the end of the stream.
    expect(run(shim, [{ op: Op.RECV, token: 3, gen: 1, fd: b, off: 64, len: 16 }]).get(3)!.res).to.equal(0);
    expect(shim.stats().opsParked, 'operations left in the ring').to.equal(0);
    run(shim, [{ op: Op.CLOSE, token: 4, gen: 1, fd: b }]);
  });

  for (const kind of ['POLL_IN', 'RECV'] as const) {
    it(`puts more ${kind} operations in the ring in one call than its submission ring holds (256), and completes each`, function () {
      const n = 300;
      const pairs: [number, number][] = [];
      for (let i = 0; i < n; i++) pairs.push(pair(shim, 0));
      for (let i = 0; i < n; i++) shim.submit({ op: Op[kind], token: i, gen: 7, fd: pairs[i]![0], off: 64 + i * 4, len: 4 });
      expect(shim.enter(0)).to.equal(0);
      // A poll is a registration; a receive the kernel does is only parked.
      expect(shim.stats()).to.include({ opsParked: n, fdsRegistered: kind === 'POLL_IN' ? n : 0 });
      shim.arena.fill(0x5a, 8, 9);
      const sends = pairs.map(([, b], i) => ({ op: Op.SEND, token: n + i, gen: 7, fd: b, off: 8, len: 1 }));
      const got = new Map<number, Completion>();
      for (let i = 0; i < n; i += 200) for (const [t, c] of run(shim, sends.slice(i, i + 200))) got.set(t, c);
      for (const [t, c] of run(shim, [], [...Array(n).keys()].filter((t) => !got.has(t)))) got.set(t, c);
      for (let i = 0; i < n; i++) {
        if (kind === 'RECV') {
          expect(got.get(i)?.res, `recv ${i}`).to.equal(1);
          expect(shim.arena[64 + i * 4]).to.equal(0x5a);
        } else {
          expect(got.get(i)!.res & 1, `poll ${i} (POLLIN)`).to.equal(1);
        }
      }
      const closes = pairs.flat().map((fd, i) => ({ op: Op.CLOSE, token: i, gen: 8, fd }));
      for (let i = 0; i < closes.length; i += 500) run(shim, closes.slice(i, i + 500));
    });
  }

  it('a wake-up ends a wait without limit (exclusive mode), again and again', function () {
    for (let i = 0; i < 3; i++) {
      shim.wake();
      shim.wake(); // coalesced with the first
      // Without the wake's CQE this would wait forever (the test's timeout).
      expect(shim.enter(-1)).to.equal(0);
    }
  });
});
