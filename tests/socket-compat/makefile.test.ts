// makefile(): the raw, buffered binary and text files over a socket. Reads
// and writes are operations; bytes are never lost or duplicated, whatever
// sizes the reads take; the socket closes only when it and its files have.
import { expect } from 'chai';
import { spawn, sleep, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { expectError, inTasklet, needPython, pythonJson, raises, raisesNow, useDefaultBackend, waitJoin } from './helpers.js';

function* pair(): TaskletGenerator<[socket.socket, socket.socket]> {
  return yield* socket.socketpair();
}

describe('socket-compat: makefile', function () {
  useDefaultBackend();

  it('binary: readline, read(n), read1, readinto, readlines, read() to the end of stream', async function () {
    const r = await inTasklet(function* () {
      const [a, b] = yield* pair();
      const w = a.makefile('wb') as socket.SocketFile;
      const f = b.makefile('rb') as socket.SocketFile;
      yield* w.write(Buffer.from('line one\nline two\n'));
      yield* w.write(Buffer.from('abcdefghij'));
      yield* w.write(Buffer.from('\nx\ny\nrest'));
      yield* w.flush();
      const out = {
        l1: String(yield* f.readline()),
        l2: String(yield* f.readline(4)),
        l2rest: String(yield* f.readline()),
        three: String(yield* f.read(3)),
        one: String(yield* f.read1(1)),
        into: 0,
        intoText: '',
        lines: [] as string[],
        rest: '',
        eof: -1,
        modes: [w.mode, f.mode, w.closed],
      };
      const buf = Buffer.alloc(4);
      out.into = (yield* f.readinto(buf))!;
      out.intoText = String(buf);
      yield* w.close();
      out.modes.push(w.closed);
      a.close();
      out.lines = (yield* f.readlines(3)).map(String);
      out.rest = String(yield* f.read());
      out.eof = (yield* f.read(10))!.length;
      yield* f.close();
      b.close();
      return out;
    });
    expect(r).to.deep.equal({
      l1: 'line one\n',
      l2: 'line',
      l2rest: ' two\n',
      three: 'abc',
      one: 'd',
      into: 4,
      intoText: 'efgh',
      lines: ['ij\n', 'x\n'],
      rest: 'y\nrest',
      eof: 0,
      modes: ['wb', 'rb', false, true],
    });
  });

  it('a large write through a small buffer arrives whole and in order (no data lost under partial sends)', async function () {
    const size = 3 << 20;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 13) & 0xff;
    const got = await inTasklet(function* () {
      const [a, b] = yield* pair();
      const reader = spawn(function* () {
        const f = b.makefile('rb', 1000) as socket.SocketFile;
        const parts: Buffer[] = [];
        for (let n = 1; ; n = (n * 7) % 9973) {
          const part = (yield* f.read(n))!;
          if (part.length === 0) break;
          parts.push(part);
          if (parts.length % 50 === 0) yield* sleep(0.001);
        }
        yield* f.close();
        return Buffer.concat(parts);
      });
      const w = a.makefile('wb', 4096) as socket.SocketFile;
      for (let off = 0; off < size; off += 100_000) yield* w.write(data.subarray(off, off + 100_000));
      yield* w.close();
      a.close();
      const result = yield* waitJoin(reader);
      b.close();
      return result;
    }, 60_000);
    expect(got.length).to.equal(size);
    expect(got.equals(data)).to.equal(true);
  });

  it('rwb reads and writes one socket; buffering=0 gives the raw SocketIO', async function () {
    const r = await inTasklet(function* () {
      const [a, b] = yield* pair();
      const rw = a.makefile('rwb') as socket.SocketFile;
      const raw = b.makefile('rwb', 0) as socket.SocketIO;
      yield* rw.write(Buffer.from('to b'));
      yield* rw.flush();
      const got = String(yield* raw.read(100));
      const wrote = yield* raw.write(Buffer.from('to a'));
      const back = String(yield* rw.read(4));
      const out = { got, wrote, back, rawMode: raw.mode, isRaw: raw instanceof socket.SocketIO, flags: [raw.readable(), raw.writable(), raw.seekable()] };
      yield* rw.close();
      raw.close();
      a.close();
      b.close();
      return out;
    });
    expect(r).to.deep.equal({ got: 'to b', wrote: 4, back: 'to a', rawMode: 'rwb', isRaw: true, flags: [true, true, false] });
  });

  it('text: utf-8 by default, universal newlines, read(n) counts characters, readlines', async function () {
    const r = await inTasklet(function* () {
      const [a, b] = yield* pair();
      const w = a.makefile('w') as socket.TextSocketFile;
      const f = b.makefile('r') as socket.TextSocketFile;
      const n = yield* w.write('héllo wörld\r\nsecond\rthird\n€uro');
      yield* w.close();
      a.close();
      const out = { n, enc: [w.encoding, f.encoding, f.mode], first: yield* f.read(5), line: yield* f.readline(), lines: yield* f.readlines() };
      yield* f.close();
      b.close();
      return out;
    });
    expect(r).to.deep.equal({
      n: 30,
      enc: ['utf-8', 'utf-8', 'r'],
      first: 'héllo',
      line: ' wörld\n',
      lines: ['second\n', 'third\n', '€uro'],
    });
  });

  it("text: newline='' keeps line ends; latin-1 and ascii; strict errors raise", async function () {
    const r = await inTasklet(function* () {
      const [a, b] = yield* pair();
      const w = a.makefile('wb') as socket.SocketFile;
      const f = b.makefile('r', null, { newline: '' }) as socket.TextSocketFile;
      yield* w.write(Buffer.from('a\r\nb\rc\n'));
      yield* w.flush();
      const lines = [yield* f.readline(), yield* f.readline(), yield* f.readline()];
      const l1 = a.makefile('w', null, { encoding: 'latin-1' }) as socket.TextSocketFile;
      yield* l1.write('é');
      yield* l1.flush();
      const raw = b.makefile('rb') as socket.SocketFile;
      const latin = [...(yield* raw.read(1))!];
      const asciiFile = a.makefile('w', null, { encoding: 'ascii' }) as socket.TextSocketFile;
      const strict = raisesNow(() => asciiFile.write('é'));
      const replaced = a.makefile('w', null, { encoding: 'ascii', errors: 'replace' }) as socket.TextSocketFile;
      yield* replaced.write('é!');
      yield* replaced.flush();
      const q = String(yield* raw.read(2));
      for (const x of [w, f, l1, raw, replaced, asciiFile]) yield* x.close();
      a.close();
      b.close();
      return { lines, latin, strict, q };
    });
    expect(r.lines).to.deep.equal(['a\r\n', 'b\r', 'c\n']);
    expect(r.latin).to.deep.equal([0xe9]);
    expect(r.strict.name).to.equal('UnicodeEncodeError');
    expect(r.q).to.equal('?!');
  });

  it('the socket closes only once it and every file made from it are closed', async function () {
    const r = await inTasklet(function* () {
      const [a, b] = yield* pair();
      const f = a.makefile('rwb') as socket.SocketFile;
      a.close();
      const afterSocketClose = a.fileno() >= 0;
      yield* f.write(Buffer.from('still works'));
      yield* f.flush();
      const got = String(yield* b.recv(100));
      yield* f.close();
      const afterFileClose = a.fileno();
      const writeClosed = raisesNow(() => f.write(Buffer.from('x')));
      b.close();
      return { afterSocketClose, got, afterFileClose, writeClosed, refs: a._io_refs };
    });
    expect([r.afterSocketClose, r.got, r.afterFileClose, r.refs]).to.deep.equal([true, 'still works', -1, 0]);
    expectError(r.writeClosed, 'ValueError', 'write to closed file');
  });

  it('after a timeout, the bytes the read had gathered are lost and reads raise "cannot read from timed out object", as in CPython', async function () {
    const r = await inTasklet(function* () {
      const [a, b] = yield* pair();
      b.settimeout(0.05);
      const f = b.makefile('rb') as socket.SocketFile;
      yield* a.sendall(Buffer.from('partial'));
      const e1 = yield* raises(() => f.read(100));
      // The 7 bytes went into the discarded result, as in CPython's BufferedReader.
      const e2 = yield* raises(() => f.read(1));
      yield* f.close();
      a.close();
      b.close();
      return { e1, e2 };
    });
    expectError(r.e1, 'TimeoutError', 'timed out', null);
    expectError(r.e2, 'OSError', 'cannot read from timed out object', null);
  });

  it('what a read does not take stays buffered; a non-blocking socket with nothing gives None (null), read1 and peek empty bytes', async function () {
    const r = await inTasklet(function* () {
      const [a, b] = yield* pair();
      const f = b.makefile('rb') as socket.SocketFile;
      yield* a.sendall(Buffer.from('line one\nline two\n'));
      const first = String(yield* f.readline());
      const peeked = String(yield* f.peek());
      b.setblocking(false);
      const second = String(yield* f.read(100));
      const none = yield* f.read(10);
      const intoNone = yield* f.readinto(Buffer.alloc(4));
      const empty1 = (yield* f.read1(10)).length;
      const emptyPeek = (yield* f.peek()).length;
      yield* f.close();
      a.close();
      b.close();
      return { first, peeked, second, none, intoNone, empty1, emptyPeek };
    });
    expect(r).to.deep.equal({ first: 'line one\n', peeked: 'line two\n', second: 'line two\n', none: null, intoNone: null, empty1: 0, emptyPeek: 0 });
  });

  it('mode, buffering, encoding and newline are checked as CPython checks them, without keeping the socket open', async function () {
    const s = new socket.socket();
    try {
      expectError(raisesNow(() => s.makefile('x')), 'ValueError', "invalid mode 'x' (only r, w, b allowed)");
      expectError(raisesNow(() => s.makefile('rt')), 'ValueError', "invalid mode 'rt' (only r, w, b allowed)");
      expectError(raisesNow(() => s.makefile('r', 0)), 'ValueError', 'unbuffered streams must be binary');
      expectError(raisesNow(() => s.makefile('rb', 'x' as never)), 'TypeError', "'<' not supported between instances of 'str' and 'int'");
      expectError(raisesNow(() => s.makefile('r', null, { encoding: 'nosuch' })), 'LookupError', 'unknown encoding: nosuch');
      expectError(raisesNow(() => s.makefile('r', null, { newline: 'x' })), 'ValueError', 'illegal newline value: x');
      expect(s._io_refs).to.equal(0);
      const rf = s.makefile('rb') as socket.SocketFile;
      const wf = s.makefile('wb') as socket.SocketFile;
      expectError(raisesNow(() => rf.write(Buffer.from('x'))), 'UnsupportedOperation', 'write');
      expectError(raisesNow(() => wf.read()), 'UnsupportedOperation', 'read');
      expect(s._io_refs).to.equal(2);
      await inTasklet(function* () {
        yield* rf.close();
        yield* wf.close();
      });
    } finally {
      s.close();
    }
    expect(s.fileno()).to.equal(-1);
  });

  it('unbuffered (raw) file: readline and readlines are io.IOBase\'s, one byte at a time, as CPython answers', async function () {
    needPython(this);
    const py = pythonJson<unknown[]>(`
import socket, json
a, b = socket.socketpair()
a.sendall(b'ab\\ncd\\nefgh\\nij\\nkl'); a.shutdown(socket.SHUT_WR)
f = b.makefile('rb', 0)
out = [f.readline().decode(), f.readline(1).decode(), f.readline().decode(), f.readline(2).decode(), [l.decode() for l in f.readlines()], f.readline().decode()]
f.close()
try: f.readline()
except Exception as e: out.append([type(e).__name__, str(e)])
a.close(); b.close()
print(json.dumps(out))`);
    const ours = await inTasklet(function* () {
      const [a, b] = yield* pair();
      yield* a.sendall(Buffer.from('ab\ncd\nefgh\nij\nkl'));
      a.shutdown(socket.SHUT_WR);
      const f = b.makefile('rb', 0) as socket.SocketIO;
      const out: unknown[] = [
        String(yield* f.readline()),
        String(yield* f.readline(1)),
        String(yield* f.readline()),
        String(yield* f.readline(2)),
        (yield* f.readlines()).map(String),
        String(yield* f.readline()),
      ];
      f.close();
      const e = raisesNow(() => f.readline());
      out.push([e.name, e.message]);
      a.close();
      b.close();
      return out;
    });
    expect(ours).to.deep.equal(py);
  });
});
