// Unix-domain sockets on the default backend: stream and datagram, names,
// socketpair(), and CPython's checks on paths.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from '@stackless-io/socket-compat';
import { skipBecause } from '@stackless-io/test-support';
import { expectError, inTasklet, needPython, pythonJson, raises, raisesNow, useDefaultBackend } from './helpers.js';

const { AF_UNIX, AF_INET, SOCK_STREAM, SOCK_DGRAM } = socket;

/** Skips the test, saying why, when the backend has no Unix-domain datagram sockets. */
function needUnixDgram(ctx: Mocha.Context): void {
  try {
    new socket.socket(AF_UNIX, SOCK_DGRAM).close();
  } catch (e) {
    if ((e as socket.OSError).errno !== socket.errorFor(97).errno) throw e;
    skipBecause(ctx, 'this backend has no AF_UNIX datagram sockets (EAFNOSUPPORT)');
  }
}

describe('socket-compat: Unix-domain sockets', function () {
  useDefaultBackend();
  let dir = '';
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'sio-unix-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stream: bind to a path, listen, connect, accept; names are paths ("" unnamed)', async function () {
    const path = join(dir, 's');
    const r = await inTasklet(function* () {
      const server = new socket.socket(AF_UNIX, SOCK_STREAM);
      yield* server.bind(path);
      server.listen();
      const client = new socket.socket(AF_UNIX, SOCK_STREAM);
      yield* client.connect(path);
      const [conn, addr] = yield* server.accept();
      yield* client.sendall(Buffer.from('over unix'));
      const [got, from] = yield* conn.recvfrom(100);
      const out = {
        addr,
        names: [server.getsockname(), client.getsockname(), client.getpeername(), conn.getsockname(), conn.getpeername()],
        got: String(got),
        from,
        repr: String(server),
      };
      for (const s of [client, conn, server]) s.close();
      return out;
    });
    expect(r).to.deep.equal({
      addr: '',
      names: [path, '', path, path, ''],
      got: 'over unix',
      from: null,
      repr: `<socket.socket fd=${r.repr.match(/fd=(\d+)/)![1]}, family=1, type=1, proto=0, laddr='${path}'>`,
    });
  });

  it('datagram: sendto a path; an unbound sender has no address (None)', async function () {
    needUnixDgram(this);
    const r = await inTasklet(function* () {
      const a = new socket.socket(AF_UNIX, SOCK_DGRAM);
      const b = new socket.socket(AF_UNIX, SOCK_DGRAM);
      const c = new socket.socket(AF_UNIX, SOCK_DGRAM);
      try {
        yield* a.bind(join(dir, 'a'));
        yield* b.bind(join(dir, 'b'));
        yield* b.sendto(Buffer.from('from b'), join(dir, 'a'));
        yield* c.sendto(Buffer.from('from c'), join(dir, 'a'));
        const [d1, f1] = yield* a.recvfrom(100);
        const [d2, f2] = yield* a.recvfrom(100);
        return [String(d1), f1, String(d2), f2];
      } finally {
        for (const s of [a, b, c]) s.close();
      }
    });
    expect(r).to.deep.equal(['from b', join(dir, 'b'), 'from c', null]);
  });

  for (const type of [SOCK_STREAM, SOCK_DGRAM]) {
    it(`socketpair(AF_UNIX, ${type === SOCK_STREAM ? 'SOCK_STREAM' : 'SOCK_DGRAM'}): connected both ways, unnamed, default timeout`, async function () {
      if (type === SOCK_DGRAM) needUnixDgram(this);
      const r = await inTasklet(function* () {
        const [a, b] = yield* socket.socketpair(AF_UNIX, type);
        try {
          yield* a.send(Buffer.from('ab'));
          yield* b.send(Buffer.from('ba'));
          return {
            ab: String(yield* b.recv(10)),
            ba: String(yield* a.recv(10)),
            kinds: [a.family, a.type, b.family, b.type],
            names: [a.getsockname(), a.getpeername(), b.getsockname(), b.getpeername()],
            timeouts: [a.gettimeout(), b.gettimeout()],
          };
        } finally {
          a.close();
          b.close();
        }
      });
      expect(r).to.deep.equal({ ab: 'ab', ba: 'ba', kinds: [AF_UNIX, type, AF_UNIX, type], names: ['', '', '', ''], timeouts: [null, null] });
    });
  }

  it('socketpair(): other families as Linux answers them', function () {
    expectError(raisesNow(() => socket.socketpair(AF_INET)), 'OSError', '[Errno 95] Operation not supported', 95);
    expectError(raisesNow(() => socket.socketpair(99)), 'OSError', '[Errno 97] Address family not supported by protocol', 97);
    expectError(raisesNow(() => socket.socketpair('a' as never)), 'TypeError', "'str' object cannot be interpreted as an integer");
  });

  it('paths: too long, missing, a file that is not a socket, wrong types', async function () {
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    const r = await inTasklet(function* () {
      const s = new socket.socket(AF_UNIX, SOCK_STREAM);
      try {
        return {
          long: raisesNow(() => s.bind('/tmp/' + 'x'.repeat(103))),
          missing: yield* raises(() => s.connect(join(dir, 'nope', 'x'))),
          notDir: yield* raises(() => s.connect(join(file, 'x'))),
          refused: yield* raises(() => s.connect(file)),
          tuple: raisesNow(() => s.bind(['a', 1] as never)),
          none: raisesNow(() => s.bind(null as never)),
        };
      } finally {
        s.close();
      }
    });
    expectError(r.long, 'OSError', 'AF_UNIX path too long', null);
    expectError(r.missing, 'FileNotFoundError', '[Errno 2] No such file or directory', 2);
    expectError(r.notDir, 'NotADirectoryError', '[Errno 20] Not a directory', 20);
    expectError(r.refused, 'ConnectionRefusedError', '[Errno 111] Connection refused', 111);
    expectError(r.tuple, 'TypeError', "a bytes-like object is required, not 'tuple'");
    expectError(r.none, 'TypeError', "a bytes-like object is required, not 'NoneType'");
  });

  it('a path given with surrogate escapes (os.fsdecode of UTF-8 bytes) binds the bytes it escapes, as CPython', async function () {
    needPython(this);
    // 'é' and 'ü' as UTF-8 bytes, each byte escaped (U+DCC3 U+DCA9...), as Python's surrogateescape decodes them from ASCII.
    const escaped = (p: string): string => [...Buffer.from(p, 'utf8')].map((x) => String.fromCharCode(x < 0x80 ? x : 0xdc00 + x)).join('');
    const py = pythonJson<unknown[]>(`
import socket, json, os
p = ${JSON.stringify(join(dir, 'py-\u00e9\u00fc'))}
s = socket.socket(socket.AF_UNIX)
s.bind(p.encode().decode('ascii', 'surrogateescape'))
print(json.dumps([s.getsockname(), os.path.basename(p) in os.listdir(os.path.dirname(p))]))
s.close(); os.unlink(p)`);
    const ours = await inTasklet(function* () {
      const p = join(dir, 'py-\u00e9\u00fc');
      const s = new socket.socket(AF_UNIX);
      yield* s.bind(escaped(p));
      const out = [s.getsockname(), readdirSync(dir).includes('py-\u00e9\u00fc')];
      s.close();
      return out;
    });
    expect(ours).to.deep.equal(py);
  });
});
