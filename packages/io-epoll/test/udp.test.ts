import { expect } from 'chai';
import { CQE_TRUNC, Op } from '@stackless-io/io-epoll';
import { AF_INET, MSG_TRUNC, SOCK_DGRAM, readSockaddrIn, withDriver, writeSockaddrIn } from './harness.js';

describe('epoll shim: UDP over loopback', () => {
  const t = withDriver();

  /** Two UDP sockets bound to 127.0.0.1; returns [a, aPort, b, bAddrOff]. */
  function pair(): [number, number, number, number] {
    const d = t.d;
    const addr = d.alloc(16);
    const fds = [d.socket(AF_INET, SOCK_DGRAM), d.socket(AF_INET, SOCK_DGRAM)];
    for (const fd of fds) {
      writeSockaddrIn(d.shim.arena, addr, '127.0.0.1', 0);
      expect(d.run({ op: Op.BIND, fd, off: addr, len: 16 })).to.equal(0);
    }
    const bAddr = d.alloc(16);
    writeSockaddrIn(d.shim.arena, bAddr, '127.0.0.1', d.localPort(fds[1]!));
    return [fds[0]!, d.localPort(fds[0]!), fds[1]!, bAddr];
  }

  it('sends and receives datagrams with addresses', () => {
    const d = t.d;
    const [a, aPort, b, bAddr] = pair();
    const data = d.alloc(64);
    const from = d.alloc(128);
    const got = d.alloc(64);
    const r = d.submit({ op: Op.RECVFROM, fd: b, off: got, len: 64, arg0: from, arg1: 128 });
    expect(d.parked(r)).to.equal(true);
    d.bytes(data, 5).set([104, 101, 108, 108, 111]);
    expect(d.run({ op: Op.SENDTO, fd: a, off: data, len: 5, arg0: bAddr, arg1: 16 })).to.equal(5);
    const c = d.wait(r);
    expect(c.res).to.equal(5);
    expect(c.flags & CQE_TRUNC).to.equal(0);
    expect(c.addrlen).to.equal(16);
    expect(readSockaddrIn(d.shim.arena, from)).to.deep.equal({ family: AF_INET, ip: '127.0.0.1', port: aPort });
    expect(Buffer.from(d.bytes(got, 5)).toString()).to.equal('hello');
    expect(d.close(a)).to.equal(0);
    expect(d.close(b)).to.equal(0);
  });

  it('flags a truncated datagram, and MSG_TRUNC reports its real length', () => {
    const d = t.d;
    const [a, , b, bAddr] = pair();
    const data = d.alloc(100);
    for (let i = 0; i < 100; i++) d.shim.arena[data + i] = i;
    const small = d.alloc(10);
    const from = d.alloc(128);
    expect(d.run({ op: Op.SENDTO, fd: a, off: data, len: 100, arg0: bAddr, arg1: 16 })).to.equal(100);
    let c = d.wait(d.submit({ op: Op.RECVFROM, fd: b, off: small, len: 10, arg0: from, arg1: 128 }));
    expect(c.res).to.equal(10);
    expect(c.flags & CQE_TRUNC).to.equal(CQE_TRUNC);
    expect([...d.bytes(small, 10)]).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Linux's MSG_TRUNC: the result is the datagram's full length.
    expect(d.run({ op: Op.SENDTO, fd: a, off: data, len: 100, arg0: bAddr, arg1: 16 })).to.equal(100);
    c = d.wait(d.submit({ op: Op.RECVFROM, fd: b, off: small, len: 10, arg0: from, arg1: 128, msgFlags: MSG_TRUNC }));
    expect(c.res).to.equal(100);
    expect(c.flags & CQE_TRUNC).to.equal(CQE_TRUNC);
    // A 4-byte address buffer: only 4 bytes are reported written.
    expect(d.run({ op: Op.SENDTO, fd: a, off: data, len: 1, arg0: bAddr, arg1: 16 })).to.equal(1);
    c = d.wait(d.submit({ op: Op.RECVFROM, fd: b, off: small, len: 10, arg0: from, arg1: 4 }));
    expect(c.res).to.equal(1);
    expect(c.addrlen).to.equal(4);
    expect(d.close(a)).to.equal(0);
    expect(d.close(b)).to.equal(0);
  });
});
