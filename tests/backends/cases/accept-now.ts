// The synchronous-completion path (IoBackend.tryNow, optional): a
// listener's queue is drained at once, one connection per call, with no
// poll() in between; it never overtakes an ACCEPT already waiting, never
// touches a request it does not finish, and what it hands over is counted
// and closed like any accepted socket. And, whatever the backend: an accept
// loop takes a burst of queued connections, each working, none leaked.
import { expect } from 'chai';
import { io, IoOp, IoRequest, MsgFlag, spawn, type SockAddr } from '@stackless-io/runtime';
import { blockedInIo, conformance, joinAll, settle } from '../harness.js';
import { connectTo, E, listener, recvExactly, sameAddr, str, text } from '../net.js';

const N = 40;

/** An ACCEPT request on `lst` that must never complete through done(). */
function acceptRequest(lst: number, flags = 0): IoRequest {
  return new IoRequest(IoOp.ACCEPT, lst, null, null, flags, () => {
    throw new Error('done() called for a request tryNow() finished or left alone');
  });
}

/** Connects `n` clients to `addr`; their handles and local addresses, once all are connected. */
async function connectClients(n: number, addr: SockAddr): Promise<{ hs: number[]; names: SockAddr[] }> {
  const hs = await joinAll(...Array.from({ length: n }, () => spawn(function* client() {
    return yield* connectTo('inet', addr);
  })));
  return { hs: [...hs], names: hs.map((h) => io.getsockname(h)) };
}

