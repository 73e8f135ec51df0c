// Socket kinds beyond stream and datagram: SOCK_SEQPACKET over AF_UNIX
// (listens and accepts like a stream, keeps message boundaries like a
// datagram socket) and SOCK_RAW where the kernel allows it. A backend
// without the kind answers ESOCKTNOSUPPORT (the contract allows it: the
// test then skips, naming that answer).
import { constants } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { io, SockOpt, spawn } from '@stackless-io/runtime';
import { conformance, joinAll } from '../harness.js';
import { E, str, text } from '../net.js';

/** Linux's number where Node's table has none (as the contract's errors do). */
const ESOCKTNOSUPPORT = (constants.errno as Record<string, number | undefined>).ESOCKTNOSUPPORT ?? 94;

export function kindCases(name: string): void {
  conformance(name, 'SOCK_SEQPACKET: a Unix listener accepts a seqpacket connection; messages keep their boundaries', async (t) => {
    const b = t.backend;
    const l = b.socket('unix', 'seqpacket', 0);
    if (l === -ESOCKTNOSUPPORT) t.cannot('make a seqpacket socket', 'ESOCKTNOSUPPORT');
    expect(l, 'socket()').to.be.greaterThanOrEqual(0);
    const path = join(t.tmpdir(), 'sp');
    const c = io.socket('unix', 'seqpacket');
    let s = -1;
    try {
      io.bind(l, { family: 'unix', path });
      io.listen(l, 4);
      expect(io.getsockopt(l, SockOpt.TYPE), 'SO_TYPE').to.equal(5);
      const [got] = await joinAll(spawn(function* exchange() {
        yield* io.connect(c, { family: 'unix', path });
        ({ handle: s } = yield* io.accept(l));
        yield* io.send(c, text('first message'));
        yield* io.send(c, text('second'));
        const one = str(yield* io.recv(s, 100));
        const two = str(yield* io.recv(s, 3));
        return [one, two, io.getsockopt(s, SockOpt.TYPE)];
      }));
      // A short receive takes the start of the next message and drops the rest.
      expect(got).to.deep.equal(['first message', 'sec', 5]);
    } finally {
      if (s >= 0) io.close(s);
      io.close(c);
      io.close(l);
    }
  });

  conformance(name, "SOCK_RAW: the kernel's answer (a raw inet socket needs a protocol)", async (t) => {
    const r = t.backend.socket('inet', 'raw', 0);
    if (r === -ESOCKTNOSUPPORT) t.cannot('make a raw socket', 'ESOCKTNOSUPPORT');
    if (r >= 0) t.backend.close(r);
    expect(r, 'socket(AF_INET, SOCK_RAW, 0)').to.equal(-E.EPROTONOSUPPORT);
  });
}
