// The sendmsg()/recvmsg()/recvmsg_into() classes of CPython's test_socket
// for UDP and UDP-Lite (IPv4 and IPv6), TCP and Unix streams: SendmsgTests with its
// connectionless and stream parts, RecvmsgGenericTests with its stream part,
// RecvmsgTests and RecvmsgIntoTests; and CmsgMacroTests.
import { constants } from 'node:os';
import { expect } from 'chai';
import { ValueError } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { testClass, type ClassDef } from './frame.js';
import { FAIL_TIMEOUT, msgTest, type Kind, type MsgFixture, type MsgHalf, type MsgOptions } from './msg-fixture.js';
import { MSG, b, raises, raisesNow } from './support.js';

const { EAGAIN, EWOULDBLOCK, ENOMEM } = constants.errno;
const STREAM: Kind[] = ['TCP', 'UnixStream'];

/** Defines one test of a sendmsg/recvmsg class. */
type Def = (name: string, server: MsgHalf, client: MsgHalf) => void;

function defs(kind: Kind, options: MsgOptions, d: ClassDef): Def {
  return (name, server, client) => d.test(name, (c) => msgTest(c, kind, options, server, client));
}

const nothing: MsgHalf = function* () {};
const sendMsg: MsgHalf = function* (f) {
  yield* f.sendToServer(MSG);
};
const obj = (): object => ({});
type Loose = (...a: unknown[]) => Generator<any, unknown, unknown>;
const loose = (fn: unknown, self: socket.socket): Loose => (fn as Loose).bind(self);

/** SendmsgTests (and SendmsgConnectionlessTests or SendmsgStreamTests by kind). */
function sendmsgTests(kind: Kind, d: ClassDef): void {
  const t = defs(kind, { serverTimeout: true }, d);
  const recvDone: MsgHalf = function* (f) {
    expect(yield* f.serv_sock.recv(1000)).to.deep.equal(b('done'));
  };
  const recvMsg: MsgHalf = function* (f) {
    expect(yield* f.serv_sock.recv(MSG.length)).to.deep.equal(MSG);
  };
  t('testSendmsg', recvMsg, function* (f) {
    expect(yield* f.sendmsgToServer([MSG])).to.equal(MSG.length);
  });
  t('testSendmsgDataGenerator', recvMsg, function* (f) {
    expect(yield* f.sendmsgToServer((function* () { yield MSG; })())).to.equal(MSG.length);
  });
  t('testSendmsgAncillaryGenerator', recvMsg, function* (f) {
    expect(yield* f.sendmsgToServer([MSG], (function* () {})())).to.equal(MSG.length);
  });
  t('testSendmsgArray', recvMsg, function* (f) {
    expect(yield* f.sendmsgToServer([new Uint8Array(MSG)])).to.equal(MSG.length);
  });
  t('testSendmsgGather', recvMsg, function* (f) {
    expect(yield* f.sendmsgToServer([MSG.subarray(0, 3), MSG.subarray(3)])).to.equal(MSG.length);
  });
  t('testSendmsgBadArgs', recvDone, function* (f) {
    yield* raises(TypeError, () => loose(f.cli_sock.sendmsg, f.cli_sock)());
    yield* raises(TypeError, () => f.sendmsgToServer(b('not in an iterable')));
    yield* raises(TypeError, () => f.sendmsgToServer(obj()));
    yield* raises(TypeError, () => f.sendmsgToServer([obj()]));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG, obj()]));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], obj()));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [], obj()));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [], 0, obj()));
    yield* f.sendToServer(b('done'));
  });
  t('testSendmsgBadCmsg', recvDone, function* (f) {
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [obj()]));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [[obj(), 0, b('data')]]));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [[0, obj(), b('data')]]));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [[0, 0, obj()]]));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [[0, 0]]));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [[0, 0, b('data'), 42]]));
    yield* f.sendToServer(b('done'));
  });
  t('testSendmsgBadMultiCmsg', recvDone, function* (f) {
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [0, 0, b('')]));
    yield* raises(TypeError, () => f.sendmsgToServer([MSG], [[0, 0, b('')], obj()]));
    yield* f.sendToServer(b('done'));
  });
  // CMSG_SPACE exists here, so CPython's client only sends "done".
  t('testSendmsgExcessCmsgReject', recvDone, function* (f) {
    yield* f.sendToServer(b('done'));
  });
  t('testSendmsgAfterClose', nothing, function* (f) {
    f.cli_sock.close();
    yield* raises(socket.OSError, () => f.sendmsgToServer([MSG]));
  });

  if (!STREAM.includes(kind)) {
    // SendmsgConnectionlessTests.
    t('testSendmsgNoDestAddr', nothing, function* (f) {
      yield* raises(socket.OSError, () => f.cli_sock.sendmsg([MSG]));
      yield* raises(socket.OSError, () => f.cli_sock.sendmsg([MSG], [], 0, null));
    });
    return;
  }
  // SendmsgStreamTests.
  t('testSendmsgExplicitNoneAddr', recvMsg, function* (f) {
    expect(yield* f.sendmsgToServer([MSG], [], 0, null)).to.equal(MSG.length);
  });
  const recv512: MsgHalf = function* (f) {
    expect(yield* f.serv_sock.recv(512)).to.deep.equal(Buffer.alloc(512, 'a'));
    yield* f.misc_event.wait();
  };
  t('testSendmsgTimeout', recv512, function* (f) {
    try {
      f.cli_sock.settimeout(0.03);
      for (;;) {
        try {
          yield* f.sendmsgToServer([Buffer.alloc(512, 'a')]);
        } catch (e) {
          if (e instanceof socket.TimeoutError) break;
          if (e instanceof socket.OSError && e.errno === ENOMEM) break;
          throw e;
        }
      }
    } finally {
      f.misc_event.set();
    }
  });
  t('testSendmsgDontWait', recv512, function* (f) {
    try {
      let err: socket.OSError | null = null;
      for (;;) {
        try {
          yield* f.sendmsgToServer([Buffer.alloc(512, 'a')], [], socket.MSG_DONTWAIT);
        } catch (e) {
          expect(e).to.be.instanceOf(socket.OSError);
          err = e as socket.OSError;
          break;
        }
      }
      // Another errno fails the test with the error itself, its errno in view.
      if (![EAGAIN, EWOULDBLOCK, ENOMEM].includes(err.errno)) throw err;
    } finally {
      f.misc_event.set();
    }
  });
}

