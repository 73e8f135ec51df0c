// Backend conformance: the suite of suite.ts run once per backend, each in
// its own `describe('backend <name>')`. A backend that cannot run here (wrong
// platform, package not installed, native part not built) gets one skipped
// test whose reason says why. $SIO_TEST_BACKENDS (comma-separated names)
// limits the run to some backends. io-kqueue's emulated build (Linux) runs
// only with $SIO_KQUEUE_EMULATED=1 (see tests/backends/README.md).
import { expect } from 'chai';
import { availableBackends, closeBackend, useBackend } from '@stackless-io/runtime';
import { skipBecause } from '@stackless-io/test-support';
import { warmUp } from './harness.js';
import { disagreements, labels, skips } from './record.js';
import { SUITE } from './suite.js';

const only = process.env.SIO_TEST_BACKENDS?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const report = await availableBackends();
const ran: string[] = [];

// Each backend is reported by its label: "kqueue (emulated)" where the build
// is not the real thing.
for (const { name, unavailable, label } of report) {
  const why = unavailable ?? (only !== undefined && !only.includes(name) ? `not in SIO_TEST_BACKENDS=${process.env.SIO_TEST_BACKENDS}` : null);
  labels.set(name, label);
  describe(`backend ${label}`, function () {
    if (why !== null) {
      // A pending test whose title is the reason: mocha's output says why.
      skips.push({ backend: label, test: `backend ${label}`, reason: why });
      it(`is not run here: ${why}`);
      return;
    }
    ran.push(label);
    before(async function () {
      await useBackend(name);
      await warmUp();
    });
    after(function () {
      closeBackend();
    });
    for (const define of SUITE) define(name);
  });
}

describe('backends agree', function () {
  it('every backend gives the same answer (errno or error class) to each bad input', function () {
    if (ran.length < 2) {
      const reason = `only ${ran.length} backend ran here (${ran.join(', ') || 'none'}): nothing to compare`;
      skips.push({ backend: '(all)', test: this.test!.fullTitle(), reason });
      skipBecause(this, reason);
    }
    expect(disagreements()).to.deep.equal([]);
  });
});
