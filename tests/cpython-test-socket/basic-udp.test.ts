// BasicUDPTest of CPython's test_socket: a bound UDP server, the client
// half (which sends) in its own tasklet.
import { expect } from 'chai';
import { ValueError } from '@stackless-io/runtime';
import { threadedUDP } from './fixtures.js';
import { testClass } from './frame.js';
import { HOST, MSG, raises } from './support.js';

testClass('BasicUDPTest', ({ test }) => {
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
