// The contract's optional sethostname: the kernel's answer, compared with
// what python3's socket.sethostname gets from the same kernel for the same
// bytes. The suite may run as root, so it only ever sets the name the
// machine already has, or one the kernel refuses (65 bytes: Linux keeps at
// most 64, and a shorter limit elsewhere refuses it too); it checks the
// host name is unchanged afterwards. A backend without the entry point
// skips, naming that (on Linux a native one must have it).
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { expect } from 'chai';
import { conformance } from '../harness.js';

/** The errno python3's socket.sethostname(bytes) raises (0: none), or null without python3. */
function pythonAnswer(name: Uint8Array): number | null {
  const script = 'import socket, sys\ntry:\n  socket.sethostname(bytes.fromhex(sys.argv[1])); print(0)\nexcept OSError as e:\n  print(e.errno)';
  const r = spawnSync('python3', ['-c', script, Buffer.from(name).toString('hex')], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

export function sethostnameCases(name: string): void {
  conformance(name, 'sethostname: the kernel answers as it answers python3 (the name it has; 65 bytes)', async (t) => {
    const b = t.backend;
    if (b.sethostname === undefined) t.cannot('set the host name', 'no sethostname entry point');
    const before = hostname();
    const cases = [Buffer.from(before), Buffer.alloc(65, 'a')];
    for (const bytes of cases) {
      const py = pythonAnswer(bytes);
      if (py === null) t.skip('python3 is not available to compare with');
      expect(-b.sethostname!(bytes), `sethostname(${bytes.length} bytes)`).to.equal(py);
    }
    expect(hostname(), 'the host name after the test').to.equal(before);
  });
}
