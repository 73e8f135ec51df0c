// SCMRightsTest of CPython's test_socket over a Unix stream, with recvmsg
// (RecvmsgSCMRightsStreamTest) and recvmsg_into
// (RecvmsgIntoSCMRightsStreamTest): descriptor passing, and how ancillary
// data is truncated when the control room is short.
//
// CPython passes descriptors of temporary files that hold their index. The
// backend contract passes only the backend's own handles with SCM_RIGHTS
// (packages/runtime/src/backend.ts), so each "file" here is one end of a
// socketpair whose other end has written the index into it: reading a
// received descriptor gives the index back, as reading the file does.
import { expect } from 'chai';
import type { TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { testClass, type ClassDef } from './frame.js';
import { msgTest, type MsgFixture, type MsgHalf, type RecvmsgResult } from './msg-fixture.js';
import { MSG } from './support.js';

const SIZEOF_INT = 4;
/** An invalid descriptor unlikely to name a real one even with a byte changed. */
const BADFD = -0x5555;
const { SOL_SOCKET, SCM_RIGHTS, MSG_CTRUNC } = socket;

/** C ints as bytes (array.array("i", ...)). */
function ints(list: number[]): Buffer {
  const out = Buffer.alloc(list.length * SIZEOF_INT);
  list.forEach((v, i) => out.writeInt32LE(v, i * SIZEOF_INT));
  return out;
}

/** The whole C ints of `data` (array.frombytes of what divides evenly). */
function fromInts(data: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + SIZEOF_INT <= data.length; i += SIZEOF_INT) out.push(data.readInt32LE(i));
  return out;
}

/** What one test keeps to close at its end: the pairs standing for files, and every descriptor received. */
class Descriptors {
  private readonly pairs: socket.socket[] = [];
  private readonly received = new Map<number, socket.socket>();

  /** newFDs(n): n descriptors whose contents are their indices. */
  *newFDs(n: number): TaskletGenerator<number[]> {
    const fds: number[] = [];
    for (let i = 0; i < n; i++) {
      const [a, w] = yield* socket.socketpair();
      this.pairs.push(a, w);
      yield* w.sendall(Buffer.from(String(i)));
      fds.push(a.fileno());
    }
    return fds;
  }

  /** registerRecvmsgResult: every descriptor received is wrapped (once) so that it is closed at the end. */
  register(r: RecvmsgResult): void {
    for (const [level, type, data] of r[1]) {
      if (level !== SOL_SOCKET || type !== SCM_RIGHTS) continue;
      for (const fd of fromInts(data)) if (!this.received.has(fd)) this.received.set(fd, new socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0, fd));
    }
  }

  /** checkFDs: descriptor n reads back "n". */
  *check(fds: number[]): TaskletGenerator<void> {
    for (const [n, fd] of fds.entries()) {
      const s = this.received.get(fd);
      expect(s, `descriptor ${fd} was received`).not.to.equal(undefined);
      s!.settimeout(10);
      expect(String(yield* s!.recv(1024))).to.equal(String(n));
    }
  }

  closeAll(): void {
    for (const s of [...this.pairs, ...this.received.values()]) s.close();
  }
}

interface Scm extends MsgFixture {
  fds: Descriptors;
}

