// SendfileUsingSendTest and SendfileUsingSendfileTest of CPython's
// test_socket: socket.sendfile() of a 10 MiB file, with offsets, counts,
// timeouts and bad arguments. CPython calls its two private paths
// (_sendfile_use_send, _sendfile_use_sendfile); socket-compat has the one
// public sendfile(), which reads through the file object it is given or
// through a descriptor. So the first class hands it a file object (read,
// seek, tell: what CPython's send() path uses), the second the file's
// descriptor (what its sendfile(2) path uses). A descriptor has no position
// Node can read (no lseek), so file.tell() is checked on the first only.
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ValueError, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { threadedTCP, type Pair } from './fixtures.js';
import { testClass, type Ctx } from './frame.js';
import { Event, raises, raisesNow } from './support.js';

const FILESIZE = 10 * 1024 * 1024;
const BUFSIZE = 8192;
const TIMEOUT = 10;
const LONG_TIMEOUT = 30;

/** The file's contents: one random block of ASCII letters, repeated (as CPython's setUpClass writes it). */
const FILEDATA = (() => {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const chunk = Buffer.from(Array.from({ length: BUFSIZE }, () => letters[Math.floor(Math.random() * letters.length)]).join(''));
  return Buffer.concat(Array.from({ length: FILESIZE / BUFSIZE }, () => chunk));
})();

/** A binary file opened for reading, as Python's open(path, 'rb'): read, seek, tell over a descriptor. */
class PyFile {
  private pos = 0;
  readonly fd: number;
  constructor(
    path: string,
    readonly mode = 'rb',
  ) {
    this.fd = openSync(path, 'r');
  }
  read(n: number): Buffer {
    const buf = Buffer.alloc(n);
    const got = readSync(this.fd, buf, 0, n, this.pos);
    this.pos += got;
    return buf.subarray(0, got);
  }
  seek(offset: number): void {
    this.pos = offset;
  }
  tell(): number {
    return this.pos;
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** io.BytesIO over bytes: read, seek, tell. */
class BytesIO {
  private pos = 0;
  constructor(private readonly data: Buffer) {}
  read(n: number): Buffer {
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += out.length;
    return out;
  }
  seek(offset: number): void {
    this.pos = offset;
  }
  tell(): number {
    return this.pos;
  }
}

/** How a class hands the file to sendfile(): the file object, or its descriptor. */
type Via = 'object' | 'fd';

function testfn(c: Ctx, data: Buffer = FILEDATA): string {
  const path = join(c.tmpdir(), '@test_sendfile');
  writeFileSync(path, data);
  return path;
}

function* acceptConn(serv: socket.socket): TaskletGenerator<socket.socket> {
  serv.settimeout(LONG_TIMEOUT);
  const [conn] = yield* serv.accept();
  conn.settimeout(TIMEOUT);
  return conn;
}

function* recvData(conn: socket.socket): TaskletGenerator<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const chunk = yield* conn.recv(BUFSIZE);
    if (chunk.length === 0) return Buffer.concat(parts);
    parts.push(chunk);
  }
}

/** The server half of most tests: accept, read to the end, compare with `expected`. */
function expectData(expected: Buffer) {
  return function* ({ serv }: Pair): TaskletGenerator<void> {
    const conn = yield* acceptConn(serv);
    try {
      const data = yield* recvData(conn);
      expect(data.length).to.equal(expected.length);
      expect(data.equals(expected), 'the bytes received are the file\'s').to.equal(true);
    } finally {
      conn.close();
    }
  };
}

