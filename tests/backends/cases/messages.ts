// The contract's SENDMSG and RECVMSG: a message with ancillary data, a
// descriptor passed with SCM_RIGHTS that arrives as a new handle of the
// backend (usable, counted, closed by the caller), control room too small
// for it (MSG_CTRUNC, nothing left open), and a datagram's sender. A
// backend without them answers ENOSYS (the test then skips, naming that
// answer).
import { expect } from 'chai';
import { cmsgLen, cmsgSpace, io, IoOp, IoRequest, ioWait, schedule, spawn, type AncillaryItem, type IoBackend, type SockAddr } from '@stackless-io/runtime';
import { conformance, joinAll, settle, type TestEnv } from '../harness.js';
import { bindLoopback, E, str, text } from '../net.js';

const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_CTRUNC = 0x8;
const MSG_TRUNC = 0x20;

function* sendmsg(b: IoBackend, h: number, data: Uint8Array, ancillary: AncillaryItem[] | null, addr: SockAddr | null = null): Generator<any, IoRequest, unknown> {
  const req = new IoRequest(IoOp.SENDMSG, h, data, addr, 0, () => undefined);
  req.ancillary = ancillary;
  return yield* ioWait(b, req);
}

function* recvmsg(b: IoBackend, h: number, size: number, ancSize: number): Generator<any, IoRequest, unknown> {
  const req = new IoRequest(IoOp.RECVMSG, h, null, null, 0, () => undefined);
  req.size = size;
  req.ancSize = ancSize;
  return yield* ioWait(b, req);
}

function rights(...fds: number[]): AncillaryItem {
  const data = new Uint8Array(fds.length * 4);
  const dv = new DataView(data.buffer);
  fds.forEach((fd, i) => dv.setInt32(i * 4, fd, true));
  return { level: SOL_SOCKET, type: SCM_RIGHTS, data };
}

function fdsOf(req: IoRequest): number[] {
  const out: number[] = [];
  for (const item of req.ancillary ?? []) {
    if (item.level !== SOL_SOCKET || item.type !== SCM_RIGHTS) continue;
    const dv = new DataView(item.data.buffer, item.data.byteOffset, item.data.byteLength);
    for (let i = 0; i + 4 <= item.data.length; i += 4) out.push(dv.getInt32(i, true));
  }
  return out;
}

/** A kernel Unix pair, or the test skips naming the backend's answer. */
function unixPair(t: TestEnv, kind: 'stream' | 'dgram'): [number, number] {
  const r = t.backend.socketpair('unix', kind, 0);
  if (r === -E.ENOSYS || r === -E.EAFNOSUPPORT) t.cannot(`make a Unix ${kind} pair`, r === -E.ENOSYS ? 'ENOSYS' : 'EAFNOSUPPORT');
  if (typeof r === 'number') throw new Error(`socketpair answered errno ${-r}`);
  return r;
}

