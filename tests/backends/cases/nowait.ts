// Requests that do not wait (MsgFlag.DONTWAIT, the contract's "Not
// waiting"): a non-blocking socket's calls. Where the request would wait it
// completes with EAGAIN at once; a send offers the kernel the whole buffer,
// so one send fills the socket as CPython's non-blocking send does; and such
// a request never overtakes one that waits on the same socket and direction.
import { expect } from 'chai';
import { io, IoOp, IoRequest, ioWait, MsgFlag, spawn, type IoBackend, type IoOpCode, type SockAddr } from '@stackless-io/runtime';
import { blockedInIo, conformance, joinAll } from '../harness.js';
import { bindLoopback, connectTo, E, listener, pattern, recvExactly, str, tcpPair, text } from '../net.js';

const POLLIN = 0x1;
const POLLOUT = 0x4;

/** One request with DONTWAIT (and `flags`), as the contract states it: the completed request. */
function* once(b: IoBackend, op: IoOpCode, h: number, buf: Uint8Array | null, flags = 0, addr: SockAddr | null = null, size = 0): Generator<any, IoRequest, unknown> {
  const req = new IoRequest(op, h, buf, addr, flags | MsgFlag.DONTWAIT, () => undefined);
  req.size = size;
  return yield* ioWait(b, req);
}

/** A buffer larger than the kernel's default socket buffers can hold between two loopback sockets. */
const FILL = 8 * 1024 * 1024;

/** A send that has to wait on a full socket (more than a full socket frees without the peer reading). */
const WAITING = 1024 * 1024 + 3;

