// Echo of 1 byte to 64 MiB: a writer and a reader share the client socket
// (so neither side's buffers can deadlock the exchange), the server echoes
// until EOF, and a checksum proves every byte came back in order.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { io, spawn, type Family } from '@stackless-io/runtime';
import { conformance, joinAll } from '../harness.js';
import { listener, pair, pattern, sha256 } from '../net.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const RUNS: [number, string, Family, number][] = [
  [1, '1 byte', 'inet', 30],
  [64 * KiB, '64 KiB', 'inet', 30],
  [1 * MiB, '1 MiB', 'inet', 30],
  [64 * MiB, '64 MiB', 'inet', 180],
  [1 * MiB, '1 MiB', 'inet6', 30],
  [1 * MiB, '1 MiB', 'unix', 30],
];

export function echoCases(name: string): void {
  for (const [size, label, family, limitS] of RUNS) {
    conformance(
      name,
      `echo of ${label} over ${family}: same checksum back`,
      async (t) => {
        const data = pattern(size);
        const want = sha256(data);
        const { lst, addr } = listener(t, family);
        const [[c, s]] = await joinAll(spawn(function* connectPair() {
          return yield* pair(family, lst, addr);
        }));
        io.close(lst);
        const server = spawn(function* echoServer() {
          try {
            const buf = new Uint8Array(64 * KiB);
            for (let i = 0; i <= size; i++) {
              const n = yield* io.recvInto(s, buf);
              if (n === 0) return;
              yield* io.sendAll(s, buf.subarray(0, n));
            }
            throw new Error('the echo server read more pieces than there are bytes');
          } finally {
            io.close(s);
          }
        });
        const writer = spawn(function* writer() {
          // One call with the whole buffer: the backend must cope with a
          // send larger than any buffer of its own.
          yield* io.sendAll(c, data);
          io.shutdown(c, 1);
        });
        const reader = spawn(function* reader() {
          try {
            const hash = createHash('sha256');
            const buf = new Uint8Array(256 * KiB);
            let total = 0;
            for (let i = 0; i <= size; i++) {
              const n = yield* io.recvInto(c, buf);
              if (n === 0) break;
              hash.update(buf.subarray(0, n));
              total += n;
            }
            return { total, digest: hash.digest('hex') };
          } finally {
            io.close(c);
          }
        });
        const [, , got] = await joinAll(server, writer, reader);
        expect(got.total, 'bytes echoed').to.equal(size);
        expect(got.digest, 'checksum of the echoed bytes').to.equal(want);
      },
      limitS,
    );
  }
}
