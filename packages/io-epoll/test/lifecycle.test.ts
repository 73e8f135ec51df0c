import { closeSync, fstatSync, openSync } from 'node:fs';
import { expect } from 'chai';
import { openEpollShim, Op, ShimError } from '@stackless-io/io-epoll';
import { AF_INET, E, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, SO_TYPE, fdCount, withDriver } from './harness.js';

describe('epoll shim: close, cancel and hostile input', () => {
  const t = withDriver({ maxOps: 64, sqEntries: 32, arenaBytes: 1 << 16 });

  it('wakes every operation parked on a closed fd with -EBADF', () => {
    const d = t.d;
    const [c, s, l] = d.tcpPair();
    const buf = d.alloc(64);
    const r1 = d.submit({ op: Op.RECV, fd: s, off: buf, len: 32 });
    const r2 = d.submit({ op: Op.RECV, fd: s, off: buf + 32, len: 32 });
    const pi = d.submit({ op: Op.POLL_IN, fd: s });
    const acc = d.submit({ op: Op.ACCEPT, fd: l });
    d.pump(0);
    expect(d.shim.stats().opsParked).to.equal(4);
    expect(d.close(s)).to.equal(0);
    expect(d.wait(r1).res).to.equal(-E.EBADF);
    expect(d.wait(r2).res).to.equal(-E.EBADF);
    expect(d.wait(pi).res).to.equal(-E.EBADF);
    expect(d.close(l)).to.equal(0);
    expect(d.wait(acc).res).to.equal(-E.EBADF);
    expect(d.close(c)).to.equal(0);
  });

  it('cancels a parked recv with -ECANCELED and leaves its buffer alone', () => {
    const d = t.d;
    const [c, s, l] = d.tcpPair();
    const buf = d.alloc(16);
    d.bytes(buf, 16).fill(0xaa);
    const r = d.submit({ op: Op.RECV, fd: s, off: buf, len: 16 });
    expect(d.parked(r)).to.equal(true);
    // Wrong generation: not found, the recv stays parked.
    expect(d.run({ op: Op.CANCEL, arg0: r, arg1: 0xdead })).to.equal(-E.ENOENT);
    expect(d.parked(r)).to.equal(true);
    const cancel = d.submit({ op: Op.CANCEL, arg0: r, arg1: d.genOf(r) });
    expect(d.wait(r).res).to.equal(-E.ECANCELED);
    expect(d.wait(cancel).res).to.equal(0);
    expect(d.shim.stats().opsParked).to.equal(0);
    // The data sent now is not written into the released buffer...
    const out = d.alloc(5);
    d.bytes(out, 5).set([1, 2, 3, 4, 5]);
    expect(d.run({ op: Op.SEND, fd: c, off: out, len: 5 })).to.equal(5);
    d.pump(20);
    expect([...d.bytes(buf, 16)].every((b) => b === 0xaa)).to.equal(true);
    // ...but waits for the next recv.
    const buf2 = d.alloc(16);
    expect(d.run({ op: Op.RECV, fd: s, off: buf2, len: 16 })).to.equal(5);
    expect([...d.bytes(buf2, 5)]).to.deep.equal([1, 2, 3, 4, 5]);
    // Cancelling what already completed, or a token out of range: -ENOENT.
    expect(d.run({ op: Op.CANCEL, arg0: r, arg1: 0 })).to.equal(-E.ENOENT);
    expect(d.run({ op: Op.CANCEL, arg0: 0xffffffff, arg1: 0 })).to.equal(-E.ENOENT);
    for (const fd of [c, s, l]) expect(d.close(fd)).to.equal(0);
  });

  it('refuses a double close and never touches a foreign fd', () => {
    const d = t.d;
    const fd = d.socket(AF_INET, SOCK_STREAM);
    expect(d.close(fd)).to.equal(0);
    expect(d.close(fd)).to.equal(-E.EBADF);
    const foreign = openSync('/dev/null', 'r');
    try {
      const buf = d.alloc(8);
      for (const f of [foreign, 0, 1, 2, -1, 0x7fffffff]) {
        expect(d.close(f), `close(${f})`).to.equal(-E.EBADF);
        expect(d.run({ op: Op.RECV, fd: f, off: buf, len: 8 }), `recv(${f})`).to.equal(-E.EBADF);
        expect(d.run({ op: Op.POLL_IN, fd: f }), `poll(${f})`).to.equal(-E.EBADF);
        expect(d.shim.sync({ op: Op.GETSOCKNAME, token: 0, gen: 0, fd: f, off: buf, len: 8 })).to.equal(-E.EBADF);
      }
      expect(fstatSync(foreign).isCharacterDevice(), 'foreign fd still open').to.equal(true);
    } finally {
      closeSync(foreign);
    }
  });

  it('answers malformed submissions with -errno completions', () => {
    const d = t.d;
    const fd = d.socket(AF_INET, SOCK_STREAM);
    const arena = d.shim.arena.length;
    const bad: [string, Parameters<typeof d.run>[0], number][] = [
      ['unknown op', { op: 200 }, -E.EINVAL],
      ['buffer past the arena', { op: Op.RECV, fd, off: arena - 4, len: 8 }, -E.EFAULT],
      ['offset past the arena', { op: Op.SEND, fd, off: arena + 1, len: 0 }, -E.EFAULT],
      ['huge length', { op: Op.SEND, fd, off: 0, len: 0xffffffff }, -E.EFAULT],
      ['huge offset + length wrap', { op: Op.RECV, fd, off: 0xffffffff, len: 2 }, -E.EFAULT],
      ['sendto address past the arena', { op: Op.SENDTO, fd, off: 0, len: 1, arg0: arena, arg1: 16 }, -E.EFAULT],
      ['bind with a garbage length', { op: Op.BIND, fd, off: 0, len: 3 }, -E.EINVAL],
      ['bad shutdown how', { op: Op.SHUTDOWN, fd, arg0: 77 }, -E.EINVAL],
      ['bad socket domain', { op: Op.SOCKET, arg0: 0xfffff, arg1: 1 }, -E.EAFNOSUPPORT],
    ];
    for (const [what, sub, res] of bad) expect(d.run(sub), what).to.equal(res);
    // A token beyond maxOps is echoed with -EINVAL.
    d.shim.submit({ op: Op.NOP, token: d.shim.maxOps + 5, gen: 9 });
    expect(d.shim.enter()).to.equal(1);
    expect(d.shim.completion(0)).to.include({ token: d.shim.maxOps + 5, gen: 9, res: -E.EINVAL });
    // A token whose operation is parked is refused with -EBUSY.
    const [c, s, l] = d.tcpPair();
    const r = d.submit({ op: Op.RECV, fd: s, off: 0, len: 4 });
    expect(d.parked(r)).to.equal(true);
    d.shim.submit({ op: Op.NOP, token: r, gen: 12345 });
    expect(d.shim.enter()).to.equal(1);
    expect(d.shim.completion(0)).to.include({ token: r, gen: 12345, res: -E.EBUSY });
    expect(d.close(s)).to.equal(0);
    expect(d.wait(r).res).to.equal(-E.EBADF);
    for (const f of [c, l, fd]) expect(d.close(f)).to.equal(0);
  });

  it('runs non-parking operations synchronously', () => {
    const d = t.d;
    const fd = d.socket(AF_INET, SOCK_STREAM);
    const v = d.alloc(4);
    new DataView(d.shim.arena.buffer, d.shim.arena.byteOffset + v, 4).setInt32(0, 1, true);
    const sync = (s: Parameters<typeof d.shim.sync>[0]) => d.shim.sync(s);
    expect(sync({ op: Op.SETSOCKOPT, token: 0, gen: 0, fd, off: v, len: 4, arg0: SOL_SOCKET, arg1: SO_REUSEADDR })).to.equal(0);
    d.bytes(v, 4).fill(0);
    expect(sync({ op: Op.GETSOCKOPT, token: 0, gen: 0, fd, off: v, len: 4, arg0: SOL_SOCKET, arg1: SO_REUSEADDR })).to.equal(4);
    expect(d.shim.arena[v]).to.equal(1);
    expect(sync({ op: Op.GETSOCKOPT, token: 0, gen: 0, fd, off: v, len: 4, arg0: SOL_SOCKET, arg1: SO_TYPE })).to.equal(4);
    expect(d.shim.arena[v]).to.equal(SOCK_STREAM);
    // Parking operations, CLOSE and CANCEL need the ring.
    for (const op of [Op.RECV, Op.ACCEPT, Op.CONNECT, Op.CLOSE, Op.CANCEL, Op.POLL_IN, 99]) {
      expect(sync({ op, token: 0, gen: 0, fd, off: 0, len: 4 }), `op ${op}`).to.equal(-E.EINVAL);
    }
    const s2 = sync({ op: Op.SOCKET, token: 0, gen: 0, arg0: AF_INET, arg1: SOCK_STREAM });
    expect(s2).to.be.at.least(0);
    expect(d.close(s2)).to.equal(0);
    expect(d.close(fd)).to.equal(0);
  });
});

describe('epoll shim: instances', () => {
  it('rejects bad sizes and cleans up every fd on close', () => {
    const before = fdCount();
    expect(() => openEpollShim({ sqEntries: 0 })).to.throw(ShimError);
    expect(() => openEpollShim({ maxOps: 2 ** 21 })).to.throw(ShimError);
    expect(() => openEpollShim({ arenaBytes: 2 ** 31 })).to.throw(ShimError);
    const shim = openEpollShim({ arenaBytes: 0 });
    for (let i = 0; i < 10; i++) shim.submit({ op: Op.SOCKET, token: i, gen: 1, arg0: AF_INET, arg1: SOCK_STREAM });
    expect(shim.enter()).to.equal(10);
    expect(shim.stats().fdsOpen).to.equal(10);
    // Destroying with open fds (and a parked op) closes them all.
    shim.submit({ op: Op.POLL_IN, token: 20, gen: 1, fd: shim.res(0) });
    shim.enter();
    shim.close();
    expect(fdCount()).to.equal(before);
  });
});