export function nowaitCases(name: string): void {
  conformance(name, 'a receive that does not wait: EAGAIN on an idle socket, then the bytes once they are there (MSG_WAITALL: what is there)', async (t) => {
    const [c, s] = await tcpPair(t);
    const b = t.backend;
    const [r] = await joinAll(spawn(function* receiver() {
      const idle = yield* once(b, IoOp.RECV, s, null, 0, null, 100);
      const idlePoll = yield* once(b, IoOp.POLL_IN, s, null);
      const writable = yield* once(b, IoOp.POLL_OUT, s, null);
      yield* io.sendAll(c, text('hello'));
      // A blocking poll, so that the bytes are certainly there.
      yield* io.waitReadable(s);
      const got = yield* once(b, IoOp.RECV, s, null, 0, null, 100);
      yield* io.sendAll(c, text('abc'));
      yield* io.waitReadable(s);
      const all = yield* once(b, IoOp.RECV, s, new Uint8Array(10), MsgFlag.WAITALL);
      return {
        idle: { result: idle.result, len: idle.buf?.length },
        idlePoll: idlePoll.result,
        writable: writable.result & POLLOUT,
        got: { result: got.result, text: str(got.buf!) },
        all: { result: all.result, text: str(all.buf!.subarray(0, Math.max(0, all.result))) },
      };
    }));
    io.close(c);
    io.close(s);
    expect(r.idle, 'recv on an idle socket').to.deep.equal({ result: -E.EAGAIN, len: 0 });
    expect(r.idlePoll, 'POLL_IN on an idle socket').to.equal(-E.EAGAIN);
    expect(r.writable, 'POLL_OUT on a connected socket with room').to.equal(POLLOUT);
    expect(r.got).to.deep.equal({ result: 5, text: 'hello' });
    expect(r.all, 'MSG_WAITALL that does not wait').to.deep.equal({ result: 3, text: 'abc' });
  });

  conformance(name, 'a datagram receive and an accept that do not wait: EAGAIN while nothing is there, then the datagram and the connection', async (t) => {
    const b = t.backend;
    const u = io.socket('inet', 'dgram');
    bindLoopback(t, u, 'inet');
    const { lst, addr } = listener(t, 'inet');
    const [r] = await joinAll(spawn(function* exchange() {
      const noDatagram = (yield* once(b, IoOp.RECVFROM, u, null, 0, null, 100)).result;
      const noConnection = (yield* once(b, IoOp.ACCEPT, lst, null)).result;
      yield* io.sendto(u, text('dgram'), io.getsockname(u));
      yield* io.waitReadable(u);
      const d = yield* once(b, IoOp.RECVFROM, u, null, 0, null, 100);
      const c = yield* connectTo('inet', addr);
      yield* io.waitReadable(lst);
      const a = yield* once(b, IoOp.ACCEPT, lst, null);
      if (a.result >= 0) io.close(a.result);
      io.close(c);
      return { noDatagram, noConnection, datagram: str(d.buf!), from: d.addr?.family, accepted: a.result >= 0, peer: a.addr?.family };
    }));
    io.close(u);
    io.close(lst);
    expect(r).to.deep.equal({ noDatagram: -E.EAGAIN, noConnection: -E.EAGAIN, datagram: 'dgram', from: 'inet', accepted: true, peer: 'inet' });
  });

  conformance(name, 'a send that does not wait offers the kernel the whole buffer: one send fills the socket, more sends add less than it took, then EAGAIN; every byte arrives once, in order', async (t) => {
    const [c, s] = await tcpPair(t);
    const b = t.backend;
    const data = pattern(FILL);
    const [r] = await joinAll(spawn(function* filler() {
      const first = (yield* once(b, IoOp.SEND, c, data)).result;
      let sent = first > 0 ? first : 0;
      let extra = 0;
      let last = first;
      // The peer does not read: each send adds little (a kernel may find
      // some room at the tail of its queue) until one answers EAGAIN.
      for (let i = 0; i < 64 && first > 0 && sent < FILL && last > 0; i++) {
        last = (yield* once(b, IoOp.SEND, c, data.subarray(sent))).result;
        if (last > 0) {
          sent += last;
          extra += last;
        }
      }
      return { first, extra, last, sent };
    }));
    if (r.first === FILL) {
      io.close(c);
      io.close(s);
      t.skip(`the kernel took all ${FILL} bytes at once: its buffers are larger than this test can fill`);
    }
    expect(r.first, 'bytes the first send took').to.be.within(1, FILL - 1);
    expect(r.last, 'the send that ended the loop').to.equal(-E.EAGAIN);
    // A backend that caps each transfer (256 KiB on epoll before) would take
    // a cap's worth per send and fill the socket over many sends.
    expect(r.extra, `bytes the later sends took (the first took ${r.first})`).to.be.below(r.first);
    const [got] = await joinAll(spawn(function* drain() {
      const bytes = yield* recvExactly(s, r.sent);
      // The socket takes more again once the peer has read: a send that waits.
      yield* io.sendAll(c, text('after'));
      const after = yield* recvExactly(s, 5);
      return { bytes, after: str(after) };
    }));
    io.close(c);
    io.close(s);
    const wrong = got.bytes.findIndex((x, i) => x !== data[i]);
    expect(wrong, 'offset of the first wrong byte').to.equal(-1);
    expect(got.after).to.equal('after');
  });

  conformance(name, 'a request that does not wait never overtakes one that waits on the same socket and direction: it answers EAGAIN', async (t) => {
    const [c, s] = await tcpPair(t);
    const b = t.backend;
    const data = pattern(FILL);
    // Fill the client's side, so that a send that waits has to wait.
    const [filled] = await joinAll(spawn(function* filler() {
      let sent = 0;
      for (let i = 0; i < 64 && sent < FILL; i++) {
        const n = (yield* once(b, IoOp.SEND, c, data.subarray(sent))).result;
        if (n === -E.EAGAIN) return sent;
        if (n <= 0) throw new Error(`a send that does not wait answered ${n}`);
        sent += n;
      }
      return sent;
    }));
    if (filled === FILL) {
      io.close(c);
      io.close(s);
      t.skip(`the kernel took all ${FILL} bytes: its buffers are larger than this test can fill`);
    }
    // 1 MiB cannot fit in what a full socket may free without the peer reading.
    const more = pattern(WAITING);
    const waiter = spawn(function* waitingSender() {
      yield* io.sendAll(c, more);
    });
    const reader = spawn(function* waitingReader() {
      return str(yield* io.recv(c, 100));
    });
    await blockedInIo(waiter, 2);
    await blockedInIo(reader, 2);
    const [r] = await joinAll(spawn(function* latecomers() {
      const send = (yield* once(b, IoOp.SEND, c, text('BBBB'))).result;
      const recv = (yield* once(b, IoOp.RECV, c, null, 0, null, 100)).result;
      return { send, recv };
    }));
    expect(r, 'the requests that do not wait').to.deep.equal({ send: -E.EAGAIN, recv: -E.EAGAIN });
    const [stream, , replied] = await joinAll(
      spawn(function* drain() {
        const bytes = yield* recvExactly(s, filled + WAITING);
        yield* io.sendAll(s, text('reply'));
        return bytes;
      }),
      waiter,
      reader,
    );
    io.close(c);
    io.close(s);
    expect(stream.subarray(0, filled).findIndex((x, i) => x !== data[i]), 'offset of the first wrong filling byte').to.equal(-1);
    expect(stream.subarray(filled).findIndex((x, i) => x !== more[i]), 'offset of the first wrong byte of the waiting send').to.equal(-1);
    expect(replied, 'the waiting reader got the reply').to.equal('reply');
  });

  conformance(name, 'a send that does not wait goes after a send of its socket submitted earlier in the same round, or answers EAGAIN: never ahead of it', async (t) => {
    const [c, s] = await tcpPair(t);
    const b = t.backend;
    // Both tasklets run in one scheduler round: the first send is submitted
    // (a batching backend holds it until the round's end), then the second
    // is made at once.
    const first = spawn(function* waitingSend() {
      return yield* io.send(c, text('AAAA'));
    });
    const second = spawn(function* sendAtOnce() {
      return (yield* once(b, IoOp.SEND, c, text('BBBB'))).result;
    });
    const [sent, now] = await joinAll(first, second);
    expect(sent, 'the send that may wait').to.equal(4);
    expect([4, -E.EAGAIN], 'the send that does not wait').to.include(now);
    const [got] = await joinAll(spawn(function* reader() {
      return str(yield* recvExactly(s, now === 4 ? 8 : 4));
    }));
    io.close(c);
    io.close(s);
    expect(got).to.equal(now === 4 ? 'AAAABBBB' : 'AAAA');
  });

  conformance(name, 'a connect that does not wait is refused with EINVAL (a connect cannot be tried once), and the socket still connects', async (t) => {
    const b = t.backend;
    const { lst, addr } = listener(t, 'inet');
    const h = io.socket('inet', 'stream');
    const [r] = await joinAll(spawn(function* connector() {
      const refused = (yield* once(b, IoOp.CONNECT, h, null, 0, addr)).result;
      yield* io.connect(h, addr);
      const { handle } = yield* io.accept(lst);
      io.close(handle);
      return refused;
    }));
    io.close(h);
    io.close(lst);
    expect(r).to.equal(-E.EINVAL);
  });
}