/** RecvmsgGenericTests (with RecvmsgGenericStreamTests for stream kinds), through doRecvmsg. */
function recvmsgGenericTests(kind: Kind, into: boolean, d: ClassDef): void {
  const t = defs(kind, { into }, d);
  const plain = (name: string, bufsize: (f: MsgFixture) => number, args: number[], expectMsg: Buffer, eor: boolean): void =>
    t(
      name,
      function* (f) {
        const [msg, anc, flags, addr] = yield* f.doRecvmsg(f.serv_sock, bufsize(f), ...args);
        expect(msg).to.deep.equal(expectMsg);
        f.checkRecvmsgAddress(addr, f.cli_addr);
        expect(anc).to.deep.equal([]);
        f.checkFlags(flags, { eor });
      },
      sendMsg,
    );
  plain('testRecvmsg', () => MSG.length, [], MSG, true);
  plain('testRecvmsgExplicitDefaults', () => MSG.length, [0, 0], MSG, true);
  plain('testRecvmsgShorter', () => MSG.length + 42, [], MSG, true);
  plain('testRecvmsgTrunc', () => MSG.length - 3, [], MSG.subarray(0, -3), false);
  plain('testRecvmsgShortAncillaryBuf', () => MSG.length, [1], MSG, true);
  plain('testRecvmsgLongAncillaryBuf', () => MSG.length, [10240], MSG, true);
  t(
    'testRecvmsgAfterClose',
    function* (f) {
      f.serv_sock.close();
      yield* raises(socket.OSError, () => f.doRecvmsg(f.serv_sock, 1024));
    },
    nothing,
  );
  t(
    'testRecvmsgTimeout',
    function* (f) {
      try {
        f.serv_sock.settimeout(0.03);
        yield* raises(socket.TimeoutError, () => f.doRecvmsg(f.serv_sock, MSG.length));
      } finally {
        f.misc_event.set();
      }
    },
    function* (f) {
      yield* f.misc_event.wait();
    },
  );
  t(
    'testRecvmsgPeek',
    function* (f) {
      let [msg, anc, flags, addr] = yield* f.doRecvmsg(f.serv_sock, MSG.length - 3, 0, socket.MSG_PEEK);
      expect(msg).to.deep.equal(MSG.subarray(0, -3));
      f.checkRecvmsgAddress(addr, f.cli_addr);
      expect(anc).to.deep.equal([]);
      f.checkFlags(flags, { eor: false, ignore: socket.MSG_TRUNC });
      [msg, anc, flags, addr] = yield* f.doRecvmsg(f.serv_sock, MSG.length, 0, socket.MSG_PEEK);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      expect(anc).to.deep.equal([]);
      f.checkFlags(flags, { eor: true });
      [msg, anc, flags, addr] = yield* f.doRecvmsg(f.serv_sock, MSG.length);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      expect(anc).to.deep.equal([]);
      f.checkFlags(flags, { eor: true });
    },
    sendMsg,
  );
  t(
    'testRecvmsgFromSendmsg',
    function* (f) {
      f.serv_sock.settimeout(FAIL_TIMEOUT);
      const [msg, anc, flags, addr] = yield* f.doRecvmsg(f.serv_sock, MSG.length);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      expect(anc).to.deep.equal([]);
      f.checkFlags(flags, { eor: true });
    },
    function* (f) {
      expect(yield* f.sendmsgToServer([MSG.subarray(0, 3), MSG.subarray(3)])).to.equal(MSG.length);
    },
  );
  if (!STREAM.includes(kind)) return;
  // RecvmsgGenericStreamTests.
  t(
    'testRecvmsgEOF',
    function* (f) {
      const [msg, anc, flags, addr] = yield* f.doRecvmsg(f.serv_sock, 1024);
      expect(msg).to.deep.equal(b(''));
      f.checkRecvmsgAddress(addr, f.cli_addr);
      expect(anc).to.deep.equal([]);
      f.checkFlags(flags, { eor: null });
    },
    function* (f) {
      f.cli_sock.close();
    },
  );
  t(
    'testRecvmsgOverflow',
    function* (f) {
      const [seg1, anc1, flags1, addr1] = yield* f.doRecvmsg(f.serv_sock, MSG.length - 3);
      f.checkRecvmsgAddress(addr1, f.cli_addr);
      expect(anc1).to.deep.equal([]);
      f.checkFlags(flags1, { eor: false });
      const [seg2, anc2, flags2, addr2] = yield* f.doRecvmsg(f.serv_sock, 1024);
      f.checkRecvmsgAddress(addr2, f.cli_addr);
      expect(anc2).to.deep.equal([]);
      f.checkFlags(flags2, { eor: true });
      expect(Buffer.concat([seg1, seg2])).to.deep.equal(MSG);
    },
    sendMsg,
  );
}

