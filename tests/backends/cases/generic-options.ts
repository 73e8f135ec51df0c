// The contract's generic setsockopt/getsockopt: any level and option name
// in Linux's numbers, an int or bytes value, getsockopt's buflen as
// CPython's. The portable options go through it on every backend; others a
// backend may refuse with ENOPROTOOPT (the contract allows it: the test then
// skips, naming that answer), and bad input answers -EINVAL everywhere.
import { expect } from 'chai';
import { SockOpt, SOCKOPT_MAX, type IoBackend } from '@stackless-io/runtime';
import { conformance } from '../harness.js';
import { E } from '../net.js';

const SOL_SOCKET = 1;
const SO_KEEPALIVE = 9;
const SO_LINGER = 13;
const SO_TYPE = 3;
const IPPROTO_IP = 0;
const IP_TOS = 1;
const IP_MULTICAST_TTL = 33;
const IP_MULTICAST_LOOP = 34;

/** Native-endian C ints as bytes, as the kernel reads option values. */
const ints = (...v: number[]): Uint8Array => new Uint8Array(new Int32Array(v).buffer);

/** A getsockopt() answer that must be a value: throws with the errno otherwise. */
function value<T extends number | Uint8Array>(r: ReturnType<IoBackend['getsockopt']>): T {
  if (typeof r === 'object' && !(r instanceof Uint8Array)) throw new Error(`getsockopt answered errno ${-r.errno}`);
  return r as T;
}

