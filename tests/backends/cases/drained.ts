// What a receive may skip: the epoll and kqueue shims remember that a
// stream receive drained its socket (EAGAIN, or fewer bytes than asked)
// and make the next receive wait for the poller's event instead of trying
// recv(2) first. These cases are the ones where a drained-looking socket
// still has something to say without a new event, and must not hang.
import { expect } from 'chai';
import { io, MsgFlag, sleep, spawn, type Family } from '@stackless-io/runtime';
import { conformance, joinAll } from '../harness.js';
import { listener, pair, requireUnix, str, tcpPair, text } from '../net.js';

const FAMILIES: Family[] = ['inet', 'unix'];

export function drainedCases(name: string): void {
  for (const family of FAMILIES) {
    conformance(name, `bytes and the end together over ${family}: a short recv, then EOF at once (the end raises no event of its own)`, async (t) => {
      if (family === 'unix') requireUnix(t);
      const { lst, addr } = listener(t, family);
      const [[c, s]] = await joinAll(spawn(function* connectPair() {
        return yield* pair(family, lst, addr);
      }));
      io.close(lst);
      const [got] = await joinAll(spawn(function* reader() {
        try {
          yield* io.sendAll(c, text('hello'));
          io.shutdown(c, 1);
          // Both the bytes and the end are there, and the poller has said
          // so, before the first receive: it reads the bytes (fewer than it
          // asks for) and the end is all that is left.
          yield* sleep(0.05);
          yield* io.waitReadable(s);
          const first = str(yield* io.recv(s, 4096));
          const second = (yield* io.recv(s, 4096)).length;
          const third = (yield* io.recv(s, 4096)).length;
          return { first, second, third };
        } finally {
          io.close(c);
          io.close(s);
        }
      }));
      expect(got).to.deep.equal({ first: 'hello', second: 0, third: 0 });
    });
  }

  conformance(name, 'an urgent byte after a drained receive: recv(MSG_OOB) takes it at once (it makes the socket no more readable, so no event comes)', async (t) => {
    const [c, s] = await tcpPair(t);
    const [got] = await joinAll(spawn(function* urgent() {
      try {
        yield* io.sendAll(c, text('a'));
        // Fewer bytes than asked for: the socket is drained.
        const plain = str(yield* io.recv(s, 16));
        let sent: number;
        try {
          sent = yield* io.send(c, text('!'), MsgFlag.OOB);
        } catch (e) {
          return { unsupported: String(e) };
        }
        yield* sleep(0.05);
        const oob = str(yield* io.recv(s, 1, MsgFlag.OOB));
        return { plain, sent, oob };
      } finally {
        io.close(c);
        io.close(s);
      }
    }));
    if (got.unsupported !== undefined) t.cannot('send urgent data (MSG_OOB)', got.unsupported);
    expect(got).to.deep.equal({ plain: 'a', sent: 1, oob: '!' });
  });

  conformance(name, 'bytes, then more after a drained receive: the waiting recv wakes with them', async (t) => {
    const { lst, addr } = listener(t, 'inet');
    const [[c, s]] = await joinAll(spawn(function* connectPair() {
      return yield* pair('inet', lst, addr);
    }));
    io.close(lst);
    const reader = spawn(function* reader() {
      const parts: string[] = [];
      for (let i = 0; i < 3; i++) parts.push(str(yield* io.recv(s, 4096)));
      return parts;
    });
    const writer = spawn(function* writer() {
      for (const p of ['a', 'bb', 'ccc']) {
        yield* io.sendAll(c, text(p));
        // The reader drains each piece and waits before the next is sent.
        yield* sleep(0.02);
      }
    });
    try {
      const [parts] = await joinAll(reader, writer);
      expect(parts).to.deep.equal(['a', 'bb', 'ccc']);
    } finally {
      io.close(c);
      io.close(s);
    }
  });
}