function sendfileTests(via: Via, { test }: Parameters<Parameters<typeof testClass>[1]>[0]): void {
  /** Opens the test file, sends it with sendfile(...args) over create_connection(), checks the count and the position after. */
  const client = (c: Ctx, sent: number, args: [number?, (number | null)?], endPos: number | null, timeout?: number, path?: () => string) =>
    function* ({ serv }: Pair): TaskletGenerator<void> {
      const file = new PyFile((path ?? (() => testfn(c)))());
      try {
        const sock = yield* socket.create_connection(serv.getsockname() as [string, number], timeout);
        try {
          const n = yield* sock.sendfile(via === 'object' ? file : file.fd, args[0] ?? 0, args[1] ?? null);
          expect(n).to.equal(sent);
          if (via === 'object' && endPos !== null) expect(file.tell()).to.equal(endPos);
        } finally {
          sock.close();
        }
      } finally {
        file.close();
      }
    };

  test('testRegularFile', (c) => threadedTCP(c, expectData(FILEDATA), client(c, FILESIZE, [], FILESIZE)), { limitS: 60 });

  test(
    'testNonRegularFile',
    (c) =>
      threadedTCP(c, expectData(FILEDATA), function* ({ serv }) {
        const file = new BytesIO(FILEDATA);
        const sock = yield* socket.create_connection(serv.getsockname() as [string, number]);
        try {
          expect(yield* sock.sendfile(file)).to.equal(FILESIZE);
          expect(file.tell()).to.equal(FILESIZE);
          // CPython also checks that its private sendfile(2) path gives up on such a file (_GiveupOnSendfile); there is no such path to call here.
        } finally {
          sock.close();
        }
      }),
    { limitS: 60 },
  );

  test('testEmptyFileSend', (c) => threadedTCP(c, expectData(Buffer.alloc(0)), client(c, 0, [], 0, undefined, () => testfn(c, Buffer.alloc(0)))));

  test('testOffset', (c) => threadedTCP(c, expectData(FILEDATA.subarray(5000)), client(c, FILESIZE - 5000, [5000], FILESIZE)), { limitS: 60 });

  test('testCount', (c) => threadedTCP(c, expectData(FILEDATA.subarray(0, 5000007)), client(c, 5000007, [0, 5000007], 5000007, TIMEOUT)), { limitS: 60 });

  test('testCountSmall', (c) => threadedTCP(c, expectData(FILEDATA.subarray(0, 1)), client(c, 1, [0, 1], 1, TIMEOUT)));

  test('testCountWithOffset', (c) => threadedTCP(c, expectData(FILEDATA.subarray(2007, 2007 + 100007)), client(c, 100007, [2007, 100007], 100007 + 2007, 2)));

  test('testNonBlocking', (c) =>
    threadedTCP(
      c,
      function* ({ serv }) {
        const conn = yield* acceptConn(serv);
        try {
          expect((yield* conn.recv(8192)).length, 'was not supposed to receive any data').to.equal(0);
        } finally {
          conn.close();
        }
      },
      function* ({ serv }) {
        const file = new PyFile(testfn(c));
        try {
          const sock = yield* socket.create_connection(serv.getsockname() as [string, number]);
          try {
            sock.setblocking(false);
            const src = via === 'object' ? file : file.fd;
            // sendfile() is a blocking call, so its checks run when the
            // tasklet makes it (yield*), as CPython's run when it is called.
            yield* raises(ValueError, () => sock.sendfile(src));
            yield* raises(ValueError, () => sock.sendfile(src));
          } finally {
            sock.close();
          }
        } finally {
          file.close();
        }
      },
    ),
  );

  test('testWithTimeout', (c) => threadedTCP(c, expectData(FILEDATA), client(c, FILESIZE, [], FILESIZE, TIMEOUT)), { limitS: 60 });

  test('testWithTimeoutTriggeredSend', (c) => {
    // CPython's server sleeps a second after one recv; here it waits until the client's send timed out.
    const timedOut = new Event();
    return threadedTCP(
      c,
      function* ({ serv }) {
        const conn = yield* acceptConn(serv);
        try {
          yield* conn.recv(88192);
          yield* timedOut.wait();
        } finally {
          conn.close();
        }
      },
      function* ({ serv }) {
        const file = new PyFile(testfn(c));
        try {
          const sock = yield* socket.create_connection(serv.getsockname() as [string, number]);
          try {
            sock.settimeout(0.01);
            yield* raises(socket.TimeoutError, () => sock.sendfile(via === 'object' ? file : file.fd));
          } finally {
            sock.close();
            timedOut.set();
          }
        } finally {
          file.close();
        }
      },
    );
  });

  test('test_errors', function* (c) {
    const path = testfn(c);
    const file = new PyFile(path);
    const src = via === 'object' ? file : file.fd;
    try {
      let s = new socket.socket(-1, socket.SOCK_DGRAM);
      try {
        expect(raisesNow(ValueError, () => s.sendfile(src)).message).to.match(/SOCK_STREAM/);
      } finally {
        s.close();
      }
      // A file opened in text mode: only a file object can say so.
      const text = new PyFile(path, 'r');
      s = new socket.socket();
      try {
        expect(raisesNow(ValueError, () => s.sendfile(text)).message).to.match(/binary mode/);
        const sendfile = s.sendfile.bind(s) as (f: unknown, o: number, n: unknown) => unknown;
        expect(raisesNow(TypeError, () => sendfile(src, 0, '2')).message).to.match(/positive integer/);
        expect(raisesNow(TypeError, () => sendfile(src, 0, 0.1)).message).to.match(/positive integer/);
        expect(raisesNow(ValueError, () => sendfile(src, 0, 0)).message).to.match(/positive integer/);
        expect(raisesNow(ValueError, () => sendfile(src, 0, -1)).message).to.match(/positive integer/);
      } finally {
        s.close();
        text.close();
      }
    } finally {
      file.close();
    }
  });
}

testClass('SendfileUsingSendTest', (d) => sendfileTests('object', d));
testClass('SendfileUsingSendfileTest', (d) => sendfileTests('fd', d));
