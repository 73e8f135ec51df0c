// AF_UNIX names whose bytes are not UTF-8. The backend contract carries Unix
// names as strings, so socket-compat refuses such a name (unix-path.ts)
// rather than bind another one; CPython on Linux binds it. Compared with
// the live CPython: the names CPython refuses itself get the same error;
// for the others, socket-compat's error is the one CPython's strict UTF-8
// conversion of that name raises (what CPython raises where the file-system
// encoding is strict), and nothing is created under another name.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { inTasklet, needPython, useDefaultBackend } from './helpers.js';

/** A name as given to bind(): a str, or bytes (hex). */
type Name = { s: string } | { b: string };

const PY = `
import json, socket, sys
out = []
for n in json.load(sys.stdin):
    name = n['s'] if 's' in n else bytes.fromhex(n['b'])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(name); bound = None
    except Exception as e:
        bound = [type(e).__name__, str(e)]
    finally:
        s.close()
    try:
        name.encode('utf-8') if isinstance(name, str) else name.decode('utf-8'); strict = None
    except Exception as e:
        strict = [type(e).__name__, str(e)]
    out.append({'bound': bound, 'strict': strict})
print(json.dumps(out))
`;

describe('socket-compat: AF_UNIX names that are not UTF-8', function () {
  useDefaultBackend();

  it("CPython's own errors for names it refuses; its strict-encoding error, and no other name bound, for those the contract cannot carry", async function () {
    needPython(this);
    const dir = mkdtempSync(join(tmpdir(), 'sio-unix-bytes-'));
    try {
      const hex = (b: Buffer): string => b.toString('hex');
      const names: Name[] = [
        // CPython refuses these itself (a surrogate surrogateescape cannot encode).
        { s: join(dir, '\ud800') },
        { s: join(dir, '\u{1F600}\udbff') },
        // CPython binds these (0xff, as '\udcff' or as bytes); the contract cannot carry them.
        { s: join(dir, 'a\udcff') },
        { b: hex(Buffer.concat([Buffer.from(join(dir, 'b')), Buffer.from([0xff])])) },
        { b: hex(Buffer.concat([Buffer.from(join(dir, 'c')), Buffer.from([0xe2, 0x82])])) },
        { b: hex(Buffer.from([0, 0x73, 0x69, 0x6f, 0xff, 0x2d, 0x78])) },
      ];
      const r = spawnSync('python3', ['-c', PY], { input: JSON.stringify(names), encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).to.equal(0);
      const python = JSON.parse(r.stdout) as { bound: [string, string] | null; strict: [string, string] | null }[];
      // Python's files are gone before ours are tried, so that anything left is ours.
      // Names as bytes: the 0xff of Python's names would not survive a string.
      for (const f of readdirSync(dir, { encoding: 'buffer' })) rmSync(Buffer.concat([Buffer.from(`${dir}/`), f]));
      const ours = await inTasklet(function* () {
        const out: ([string, string] | null)[] = [];
        for (const n of names) {
          const s = new socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
          try {
            yield* s.bind('s' in n ? n.s : Buffer.from(n.b, 'hex'));
            out.push(null);
          } catch (e) {
            out.push([(e as Error).name, (e as Error).message]);
          } finally {
            s.close();
          }
        }
        return out;
      });
      names.forEach((n, i) => {
        const py = python[i]!;
        const want = py.bound ?? py.strict;
        expect(want, `${JSON.stringify(n)}: CPython binds it, and its strict conversion succeeds too`).to.not.equal(null);
        expect(ours[i], JSON.stringify(n)).to.deep.equal(want);
      });
      expect(readdirSync(dir).length, 'names socket-compat bound').to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