export function acceptNowCases(name: string): void {
  conformance(name, `tryNow drains ${N} queued connections at once, then answers false and leaves the request untouched`, async (t) => {
    const b = t.backend;
    if (b.tryNow === undefined) t.skip('the backend has no synchronous-completion path (IoBackend.tryNow is optional)');
    const { lst, addr } = listener(t, 'inet', 128);
    const { hs, names } = await connectClients(N, addr);
    // Every connection is in the kernel's queue once its connect completed;
    // a backend that learns of them through an event loop (libuv) may need
    // turns of it: tryNow is asked again as they come, never poll().
    const accepted: IoRequest[] = [];
    await settle(`${N} connections accepted at once`, () => {
      for (let r = acceptRequest(lst); accepted.length < N && b.tryNow!(r); r = acceptRequest(lst)) accepted.push(r);
      return accepted.length === N;
    });
    expect(b.stats().pending, 'requests pending: none was submitted').to.equal(0);
    expect(b.stats().handles, 'listener, clients, accepted').to.equal(1 + 2 * N);
    const peers = accepted.map((r) => {
      expect(r.result, 'an accepted handle').to.be.at.least(0);
      return r.addr;
    });
    // Each accepted handle is one client's connection, and each client is accepted once.
    for (const name of names) expect(peers.filter((p) => sameAddr(p, name)).length, `client ${JSON.stringify(name)} accepted once`).to.equal(1);
    // Nothing is queued any more: false, and the request is as it was.
    const idle = acceptRequest(lst);
    expect(b.tryNow!(idle), 'tryNow with an empty queue').to.equal(false);
    expect(idle.result, 'result untouched').to.equal(0);
    expect(idle.token, 'never submitted').to.equal(-1);
    // A request that does not wait may be answered -EAGAIN at once, or left to submit().
    const nowait = acceptRequest(lst, MsgFlag.DONTWAIT);
    if (b.tryNow!(nowait)) expect(nowait.result, 'a non-waiting accept with nothing queued').to.equal(-E.EAGAIN);
    // The handles work: an echo over the first pair.
    const [got] = await joinAll(spawn(function* echo() {
      yield* io.sendAll(hs[0]!, text('ping'));
      const s = accepted[peers.findIndex((p) => sameAddr(p, names[0]!))]!.result;
      return str(yield* recvExactly(s, 4));
    }));
    expect(got).to.equal('ping');
    for (const r of accepted) io.close(r.result);
    for (const h of hs) io.close(h);
    io.close(lst);
  });

  conformance(name, 'tryNow never overtakes an ACCEPT already waiting: the waiting tasklet gets the connection', async (t) => {
    const b = t.backend;
    if (b.tryNow === undefined) t.skip('the backend has no synchronous-completion path (IoBackend.tryNow is optional)');
    const { lst, addr } = listener(t, 'inet');
    const waiter = spawn(function* waiter() {
      const { handle, addr: peer } = yield* io.accept(lst);
      return { handle, peer };
    });
    await blockedInIo(waiter);
    const { hs, names } = await connectClients(1, addr);
    // However far the backend has got with the connection, the waiting
    // ACCEPT is first: tryNow must leave it alone.
    const r = acceptRequest(lst);
    expect(b.tryNow!(r), 'tryNow while an ACCEPT waits on the listener').to.equal(false);
    expect(r.result, 'result untouched').to.equal(0);
    const [{ handle, peer }] = await joinAll(waiter);
    expect(sameAddr(peer, names[0]!), 'the waiter got the connection').to.equal(true);
    io.close(handle);
    io.close(hs[0]!);
    io.close(lst);
  });

  conformance(name, 'tryNow never overtakes an ACCEPT submitted just before it (still in the batch): connections go in queue order', async (t) => {
    const b = t.backend;
    if (b.tryNow === undefined) t.skip('the backend has no synchronous-completion path (IoBackend.tryNow is optional)');
    const { lst, addr } = listener(t, 'inet');
    // One after the other, so that the kernel queues them in this order.
    const first = await connectClients(1, addr);
    const second = await connectClients(1, addr);
    let firstDone = false;
    const r1 = new IoRequest(IoOp.ACCEPT, lst, null, null, 0, () => {
      firstDone = true;
    });
    // Submitted and not yet handed over (no poll() in between): tryNow must
    // let it take the first connection.
    b.submit(r1);
    const r2 = acceptRequest(lst);
    await settle('the second connection accepted at once', () => b.tryNow!(r2));
    // Submitted from outside a tasklet, so no scheduler round follows it:
    // the test runs the backend's rounds itself.
    await settle('the submitted ACCEPT completed', () => {
      b.poll();
      return firstDone;
    });
    expect(r1.result, 'the submitted ACCEPT').to.be.at.least(0);
    expect(r2.result, 'the ACCEPT made at once').to.be.at.least(0);
    expect(sameAddr(r1.addr, first.names[0]!), 'the submitted ACCEPT got the first connection').to.equal(true);
    expect(sameAddr(r2.addr, second.names[0]!), 'the one made at once got the second').to.equal(true);
    for (const h of [r1.result, r2.result, first.hs[0]!, second.hs[0]!, lst]) io.close(h);
  });

  conformance(name, `an accept loop takes a burst of ${N} queued connections; each echoes, none is leaked`, async (t) => {
    const { lst, addr } = listener(t, 'inet', 128);
    const { hs } = await connectClients(N, addr);
    const [echoed] = await joinAll(spawn(function* server() {
      const conns: number[] = [];
      for (let i = 0; i < N; i++) conns.push((yield* io.accept(lst)).handle);
      let n = 0;
      for (const [i, h] of hs.entries()) {
        yield* io.sendAll(h, text(`m${String(i).padStart(3, '0')}`));
      }
      for (const c of conns) {
        const m = yield* recvExactly(c, 4);
        yield* io.sendAll(c, m);
      }
      for (const [i, h] of hs.entries()) if (str(yield* recvExactly(h, 4)) === `m${String(i).padStart(3, '0')}`) n++;
      for (const c of conns) io.close(c);
      return n;
    }));
    expect(echoed, 'clients that got their own message back').to.equal(N);
    for (const h of hs) io.close(h);
    io.close(lst);
  });
}
