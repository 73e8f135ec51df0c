// BufferIOTest of CPython's test_socket: recv_into and recvfrom_into with
// each kind of writable buffer (array('B') is a Uint8Array here, bytearray a
// Buffer, memoryview a DataView over one).
import { expect } from 'chai';
import { ValueError } from '@stackless-io/runtime';
import { connectedTCP, type Connected } from './fixtures.js';
import { testClass } from './frame.js';
import { MSG, raises } from './support.js';

function* sendMsg(f: Connected): Generator<any, void, unknown> {
  yield* f.serv_conn.send(Buffer.from(MSG));
}

testClass('BufferIOTest', ({ test }) => {
  const kinds: [string, () => [Uint8Array | DataView, Uint8Array]][] = [
    [
      'Array',
      () => {
        const a = new Uint8Array(MSG.length);
        return [a, a];
      },
    ],
    [
      'Bytearray',
      () => {
        const a = Buffer.alloc(1024);
        return [a, a];
      },
    ],
    [
      'Memoryview',
      () => {
        const a = Buffer.alloc(1024);
        return [new DataView(a.buffer, a.byteOffset, a.length), a];
      },
    ],
  ];
  for (const [kind, make] of kinds) {
    test(`testRecvInto${kind}`, (c) =>
      connectedTCP(
        c,
        function* (f) {
          const [buf, bytes] = make();
          const n = yield* f.cli_conn.recv_into(buf);
          expect(n).to.equal(MSG.length);
          expect(Buffer.from(bytes.subarray(0, MSG.length))).to.deep.equal(MSG);
        },
        sendMsg,
      ),
    );
    test(`testRecvFromInto${kind}`, (c) =>
      connectedTCP(
        c,
        function* (f) {
          const [buf, bytes] = make();
          const [n] = yield* f.cli_conn.recvfrom_into(buf);
          expect(n).to.equal(MSG.length);
          expect(Buffer.from(bytes.subarray(0, MSG.length))).to.deep.equal(MSG);
        },
        sendMsg,
      ),
    );
  }

  test('testRecvFromIntoSmallBuffer', (c) =>
    connectedTCP(
      c,
      function* (f) {
        yield* raises(ValueError, () => f.cli_conn.recvfrom_into(Buffer.alloc(8), 1024));
      },
      sendMsg,
    ),
  );

  test('testRecvFromIntoEmptyBuffer', (c) =>
    connectedTCP(
      c,
      function* (f) {
        const buf = Buffer.alloc(0);
        yield* f.cli_conn.recvfrom_into(buf);
        yield* f.cli_conn.recvfrom_into(buf, 0);
      },
      sendMsg,
    ),
  );
});
