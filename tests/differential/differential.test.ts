// The CPython differential suite inside `npm test`: every written scenario
// (one test per area) and DEFAULT_RANDOM random scenarios with the fixed
// CI seed, on every available backend. A test fails on any difference from
// CPython; a random failure is shrunk and its minimal reproduction printed.
import { expect } from 'chai';
import { closeBackend, useBackend } from '@stackless-io/runtime';
import { skipBecause } from '@stackless-io/test-support';
import { formatDiff, stopRules } from './compare.js';
import type { Scenario } from './scenario.js';
import {
  backends,
  CI_SEED,
  compareAll,
  DEFAULT_RANDOM,
  loadSocketCompat,
  prepare,
  randomFor,
  runTsAll,
  scenarioJson,
  shrink,
  type Prepared,
} from './suite.js';
import type { SocketModule } from './ts-runner.js';
import { writtenScenarios } from './written.js';

const { usable, unusable, label } = await backends();

/** Written scenarios by area: the part of the name before the first dot. */
function areas(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of writtenScenarios()) {
    const area = s.name.split('.')[0]!;
    if (!out.has(area)) out.set(area, []);
    out.get(area)!.push(s.name);
  }
  return out;
}

describe('CPython differential', function () {
  this.timeout(180_000);
  let p: Prepared;
  let mod: SocketModule;
  const byName = new Map<string, number>();

  before(function () {
    p = prepare(CI_SEED, DEFAULT_RANDOM);
    p.written.forEach((s, i) => byName.set(s.name, i));
    // Starts CPython on each backend's own random variants now, beside the rest.
    for (const b of usable) randomFor(p, b);
  });

  it('loads socket-compat and has a backend to run on', async function () {
    const m = await loadSocketCompat();
    expect(m, 'socket-compat').to.not.be.a('string');
    mod = m as SocketModule;
    expect(usable, `no usable backend: ${unusable.map((b) => `${b.name}: ${b.why}`).join('; ')}`).to.not.be.empty;
  });

  for (const backend of usable) {
    describe(`backend ${label(backend)}`, function () {
      before(async function () {
        if (typeof mod !== 'object') skipBecause(this, 'socket-compat did not load (the first test says why)');
        await useBackend(backend);
      });
      after(() => closeBackend());

      for (const [area, names] of areas()) {
        it(`${area}: ${names.length} written scenarios match CPython`, async function () {
          const scenarios: Scenario[] = names.map((n) => p.written[byName.get(n)!]!);
          const ts = await runTsAll(scenarios, mod, p.features, stopRules(p.intended, backend));
          const all = await p.pythonWritten;
          const py = names.map((n) => all[byName.get(n)!]!);
          const diffs = compareAll(scenarios, py, ts, backend, p.intended).flatMap((c) => c.diffs);
          expect(diffs.length, `differences from CPython:\n${diffs.map(formatDiff).join('\n')}`).to.equal(0);
        });
      }

      it(`${DEFAULT_RANDOM} random scenarios (seed ${CI_SEED}) match CPython`, async function () {
        const mine = randomFor(p, backend);
        const scenarios = mine.scenarios;
        const ts = await runTsAll(scenarios, mod, p.features, stopRules(p.intended, backend));
        const py = await mine.python;
        const comps = compareAll(scenarios, py, ts, backend, p.intended);
        const failing = comps.map((c, i) => (c.diffs.length > 0 ? i : -1)).filter((i) => i >= 0);
        if (failing.length === 0) return;
        const first = p.random[failing[0]!]!;
        const small = await shrink(first.scenario.name, first.actions, mod, p.features, backend, p.intended);
        const report = [
          `${failing.length} of ${scenarios.length} random scenarios differ from CPython (seed ${CI_SEED}).`,
          `Minimal reproduction of ${first.scenario.name}:`,
          scenarioJson(small.scenario),
          ...small.diffs.map(formatDiff),
        ].join('\n');
        expect.fail(report);
      });
    });
  }
});
