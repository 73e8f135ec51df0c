import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, OSError } from '@stackless-io/runtime';
import { bytes, run, text, withLibuv } from './harness.js';

const E = constants.errno;

describe('libuv backend: Unix-domain stream sockets', () => {
  withLibuv();
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sio-libuv-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('echoes over a path, with the names a Unix socket has', async () => {
    const path = join(dir, 'echo.sock');
    await run(function* () {
      const l = io.socket('unix', 'stream');
      io.bind(l, { family: 'unix', path });
      expect(existsSync(path), 'bind creates the socket file').to.equal(true);
      io.listen(l);
      expect(io.getsockname(l)).to.deep.equal({ family: 'unix', path });
      const c = io.socket('unix', 'stream');
      yield* io.connect(c, { family: 'unix', path });
      const { handle: s, addr } = yield* io.accept(l);
      expect(addr).to.deep.equal({ family: 'unix', path: '' });
      expect(io.getpeername(c)).to.deep.equal({ family: 'unix', path });
      expect(io.getsockname(s)).to.deep.equal({ family: 'unix', path });
      yield* io.sendAll(c, bytes('over unix'));
      io.shutdown(c, 1);
      expect(text(yield* io.recv(s, 100))).to.equal('over unix');
      expect((yield* io.recv(s, 100)).length).to.equal(0);
      for (const h of [c, s, l]) io.close(h);
    });
  });

  it('answers as Linux AF_UNIX does: unconnected recv EINVAL, send ENOTCONN; the peer name outlives the peer', async () => {
    const path = join(dir, 'names.sock');
    await run(function* () {
      const u = io.socket('unix', 'stream');
      try {
        yield* io.recv(u, 1);
        expect.fail('recv on an unconnected Unix socket');
      } catch (e) {
        expect((e as OSError).errno).to.equal(E.EINVAL);
      }
      try {
        yield* io.send(u, bytes('x'));
        expect.fail('send on an unconnected Unix socket');
      } catch (e) {
        expect((e as OSError).errno).to.equal(E.ENOTCONN);
      }
      io.shutdown(u, 1);
      io.close(u);
      const l = io.socket('unix', 'stream');
      io.bind(l, { family: 'unix', path });
      io.listen(l);
      const c = io.socket('unix', 'stream');
      yield* io.connect(c, { family: 'unix', path });
      const { handle: s } = yield* io.accept(l);
      io.close(s);
      expect((yield* io.recv(c, 10)).length).to.equal(0);
      try {
        yield* io.send(c, bytes('x'));
        expect.fail('send after the peer closed');
      } catch (e) {
        expect((e as OSError).errno).to.equal(E.EPIPE);
      }
      expect(io.getpeername(c)).to.deep.equal({ family: 'unix', path });
      io.shutdown(c, 2);
      io.close(c);
      io.close(l);
    });
  });

  it('bind to an existing path is EADDRINUSE; connect to a missing one is ENOENT', async () => {
    const path = join(dir, 'taken.sock');
    await run(function* () {
      const a = io.socket('unix', 'stream');
      io.bind(a, { family: 'unix', path });
      const b = io.socket('unix', 'stream');
      expect(() => io.bind(b, { family: 'unix', path })).to.throw(OSError).with.property('errno', E.EADDRINUSE);
      try {
        yield* io.connect(b, { family: 'unix', path: join(dir, 'missing.sock') });
        expect.fail('connect to a missing path');
      } catch (e) {
        expect((e as OSError).errno).to.equal(E.ENOENT);
      }
      io.close(a);
      io.close(b);
    });
  });
});
