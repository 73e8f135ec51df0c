// Partial writes under backpressure: a reader that takes small pieces and
// naps, a writer that uses io.send (taking what the kernel accepts) and then
// io.sendAll. Nothing may be lost, duplicated or reordered.
import { expect } from 'chai';
import { io, SockOpt, sleep, spawn } from '@stackless-io/runtime';
import { conformance, joinAll } from '../harness.js';
import { concat, listener, pair, pattern, trySetsockopt } from '../net.js';
import { labelOf, note } from '../record.js';

const TOTAL = 2 * 1024 * 1024;
/** Sizes io.send is asked for, in turn: tiny to far larger than any socket buffer. */
const SEND_SIZES = [1, 100, 4096, 65536, 1024 * 1024];

export function backpressureCases(name: string): void {
  conformance(name, 'partial writes under backpressure: a slow reader gets every byte in order (io.send, then io.sendAll)', async (t) => {
    const data = pattern(TOTAL);
    const { lst, addr } = listener(t, 'inet');
    const [[c, s]] = await joinAll(spawn(function* connectPair() {
      return yield* pair('inet', lst, addr);
    }));
    io.close(lst);
    // Small kernel buffers make the backpressure certain; a backend that
    // cannot set them still has to pass, only with more buffering.
    const cannot = [trySetsockopt(c, SockOpt.SNDBUF, 16384), trySetsockopt(s, SockOpt.RCVBUF, 16384)].filter((x) => x !== null);
    if (cannot.length > 0) note(`${labelOf(name)}: SO_SNDBUF/SO_RCVBUF not settable (${cannot.join(', ')})`);

    const writer = spawn(function* writer() {
      const half = TOTAL / 2;
      let off = 0;
      let short = 0;
      let calls = 0;
      for (let i = 0; off < half && i < half; i++) {
        const want = Math.min(SEND_SIZES[i % SEND_SIZES.length]!, half - off);
        const n = yield* io.send(c, data.subarray(off, off + want));
        calls++;
        if (!(Number.isInteger(n) && n >= 1 && n <= want)) throw new Error(`send of ${want} bytes answered ${n}`);
        if (n < want) short++;
        off += n;
      }
      for (let o = half; o < TOTAL; o += 256 * 1024) {
        yield* io.sendAll(c, data.subarray(o, Math.min(TOTAL, o + 256 * 1024)));
      }
      io.shutdown(c, 1);
      return { short, calls };
    });
    const reader = spawn(function* slowReader() {
      const parts: Uint8Array[] = [];
      let total = 0;
      for (let i = 0; i <= TOTAL; i++) {
        const got = yield* io.recv(s, 1000);
        if (got.length === 0) break;
        parts.push(got);
        total += got.length;
        if (total > TOTAL) throw new Error(`received ${total} bytes, more than the ${TOTAL} sent`);
        if (i % 8 === 0) yield* sleep(0.001);
      }
      return concat(parts, total);
    });
    const [sent, got] = await joinAll(writer, reader);
    io.close(c);
    io.close(s);
    expect(got.length, 'bytes received').to.equal(TOTAL);
    const first = got.findIndex((b, i) => b !== data[i]);
    expect(first, 'offset of the first wrong byte').to.equal(-1);
    note(`${labelOf(name)}: ${sent.short} of ${sent.calls} io.send calls were short`);
    if (t.native && cannot.length === 0) {
      // A 1 MiB send into 16 KiB buffers cannot be taken whole by the kernel
      // in one non-blocking send(2): a native backend must report it short.
      expect(sent.short, 'short sends reported').to.be.greaterThan(0);
    }
  });
}
