// BasicUDPTest and BasicUDPLITETest of CPython's test_socket: a bound UDP server, the client
// half (which sends) in its own tasklet.
import { expect } from 'chai';
import { ValueError } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { threadedUDP as threadedWith, type Half, type Pair } from './fixtures.js';
import type { Ctx } from './frame.js';
import { testClass } from './frame.js';
import { HOST, MSG, raises } from './support.js';

// BasicUDPLITETest runs the same tests over UDP-Lite (IPPROTO_UDPLITE).
for (const [cls, proto] of [
  ['BasicUDPTest', 0],
  ['BasicUDPLITETest', socket.IPPROTO_UDPLITE],
] as [string, number][]) {
const threadedUDP = (c: Ctx, server: Half<Pair>, client: Half<Pair>) => threadedWith(c, server, client, proto);
testClass(cls, ({ test }) => {
  test('testSendtoAndRecv', (c) =>
    threadedUDP(
      c,
      function* (f) {
        expect(yield* f.serv.recv(MSG.length)).to.deep.equal(MSG);
      },
      function* (f) {
        yield* f.cli.sendto(MSG, 0, [HOST, f.port]);
      },
    ),
  );

  test('testRecvFrom', (c) =>
    threadedUDP(
      c,
      function* (f) {
        const [msg] = yield* f.serv.recvfrom(MSG.length);
        expect(msg).to.deep.equal(MSG);
      },
      function* (f) {
        yield* f.cli.sendto(MSG, 0, [HOST, f.port]);
      },
    ),
  );

  test('testRecvFromNegative', (c) =>
    threadedUDP(
      c,
      function* (f) {
        yield* raises(ValueError, () => f.serv.recvfrom(-1));
      },
      function* (f) {
        yield* f.cli.sendto(MSG, 0, [HOST, f.port]);
      },
    ),
  );
});
}
