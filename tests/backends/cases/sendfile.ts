// The contract's SENDFILE: bytes of a file, from an offset, to a stream,
// waiting for room like SEND while the peer reads (a file larger than the
// socket holds); the file's own position never moves; 0 at the file's end;
// bad requests answer -errno. A backend without it answers ENOSYS (the test
// then skips, naming that answer).
import { expect } from 'chai';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, IoOp, IoRequest, ioWait, spawn, type IoBackend } from '@stackless-io/runtime';
import { conformance, joinAll } from '../harness.js';
import { E, pattern, recvExactly, sha256, tcpPair } from '../net.js';

function* sendfile(b: IoBackend, h: number, fileFd: number, offset: number, size: number): Generator<any, number, unknown> {
  const req = new IoRequest(IoOp.SENDFILE, h, null, null, 0, () => undefined);
  req.fileFd = fileFd;
  req.offset = offset;
  req.size = size;
  return (yield* ioWait(b, req)).result;
}

export function sendfileCases(name: string): void {
  conformance(name, 'sendfile: a file larger than the socket holds, from an offset, while the peer reads; the file position unmoved', async (t) => {
    const b = t.backend;
    const dir = mkdtempSync(join(tmpdir(), 'sio-sendfile-'));
    const data = pattern(3 << 20);
    writeFileSync(join(dir, 'f'), data);
    const fd = openSync(join(dir, 'f'), 'r');
    try {
      const [c, s] = await tcpPair(t);
      // One byte first: a backend without SENDFILE says so before a reader waits.
      const [probe] = await joinAll(spawn(function* probe() {
        const r = yield* sendfile(b, c, fd, 0, 1);
        return r === 1 ? [...(yield* recvExactly(s, 1))] : r;
      }));
      if (probe === -E.ENOSYS) {
        io.close(c);
        io.close(s);
        return t.cannot('send from a file', 'ENOSYS');
      }
      expect(probe).to.deep.equal([data[0]]);
      const offset = 12345;
      const want = data.length - offset;
      const [sent, got] = await joinAll(
        spawn(function* send() {
          let total = 0;
          const results: number[] = [];
          while (total < want) {
            const r = yield* sendfile(b, c, fd, offset + total, want - total);
            results.push(r);
            if (r <= 0) break;
            total += r;
          }
          // At the file's end: nothing more to send.
          results.push(yield* sendfile(b, c, fd, data.length, 100));
          return { total, results };
        }),
        spawn(function* read() {
          return yield* recvExactly(s, want);
        }),
      );
      expect(sent.total).to.equal(want);
      expect(sent.results.at(-1), 'at the end').to.equal(0);
      expect(sent.results.length, 'more than one transfer: the socket filled').to.be.greaterThan(2);
      expect(sha256(got)).to.equal(sha256(data.subarray(offset)));
      // The descriptor's own position is where it was: a read from it starts at 0.
      const head = new Uint8Array(4);
      expect(readSync(fd, head, 0, 4, null)).to.equal(4);
      expect([...head]).to.deep.equal([...data.subarray(0, 4)]);
      io.close(c);
      io.close(s);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  conformance(name, 'sendfile: bad requests answer -errno (bad file, negative offset, closed socket)', async (t) => {
    const b = t.backend;
    const dir = mkdtempSync(join(tmpdir(), 'sio-sendfile-'));
    writeFileSync(join(dir, 'f'), 'abc');
    const fd = openSync(join(dir, 'f'), 'r');
    try {
      const [c, s] = await tcpPair(t);
      const [r] = await joinAll(spawn(function* bad() {
        const first = yield* sendfile(b, c, fd, 0, 3);
        if (first === -E.ENOSYS) return null;
        const echo = yield* recvExactly(s, 3);
        return {
          first,
          echo: [...echo],
          badFd: yield* sendfile(b, c, 0x7ffffff0, 0, 3),
          negative: yield* sendfile(b, c, fd, -1, 3),
          fraction: yield* sendfile(b, c, fd, 0.5, 3),
          hugeSize: yield* sendfile(b, c, fd, 0, 2 ** 31),
        };
      }));
      io.close(c);
      io.close(s);
      if (r === null) return t.cannot('send from a file', 'ENOSYS');
      expect(r.first).to.equal(3);
      expect(r.echo).to.deep.equal([0x61, 0x62, 0x63]);
      expect(r.badFd).to.equal(-E.EBADF);
      expect(r.negative).to.equal(-E.EINVAL);
      expect(r.fraction).to.equal(-E.EINVAL);
      expect(r.hugeSize).to.equal(-E.EINVAL);
      const [closed] = await joinAll(spawn(function* () {
        return yield* sendfile(b, c, fd, 0, 3);
      }));
      expect(closed).to.equal(-E.EBADF);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
