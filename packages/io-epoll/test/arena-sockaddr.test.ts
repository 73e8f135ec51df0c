// The backend's pure-TS parts: the buddy allocator over the arena and the
// sockaddr codecs (checked against the byte layouts of Linux and the text
// glibc's inet_ntop writes, which is what CPython shows).
import { constants } from 'node:os';
import { expect } from 'chai';
import { BuddyArena, decodeSockaddr, encodeSockaddr, MIN_BLOCK } from '@stackless-io/io-epoll';
import type { SockAddr } from '@stackless-io/runtime';

const E = constants.errno;

describe('epoll backend: arena allocator', () => {
  const arenaOf = (bytes: number) => new Uint8Array(new ArrayBuffer(bytes));

  it('splits, merges and returns to zero bytes in use', () => {
    const a = new BuddyArena(arenaOf(4096 + (1 << 16)), 4096, 1 << 16);
    expect(a.capacity).to.equal(1 << 16);
    const x = a.alloc(1);
    expect(a.lastSize).to.equal(MIN_BLOCK);
    const y = a.alloc(5000);
    expect(a.lastSize).to.equal(8192);
    const z = a.alloc(MIN_BLOCK);
    for (const off of [x, y, z]) expect(off).to.be.at.least(4096);
    expect(new Set([x, y, z]).size).to.equal(3);
    expect(a.inUse).to.equal(2 * MIN_BLOCK + 8192);
    // The whole arena is not free while anything is held...
    expect(a.alloc(1 << 16)).to.equal(-1);
    for (const off of [y, x, z]) a.free(off);
    expect(a.inUse).to.equal(0);
    expect(a.blocks).to.equal(0);
    // ...and is one block again once everything came back.
    const all = a.alloc(1 << 16);
    expect(all).to.equal(4096);
    a.free(all);
  });

  it('refuses a release of something it did not hand out', () => {
    const a = new BuddyArena(arenaOf(8192), 4096, 4096);
    const x = a.alloc(100);
    a.free(x);
    expect(() => a.free(x)).to.throw(/not an allocated block/);
    expect(() => a.free(x + 8)).to.throw(/not an allocated block/);
  });

  it('gives a smaller block when asked to shrink, none otherwise', () => {
    const a = new BuddyArena(arenaOf(4096 + 4096), 4096, 4096);
    const half = a.alloc(2048);
    expect(a.alloc(4096)).to.equal(-1);
    const s = a.alloc(4096, true);
    expect(s).to.be.at.least(0);
    expect(a.lastSize).to.equal(2048);
    expect(a.alloc(1, true)).to.equal(-1);
    a.free(half);
    a.free(s);
    expect(a.inUse).to.equal(0);
  });

  it('survives random churn without overlap and ends empty', () => {
    const size = 1 << 20;
    const arena = arenaOf(4096 + size);
    const a = new BuddyArena(arena, 4096, 1 << 18);
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const held: { off: number; len: number; tag: number }[] = [];
    let overwritten = 0;
    for (let i = 0; i < 5000; i++) {
      if (held.length > 0 && rnd(2) === 0) {
        const h = held.splice(rnd(held.length), 1)[0]!;
        // Another block handed out over this one would have changed its bytes.
        for (let k = 0; k < h.len; k += 61) if (arena[h.off + k] !== h.tag) overwritten++;
        a.free(h.off);
      } else {
        const len = 1 + rnd(rnd(4) === 0 ? 1 << 18 : 2000);
        const off = a.alloc(len);
        if (off < 0) continue;
        const tag = i & 0xff;
        arena.fill(tag, off, off + len);
        held.push({ off, len, tag });
      }
    }
    for (const h of held) a.free(h.off);
    expect(overwritten).to.equal(0);
    expect(a.inUse).to.equal(0);
    expect(a.alloc(1 << 18)).to.be.at.least(0);
  });
});