export function genericOptionCases(name: string): void {
  conformance(name, 'generic options: a portable option set as an int and as bytes reads back through both layers', async (t) => {
    const b = t.backend;
    const h = b.socket('inet', 'stream', 0);
    try {
      expect(b.setsockopt(h, SOL_SOCKET, SO_KEEPALIVE, 1), 'SO_KEEPALIVE = 1').to.equal(0);
      expect(b.getOption(h, SockOpt.KEEPALIVE), 'the portable layer sees it').to.equal(1);
      expect(value(b.getsockopt(h, SOL_SOCKET, SO_KEEPALIVE, 0)), 'buflen 0: an int').to.equal(1);
      expect([...value<Uint8Array>(b.getsockopt(h, SOL_SOCKET, SO_KEEPALIVE, 16))], 'buflen 16: the 4 bytes of the int').to.deep.equal([...ints(1)]);
      expect(b.setsockopt(h, SOL_SOCKET, SO_KEEPALIVE, ints(0)), 'SO_KEEPALIVE = bytes of 0').to.equal(0);
      expect(b.getOption(h, SockOpt.KEEPALIVE)).to.equal(0);
      expect(b.setsockopt(h, SOL_SOCKET, SO_KEEPALIVE, new Uint8Array(2)), 'a value shorter than an int').to.equal(-E.EINVAL);
      expect(b.setsockopt(h, SOL_SOCKET, SO_LINGER, ints(1, 5)), 'SO_LINGER as struct linger').to.equal(0);
      expect(b.getOption(h, SockOpt.LINGER), 'LINGER in seconds').to.equal(5);
      expect([...value<Uint8Array>(b.getsockopt(h, SOL_SOCKET, SO_LINGER, 8))]).to.deep.equal([...ints(1, 5)]);
      expect(b.setsockopt(h, SOL_SOCKET, SO_LINGER, 1), 'SO_LINGER from a 4-byte int').to.equal(-E.EINVAL);
      expect(b.setOption(h, SockOpt.LINGER, -1)).to.equal(0);
      expect([...value<Uint8Array>(b.getsockopt(h, SOL_SOCKET, SO_LINGER, 8))], 'off keeps l_linger, as Linux does').to.deep.equal([...ints(0, 5)]);
      expect(value(b.getsockopt(h, SOL_SOCKET, SO_TYPE, 0)), 'SO_TYPE of a stream socket').to.equal(1);
    } finally {
      b.close(h);
    }
  });

  conformance(name, 'generic options: a value given as a view into a larger buffer (a pooled Node Buffer) is read from its own bytes', async (t) => {
    const b = t.backend;
    const h = b.socket('inet', 'stream', 0);
    try {
      // Eight bytes at offset 4 of a larger buffer whose other bytes are not 0:
      // a backend that read from the start of the underlying ArrayBuffer would
      // see 0xff... instead.
      const big = new Uint8Array(32).fill(0xff);
      big.set(ints(1, 7), 4);
      const view = big.subarray(4, 12);
      expect(b.setsockopt(h, SOL_SOCKET, SO_LINGER, view), 'SO_LINGER from a view').to.equal(0);
      expect([...value<Uint8Array>(b.getsockopt(h, SOL_SOCKET, SO_LINGER, 8))]).to.deep.equal([...ints(1, 7)]);
      const pooled = Buffer.from(ints(0, 0));
      expect(b.setsockopt(h, SOL_SOCKET, SO_KEEPALIVE, Buffer.from(ints(1))), 'SO_KEEPALIVE from a pooled Buffer').to.equal(0);
      expect(b.getOption(h, SockOpt.KEEPALIVE)).to.equal(1);
      expect(b.setsockopt(h, SOL_SOCKET, SO_LINGER, pooled), 'SO_LINGER off from a pooled Buffer').to.equal(0);
      expect(b.getOption(h, SockOpt.LINGER), 'LINGER off').to.equal(-1);
    } finally {
      b.close(h);
    }
  });

  conformance(name, 'generic options: IP_TOS, an option outside the portable layer, reads back what was set', async (t) => {
    const b = t.backend;
    const h = b.socket('inet', 'dgram', 0);
    try {
      const r = b.setsockopt(h, IPPROTO_IP, IP_TOS, 0x10);
      if (r === -E.ENOPROTOOPT) t.cannot('set IP_TOS', 'ENOPROTOOPT');
      expect(r, 'IP_TOS = 0x10').to.equal(0);
      expect(value(b.getsockopt(h, IPPROTO_IP, IP_TOS, 0))).to.equal(0x10);
      expect(value<Uint8Array>(b.getsockopt(h, IPPROTO_IP, IP_TOS, 1)).length, 'buflen 1: one byte').to.equal(1);
    } finally {
      b.close(h);
    }
  });

  conformance(name, 'generic options: IP_MULTICAST_TTL and IP_MULTICAST_LOOP of a datagram socket read back, before and after bind', async (t) => {
    const b = t.backend;
    const h = b.socket('inet', 'dgram', 0);
    try {
      const first = b.getsockopt(h, IPPROTO_IP, IP_MULTICAST_TTL, 0);
      if (typeof first === 'object' && !(first instanceof Uint8Array) && first.errno === -E.ENOPROTOOPT) t.cannot('read IP_MULTICAST_TTL', 'ENOPROTOOPT');
      expect(value(first), 'IP_MULTICAST_TTL of a new socket').to.equal(1);
      expect(b.setsockopt(h, IPPROTO_IP, IP_MULTICAST_TTL, 4)).to.equal(0);
      expect(b.setsockopt(h, IPPROTO_IP, IP_MULTICAST_LOOP, 0)).to.equal(0);
      expect(b.bind(h, { family: 'inet', host: '127.0.0.1', port: 0 })).to.equal(0);
      expect(value(b.getsockopt(h, IPPROTO_IP, IP_MULTICAST_TTL, 0)), 'after bind').to.equal(4);
      expect(b.setsockopt(h, IPPROTO_IP, IP_MULTICAST_TTL, 300), 'a TTL over 255').to.equal(-E.EINVAL);
      expect(b.setsockopt(h, IPPROTO_IP, IP_MULTICAST_TTL, 9)).to.equal(0);
      expect(value(b.getsockopt(h, IPPROTO_IP, IP_MULTICAST_TTL, 0))).to.equal(9);
      expect(value(b.getsockopt(h, IPPROTO_IP, IP_MULTICAST_LOOP, 0))).to.equal(0);
    } finally {
      b.close(h);
    }
  });

  conformance(name, 'generic options: bad input answers -EINVAL (or EBADF), never an exception', async (t) => {
    const b = t.backend;
    const h = b.socket('inet', 'stream', 0);
    try {
      const answers = {
        'level 1.5': b.setsockopt(h, 1.5, SO_KEEPALIVE, 1),
        'name 2**31': b.setsockopt(h, SOL_SOCKET, 2 ** 31, 1),
        'value 2**31': b.setsockopt(h, SOL_SOCKET, SO_KEEPALIVE, 2 ** 31),
        'value NaN': b.setsockopt(h, SOL_SOCKET, SO_KEEPALIVE, NaN),
        'value a string': b.setsockopt(h, SOL_SOCKET, SO_KEEPALIVE, 'x' as unknown as number),
        'value too long': b.setsockopt(h, SOL_SOCKET, SO_KEEPALIVE, new Uint8Array(SOCKOPT_MAX + 1)),
        'buflen -1': value0(b.getsockopt(h, SOL_SOCKET, SO_KEEPALIVE, -1)),
        'buflen too long': value0(b.getsockopt(h, SOL_SOCKET, SO_KEEPALIVE, SOCKOPT_MAX + 1)),
        'buflen 0.5': value0(b.getsockopt(h, SOL_SOCKET, SO_KEEPALIVE, 0.5)),
      };
      expect(answers).to.deep.equal(Object.fromEntries(Object.keys(answers).map((k) => [k, -E.EINVAL])));
      expect(b.setsockopt(12345, SOL_SOCKET, SO_KEEPALIVE, 1), 'a handle not open').to.equal(-E.EBADF);
      expect(b.getsockopt(12345, SOL_SOCKET, SO_KEEPALIVE, 0)).to.deep.equal({ errno: -E.EBADF });
      expect(b.getOption(h, SockOpt.KEEPALIVE), 'the socket is untouched').to.equal(0);
    } finally {
      b.close(h);
    }
  });
}

/** The errno of a getsockopt() answer (0 for a value). */
function value0(r: ReturnType<IoBackend['getsockopt']>): number {
  return typeof r === 'object' && !(r instanceof Uint8Array) ? r.errno : 0;
}