function scmTests(into: boolean, d: ClassDef): void {
  const t = (name: string, server: (f: Scm) => TaskletGenerator<void>, client: (f: Scm) => TaskletGenerator<void>): void =>
    d.test(name, function* (c) {
      const fds = new Descriptors();
      try {
        yield* msgTest(
          c,
          'UnixStream',
          { into, serverTimeout: true, register: (r) => fds.register(r) },
          (f) => server(Object.assign(f, { fds })),
          (f) => client(Object.assign(f, { fds })),
        );
      } finally {
        fds.closeAll();
      }
    });

  function* createAndSendFDs(f: Scm, n: number): TaskletGenerator<void> {
    expect(yield* f.sendmsgToServer([MSG], [[SOL_SOCKET, SCM_RIGHTS, ints(yield* f.fds.newFDs(n))]])).to.equal(MSG.length);
  }
  const sendFDs = (n: number) =>
    function* (f: Scm): TaskletGenerator<void> {
      yield* createAndSendFDs(f, n);
    };

  function* checkRecvmsgFDs(f: Scm, numfds: number, result: RecvmsgResult, maxcmsgs = 1, ignoreflags: socket.Int = 0): TaskletGenerator<void> {
    const [msg, ancdata, flags, addr] = result;
    expect(msg).to.deep.equal(MSG);
    f.checkRecvmsgAddress(addr, f.cli_addr);
    f.checkFlags(flags, { eor: true, checkunset: MSG_CTRUNC, ignore: ignoreflags });
    expect(ancdata).to.be.an('array');
    expect(ancdata.length).to.be.at.most(maxcmsgs);
    const fds: number[] = [];
    for (const item of ancdata) {
      const [level, type, data] = item;
      expect(level).to.equal(SOL_SOCKET);
      expect(type).to.equal(SCM_RIGHTS);
      expect(Buffer.isBuffer(data)).to.equal(true);
      expect(data.length % SIZEOF_INT).to.equal(0);
      fds.push(...fromInts(data));
    }
    expect(fds.length).to.equal(numfds);
    yield* f.fds.check(fds);
  }

  /** sendAncillaryIfPossible: when the call fails, the message goes without the ancillary data. */
  function* sendAncillaryIfPossible(f: Scm, msg: Buffer, ancdata: unknown[]): TaskletGenerator<void> {
    let n: number;
    try {
      n = yield* f.sendmsgToServer([msg], ancdata);
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      expect(e.errno).to.be.a('number');
      n = yield* f.sendmsgToServer([msg]);
    }
    expect(n).to.equal(msg.length);
  }

  t(
    'testFDPassSimple',
    function* (f) {
      yield* checkRecvmsgFDs(f, 1, yield* f.doRecvmsg(f.serv_sock, MSG.length, 10240));
    },
    function* (f) {
      expect(yield* f.sendmsgToServer([MSG], [[SOL_SOCKET, SCM_RIGHTS, ints(yield* f.fds.newFDs(1))]])).to.equal(MSG.length);
    },
  );
  t(
    'testMultipleFDPass',
    function* (f) {
      yield* checkRecvmsgFDs(f, 4, yield* f.doRecvmsg(f.serv_sock, MSG.length, 10240));
    },
    sendFDs(4),
  );
  t(
    'testFDPassCMSG_SPACE',
    function* (f) {
      yield* checkRecvmsgFDs(f, 4, yield* f.doRecvmsg(f.serv_sock, MSG.length, socket.CMSG_SPACE(4 * SIZEOF_INT)));
    },
    sendFDs(4),
  );
  t(
    'testFDPassCMSG_LEN',
    function* (f) {
      // RFC 3542 lets MSG_CTRUNC be set when the trailing padding does not fit.
      yield* checkRecvmsgFDs(f, 1, yield* f.doRecvmsg(f.serv_sock, MSG.length, socket.CMSG_LEN(4 * SIZEOF_INT)), 1, MSG_CTRUNC);
    },
    sendFDs(1),
  );
  const sendSeparate = function* (f: Scm): TaskletGenerator<void> {
    const [fd0, fd1] = yield* f.fds.newFDs(2);
    expect(
      yield* f.sendmsgToServer(
        [MSG],
        [
          [SOL_SOCKET, SCM_RIGHTS, ints([fd0!])],
          [SOL_SOCKET, SCM_RIGHTS, ints([fd1!])],
        ],
      ),
    ).to.equal(MSG.length);
  };
  t(
    'testFDPassSeparate',
    function* (f) {
      yield* checkRecvmsgFDs(f, 2, yield* f.doRecvmsg(f.serv_sock, MSG.length, 10240), 2);
    },
    sendSeparate,
  );
  t(
    'testFDPassSeparateMinSpace',
    function* (f) {
      const room = socket.CMSG_SPACE(SIZEOF_INT) + socket.CMSG_LEN(SIZEOF_INT * 2);
      yield* checkRecvmsgFDs(f, 2, yield* f.doRecvmsg(f.serv_sock, MSG.length, room), 2, MSG_CTRUNC);
    },
    sendSeparate,
  );
  t(
    'testFDPassEmpty',
    function* (f) {
      yield* checkRecvmsgFDs(f, 0, yield* f.doRecvmsg(f.serv_sock, MSG.length, 10240), 1, MSG_CTRUNC);
    },
    function* (f) {
      yield* sendAncillaryIfPossible(f, MSG, [[SOL_SOCKET, SCM_RIGHTS, Buffer.alloc(0)]]);
    },
  );
  t(
    'testFDPassPartialInt',
    function* (f) {
      const [msg, ancdata, flags, addr] = yield* f.doRecvmsg(f.serv_sock, MSG.length, 10240);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      f.checkFlags(flags, { eor: true, ignore: MSG_CTRUNC });
      expect(ancdata.length).to.be.at.most(1);
      for (const [level, type, data] of ancdata) {
        expect(level).to.equal(SOL_SOCKET);
        expect(type).to.equal(SCM_RIGHTS);
        expect(data.length).to.be.lessThan(SIZEOF_INT);
      }
    },
    function* (f) {
      yield* sendAncillaryIfPossible(f, MSG, [[SOL_SOCKET, SCM_RIGHTS, ints([BADFD]).subarray(0, -1)]]);
    },
  );
  t(
    'testFDPassPartialIntInMiddle',
    function* (f) {
      const [msg, ancdata, flags, addr] = yield* f.doRecvmsg(f.serv_sock, MSG.length, 10240);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      f.checkFlags(flags, { eor: true, ignore: MSG_CTRUNC });
      expect(ancdata.length).to.be.at.most(2);
      const fds: number[] = [];
      for (const [level, type, data] of ancdata) {
        expect(level).to.equal(SOL_SOCKET);
        expect(type).to.equal(SCM_RIGHTS);
        fds.push(...fromInts(data));
      }
      expect(fds.length).to.be.at.most(2);
      yield* f.fds.check(fds);
    },
    function* (f) {
      const [fd0, fd1] = yield* f.fds.newFDs(2);
      yield* sendAncillaryIfPossible(f, MSG, [
        [SOL_SOCKET, SCM_RIGHTS, ints([fd0!, BADFD]).subarray(0, -1)],
        [SOL_SOCKET, SCM_RIGHTS, ints([fd1!])],
      ]);
    },
  );

  /** checkTruncatedHeader: no item at all when the room ends inside the cmsghdr. */
  const truncatedHeader = (name: string, ancbuf: number | null, ignoreflags: socket.Int = 0): void =>
    t(
      name,
      function* (f) {
        const [msg, ancdata, flags, addr] = ancbuf === null ? yield* f.doRecvmsg(f.serv_sock, MSG.length) : yield* f.doRecvmsg(f.serv_sock, MSG.length, ancbuf);
        expect(msg).to.deep.equal(MSG);
        f.checkRecvmsgAddress(addr, f.cli_addr);
        expect(ancdata).to.deep.equal([]);
        f.checkFlags(flags, { eor: true, checkset: MSG_CTRUNC, ignore: ignoreflags });
      },
      sendFDs(1),
    );
  // BSD sets MSG_CTRUNC only when an item was partly received: CPython ignores it for the first two.
  truncatedHeader('testCmsgTruncNoBufSize', null, MSG_CTRUNC);
  truncatedHeader('testCmsgTrunc0', 0, MSG_CTRUNC);
  truncatedHeader('testCmsgTrunc1', 1);
  truncatedHeader('testCmsgTrunc2Int', SIZEOF_INT * 2);
  truncatedHeader('testCmsgTruncLen0Minus1', socket.CMSG_LEN(0) - 1);

  /** checkTruncatedArray: the descriptor array cut to between mindata and maxdata bytes. */
  const truncatedArray = (name: string, ancbuf: number, maxdata: number, sent: number, mindata = 0): void =>
    t(
      name,
      function* (f) {
        const [msg, ancdata, flags, addr] = yield* f.doRecvmsg(f.serv_sock, MSG.length, ancbuf);
        expect(msg).to.deep.equal(MSG);
        f.checkRecvmsgAddress(addr, f.cli_addr);
        f.checkFlags(flags, { eor: true, checkset: MSG_CTRUNC });
        if (mindata === 0 && ancdata.length === 0) return;
        expect(ancdata.length).to.equal(1);
        const [level, type, data] = ancdata[0]!;
        expect(level).to.equal(SOL_SOCKET);
        expect(type).to.equal(SCM_RIGHTS);
        expect(data.length).to.be.within(mindata, maxdata);
        yield* f.fds.check(fromInts(data));
      },
      sendFDs(sent),
    );
  truncatedArray('testCmsgTruncLen0', socket.CMSG_LEN(0), 0, 1);
  truncatedArray('testCmsgTruncLen0Plus1', socket.CMSG_LEN(0) + 1, 1, 2);
  truncatedArray('testCmsgTruncLen1', socket.CMSG_LEN(SIZEOF_INT), SIZEOF_INT, 2);
  truncatedArray('testCmsgTruncLen2Minus1', socket.CMSG_LEN(2 * SIZEOF_INT) - 1, 2 * SIZEOF_INT - 1, 2);
}

testClass('RecvmsgSCMRightsStreamTest', (d) => scmTests(false, d));
testClass('RecvmsgIntoSCMRightsStreamTest', (d) => scmTests(true, d));