describe('epoll backend: sockaddr codecs', () => {
  const u8 = new Uint8Array(256);
  const dv = new DataView(u8.buffer);
  const roundTrip = (addr: SockAddr) => {
    const len = encodeSockaddr(addr, u8, dv, 0);
    expect(len, JSON.stringify(addr)).to.be.greaterThan(0);
    return { len, back: decodeSockaddr(u8, dv, 0, len) };
  };

  it('lays out sockaddr_in as Linux does', () => {
    const { len, back } = roundTrip({ family: 'inet', host: '127.0.0.1', port: 0x1234 });
    expect(len).to.equal(16);
    expect([...u8.subarray(0, 8)]).to.deep.equal([2, 0, 0x12, 0x34, 127, 0, 0, 1]);
    expect(back).to.deep.equal({ family: 'inet', host: '127.0.0.1', port: 0x1234 });
  });

  it('lays out sockaddr_in6 as Linux does, flowinfo and scope included', () => {
    const { len, back } = roundTrip({ family: 'inet6', host: 'fe80::1', port: 80, flowinfo: 0x12345, scopeId: 3 });
    expect(len).to.equal(28);
    expect([...u8.subarray(0, 8)]).to.deep.equal([10, 0, 0, 80, 0, 1, 0x23, 0x45]);
    expect([...u8.subarray(8, 10)]).to.deep.equal([0xfe, 0x80]);
    expect(u8[23]).to.equal(1);
    expect([...u8.subarray(24, 28)]).to.deep.equal([3, 0, 0, 0]);
    expect(back).to.deep.equal({ family: 'inet6', host: 'fe80::1', port: 80, flowinfo: 0x12345, scopeId: 3 });
    expect(roundTrip({ family: 'inet6', host: 'fe80::1%7', port: 1 }).back).to.include({ scopeId: 7 });
  });

  it('writes IPv6 text as glibc inet_ntop (what CPython shows)', () => {
    // Pairs printed by python3's socket.inet_ntop(inet_pton(...)) on glibc.
    const cases: [string, string][] = [
      ['::', '::'],
      ['::1', '::1'],
      ['::2', '::2'],
      ['::0.0.0.2', '::2'],
      ['::1.2.3.4', '::1.2.3.4'],
      ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
      ['1::', '1::'],
      ['1:0:0:2::3', '1:0:0:2::3'],
      ['0:0:1::', '0:0:1::'],
      ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
      ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:DB8:0:0:1:0:0:0', '2001:db8:0:0:1::'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
      ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ];
    for (const [input, shown] of cases) {
      expect((roundTrip({ family: 'inet6', host: input, port: 0 }).back as { host: string }).host, input).to.equal(shown);
    }
  });

  it('lays out sockaddr_un: paths, abstract names, unnamed', () => {
    let r = roundTrip({ family: 'unix', path: '/tmp/sock' });
    expect(r.len).to.equal(2 + 9);
    expect(u8[11]).to.equal(0);
    expect(r.back).to.deep.equal({ family: 'unix', path: '/tmp/sock' });
    r = roundTrip({ family: 'unix', path: '\0abstract' });
    expect(r.len).to.equal(2 + 9);
    expect(r.back).to.deep.equal({ family: 'unix', path: '\0abstract' });
    expect(decodeSockaddr(u8, dv, 0, 2)).to.deep.equal({ family: 'unix', path: '' });
    expect(encodeSockaddr({ family: 'unix', path: 'x'.repeat(107) }, u8, dv, 0)).to.equal(109);
    expect(encodeSockaddr({ family: 'unix', path: 'x'.repeat(108) }, u8, dv, 0)).to.equal(-E.EINVAL);
    expect(encodeSockaddr({ family: 'unix', path: '\0' + 'x'.repeat(107) }, u8, dv, 0)).to.equal(110);
  });

  it('lays out sockaddr_nl, sockaddr_vm and sockaddr_ll as Linux does', () => {
    let r = roundTrip({ family: 'netlink', pid: 0x01020304, groups: 0xffffffff });
    expect(r.len).to.equal(12);
    expect([...u8.subarray(0, 12)]).to.deep.equal([16, 0, 0, 0, 4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff]);
    expect(r.back).to.deep.equal({ family: 'netlink', pid: 0x01020304, groups: 0xffffffff });
    r = roundTrip({ family: 'vsock', cid: 2, port: 0x1234 });
    expect(r.len).to.equal(16);
    expect([...u8.subarray(0, 16)]).to.deep.equal([40, 0, 0, 0, 0x34, 0x12, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.back).to.deep.equal({ family: 'vsock', cid: 2, port: 0x1234 });
    expect(decodeSockaddr(u8, dv, 0, 8), 'too short for sockaddr_vm').to.equal(null);
    r = roundTrip({ family: 'packet', protocol: 0x88b5, ifindex: 1, pkttype: 3, hatype: 772, addr: new Uint8Array([1, 2]) });
    expect(r.len).to.equal(20);
    expect([...u8.subarray(0, 20)]).to.deep.equal([17, 0, 0x88, 0xb5, 1, 0, 0, 0, 4, 3, 3, 2, 1, 2, 0, 0, 0, 0, 0, 0]);
    expect(r.back).to.deep.equal({ family: 'packet', protocol: 0x88b5, ifindex: 1, pkttype: 3, hatype: 772, addr: new Uint8Array([1, 2]) });
    for (const a of [
      { family: 'netlink', pid: -1, groups: 0 },
      { family: 'netlink', pid: 0, groups: 2 ** 32 },
      { family: 'netlink', pid: 0.5, groups: 0 },
      { family: 'vsock', cid: '2', port: 1 },
      { family: 'vsock', cid: 2 },
      { family: 'packet', protocol: 0x10000, ifindex: 1, pkttype: 0, hatype: 0, addr: new Uint8Array(0) },
      { family: 'packet', protocol: 0, ifindex: 1, pkttype: 256, hatype: 0, addr: new Uint8Array(0) },
      { family: 'packet', protocol: 0, ifindex: 1, pkttype: 0, hatype: 0, addr: new Uint8Array(9) },
      { family: 'packet', protocol: 0, ifindex: 1, pkttype: 0, hatype: 0, addr: 'ab' },
    ]) {
      expect(encodeSockaddr(a as unknown as SockAddr, u8, dv, 0), JSON.stringify(a)).to.equal(-E.EINVAL);
    }
  });

  it('rejects hosts that are not numeric, bad ports and unknown families', () => {
    const bad: unknown[] = [
      { family: 'inet', host: 'localhost', port: 1 },
      { family: 'inet', host: '', port: 1 },
      { family: 'inet', host: '1.2.3', port: 1 },
      { family: 'inet', host: '1.2.3.4.5', port: 1 },
      { family: 'inet', host: '01.2.3.4', port: 1 },
      { family: 'inet', host: '256.0.0.1', port: 1 },
      { family: 'inet', host: '1.2.3.4 ', port: 1 },
      { family: 'inet', host: '1.2.3.4', port: 65536 },
      { family: 'inet', host: '1.2.3.4', port: -1 },
      { family: 'inet', host: '1.2.3.4', port: 1.5 },
      { family: 'inet6', host: '127.0.0.1', port: 1 },
      { family: 'inet6', host: '1::2::3', port: 1 },
      { family: 'inet6', host: 'fe80::1%eth0', port: 1 },
      { family: 'inet6', host: '::1', port: 1, flowinfo: 1 << 20 },
      { family: 'unix', path: 3 },
      null,
    ];
    for (const a of bad) expect(encodeSockaddr(a as SockAddr, u8, dv, 0), JSON.stringify(a)).to.equal(-E.EINVAL);
    expect(encodeSockaddr({ family: 'bluetooth' } as unknown as SockAddr, u8, dv, 0)).to.equal(-E.EAFNOSUPPORT);
  });
});
