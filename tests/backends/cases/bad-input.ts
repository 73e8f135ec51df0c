// Bad input at the io layer: closed handles, negative lengths, handles that
// are not integers, operations the socket's state forbids, double close.
// Each answer is recorded per backend (run.ts prints them; the "backends
// agree" test compares them): a backend never throws, it answers -errno.
import { expect } from 'chai';
import { io, OSError, spawn, SockOpt, type Family, type IoBackend, type IoRequest, type SocketKind, type SockOptCode } from '@stackless-io/runtime';
import { conformance, joinAll } from '../harness.js';
import { bindLoopback, E, listener, pair, text } from '../net.js';
import { recordAnswer } from '../record.js';

/** The name of what `fn` threw: the errno code of an OSError, else the class name; 'ok' if nothing. */
function answerOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return nameOf(e);
  }
}

function nameOf(e: unknown): string {
  if (e instanceof OSError) return e.code || `errno ${e.errno}`;
  return e instanceof Error ? e.name : String(e);
}

/** Runs each operation in a tasklet (they may block); the answer of each. */
async function answersOfOps(ops: Record<string, () => Generator<any, unknown, unknown>>): Promise<Record<string, string>> {
  const [out] = await joinAll(spawn(function* badCalls() {
    const r: Record<string, string> = {};
    for (const [k, op] of Object.entries(ops)) {
      try {
        yield* op();
        r[k] = 'ok';
      } catch (e) {
        r[k] = nameOf(e);
      }
    }
    return r;
  }));
  return out;
}

/**
 * Runs `fn` with the backend's submit() counted: what `fn` returns, and how
 * many requests reached the backend meanwhile.
 */
async function submissionsDuring<T>(backend: IoBackend, fn: () => Promise<T>): Promise<{ result: T; submitted: number }> {
  const own = Object.prototype.hasOwnProperty.call(backend, 'submit');
  const submit = backend.submit;
  let submitted = 0;
  backend.submit = function (this: IoBackend, req: IoRequest): void {
    submitted++;
    submit.call(this, req);
  };
  try {
    const result = await fn();
    return { result, submitted };
  } finally {
    if (own) backend.submit = submit;
    else delete (backend as { submit?: unknown }).submit;
  }
}

/** Same answer? Error names, or errno names of the same number (ENOTSUP and EOPNOTSUPP are both 95 on Linux). */
function sameAnswer(got: string | undefined, want: string): boolean {
  if (got === want) return true;
  const a = got === undefined ? undefined : (E as Record<string, number | undefined>)[got];
  return a !== undefined && a === (E as Record<string, number | undefined>)[want];
}

/** Records every answer under `prefix`, then checks them all against `want` (every mismatch is listed). */
function check(name: string, prefix: string, got: Record<string, string>, want: Record<string, string | string[]>): void {
  for (const [k, v] of Object.entries(got)) recordAnswer(`${prefix}: ${k}`, name, v);
  const wrong: string[] = [];
  for (const [k, w] of Object.entries(want)) {
    const allowed = Array.isArray(w) ? w : [w];
    if (!allowed.some((a) => sameAnswer(got[k], a))) wrong.push(`${prefix}: ${k} answered ${got[k]}, expected ${allowed.join(' or ')}`);
  }
  expect(wrong, 'answers that differ from Linux/CPython').to.deep.equal([]);
}

const lo = { family: 'inet', host: '127.0.0.1', port: 0 } as const;

