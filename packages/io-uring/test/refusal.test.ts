// Graceful absence: where the kernel refuses io_uring (ENOSYS without it,
// EPERM from io_uring_disabled or seccomp), the package still loads, says
// why in one line, backend selection takes epoll (also when io_uring is
// listed first), and asking for io_uring by name fails with that reason. The refusal is
// made on purpose in a child process (SIO_URING_REFUSE makes the shim's
// setup fail as the kernel would), so this runs on any kernel.
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { backend, refusalReason } from '@stackless-io/io-uring';

const script = `
const { availableBackends, useBackend, closeBackend } = await import('@stackless-io/runtime');
const report = await availableBackends();
const b = await useBackend();
const name = b.constructor.name;
closeBackend();
let forced = null;
try {
  await useBackend('io_uring');
  closeBackend();
} catch (e) {
  forced = e.message;
}
console.log(JSON.stringify({ report, chosen: name, forced }));
`;

function child(refuse: string): { report: { name: string; unavailable: string | null }[]; chosen: string; forced: string | null } {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, SIO_URING_REFUSE: refuse, STACKLESS_IO_BACKEND: '' },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('io_uring refused by the kernel', function () {
  before(function () {
    const why = backend.unavailableReason();
    if (why !== null && !why.includes('io_uring_setup')) this.skip(); // not built here: nothing to refuse
  });

  for (const [errno, words] of [
    ['ENOSYS', 'has no io_uring'],
    ['EPERM', 'refused here'],
  ] as const) {
    it(`${errno} from setup: unavailable with a one-line reason, selection takes epoll, forcing it fails saying why`, function () {
      const { report, chosen, forced } = child(errno);
      const entry = report.find((b) => b.name === 'io_uring');
      expect(entry?.unavailable).to.be.a('string').and.include(words).and.include(errno);
      expect(entry!.unavailable!.includes('\n')).to.equal(false);
      expect(report.find((b) => b.name === 'epoll')?.unavailable).to.equal(null);
      expect(chosen).to.equal('EpollBackend');
      expect(forced).to.be.a('string').and.include('"io_uring" is not available').and.include(errno);
    });
  }

  it('names io_uring_disabled when the kernel switch is set, else a seccomp filter', function () {
    const line = refusalReason(1); // EPERM
    expect(line).to.match(/io_uring_disabled is [12]|seccomp/);
  });
});
