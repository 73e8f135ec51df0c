// The contract's dup() and socketpair(): kernel duplicates and pairs, made
// at once. A backend that cannot make them answers ENOSYS (the contract
// allows it: the test then skips, naming that answer; callers emulate).
import { expect } from 'chai';
import { io, SockOpt, spawn } from '@stackless-io/runtime';
import { conformance, joinAll } from '../harness.js';
import { E, recvExactly, str, text } from '../net.js';

export function pairCases(name: string): void {
  conformance(name, 'socketpair: a connected Unix stream pair carries bytes both ways and sees EOF', async (t) => {
    const r = t.backend.socketpair('unix', 'stream', 0);
    if (r === -E.ENOSYS) t.cannot('make a socket pair', 'ENOSYS');
    if (typeof r === 'number') throw new Error(`socketpair answered errno ${-r}`);
    const [a, b] = r;
    try {
      expect(a, 'two different handles').to.not.equal(b);
      expect(io.getsockopt(a, SockOpt.TYPE)).to.equal(1);
      const [got] = await joinAll(spawn(function* exchange() {
        yield* io.sendAll(a, text('ping'));
        const x = str(yield* recvExactly(b, 4));
        yield* io.sendAll(b, text('pong'));
        const y = str(yield* recvExactly(a, 4));
        io.shutdown(a, 1);
        const eof = (yield* io.recv(b, 10)).length;
        return [x, y, eof];
      }));
      expect(got).to.deep.equal(['ping', 'pong', 0]);
    } finally {
      io.close(a);
      io.close(b);
    }
  });

  conformance(name, 'socketpair: a datagram pair keeps message boundaries; an inet pair is the kernel\'s EOPNOTSUPP', async (t) => {
    const r = t.backend.socketpair('unix', 'dgram', 0);
    if (r === -E.ENOSYS) t.cannot('make a socket pair', 'ENOSYS');
    if (typeof r === 'number') throw new Error(`socketpair answered errno ${-r}`);
    const [a, b] = r;
    try {
      expect(io.getsockopt(b, SockOpt.TYPE)).to.equal(2);
      const [got] = await joinAll(spawn(function* exchange() {
        yield* io.send(a, text('one'));
        yield* io.send(a, text('two'));
        return [str(yield* io.recv(b, 10)), str(yield* io.recv(b, 10))];
      }));
      expect(got).to.deep.equal(['one', 'two']);
      expect(t.backend.socketpair('inet', 'stream', 0), 'an inet pair').to.equal(-E.EOPNOTSUPP);
      expect(t.backend.socketpair('unix', 'bogus' as 'stream', 0), 'an unknown kind').to.equal(-E.EINVAL);
    } finally {
      io.close(a);
      io.close(b);
    }
  });

  conformance(name, 'dup: the duplicate is the same socket with its own handle, and outlives the original', async (t) => {
    const probe = io.socket('inet', 'dgram');
    const pd = t.backend.dup(probe);
    io.close(probe);
    if (pd === -E.ENOSYS) t.cannot('duplicate a socket', 'ENOSYS');
    expect(pd, 'dup of a datagram socket').to.be.greaterThanOrEqual(0);
    expect(io.getsockopt(pd, SockOpt.TYPE), 'the duplicate outlives the closed original').to.equal(2);
    io.close(pd);
    expect(t.backend.dup(12345), 'dup of a handle not open').to.equal(-E.EBADF);
    const r = t.backend.socketpair('unix', 'stream', 0);
    if (r === -E.ENOSYS) t.cannot('make a socket pair', 'ENOSYS');
    if (typeof r === 'number') throw new Error(`socketpair answered errno ${-r}`);
    const [a, b] = r;
    let aOpen = true;
    const d = t.backend.dup(a);
    try {
      expect(d, 'a new handle').to.be.greaterThanOrEqual(0).and.not.equal(a);
      io.setsockopt(a, SockOpt.SNDBUF, 65536);
      expect(io.getsockopt(d, SockOpt.SNDBUF), "options are the socket's").to.equal(io.getsockopt(a, SockOpt.SNDBUF));
      io.close(a);
      aOpen = false;
      const [got] = await joinAll(spawn(function* exchange() {
        yield* io.sendAll(d, text('still'));
        return str(yield* recvExactly(b, 5));
      }));
      expect(got).to.equal('still');
    } finally {
      if (d >= 0) io.close(d);
      if (aOpen) io.close(a);
      io.close(b);
    }
  });
}