export function badInputCases(name: string): void {
  conformance(name, 'bad input: a closed handle → OSError(EBADF) from every call', async () => {
    const h = io.socket('inet', 'stream');
    io.close(h);
    const now = {
      bind: answerOf(() => io.bind(h, lo)),
      listen: answerOf(() => io.listen(h)),
      getsockname: answerOf(() => io.getsockname(h)),
      getpeername: answerOf(() => io.getpeername(h)),
      setsockopt: answerOf(() => io.setsockopt(h, SockOpt.REUSEADDR, 1)),
      getsockopt: answerOf(() => io.getsockopt(h, SockOpt.TYPE)),
      shutdown: answerOf(() => io.shutdown(h, 2)),
    };
    const later = await answersOfOps({
      recv: () => io.recv(h, 10),
      send: () => io.send(h, text('x')),
      accept: () => io.accept(h),
      connect: () => io.connect(h, { family: 'inet', host: '127.0.0.1', port: 9 }),
      recvfrom: () => io.recvfrom(h, 10),
      sendto: () => io.sendto(h, text('x'), { family: 'inet', host: '127.0.0.1', port: 9 }),
    });
    const got = { ...now, ...later };
    check(name, 'closed handle', got, Object.fromEntries(Object.keys(got).map((k) => [k, 'EBADF'])));
  });

  conformance(name, 'bad input: a negative length → ValueError, and nothing reaches the backend', async (t) => {
    const h = io.socket('inet', 'dgram');
    bindLoopback(t, h, 'inet');
    const bad = await submissionsDuring(t.backend, () =>
      answersOfOps({
        recv: () => io.recv(h, -1),
        recvfrom: () => io.recvfrom(h, -1),
        'recv of 1.5 bytes': () => io.recv(h, 1.5),
      }),
    );
    // The count sees real traffic: a good call on the same socket does reach the backend.
    const good = await submissionsDuring(t.backend, () =>
      answersOfOps({
        sendto: () => io.sendto(h, text('x'), io.getsockname(h)),
        recvfrom: () => io.recvfrom(h, 1),
      }),
    );
    io.close(h);
    check(name, 'bad length', bad.result, { recv: 'ValueError', recvfrom: 'ValueError', 'recv of 1.5 bytes': 'TypeError' });
    expect(bad.submitted, 'requests the bad calls submitted to the backend').to.equal(0);
    expect(good.result, 'the good calls').to.deep.equal({ sendto: 'ok', recvfrom: 'ok' });
    expect(good.submitted, 'requests the good calls submitted').to.be.greaterThan(0);
  });

  conformance(name, 'bad input: a handle that is not an integer → TypeError', async () => {
    const bad = [1.5, NaN, '3' as unknown as number, null as unknown as number];
    const got: Record<string, string> = {};
    for (const h of bad) {
      const k = typeof h === 'number' ? String(h) : JSON.stringify(h);
      got[`close(${k})`] = answerOf(() => io.close(h));
      got[`getsockname(${k})`] = answerOf(() => io.getsockname(h));
      Object.assign(
        got,
        await answersOfOps({
          [`recv(${k})`]: () => io.recv(h, 10),
          [`send(${k})`]: () => io.send(h, text('x')),
        }),
      );
    }
    check(name, 'non-integer handle', got, Object.fromEntries(Object.keys(got).map((k) => [k, 'TypeError'])));
  });

  conformance(name, 'bad input: recv on a listening socket → OSError (ENOTCONN or EINVAL)', async (t) => {
    const { lst } = listener(t, 'inet');
    const got = await answersOfOps({ recv: () => io.recv(lst, 10), send: () => io.send(lst, text('x')) });
    io.close(lst);
    check(name, 'listening socket', got, { recv: ['ENOTCONN', 'EINVAL'], send: ['EPIPE', 'ENOTCONN'] });
  });

  conformance(name, 'bad input: double close → OSError(EBADF), and the handle count stays right', async (t) => {
    const a = io.socket('inet', 'stream');
    const b = io.socket('inet', 'stream');
    const handles = t.backend.stats().handles;
    io.close(a);
    const got = { 'second close': answerOf(() => io.close(a)) };
    expect(t.backend.stats().handles, 'handles after a close and a second close of the same handle').to.equal(handles - 1);
    expect(io.getsockopt(b, SockOpt.TYPE), 'the other socket is untouched').to.equal(1);
    io.close(b);
    check(name, 'double close', got, { 'second close': 'EBADF' });
  });

  conformance(name, 'bad state: unconnected and misused sockets answer as Linux/CPython does', async (t) => {
    const fresh = io.socket('inet', 'stream');
    const unshut = io.socket('inet', 'stream');
    const udp = io.socket('inet', 'dgram');
    const { lst, addr } = listener(t, 'inet');
    const squatter = io.socket('inet', 'stream');
    const now = {
      'getpeername of an unconnected socket': answerOf(() => io.getpeername(fresh)),
      'listen on a datagram socket': answerOf(() => io.listen(udp)),
      'bind to an address in use (listening)': answerOf(() => io.bind(squatter, addr)),
      'an unknown socket option': answerOf(() => io.setsockopt(fresh, 999 as SockOptCode, 1)),
      // Its own socket: Linux marks even a failed shutdown's socket as shut.
      'shutdown of an unconnected socket': answerOf(() => io.shutdown(unshut, 2)),
    };
    const later = await answersOfOps({
      'recv on an unconnected stream socket': () => io.recv(fresh, 10),
      'send on an unconnected stream socket': () => io.send(fresh, text('x')),
    });
    for (const h of [fresh, unshut, udp, lst, squatter]) io.close(h);
    check(name, 'bad state', { ...now, ...later }, {
      'getpeername of an unconnected socket': 'ENOTCONN',
      'listen on a datagram socket': 'EOPNOTSUPP',
      'bind to an address in use (listening)': 'EADDRINUSE',
      'an unknown socket option': ['ENOPROTOOPT', 'EINVAL'],
      'shutdown of an unconnected socket': 'ENOTCONN',
      'recv on an unconnected stream socket': 'ENOTCONN',
      // Linux answers EPIPE here (CPython raises BrokenPipeError).
      'send on an unconnected stream socket': 'EPIPE',
    });
  });

  conformance(name, 'bad addresses: the backend answers an OSError (never throws anything else), the same on every backend', async (t) => {
    const tcp = io.socket('inet', 'stream');
    const udp = io.socket('inet', 'dgram');
    // Where the backend has no Unix-domain sockets (Wine's Winsock), the
    // case of a too-long path is not asked (and not recorded).
    const unix = unixOrNone();
    const now: Record<string, string> = {
      'bind to port 70000': answerOf(() => io.bind(tcp, { family: 'inet', host: '127.0.0.1', port: 70000 })),
      'bind to port -1': answerOf(() => io.bind(tcp, { family: 'inet', host: '127.0.0.1', port: -1 })),
      'bind to a host that is not a numeric address': answerOf(() => io.bind(tcp, { family: 'inet', host: 'localhost', port: 0 })),
      'bind an IPv4 socket to an IPv6 address': answerOf(() => io.bind(tcp, { family: 'inet6', host: '::1', port: 0 })),
      'a socket of an unknown family': answerOf(() => io.close(io.socket('bogus' as Family, 'stream'))),
      'a socket of an unknown kind': answerOf(() => io.close(io.socket('inet', 'bogus' as SocketKind))),
    };
    if (unix !== null) now['bind to a Unix path longer than sun_path'] = answerOf(() => io.bind(unix, { family: 'unix', path: `${t.tmpdir()}/${'x'.repeat(200)}` }));
    const later = await answersOfOps({
      'connect to a host that is not a numeric address': () => io.connect(tcp, { family: 'inet', host: 'not-an-address', port: 80 }),
      'sendto an IPv6 address from an IPv4 socket': () => io.sendto(udp, text('x'), { family: 'inet6', host: '::1', port: 9 }),
    });
    for (const h of [tcp, udp, unix]) if (h !== null) io.close(h);
    const got: Record<string, string> = { ...now, ...later };
    const notOs = Object.entries(got).filter(([, v]) => v === 'ok' || !/^E[A-Z0-9]+$/.test(v));
    for (const [k, v] of Object.entries(got)) recordAnswer(`bad address: ${k}`, name, v);
    expect(notOs.map(([k, v]) => `${k}: ${v}`), 'answers that are not an OSError').to.deep.equal([]);
    check(name, 'bad address', got, {
      'bind an IPv4 socket to an IPv6 address': 'EAFNOSUPPORT',
      'sendto an IPv6 address from an IPv4 socket': 'EAFNOSUPPORT',
      'a socket of an unknown family': 'EAFNOSUPPORT',
    });
  });

  conformance(name, 'zero lengths: send of nothing returns 0, recv of 0 bytes returns at once (as CPython\'s)', async (t) => {
    const { lst, addr } = listener(t, 'inet');
    const [r] = await joinAll(spawn(function* zeroLengths() {
      const [c, s] = yield* pair('inet', lst, addr);
      try {
        const sent = yield* io.send(c, new Uint8Array(0));
        // No data is waiting: a recv of 0 bytes must not wait for some.
        // (The timeout only turns a wrong wait into a failure, not a hang.)
        const got = yield* io.recv(s, 0, 0, 5);
        return { sent, got: got.length };
      } finally {
        io.close(c);
        io.close(s);
      }
    }));
    io.close(lst);
    expect(r).to.deep.equal({ sent: 0, got: 0 });
  });
}

/** A Unix-domain stream socket, or null where the backend answers EAFNOSUPPORT. */
function unixOrNone(): number | null {
  try {
    return io.socket('unix', 'stream');
  } catch (e) {
    if (e instanceof OSError && e.errno === E.EAFNOSUPPORT) return null;
    throw e;
  }
}
