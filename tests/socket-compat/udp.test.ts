// UDP sockets on the default backend, IPv4 and IPv6: sendto/recvfrom with
// both sendto() signatures, recvfrom_into, connected datagram sockets,
// truncation of a datagram larger than the buffer, and empty datagrams.
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { expectError, inTasklet, raises, raisesNow, useDefaultBackend } from './helpers.js';

const { AF_INET, AF_INET6, SOCK_DGRAM } = socket;

describe('socket-compat: UDP', function () {
  useDefaultBackend();

  for (const [family, host] of [
    [AF_INET, '127.0.0.1'],
    [AF_INET6, '::1'],
  ] as const) {
    it(`${family === AF_INET ? 'IPv4' : 'IPv6'}: sendto, recvfrom, recvfrom_into, recv; the sender's address`, async function () {
      const r = await inTasklet(function* () {
        const a = new socket.socket(family, SOCK_DGRAM);
        const b = new socket.socket(family, SOCK_DGRAM);
        try {
          yield* a.bind([host, 0]);
          yield* b.bind([host, 0]);
          const aAddr = a.getsockname();
          const n1 = yield* b.sendto(Buffer.from('one'), aAddr as [string, number]);
          const n2 = yield* b.sendto(Buffer.from('two'), 0, aAddr as [string, number]);
          yield* b.sendto(Buffer.from('three'), aAddr as [string, number]);
          yield* b.sendto(Buffer.from('hello world'), aAddr as [string, number]);
          yield* b.sendto(Buffer.alloc(0), aAddr as [string, number]);
          const [d1, from1] = yield* a.recvfrom(100);
          const buf = Buffer.alloc(10);
          const [n, from2] = yield* a.recvfrom_into(buf);
          const d3 = yield* a.recv(100);
          const truncated = yield* a.recv(5);
          const [empty, from5] = yield* a.recvfrom(10);
          return {
            sent: [n1, n2],
            d1: String(d1),
            fromIsB: JSON.stringify(from1) === JSON.stringify(b.getsockname()) && JSON.stringify(from2) === JSON.stringify(from1),
            two: String(buf.subarray(0, n)),
            d3: String(d3),
            truncated: String(truncated),
            empty: empty.length,
            from5IsB: JSON.stringify(from5) === JSON.stringify(from1),
          };
        } finally {
          a.close();
          b.close();
        }
      });
      expect(r).to.deep.equal({ sent: [3, 3], d1: 'one', fromIsB: true, two: 'two', d3: 'three', truncated: 'hello', empty: 0, from5IsB: true });
    });
  }

  it('a connected datagram socket: send, recv, getpeername; a host name is resolved', async function () {
    const r = await inTasklet(function* () {
      const a = new socket.socket(AF_INET, SOCK_DGRAM);
      const b = new socket.socket(AF_INET, SOCK_DGRAM);
      try {
        const unconnected = yield* raises(() => b.send(Buffer.from('x')));
        const peerless = raisesNow(() => b.getpeername());
        yield* a.bind(['127.0.0.1', 0]);
        const [, port] = a.getsockname() as [string, number];
        yield* b.connect(['localhost', port]);
        yield* b.send(Buffer.from('ping'));
        const [d, from] = yield* a.recvfrom(10);
        yield* a.sendto(Buffer.from('pong'), from as [string, number]);
        return { unconnected, peerless, d: String(d), back: String(yield* b.recv(10)), peer: b.getpeername() };
      } finally {
        a.close();
        b.close();
      }
    });
    expectError(r.unconnected, 'OSError', '[Errno 89] Destination address required', 89);
    expectError(r.peerless, 'OSError', '[Errno 107] Transport endpoint is not connected', 107);
    expect([r.d, r.back, (r.peer as unknown[])[0]]).to.deep.equal(['ping', 'pong', '127.0.0.1']);
  });

  it('sendto: argument count, address shape and port range as CPython', async function () {
    const s = new socket.socket(AF_INET, SOCK_DGRAM);
    try {
      expectError(raisesNow(() => (s.sendto as (...a: unknown[]) => unknown)(Buffer.from('x'))), 'TypeError', 'sendto() takes 2 or 3 arguments (1 given)');
      expectError(raisesNow(() => (s.sendto as (...a: unknown[]) => unknown)(Buffer.from('x'), 0, ['127.0.0.1', 1], 4)), 'TypeError', 'sendto() takes 2 or 3 arguments (4 given)');
      expectError(raisesNow(() => s.sendto(Buffer.from('x'), 'abc' as never)), 'TypeError', 'sendto(): AF_INET address must be tuple, not str');
      expectError(raisesNow(() => s.sendto(Buffer.from('x'), ['127.0.0.1', 70000])), 'OverflowError', 'sendto(): port must be 0-65535.');
      expectError(raisesNow(() => s.sendto(Buffer.from('x'), 'a' as never, ['127.0.0.1', 1])), 'TypeError', "'str' object cannot be interpreted as an integer");
      expectError(raisesNow(() => s.sendto('abc' as never, ['127.0.0.1', 1])), 'TypeError', "a bytes-like object is required, not 'str'");
      const e = await inTasklet(() => raises(() => s.sendto(Buffer.from('x'), ['::1', 1])));
      expectError(e, 'gaierror', '[Errno -9] Address family for hostname not supported', -9);
    } finally {
      s.close();
    }
  });
});
