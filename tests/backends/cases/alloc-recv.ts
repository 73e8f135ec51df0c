// Receives with no buffer (IoRequest.size): the backend allocates one when
// the data is there, at the size received, so a recv(n) neither pays for nor
// holds n bytes while it waits. Every backend must give back exactly the
// bytes received, a fresh buffer each time, an empty one at EOF or on an
// error, the whole size with MSG_WAITALL, and the datagram's size (with
// `truncated`) for RECVFROM.
import { expect } from 'chai';
import { io, IoOp, IoRequest, ioWait, MsgFlag, spawn, type IoBackend } from '@stackless-io/runtime';
import { conformance, joinAll } from '../harness.js';
import { bindLoopback, E, pattern, str, text, tcpPair } from '../net.js';

/** One RECV with a null buffer and `size`, as the contract states it. */
function* allocRecv(b: IoBackend, h: number, size: number, flags = 0): Generator<any, IoRequest, unknown> {
  const req = new IoRequest(IoOp.RECV, h, null, null, flags, () => undefined);
  req.size = size;
  return yield* ioWait(b, req);
}

export function allocRecvCases(name: string): void {
  conformance(name, 'recv with no buffer: a new buffer of exactly the bytes received, each time', async (t) => {
    const [c, s] = await tcpPair(t);
    const b = t.backend;
    const [got] = await joinAll(spawn(function* exchange() {
      yield* io.sendAll(c, text('hello'));
      const first = yield* allocRecv(b, s, 4096);
      yield* io.sendAll(c, text('again'));
      const second = yield* allocRecv(b, s, 3);
      const rest = yield* allocRecv(b, s, 3);
      return { first, second: { result: second.result, buf: second.buf }, rest };
    }));
    expect(got.first.result).to.equal(5);
    expect(got.first.buf).to.be.instanceOf(Buffer);
    expect(got.first.buf!.length, 'the buffer is the size received, not the size asked').to.equal(5);
    expect(str(got.first.buf!)).to.equal('hello');
    expect(got.second.result).to.equal(3);
    expect(str(got.second.buf!)).to.equal('aga');
    expect(str(got.rest.buf!)).to.equal('in');
    expect(got.rest.buf, 'each receive has a buffer of its own').to.not.equal(got.second.buf);
    io.close(c);
    io.close(s);
  });

  conformance(name, 'recv with no buffer at EOF and after an error: an empty buffer', async (t) => {
    const [c, s] = await tcpPair(t);
    const b = t.backend;
    const [r] = await joinAll(spawn(function* eof() {
      io.shutdown(c, 1);
      const atEof = yield* allocRecv(b, s, 100);
      io.close(s);
      const req = new IoRequest(IoOp.RECV, s, null, null, 0, () => undefined);
      req.size = 100;
      const closed = yield* ioWait(b, req);
      return { eof: { result: atEof.result, len: atEof.buf?.length }, closed: { result: closed.result, len: closed.buf?.length } };
    }));
    expect(r.eof).to.deep.equal({ result: 0, len: 0 });
    expect(r.closed).to.deep.equal({ result: -E.EBADF, len: 0 });
    io.close(c);
  });

  conformance(name, 'recv with no buffer and MSG_WAITALL: all `size` bytes, sent in pieces', async (t) => {
    const [c, s] = await tcpPair(t);
    const b = t.backend;
    const data = pattern(100_000);
    const [, req] = await joinAll(
      spawn(function* writer() {
        for (let off = 0; off < data.length; off += 7_000) {
          yield* io.sendAll(c, data.subarray(off, Math.min(off + 7_000, data.length)));
        }
      }),
      spawn(function* reader() {
        return yield* allocRecv(b, s, data.length, MsgFlag.WAITALL);
      }),
    );
    expect(req.result).to.equal(data.length);
    expect(req.buf!.length).to.equal(data.length);
    expect(Buffer.compare(Buffer.from(req.buf!), Buffer.from(data))).to.equal(0);
    io.close(c);
    io.close(s);
  });

  conformance(name, 'recv with no buffer and MSG_WAITALL ended by EOF: the bytes that came, in a buffer of that size', async (t) => {
    const [c, s] = await tcpPair(t);
    const b = t.backend;
    const [, req] = await joinAll(
      spawn(function* writer() {
        yield* io.sendAll(c, text('short'));
        io.shutdown(c, 1);
      }),
      spawn(function* reader() {
        return yield* allocRecv(b, s, 1000, MsgFlag.WAITALL);
      }),
    );
    expect(req.result).to.equal(5);
    expect(str(req.buf!)).to.equal('short');
    io.close(c);
    io.close(s);
  });

  conformance(name, 'recvfrom with no buffer: the datagram at its size; a longer one truncated to `size`', async (t) => {
    const a = io.socket('inet', 'dgram');
    const r = io.socket('inet', 'dgram');
    bindLoopback(t, r, 'inet');
    const to = io.getsockname(r);
    const [got] = await joinAll(spawn(function* datagrams() {
      yield* io.sendto(a, text('twelve bytes'), to);
      yield* io.sendto(a, text('a longer datagram'), to);
      const one = yield* io.recvfrom(r, 1000);
      const two = yield* io.recvfrom(r, 8);
      return [one, two].map((d) => ({ data: str(d.data), len: d.data.length, truncated: d.truncated }));
    }));
    expect(got).to.deep.equal([
      { data: 'twelve bytes', len: 12, truncated: false },
      { data: 'a longer', len: 8, truncated: true },
    ]);
    io.close(a);
    io.close(r);
  });

  conformance(name, 'recv with no buffer and a bad size: EINVAL, nothing received', async (t) => {
    const [c, s] = await tcpPair(t);
    const b = t.backend;
    const [results] = await joinAll(spawn(function* bad() {
      const out: number[] = [];
      for (const size of [-1, 1.5, Number.NaN, 2 ** 31]) {
        const req = new IoRequest(IoOp.RECV, s, null, null, 0, () => undefined);
        req.size = size;
        out.push((yield* ioWait(b, req)).result);
      }
      yield* io.sendAll(c, text('still here'));
      out.push((yield* allocRecv(b, s, 100)).result);
      return out;
    }));
    expect(results).to.deep.equal([-E.EINVAL, -E.EINVAL, -E.EINVAL, -E.EINVAL, 10]);
    io.close(c);
    io.close(s);
  });
}
