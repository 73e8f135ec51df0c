// TCPTimeoutTest, UDPTimeoutTest and UDPLITETimeoutTest of CPython's test_socket: a timeout
// raises TimeoutError, a zero timeout raises another OSError at once.
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { testClass } from './frame.js';
import { raises, tcpServer, udpServer } from './support.js';

testClass('TCPTimeoutTest', ({ test, cannot }) => {
  test('testTCPTimeout', function* () {
    const { serv } = yield* tcpServer();
    try {
      serv.settimeout(1.0);
      yield* raises(socket.TimeoutError, () => serv.accept());
    } finally {
      serv.close();
    }
  });

  test('testTimeoutZero', function* () {
    const { serv } = yield* tcpServer();
    try {
      serv.settimeout(0.0);
      const e = yield* raises(socket.OSError, () => serv.accept());
      expect(e, 'a timeout instead of an error').not.to.be.instanceOf(socket.TimeoutError);
    } finally {
      serv.close();
    }
  });

  cannot('testInterruptedTimeout', 'a signal handler (SIGALRM) raising inside a blocked call has no JavaScript counterpart: Node runs signal handlers between event loop turns');
});

for (const [cls, proto] of [
  ['UDPTimeoutTest', 0],
  ['UDPLITETimeoutTest', socket.IPPROTO_UDPLITE],
] as [string, number][]) {
  testClass(cls, ({ test }) => {
    test(proto === 0 ? 'testUDPTimeout' : 'testUDPLITETimeout', function* () {
      const { serv } = yield* udpServer(proto);
      try {
        serv.settimeout(1.0);
        yield* raises(socket.TimeoutError, () => serv.recv(1024));
      } finally {
        serv.close();
      }
    });

    test('testTimeoutZero', function* () {
      const { serv } = yield* udpServer(proto);
      try {
        serv.settimeout(0.0);
        const e = yield* raises(socket.OSError, () => serv.recv(1024));
        expect(e, 'a timeout instead of an error').not.to.be.instanceOf(socket.TimeoutError);
      } finally {
        serv.close();
      }
    });
  });
}
