// socket.sethostname, compared with CPython's on this machine. Both may run
// as root here, so the only names set are the one the machine already has
// (as str and as bytes) and ones the kernel refuses (65 bytes): the host
// name never changes, and the test checks it did not.
import { constants, hostname } from 'node:os';
import { expect } from 'chai';
import { currentBackend } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { skipBecause } from '@stackless-io/test-support';
import { expectSameAsPython, needPython, useDefaultBackend, type Call } from './helpers.js';

const hex = (s: string): { $b: string } => ({ $b: Buffer.from(s).toString('hex') });

describe('socket-compat: sethostname, as CPython answers it', function () {
  useDefaultBackend();

  it('the name the machine has (str and bytes) and one too long for the kernel', async function () {
    needPython(this);
    const b = currentBackend();
    if (b.sethostname === undefined) {
      // A backend without the contract's sethostname: OSError(ENOSYS), as
      // CPython on a platform without sethostname(2).
      const e = (() => {
        try {
          socket.sethostname(hostname());
        } catch (err) {
          return err as socket.OSError;
        }
        return null;
      })();
      expect(e?.errno).to.equal(constants.errno.ENOSYS);
      skipBecause(this, `the ${b.name} backend has no sethostname (an optional entry point of the contract): socket-compat answers ENOSYS`);
    }
    const before = hostname();
    const calls: Call[] = [
      ['sethostname', before],
      ['sethostname', hex(before)],
      ['sethostname', 'a'.repeat(65)],
      ['sethostname', hex('b'.repeat(65))],
      // A str is encoded as os.fsencode does: a surrogate escape is one byte
      // (65 here, too long), any other lone surrogate is refused before the
      // kernel is asked, and so is a NUL.
      ['sethostname', `${'c'.repeat(64)}\udcff`],
      ['sethostname', '\ud800'],
      ['sethostname', 'ab\u{1F600}\udbff'],
      ['sethostname', '\ud800\0'],
    ];
    await expectSameAsPython(socket as unknown as Record<string, unknown>, calls);
    expect(hostname(), 'the host name after the test').to.equal(before);
  });
});