/** RecvmsgTests' own test. */
function recvmsgTests(kind: Kind, d: ClassDef): void {
  const t = defs(kind, {}, d);
  t(
    'testRecvmsgBadArgs',
    function* (f) {
      const s = f.serv_sock;
      const r = loose(s.recvmsg, s);
      yield* raises(TypeError, () => r());
      yield* raises(ValueError, () => r(-1, 0, 0));
      yield* raises(ValueError, () => r(MSG.length, -1, 0));
      yield* raises(TypeError, () => r([Buffer.alloc(10)], 0, 0));
      yield* raises(TypeError, () => r(obj(), 0, 0));
      yield* raises(TypeError, () => r(MSG.length, obj(), 0));
      yield* raises(TypeError, () => r(MSG.length, 0, obj()));
      const [msg, anc, flags, addr] = yield* s.recvmsg(MSG.length, 0, 0);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      expect(anc).to.deep.equal([]);
      f.checkFlags(flags, { eor: true });
    },
    sendMsg,
  );
}

/** RecvmsgIntoTests' own tests. */
function recvmsgIntoTests(kind: Kind, d: ClassDef): void {
  const t = defs(kind, { into: true }, d);
  const check = (f: MsgFixture, anc: unknown, flags: number, addr: unknown): void => {
    f.checkRecvmsgAddress(addr, f.cli_addr);
    expect(anc).to.deep.equal([]);
    f.checkFlags(flags, { eor: true });
  };
  t(
    'testRecvmsgIntoBadArgs',
    function* (f) {
      const s = f.serv_sock;
      const buf = Buffer.alloc(MSG.length);
      const r = loose(s.recvmsg_into, s);
      yield* raises(TypeError, () => r());
      yield* raises(TypeError, () => r(MSG.length, 0, 0));
      yield* raises(TypeError, () => r(buf, 0, 0));
      yield* raises(TypeError, () => r([obj()], 0, 0));
      // b"I'm not writable": a JavaScript string is the immutable bytes-like counterpart.
      yield* raises(TypeError, () => r(["I'm not writable"], 0, 0));
      yield* raises(TypeError, () => r([buf, obj()], 0, 0));
      yield* raises(ValueError, () => r([buf], -1, 0));
      yield* raises(TypeError, () => r([buf], obj(), 0));
      yield* raises(TypeError, () => r([buf], 0, obj()));
      const [n, anc, flags, addr] = yield* s.recvmsg_into([buf], 0, 0);
      expect(n).to.equal(MSG.length);
      expect(buf).to.deep.equal(MSG);
      check(f, anc, flags, addr);
    },
    sendMsg,
  );
  t(
    'testRecvmsgIntoGenerator',
    function* (f) {
      const buf = Buffer.alloc(MSG.length);
      const [n, anc, flags, addr] = yield* f.serv_sock.recvmsg_into((function* () { yield buf; })());
      expect(n).to.equal(MSG.length);
      expect(buf).to.deep.equal(MSG);
      check(f, anc, flags, addr);
    },
    sendMsg,
  );
  t(
    'testRecvmsgIntoArray',
    function* (f) {
      const buf = new Uint8Array(MSG.length);
      const [n, anc, flags, addr] = yield* f.serv_sock.recvmsg_into([buf]);
      expect(n).to.equal(MSG.length);
      expect(Buffer.from(buf)).to.deep.equal(MSG);
      check(f, anc, flags, addr);
    },
    sendMsg,
  );
  t(
    'testRecvmsgIntoScatter',
    function* (f) {
      const b1 = b('----');
      const b2 = b('0123456789');
      const b3 = b('--------------');
      const [n, anc, flags, addr] = yield* f.serv_sock.recvmsg_into([b1, b2.subarray(2, 9), b3]);
      expect(n).to.equal('Mary had a little lamb'.length);
      expect(b1).to.deep.equal(b('Mary'));
      expect(b2).to.deep.equal(b('01 had a 9'));
      expect(b3).to.deep.equal(b('little lamb---'));
      check(f, anc, flags, addr);
    },
    function* (f) {
      yield* f.sendToServer(b('Mary had a little lamb'));
    },
  );
}

