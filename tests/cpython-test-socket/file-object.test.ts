// FileObjectClassTestCase of CPython's test_socket and its variants
// (unbuffered, line-buffered, small-buffered, text read, text write, text
// both): makefile() over a connected TCP pair. The reading file is made on
// the accepted end, the writing one on the client's, as CPython does.
import { expect } from 'chai';
import { sleep, ValueError, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { connectedTCP, type Connected } from './fixtures.js';
import { testClass, type Body, type ClassDef } from './frame.js';
import { Event, MSG, b, raises, raisesNow } from './support.js';

/** The file methods the tests use, whatever the kind (raw, buffered, text). */
interface AnyFile {
  readonly closed: boolean;
  readonly mode: string;
  readonly name: number;
  read(size?: number | null): TaskletGenerator<Buffer | string | null>;
  readline(size?: number | null): TaskletGenerator<Buffer | string>;
  readinto?(b: Uint8Array): TaskletGenerator<number | null>;
  write(data: Buffer | string): TaskletGenerator<number | null>;
  flush(): TaskletGenerator<void> | void;
  fileno(): number;
  close(): TaskletGenerator<void> | void;
}

/** One variant: CPython's class attributes. */
interface Variant {
  bufsize: number | null;
  read_mode: string;
  read_msg: Buffer | string;
  write_mode: string;
  write_msg: Buffer | string;
  newline: string | null;
}

function* run(r: TaskletGenerator<void> | void): TaskletGenerator<void> {
  if (r !== undefined) yield* r;
}

/** What a test's halves share: the fixture, both files, and the four events of setUp. */
interface FileFixture extends Connected {
  read_file: AnyFile;
  write_file: AnyFile;
  evt1: Event;
  evt2: Event;
  serv_finished: Event;
  cli_finished: Event;
}

type FileHalf = (f: FileFixture) => TaskletGenerator<void>;

const concat = (a: Buffer | string, c: Buffer | string): Buffer | string => (typeof a === 'string' ? a + String(c) : Buffer.concat([a, c as Buffer]));
const slice = (m: Buffer | string, from: number, to?: number): Buffer | string => m.slice(from, to);

/** FileObjectClassTestCase's setUp/tearDown around the two halves. */
function fileTest(v: Variant, server: FileHalf, client: FileHalf): Body {
  return (c) => {
    const ev = { evt1: new Event(), evt2: new Event(), serv_finished: new Event(), cli_finished: new Event() };
    const opts = { encoding: 'utf-8', errors: 'strict', newline: v.newline };
    let shared: FileFixture | null = null;
    const fixture = (f: Connected): FileFixture => (shared ??= Object.assign(f, ev) as FileFixture);
    return connectedTCP(
      c,
      function* (f) {
        const ff = fixture(f);
        ff.read_file = ff.cli_conn.makefile(v.read_mode, v.bufsize, opts) as unknown as AnyFile;
        try {
          yield* server(ff);
        } finally {
          ff.serv_finished.set();
          yield* run(ff.read_file.close());
        }
        expect(ff.read_file.closed).to.equal(true);
      },
      function* (f) {
        const ff = fixture(f);
        ff.write_file = ff.serv_conn.makefile(v.write_mode, v.bufsize, opts) as unknown as AnyFile;
        try {
          yield* client(ff);
        } finally {
          ff.cli_finished.set();
          yield* run(ff.write_file.close());
        }
        expect(ff.write_file.closed).to.equal(true);
      },
    );
  };
}

function* writeFlush(f: FileFixture, msg: Buffer | string): TaskletGenerator<void> {
  yield* f.write_file.write(msg);
  yield* run(f.write_file.flush());
}

/** The tests of FileObjectClassTestCase itself, for one variant. */
function fileObjectTests(v: Variant, { test, cannot }: ClassDef): void {
  const t = (name: string, server: FileHalf, client: FileHalf): void => test(name, fileTest(v, server, client));
  const nothing: FileHalf = function* () {};

  t(
    'testReadAfterTimeout',
    function* (f) {
      f.cli_conn.settimeout(1);
      yield* f.read_file.read(3);
      yield* raises(socket.TimeoutError, () => f.read_file.read(1));
      const e = yield* raises(socket.OSError, () => f.read_file.read(1));
      expect(e.message).to.include('cannot read from timed out object');
    },
    function* (f) {
      yield* writeFlush(f, slice(v.write_msg, 0, 3));
      yield* f.serv_finished.wait();
    },
  );

  t(
    'testSmallRead',
    function* (f) {
      const first = (yield* f.read_file.read(v.read_msg.length - 3))!;
      const second = (yield* f.read_file.read(3))!;
      expect(concat(first, second)).to.deep.equal(v.read_msg);
    },
    function* (f) {
      yield* writeFlush(f, v.write_msg);
    },
  );

  t(
    'testFullRead',
    function* (f) {
      expect(yield* f.read_file.read()).to.deep.equal(v.read_msg);
    },
    function* (f) {
      yield* f.write_file.write(v.write_msg);
      yield* run(f.write_file.close());
    },
  );

  t(
    'testUnbufferedRead',
    function* (f) {
      let buf: Buffer | string = typeof v.read_msg === 'string' ? '' : Buffer.alloc(0);
      for (;;) {
        const ch = (yield* f.read_file.read(1))!;
        if (ch.length === 0) break;
        buf = concat(buf, ch);
      }
      expect(buf).to.deep.equal(v.read_msg);
    },
    function* (f) {
      yield* writeFlush(f, v.write_msg);
    },
  );

  t(
    'testReadline',
    function* (f) {
      expect(yield* f.read_file.readline()).to.deep.equal(v.read_msg);
    },
    function* (f) {
      yield* writeFlush(f, v.write_msg);
    },
  );

  t(
    'testCloseAfterMakefile',
    function* (f) {
      f.cli_conn.close();
      expect(yield* f.read_file.read()).to.deep.equal(v.read_msg);
    },
    function* (f) {
      yield* writeFlush(f, v.write_msg);
    },
  );

  t(
    'testMakefileAfterMakefileClose',
    function* (f) {
      yield* run(f.read_file.close());
      let msg: Buffer | string = yield* f.cli_conn.recv(MSG.length);
      if (typeof v.read_msg === 'string') msg = msg.toString('utf8');
      expect(msg).to.deep.equal(v.read_msg);
    },
    function* (f) {
      yield* writeFlush(f, v.write_msg);
    },
  );

  t(
    'testClosedAttr',
    function* (f) {
      expect(f.read_file.closed).to.equal(false);
    },
    function* (f) {
      expect(f.write_file.closed).to.equal(false);
    },
  );

  t(
    'testAttributes',
    function* (f) {
      expect(f.read_file.mode).to.equal(v.read_mode);
      expect(f.read_file.name).to.equal(f.cli_conn.fileno());
    },
    function* (f) {
      expect(f.write_file.mode).to.equal(v.write_mode);
      expect(f.write_file.name).to.equal(f.serv_conn.fileno());
    },
  );

  t(
    'testRealClose',
    function* (f) {
      yield* run(f.read_file.close());
      raisesNow(ValueError, () => f.read_file.fileno());
      f.cli_conn.close();
      raisesNow(socket.OSError, () => f.cli_conn.getsockname());
    },
    nothing,
  );

  if (v.bufsize !== 0) return;

  // UnbufferedFileObjectClassTestCase's own tests.
  t(
    'testUnbufferedReadline',
    function* (f) {
      expect(yield* f.read_file.readline()).to.deep.equal(Buffer.concat([b('A. '), MSG]));
      yield* run(f.read_file.close());
      f.read_file = f.cli_conn.makefile('rb', 0) as unknown as AnyFile;
      expect(yield* f.read_file.readline()).to.deep.equal(Buffer.concat([b('B. '), MSG]));
    },
    function* (f) {
      yield* f.write_file.write(Buffer.concat([b('A. '), MSG]));
      yield* f.write_file.write(Buffer.concat([b('B. '), MSG]));
      yield* run(f.write_file.flush());
    },
  );

  t(
    'testMakefileClose',
    function* (f) {
      f.cli_conn.close();
      expect(yield* f.cli_conn.recv(1024)).to.deep.equal(v.read_msg);
      yield* run(f.read_file.close());
      yield* raises(socket.OSError, () => f.cli_conn.recv(1024));
    },
    function* (f) {
      yield* writeFlush(f, v.write_msg);
    },
  );

  cannot('testMakefileCloseSocketDestroy', 'reference counts (sys.getrefcount) do not exist in JavaScript');

  t(
    'testSmallReadNonBlocking',
    function* (f) {
      f.cli_conn.setblocking(false);
      expect(yield* f.read_file.readinto!(new Uint8Array(10))).to.equal(null);
      expect(yield* f.read_file.read(v.read_msg.length - 3)).to.equal(null);
      f.evt1.set();
      yield* f.evt2.wait();
      // The data may still be on its way: CPython sleeps and reads once more; here the read is retried until it comes.
      let first: Buffer | string | null = null;
      for (let i = 0; i < 10_000 && first === null; i++) {
        first = yield* f.read_file.read(v.read_msg.length - 3);
        if (first === null) yield* sleep(0.001);
      }
      const buf = Buffer.alloc(10);
      const n = (yield* f.read_file.readinto!(buf))!;
      expect(n).to.equal(3);
      expect(Buffer.concat([first as Buffer, buf.subarray(0, n)])).to.deep.equal(v.read_msg);
      expect(yield* f.read_file.readinto!(new Uint8Array(16))).to.equal(null);
      expect(yield* f.read_file.read(1)).to.equal(null);
    },
    function* (f) {
      yield* f.evt1.wait();
      yield* writeFlush(f, v.write_msg);
      f.evt2.set();
      // Closing before the server is done would make its recv() answer b'' instead of EWOULDBLOCK.
      yield* f.serv_finished.wait();
    },
  );

  t(
    'testWriteNonBlocking',
    function* (f) {
      yield* f.cli_finished.wait();
    },
    function* (f) {
      f.serv_conn.setblocking(false);
      // support.SOCK_MAX_SIZE: 16 MiB.
      const BIG = Buffer.alloc(16 * 1024 * 1024, 'x');
      let n = yield* f.write_file.write(BIG);
      expect(n).to.be.greaterThan(0);
      let saturated = false;
      for (let i = 0; i < 10; i++) {
        n = yield* f.write_file.write(BIG);
        if (n === null) {
          saturated = true;
          break;
        }
        expect(n).to.be.greaterThan(0);
      }
      // CPython skips when the buffers never filled; 10 × 16 MiB fill any loopback socket's.
      expect(saturated, 'failed to saturate the socket buffer').to.equal(true);
    },
  );
}

const BINARY: Variant = { bufsize: -1, read_mode: 'rb', read_msg: MSG, write_mode: 'wb', write_msg: MSG, newline: null };
const TEXT = MSG.toString('utf8');

const VARIANTS: [string, Variant][] = [
  ['FileObjectClassTestCase', BINARY],
  ['UnbufferedFileObjectClassTestCase', { ...BINARY, bufsize: 0 }],
  ['LineBufferedFileObjectClassTestCase', { ...BINARY, bufsize: 1 }],
  ['SmallBufferedFileObjectClassTestCase', { ...BINARY, bufsize: 2 }],
  ['UnicodeReadFileObjectClassTestCase', { ...BINARY, read_mode: 'r', read_msg: TEXT, newline: '' }],
  ['UnicodeWriteFileObjectClassTestCase', { ...BINARY, write_mode: 'w', write_msg: TEXT, newline: '' }],
  ['UnicodeReadWriteFileObjectClassTestCase', { ...BINARY, read_mode: 'r', read_msg: TEXT, write_mode: 'w', write_msg: TEXT, newline: '' }],
];

for (const [cls, v] of VARIANTS) testClass(cls, (d) => fileObjectTests(v, d));
