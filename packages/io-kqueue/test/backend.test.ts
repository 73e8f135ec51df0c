// What io-kqueue says about itself: its name and label, when it is
// available, that it is never picked by default where it is emulated, and
// that the shim it loads names itself the same way.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { skipBecause } from '@stackless-io/test-support';
import { backend, isEmulated, libraryPath, openKqueueShim } from '@stackless-io/io-kqueue';

describe('io-kqueue: the backend module', function () {
  it('is named kqueue, and labelled "kqueue (emulated)" where the build is the emulation', function () {
    expect(backend.name).to.equal('kqueue');
    expect(backend.label!()).to.equal(isEmulated() ? 'kqueue (emulated)' : 'kqueue');
    expect(backend.byDefault!()).to.equal(!isEmulated());
  });

  it('on Linux, is available only with SIO_KQUEUE_EMULATED=1, and says how otherwise', function () {
    if (!isEmulated()) skipBecause(this, `the emulated build is Linux's (this is ${process.platform})`);
    const saved = process.env.SIO_KQUEUE_EMULATED;
    try {
      delete process.env.SIO_KQUEUE_EMULATED;
      expect(backend.unavailableReason()).to.match(/tests only \(set SIO_KQUEUE_EMULATED=1\)/);
      process.env.SIO_KQUEUE_EMULATED = '1';
      const lib = libraryPath()!;
      expect(backend.unavailableReason()).to.equal(existsSync(lib) ? null : backend.unavailableReason());
      if (!existsSync(lib)) expect(backend.unavailableReason()).to.match(/is not built/);
    } finally {
      if (saved === undefined) delete process.env.SIO_KQUEUE_EMULATED;
      else process.env.SIO_KQUEUE_EMULATED = saved;
    }
  });

  it('opens a shim whose own name is the label, and closes it', function () {
    const lib = libraryPath();
    if (lib === null || !existsSync(lib)) skipBecause(this, `no kqueue shim built here (${lib ?? process.platform})`);
    const shim = openKqueueShim({ sqEntries: 8, maxOps: 8, arenaBytes: 1 << 12 });
    try {
      expect(shim.backendName).to.equal(backend.label!());
    } finally {
      shim.close();
    }
  });
});