for (const kind of ['UDP', 'UDP6', 'UDPLITE', 'UDPLITE6', 'TCP', 'UnixStream'] as Kind[]) {
  testClass(`Sendmsg${kind}Test`, (d) => sendmsgTests(kind, d));
  testClass(`Recvmsg${kind}Test`, (d) => {
    recvmsgTests(kind, d);
    recvmsgGenericTests(kind, false, d);
  });
  testClass(`RecvmsgInto${kind}Test`, (d) => {
    recvmsgIntoTests(kind, d);
    recvmsgGenericTests(kind, true, d);
  });
}

/** socklen_t's limit as CPython's socketmodule.c uses it (min of 0x7fffffff and INT_MAX). */
const SOCKLEN_T_LIMIT = 0x7fffffff;
const SIZEOF_INT = 4;
/** sys.maxsize on a 64-bit build, as a double (its exact value is not representable; any larger number overflows too). */
const MAXSIZE = 2 ** 63 - 1;

testClass('CmsgMacroTests', ({ test }) => {
  test('testCMSG_LEN', function* () {
    const toobig = SOCKLEN_T_LIMIT - socket.CMSG_LEN(0) + 1;
    const values = [...Array(257).keys(), ...Array.from({ length: 257 }, (_, i) => toobig - 257 + i)];
    expect(socket.CMSG_LEN(0)).to.be.greaterThan(SIZEOF_INT * 2);
    for (const n of values) {
      const ret = socket.CMSG_LEN(n);
      expect(ret - socket.CMSG_LEN(0)).to.equal(n);
      expect(ret).to.be.at.most(SOCKLEN_T_LIMIT);
    }
    raisesNow(socket.OverflowError, () => socket.CMSG_LEN(-1));
    raisesNow(socket.OverflowError, () => socket.CMSG_LEN(toobig));
    raisesNow(socket.OverflowError, () => socket.CMSG_LEN(MAXSIZE));
  });

  test('testCMSG_SPACE', function* () {
    const toobig = SOCKLEN_T_LIMIT - socket.CMSG_SPACE(1) + 1;
    const values = [...Array(257).keys(), ...Array.from({ length: 257 }, (_, i) => toobig - 257 + i)];
    let last = socket.CMSG_SPACE(0);
    expect(last).to.be.greaterThan(SIZEOF_INT * 2);
    for (const n of values) {
      const ret = socket.CMSG_SPACE(n);
      expect(ret).to.be.at.least(last);
      expect(ret).to.be.at.least(socket.CMSG_LEN(n));
      expect(ret).to.be.at.least(n + socket.CMSG_LEN(0));
      expect(ret).to.be.at.most(SOCKLEN_T_LIMIT);
      last = ret;
    }
    raisesNow(socket.OverflowError, () => socket.CMSG_SPACE(-1));
    raisesNow(socket.OverflowError, () => socket.CMSG_SPACE(toobig));
    raisesNow(socket.OverflowError, () => socket.CMSG_SPACE(MAXSIZE));
  });
});
