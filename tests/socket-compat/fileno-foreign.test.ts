// socket(fileno=fd) of a descriptor that is no socket (a regular file) or
// no descriptor (one just closed), compared with CPython given its own such
// descriptor: the same exception, message and errno for each family, type
// and protocol combination (ENOTSOCK for the file, EBADF for the closed one).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { currentBackend } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { skipBecause } from '@stackless-io/test-support';
import { needPython, useDefaultBackend } from './helpers.js';

const { AF_INET, SOCK_STREAM } = socket;
/** [family, type, proto] as given to the constructor before fileno. */
const ARGS: [number, number, number][] = [
  [-1, -1, -1],
  [+AF_INET, +SOCK_STREAM, -1],
  [+AF_INET, -1, 0],
  [+AF_INET, +SOCK_STREAM, 0],
];

const PY = `
import json, os, socket, sys
path, args = sys.argv[1], json.loads(sys.argv[2])
out = []
for kind in ('file', 'closed'):
    for a in args:
        fd = os.open(path, os.O_RDONLY)
        if kind == 'closed': os.close(fd)
        try:
            socket.socket(*a, fileno=fd).detach()
            out.append(None)
        except OSError as e:
            out.append([type(e).__name__, str(e), e.errno])
        if kind == 'file': os.close(fd)
print(json.dumps(out))
`;

describe('socket-compat: socket(fileno=) of a file or a closed descriptor, as CPython', function () {
  useDefaultBackend();

  it('ENOTSOCK for a regular file, EBADF for a closed descriptor, for every default left to find', async function () {
    needPython(this);
    const path = join(tmpdir(), `sio-fileno-${process.pid}`);
    writeFileSync(path, 'not a socket');
    const python: unknown[] = [];
    const ours: unknown[] = [];
    try {
      const r = spawnSync('python3', ['-c', PY, path, JSON.stringify(ARGS)], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).to.equal(0);
      python.push(...(JSON.parse(r.stdout) as unknown[]));
      for (const kind of ['file', 'closed']) {
        for (const a of ARGS) {
          const fd = openSync(path, 'r');
          if (kind === 'closed') closeSync(fd);
          try {
            new socket.socket(...a, fd).detach();
            ours.push(null);
          } catch (e) {
            const err = e as socket.OSError;
            ours.push([err.name, err.message, err.errno]);
          } finally {
            if (kind === 'file') closeSync(fd);
          }
        }
      }
    } finally {
      unlinkSync(path);
    }
    const b = currentBackend();
    // libuv's handles are table indexes, not descriptors: it cannot tell a
    // file from a number it never gave out (its README lists this).
    if (b.name === 'libuv') {
      expect(ours.slice(ARGS.length), 'a closed descriptor').to.deep.equal(python.slice(ARGS.length));
      skipBecause(this, 'the libuv backend answers EBADF for a regular file: its handles are not descriptors, so it cannot ask the kernel what one is');
    }
    expect(ours).to.deep.equal(python);
  });
});
