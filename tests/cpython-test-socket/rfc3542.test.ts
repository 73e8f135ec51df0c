// RFC3542AncillaryTest of CPython's test_socket over UDP and UDP-Lite on
// IPv6, with recvmsg and recvmsg_into (RecvmsgRFC3542AncillaryUDP6Test,
// RecvmsgIntoRFC3542AncillaryUDP6Test and their UDPLITE6 twins): the hop
// limit and traffic class as ancillary data, sent and received, and how
// the items are truncated when the control room is short.
import { expect } from 'chai';
import type { TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { testClass, type ClassDef } from './frame.js';
import { msgTest, type Kind, type MsgFixture, type RecvmsgResult } from './msg-fixture.js';
import { MSG } from './support.js';

const SIZEOF_INT = 4;
const HOP_LIMIT = 2;
/** -1: the kernel's default traffic class. */
const TRAFFIC_CLASS = -1;
const { IPPROTO_IPV6, IPV6_HOPLIMIT, IPV6_TCLASS, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS, MSG_CTRUNC } = socket;

const int = (v: number): Buffer => {
  const b = Buffer.alloc(SIZEOF_INT);
  b.writeInt32LE(v);
  return b;
};

function rfc3542Tests(kind: Kind, into: boolean, d: ClassDef): void {
  const t = (name: string, server: (f: MsgFixture) => TaskletGenerator<void>, client: (f: MsgFixture) => TaskletGenerator<void>): void =>
    d.test(name, (c) => msgTest(c, kind, { into, serverTimeout: true }, server, client));

  /** The client half of most tests: wait until the server asked for ancillary data, then send. */
  function* sendAfterEvent(f: MsgFixture): TaskletGenerator<void> {
    yield* f.misc_event.wait();
    yield* f.sendToServer(MSG);
  }

  function ancillaryMapping(ancdata: socket.Ancillary[]): Map<string, Buffer> {
    const m = new Map<string, Buffer>();
    for (const [level, type, data] of ancdata) {
      const key = `${level},${type}`;
      expect(m.has(key), `(${key}) appears once`).to.equal(false);
      m.set(key, data);
    }
    return m;
  }

  function expectIntIn(data: Buffer, max: number): void {
    expect(data.length).to.equal(SIZEOF_INT);
    expect(data.readInt32LE(0)).to.be.within(0, max);
  }

  function* receive(f: MsgFixture, ancbufsize: number | null, both: boolean): TaskletGenerator<RecvmsgResult> {
    f.serv_sock.setsockopt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
    if (both) f.serv_sock.setsockopt(IPPROTO_IPV6, IPV6_RECVTCLASS, 1);
    f.misc_event.set();
    return ancbufsize === null ? yield* f.doRecvmsg(f.serv_sock, MSG.length) : yield* f.doRecvmsg(f.serv_sock, MSG.length, ancbufsize);
  }

  const checkHopLimit = (ancbufsize: number, maxhop = 255, ignoreflags: socket.Int = 0) =>
    function* (f: MsgFixture): TaskletGenerator<void> {
      const [msg, ancdata, flags, addr] = yield* receive(f, ancbufsize, false);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      f.checkFlags(flags, { eor: true, checkunset: MSG_CTRUNC, ignore: ignoreflags });
      expect(ancdata.length).to.equal(1);
      const [level, type, data] = ancdata[0]!;
      expect(level).to.equal(IPPROTO_IPV6);
      expect(type).to.equal(IPV6_HOPLIMIT);
      expect(Buffer.isBuffer(data)).to.equal(true);
      expectIntIn(data, maxhop);
    };

  t('testRecvHopLimit', checkHopLimit(10240), sendAfterEvent);
  t('testRecvHopLimitCMSG_SPACE', checkHopLimit(socket.CMSG_SPACE(SIZEOF_INT)), sendAfterEvent);
  t('testSetHopLimit', checkHopLimit(10240, HOP_LIMIT), function* (f) {
    yield* f.misc_event.wait();
    expect(yield* f.sendmsgToServer([MSG], [[IPPROTO_IPV6, IPV6_HOPLIMIT, int(HOP_LIMIT)]])).to.equal(MSG.length);
  });

  const checkTrafficClassAndHopLimit = (ancbufsize: number, maxhop = 255, ignoreflags: socket.Int = 0) =>
    function* (f: MsgFixture): TaskletGenerator<void> {
      const [msg, ancdata, flags, addr] = yield* receive(f, ancbufsize, true);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      f.checkFlags(flags, { eor: true, checkunset: MSG_CTRUNC, ignore: ignoreflags });
      expect(ancdata.length).to.equal(2);
      const m = ancillaryMapping(ancdata);
      expectIntIn(m.get(`${IPPROTO_IPV6},${IPV6_TCLASS}`)!, 255);
      expectIntIn(m.get(`${IPPROTO_IPV6},${IPV6_HOPLIMIT}`)!, maxhop);
    };

  t('testRecvTrafficClassAndHopLimit', checkTrafficClassAndHopLimit(10240), sendAfterEvent);
  t('testRecvTrafficClassAndHopLimitCMSG_SPACE', checkTrafficClassAndHopLimit(socket.CMSG_SPACE(SIZEOF_INT) * 2), sendAfterEvent);
  t('testSetTrafficClassAndHopLimit', checkTrafficClassAndHopLimit(10240, HOP_LIMIT), function* (f) {
    yield* f.misc_event.wait();
    expect(
      yield* f.sendmsgToServer(
        [MSG],
        [
          [IPPROTO_IPV6, IPV6_TCLASS, int(TRAFFIC_CLASS)],
          [IPPROTO_IPV6, IPV6_HOPLIMIT, int(HOP_LIMIT)],
        ],
      ),
    ).to.equal(MSG.length);
  });
  t('testOddCmsgSize', checkTrafficClassAndHopLimit(10240, HOP_LIMIT), function* (f) {
    yield* f.misc_event.wait();
    try {
      yield* f.sendmsgToServer(
        [MSG],
        [
          [IPPROTO_IPV6, IPV6_TCLASS, Buffer.concat([int(TRAFFIC_CLASS), Buffer.from([0])])],
          [IPPROTO_IPV6, IPV6_HOPLIMIT, int(HOP_LIMIT)],
        ],
      );
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      expect(e.errno).to.be.a('number');
      const n = yield* f.sendmsgToServer(
        [MSG],
        [
          [IPPROTO_IPV6, IPV6_TCLASS, int(TRAFFIC_CLASS)],
          [IPPROTO_IPV6, IPV6_HOPLIMIT, int(HOP_LIMIT)],
        ],
      );
      expect(n).to.equal(MSG.length);
    }
  });

  const checkHopLimitTruncatedHeader = (ancbufsize: number | null, ignoreflags: socket.Int = 0) =>
    function* (f: MsgFixture): TaskletGenerator<void> {
      const [msg, ancdata, flags, addr] = yield* receive(f, ancbufsize, false);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      expect(ancdata).to.deep.equal([]);
      f.checkFlags(flags, { eor: true, checkset: MSG_CTRUNC, ignore: ignoreflags });
    };

  // BSD sets MSG_CTRUNC only when an item was partly received: CPython ignores it for the first two.
  t('testCmsgTruncNoBufSize', checkHopLimitTruncatedHeader(null, MSG_CTRUNC), sendAfterEvent);
  t('testSingleCmsgTrunc0', checkHopLimitTruncatedHeader(0, MSG_CTRUNC), sendAfterEvent);
  t('testSingleCmsgTrunc1', checkHopLimitTruncatedHeader(1), sendAfterEvent);
  t('testSingleCmsgTrunc2Int', checkHopLimitTruncatedHeader(2 * SIZEOF_INT), sendAfterEvent);
  t('testSingleCmsgTruncLen0Minus1', checkHopLimitTruncatedHeader(socket.CMSG_LEN(0) - 1), sendAfterEvent);

  t(
    'testSingleCmsgTruncInData',
    function* (f) {
      const [msg, ancdata, flags, addr] = yield* receive(f, socket.CMSG_LEN(SIZEOF_INT) - 1, false);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      f.checkFlags(flags, { eor: true, checkset: MSG_CTRUNC });
      expect(ancdata.length).to.be.at.most(1);
      if (ancdata.length > 0) {
        const [level, type, data] = ancdata[0]!;
        expect(level).to.equal(IPPROTO_IPV6);
        expect(type).to.equal(IPV6_HOPLIMIT);
        expect(data.length).to.be.lessThan(SIZEOF_INT);
      }
    },
    sendAfterEvent,
  );

  const checkTruncatedSecondHeader = (ancbufsize: number, ignoreflags: socket.Int = 0) =>
    function* (f: MsgFixture): TaskletGenerator<void> {
      const [msg, ancdata, flags, addr] = yield* receive(f, ancbufsize, true);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      f.checkFlags(flags, { eor: true, checkset: MSG_CTRUNC, ignore: ignoreflags });
      expect(ancdata.length).to.equal(1);
      const [level, type, data] = ancdata[0]!;
      expect(level).to.equal(IPPROTO_IPV6);
      expect([IPV6_TCLASS, IPV6_HOPLIMIT]).to.include(type);
      expectIntIn(data, 255);
    };

  t('testSecondCmsgTrunc0', checkTruncatedSecondHeader(socket.CMSG_SPACE(SIZEOF_INT), MSG_CTRUNC), sendAfterEvent);
  t('testSecondCmsgTrunc1', checkTruncatedSecondHeader(socket.CMSG_SPACE(SIZEOF_INT) + 1), sendAfterEvent);
  t('testSecondCmsgTrunc2Int', checkTruncatedSecondHeader(socket.CMSG_SPACE(SIZEOF_INT) + 2 * SIZEOF_INT), sendAfterEvent);
  t('testSecondCmsgTruncLen0Minus1', checkTruncatedSecondHeader(socket.CMSG_SPACE(SIZEOF_INT) + socket.CMSG_LEN(0) - 1), sendAfterEvent);

  t(
    'testSecondCmsgTruncInData',
    function* (f) {
      const [msg, ancdata, flags, addr] = yield* receive(f, socket.CMSG_SPACE(SIZEOF_INT) + socket.CMSG_LEN(SIZEOF_INT) - 1, true);
      expect(msg).to.deep.equal(MSG);
      f.checkRecvmsgAddress(addr, f.cli_addr);
      f.checkFlags(flags, { eor: true, checkset: MSG_CTRUNC });
      const types = new Set([IPV6_TCLASS, IPV6_HOPLIMIT]);
      const items = [...ancdata];
      const [level, type, data] = items.shift()!;
      expect(level).to.equal(IPPROTO_IPV6);
      expect(types.delete(type), `type ${type} expected`).to.equal(true);
      expectIntIn(data, 255);
      if (items.length > 0) {
        const [level2, type2, data2] = items.shift()!;
        expect(level2).to.equal(IPPROTO_IPV6);
        expect(types.delete(type2), `type ${type2} expected`).to.equal(true);
        expect(data2.length).to.be.lessThan(SIZEOF_INT);
      }
      expect(items).to.deep.equal([]);
    },
    sendAfterEvent,
  );
}

for (const kind of ['UDP6', 'UDPLITE6'] as Kind[]) {
  testClass(`RecvmsgRFC3542Ancillary${kind}Test`, (d) => rfc3542Tests(kind, false, d));
  testClass(`RecvmsgIntoRFC3542Ancillary${kind}Test`, (d) => rfc3542Tests(kind, true, d));
}
