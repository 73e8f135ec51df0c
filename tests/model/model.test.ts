// Model-based test: random channel programs run on the real runtime and on
// the reference model of Stackless (reference-model.ts) must produce the same
// trace and the same final state. fast-check prints the seed and the shrunk
// counterexample on failure; replay with { seed, path } in fc.assert.
import { expect } from 'chai';
import fc from 'fast-check';
import { stats } from '@stackless-io/runtime';
import type { Program } from './program.js';
import { programArb } from './program.js';
import { runModel } from './reference-model.js';
import { resetRuntime, runReal } from './real-runner.js';

describe('model: the reference model itself (hand-checked against the Stackless docs)', () => {
  it('preference -1: a sender to a waiting receiver lets it run at once and goes behind the runnable ones', () => {
    const p: Program = {
      channels: [{ preference: -1, scheduleAll: false }],
      tasklets: [[{ kind: 'recv', ch: 0 }], [{ kind: 'send', ch: 0, value: 1 }], [{ kind: 'sched' }]],
    };
    expect(runModel(p).trace).to.deep.equal([
      't0 receive on c0',
      't1 send 1 on c0',
      't0 -> got 1',
      't0 end',
      't2 schedule',
      't1 -> ok',
      't1 end',
      't2 -> ok',
      't2 end',
    ]);
  });

  it('preference 1: a receiver from a waiting sender lets it run at once', () => {
    const p: Program = {
      channels: [{ preference: 1, scheduleAll: false }],
      tasklets: [[{ kind: 'send', ch: 0, value: 5 }], [{ kind: 'recv', ch: 0 }]],
    };
    expect(runModel(p).trace).to.deep.equal(['t0 send 5 on c0', 't1 receive on c0', 't0 -> ok', 't0 end', 't1 -> got 5', 't1 end']);
  });

  it('kill of a waiting tasklet: it leaves the queue, runs at once to die, then the killer goes on', () => {
    const p: Program = {
      channels: [{ preference: -1, scheduleAll: false }],
      tasklets: [[{ kind: 'recv', ch: 0 }], [{ kind: 'kill', target: 0 }], [{ kind: 'sched' }]],
    };
    const out = runModel(p);
    expect(out.trace).to.deep.equal([
      't0 receive on c0',
      't1 kill t0',
      't0 killed',
      't1 -> ok',
      't1 end',
      't2 schedule',
      't2 -> ok',
      't2 end',
    ]);
    expect(out.balances).to.deep.equal([0]);
  });

  it('a closing channel refuses to queue, and the left-over waiters stay blocked', () => {
    const p: Program = {
      channels: [{ preference: 0, scheduleAll: false }],
      tasklets: [[{ kind: 'send', ch: 0, value: 1 }], [{ kind: 'close', ch: 0 }, { kind: 'send', ch: 0, value: 2 }]],
    };
    const out = runModel(p);
    expect(out.trace).to.deep.equal(['t0 send 1 on c0', 't1 close c0', 't1 -> ok', 't1 send 2 on c0', 't1 -> raised ValueError', 't1 end']);
    expect(out).to.deep.include({ balances: [1], queues: [[0]], alive: [0] });
  });
});

describe('model: random programs on the runtime and on the reference model', () => {
  afterEach(() => {
    // runReal cleans up after itself; this only matters when it threw.
    resetRuntime();
  });

  function agree(p: Program): void {
    const { outcome: real, counts } = runReal(p);
    const model = runModel(p);
    expect(real).to.deep.equal(model);
    // The runtime's own counts, read when run() returned (before cleanup):
    // exactly the tasklets the model leaves blocked are alive, none is
    // runnable, no timer is armed.
    expect(counts, "the runtime's counts when run() returned").to.deep.equal({ alive: model.alive.length, runnable: 0, timers: 0 });
    // And the cleanup between programs left nothing for the next one.
    expect(stats().alive, 'alive after cleanup').to.equal(0);
  }

  it('agree on the shrunk counterexamples found so far', () => {
    // A tasklet kills another that is still in the run queue and never ran.
    agree({
      channels: [{ preference: -1, scheduleAll: false }],
      tasklets: [[{ kind: 'kill', target: 1 }], []],
    });
  });

  it('agree on the trace, balances, channel queues and blocked tasklets: send, receive, sendException, schedule, close, open (1,000 programs)', () => {
    fc.assert(
      fc.property(programArb({ kills: false }), agree),
      { numRuns: 1000 },
    );
  });

  it('agree on the same with kill actions as well (1,000 programs)', () => {
    fc.assert(
      fc.property(programArb({ kills: true }), agree),
      { numRuns: 1000 },
    );
  });
});
