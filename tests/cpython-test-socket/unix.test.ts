// TestLinuxAbstractNamespace, TestUnixDomain and SendRecvFdsTests of
// CPython's test_socket: AF_UNIX names (abstract, str, bytes, non-ASCII)
// and descriptor passing with send_fds/recv_fds.
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import type { TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { testClass, type Ctx } from './frame.js';
import { MSG, b, raises } from './support.js';

const { AF_UNIX, SOCK_STREAM } = socket;
const UNIX_PATH_MAX = 108;

function* withUnix(body: (s: socket.socket) => TaskletGenerator<void>): TaskletGenerator<void> {
  yield* socket.withSocket(new socket.socket(AF_UNIX, SOCK_STREAM), body);
}

testClass('TestLinuxAbstractNamespace', ({ test }) => {
  test('testLinuxAbstractNamespace', function* () {
    const address = Buffer.from('\x00python-test-hello\x00\xff', 'latin1');
    yield* withUnix(function* (s1) {
      yield* s1.bind(address);
      s1.listen();
      yield* withUnix(function* (s2) {
        yield* s2.connect(s1.getsockname());
        const [s3] = yield* s1.accept();
        yield* socket.withSocket(s3, function* () {
          expect(s1.getsockname()).to.deep.equal(address);
          expect(s2.getpeername()).to.deep.equal(address);
        });
      });
    });
  });

  test('testMaxName', function* () {
    const address = Buffer.concat([Buffer.from([0]), Buffer.alloc(UNIX_PATH_MAX - 1, 'h')]);
    yield* withUnix(function* (s) {
      yield* s.bind(address);
      expect(s.getsockname()).to.deep.equal(address);
    });
  });

  test('testNameOverflow', function* () {
    const address = '\x00' + 'h'.repeat(UNIX_PATH_MAX);
    yield* withUnix(function* (s) {
      yield* raises(socket.OSError, () => s.bind(address));
    });
  });

  test('testStrName', function* () {
    yield* withUnix(function* (s) {
      yield* s.bind('\x00python\x00test\x00');
      expect(s.getsockname()).to.deep.equal(b('\x00python\x00test\x00'));
    });
  });

  test('testBytearrayName', function* () {
    yield* withUnix(function* (s) {
      yield* s.bind(new Uint8Array(b('\x00python\x00test\x00')));
      expect(s.getsockname()).to.deep.equal(b('\x00python\x00test\x00'));
    });
  });

  test('testAutobind', function* () {
    const abstract = /^\0[0-9a-f]{5}$/;
    yield* withUnix(function* (s1) {
      yield* s1.bind('');
      const n1 = (s1.getsockname() as Buffer).toString('latin1');
      expect(n1).to.match(abstract);
      yield* withUnix(function* (s2) {
        yield* s2.bind('');
        const n2 = (s2.getsockname() as Buffer).toString('latin1');
        expect(n2).to.match(abstract);
        expect(n2).not.to.equal(n1);
      });
    });
  });
});

/** os_helper.TESTFN as an absolute path, in the test's own directory. */
const testfn = (c: Ctx): string => resolve(join(c.tmpdir(), '@test_sio_tmp'));

/** Bytes of a path as Python's os.fsencode (UTF-8 with surrogateescape) gives them. */
function fsencode(path: string): Buffer {
  const out: number[] = [];
  for (const ch of path) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xdc80 && cp <= 0xdcff) out.push(cp - 0xdc00);
    else out.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(out);
}

testClass('TestUnixDomain', ({ test, cannot }) => {
  const withSock = (body: (s: socket.socket, c: Ctx) => TaskletGenerator<void>) => (c: Ctx) => withUnix((s) => body(s, c));

  test(
    'testUnbound',
    withSock(function* (s) {
      expect(['', null]).to.deep.include(s.getsockname());
    }),
  );

  test(
    'testStrAddr',
    withSock(function* (s, c) {
      const path = testfn(c);
      yield* s.bind(path);
      expect(s.getsockname()).to.equal(path);
    }),
  );

  test(
    'testBytesAddr',
    withSock(function* (s, c) {
      const path = testfn(c);
      yield* s.bind(fsencode(path));
      expect(s.getsockname()).to.equal(path);
    }),
  );

  test(
    'testSurrogateescapeBind',
    withSock(function* (s, c) {
      // os_helper.TESTFN_UNICODE, its UTF-8 bytes given as an ASCII string with surrogate escapes.
      const path = testfn(c) + '-\xe0\xf2\u0258\u0141\u011f';
      const escaped = [...fsencode(path)].map((x) => (x < 0x80 ? String.fromCharCode(x) : String.fromCharCode(0xdc00 + x))).join('');
      yield* s.bind(escaped);
      expect(s.getsockname()).to.equal(path);
    }),
  );

  test(
    'testUnencodableAddr',
    withSock(function* (s, c) {
      // os_helper.TESTFN_UNENCODABLE on a UTF-8 file system: the byte 0xff as a surrogate escape.
      const path = testfn(c) + '-\udcff';
      yield* s.bind(path);
      expect(s.getsockname()).to.equal(path);
    }),
  );

  cannot('testEmptyAddress', 'CPython skips it on Linux (an empty address autobinds there; TestLinuxAbstractNamespace.testAutobind covers it)');
});

testClass('SendRecvFdsTests', ({ test }) => {
  // CPython sends the read ends of ten pipes. The backend contract passes
  // only the backend's own handles with SCM_RIGHTS (a file or pipe
  // descriptor answers EBADF: packages/runtime/src/backend.ts), and Node has
  // no os.pipe(); so each pipe is a socketpair here, its first end sent and
  // its second written to, and each received descriptor must read what its
  // pair's other end wrote.
  test('testSendAndRecvFds', function* () {
    const pipes: [socket.socket, socket.socket][] = [];
    const received: socket.socket[] = [];
    try {
      for (let i = 0; i < 10; i++) pipes.push(yield* socket.socketpair());
      const fds = pipes.map(([r]) => r.fileno());
      const [sock1, sock2] = yield* socket.socketpair(AF_UNIX, SOCK_STREAM);
      let fds2: number[];
      try {
        yield* socket.send_fds(sock1, [MSG], fds);
        const [msg, got, flags] = yield* socket.recv_fds(sock2, MSG.length * 2, fds.length * 2);
        fds2 = got;
        for (const fd of got) received.push(new socket.socket(AF_UNIX, SOCK_STREAM, 0, fd));
        expect(msg).to.deep.equal(MSG);
        expect(got.length).to.equal(fds.length);
        expect(flags).to.equal(0);
      } finally {
        sock1.close();
        sock2.close();
      }
      for (const [index, [, w]] of pipes.entries()) yield* w.sendall(Buffer.from(String(index)));
      for (const [index, r] of received.entries()) expect(String(yield* r.recv(100))).to.equal(String(index));
      expect(fds2.length).to.equal(10);
    } finally {
      for (const s of [...received, ...pipes.flat()]) s.close();
    }
  });
});