export function messageCases(name: string): void {
  conformance(name, 'sendmsg/recvmsg: a descriptor passed with SCM_RIGHTS arrives as a new handle that carries the same socket', async (t) => {
    const b = t.backend;
    const [a, z] = unixPair(t, 'stream');
    const [c, d] = unixPair(t, 'stream');
    const handlesBefore = b.stats().handles;
    let got = -1;
    try {
      const [r] = await joinAll(spawn(function* pass() {
        const sent = yield* sendmsg(b, a, text('fd'), [rights(c)]);
        if (sent.result === -E.ENOSYS) return { enosys: true } as const;
        const rec = yield* recvmsg(b, z, 10, cmsgSpace(4));
        const fds = fdsOf(rec);
        got = fds[0] ?? -1;
        const handles = b.stats().handles;
        yield* io.sendAll(got, text('via passed'));
        const echo = str(yield* io.recv(d, 20));
        return { enosys: false, sent: sent.result, result: rec.result, data: str(rec.buf!), fds: fds.length, flags: rec.msgFlags, handles, echo } as const;
      }));
      if (r.enosys) t.cannot('send a message', 'ENOSYS');
      expect(r.sent).to.equal(2);
      expect({ result: r.result, data: r.data, fds: r.fds, flags: r.flags }).to.deep.equal({ result: 2, data: 'fd', fds: 1, flags: 0 });
      expect(got, 'a new handle').to.not.equal(c);
      expect(r.handles, 'the received descriptor counts as a handle').to.equal(handlesBefore + 1);
      expect(r.echo).to.equal('via passed');
    } finally {
      if (got >= 0) io.close(got);
      for (const h of [a, z, c, d]) io.close(h);
    }
  });

  conformance(name, 'recvmsg: control room too small for the descriptors is MSG_CTRUNC, and the one that did not fit is not left open', async (t) => {
    const b = t.backend;
    const [a, z] = unixPair(t, 'dgram');
    const [c, d] = unixPair(t, 'stream');
    const handlesBefore = b.stats().handles;
    try {
      const [r] = await joinAll(spawn(function* pass() {
        const sent = yield* sendmsg(b, a, text('two'), [rights(c, d)]);
        if (sent.result === -E.ENOSYS) return null;
        const rec = yield* recvmsg(b, z, 1, cmsgLen(4));
        const fds = fdsOf(rec);
        const handles = b.stats().handles;
        for (const fd of fds) io.close(fd);
        return { result: rec.result, fds: fds.length, flags: rec.msgFlags, truncated: rec.truncated, handles };
      }));
      if (r === null) return t.cannot('send a message', 'ENOSYS');
      expect(r.result).to.equal(1);
      expect(r.fds, 'the descriptor that fit').to.equal(1);
      expect(r.flags & (MSG_CTRUNC | MSG_TRUNC)).to.equal(MSG_CTRUNC | MSG_TRUNC);
      expect(r.truncated).to.equal(true);
      expect(r.handles, 'only the descriptor that fit is a handle').to.equal(handlesBefore + 1);
    } finally {
      for (const h of [a, z, c, d]) io.close(h);
    }
  });

  conformance(name, 'recvmsg: a receiver killed after its message arrived (the cancel too late) leaves no descriptor open', async (t) => {
    const b = t.backend;
    const [a, z] = unixPair(t, 'stream');
    const [c, d] = unixPair(t, 'stream');
    const handlesBefore = b.stats().handles;
    try {
      // In one scheduler round: the send, then the receive, then the kill.
      // The backend meets them in that order, so the receive finds the
      // message at once and the cancel comes too late: the request
      // completes for real, with a descriptor nobody is there to take.
      let sent = 0;
      const sender = spawn(function* send() {
        sent = (yield* sendmsg(b, a, text('fd'), [rights(c)])).result;
      });
      let received = false;
      const receiver = spawn(function* receive() {
        yield* recvmsg(b, z, 10, cmsgSpace(4));
        received = true;
      });
      const killer = spawn(function* kill() {
        receiver.kill();
      });
      await joinAll(sender, killer);
      if (sent === -E.ENOSYS) t.cannot('send a message', 'ENOSYS');
      expect(sent).to.equal(2);
      expect(received, 'the receiver was killed before it resumed').to.equal(false);
      await settle('the late completion', () => b.stats().pending === 0);
      expect(b.stats().handles, 'the descriptor received was closed').to.equal(handlesBefore);
    } finally {
      for (const h of [a, z, c, d]) io.close(h);
    }
  });

  conformance(name, 'recvmsg: a receiver killed after its message was delivered but before it ran leaves no descriptor open', async (t) => {
    const b = t.backend;
    const [a, z] = unixPair(t, 'stream');
    const [c, d] = unixPair(t, 'stream');
    const handlesBefore = b.stats().handles;
    try {
      // The receiver waits in the backend; the message then completes its
      // request and makes it runnable. A tasklet that runs first in that
      // round kills it: the completed request's descriptor has nobody to
      // take it.
      let received = false;
      const receiver = spawn(function* receive() {
        yield* recvmsg(b, z, 10, cmsgSpace(4));
        received = true;
      });
      let sent = 0;
      let killedRunnable = false;
      const sender = spawn(function* send() {
        while (!receiver.blocked) yield* schedule();
        sent = (yield* sendmsg(b, a, text('fd'), [rights(c)])).result;
        if (sent < 0) {
          receiver.kill();
          return;
        }
        // Bounded: the completion comes at the end of a round.
        for (let i = 0; i < 1000 && !receiver.scheduled && receiver.alive; i++) yield* schedule();
        killedRunnable = receiver.scheduled;
        receiver.kill();
      });
      await joinAll(sender);
      if (sent === -E.ENOSYS) t.cannot('send a message', 'ENOSYS');
      expect(sent).to.equal(2);
      expect(killedRunnable, 'the receiver was runnable (its request completed) when killed').to.equal(true);
      expect(received, 'the receiver was killed before it resumed').to.equal(false);
      expect(b.stats().pending).to.equal(0);
      expect(b.stats().handles, 'the descriptor received was closed').to.equal(handlesBefore);
    } finally {
      for (const h of [a, z, c, d]) io.close(h);
    }
  });

  conformance(name, 'sendmsg/recvmsg on UDP: the destination given, the sender returned; a descriptor not the backend\'s is EBADF', async (t) => {
    const b = t.backend;
    const r1 = io.socket('inet', 'dgram');
    const s1 = io.socket('inet', 'dgram');
    try {
      bindLoopback(t, r1, 'inet');
      bindLoopback(t, s1, 'inet');
      const to = b.getsockname(r1) as SockAddr;
      const from = b.getsockname(s1) as SockAddr;
      const [r] = await joinAll(spawn(function* udp() {
        const sent = yield* sendmsg(b, s1, text('datagram'), null, to);
        if (sent.result === -E.ENOSYS) return null;
        const rec = yield* recvmsg(b, r1, 100, 0);
        const bad = yield* sendmsg(b, s1, text('x'), [rights(0x7ffffff0)], to);
        return { sent: sent.result, data: str(rec.buf!), addr: rec.addr, anc: rec.ancillary, bad: bad.result };
      }));
      if (r === null) return t.cannot('send a message', 'ENOSYS');
      expect(r.sent).to.equal(8);
      expect(r.data).to.equal('datagram');
      expect(r.addr).to.deep.include({ family: 'inet', host: '127.0.0.1', port: (from as { port: number }).port });
      expect(r.anc).to.deep.equal([]);
      expect(r.bad).to.equal(-E.EBADF);
    } finally {
      io.close(r1);
      io.close(s1);
    }
  });
}
