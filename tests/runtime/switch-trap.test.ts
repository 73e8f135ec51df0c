// switchTrap(change): Stackless' switch_trap. While the level is non-zero,
// a switch to another tasklet raises RuntimeError('switch_trap') in the
// caller and changes nothing; the watchdog does not interrupt meanwhile.
import { expect } from 'chai';
import { Channel, select } from '@stackless-io/channel';
import { block, nestedRun, run, RuntimeError, schedule, setChannelCallback, sleep, switchTrap, tasklet, waitFor } from '@stackless-io/runtime';

/** Runs `body` with the trap set, and proves the level is back to 0 afterwards. */
function trapped(body: () => void): void {
  expect(switchTrap(1)).to.equal(0);
  try {
    body();
  } finally {
    expect(switchTrap(-1)).to.equal(1);
  }
}

describe('runtime: switchTrap()', () => {
  it('adds to the level and returns the old one; no argument reads it; a boolean counts as 1 or 0', () => {
    expect(switchTrap()).to.equal(0);
    expect(switchTrap(2)).to.equal(0);
    expect(switchTrap(true)).to.equal(2);
    expect(switchTrap(false)).to.equal(3);
    expect(switchTrap(-3)).to.equal(3);
    expect(switchTrap(0)).to.equal(0);
  });

  it('rejects what is not an integer with TypeError, and a level beyond exact counting with RangeError', () => {
    for (const bad of [1.5, NaN, Infinity, '1', null, {}, 1n]) {
      expect(() => switchTrap(bad as never), String(bad)).to.throw(TypeError);
    }
    expect(() => switchTrap(Number.MAX_SAFE_INTEGER + 1)).to.throw(RangeError);
    expect(switchTrap()).to.equal(0);
  });

  it('a negative level traps too (any non-zero level does, as in Stackless)', () => {
    tasklet(function* () {})();
    switchTrap(-1);
    try {
      expect(() => run()).to.throw(RuntimeError, 'switch_trap');
    } finally {
      switchTrap(1);
    }
    run();
  });

  it('inside a tasklet: blocking on a channel, sleep and select raise; the tasklet catches it and goes on', () => {
    const c = new Channel<number>();
    const seen: string[] = [];
    const t = tasklet(function* () {
      switchTrap(1);
      try {
        for (const [name, op] of [
          ['receive', () => c.receive()],
          ['sleep', () => sleep(0.01)],
          ['select', () => select([c.recvCase()])],
          ['nestedRun', () => nestedRun()],
          ['waitFor', () => waitFor(Promise.resolve(1))],
        ] as const) {
          try {
            yield* op();
          } catch (e) {
            if (e instanceof RuntimeError && e.message === 'switch_trap') seen.push(name);
          }
        }
        // sleep(0) and schedule() with nothing else runnable are no switch.
        yield* sleep(0);
        yield* schedule();
      } finally {
        switchTrap(-1);
      }
      return yield* c.receive();
    })();
    run();
    expect(seen).to.deep.equal(['receive', 'sleep', 'select', 'nestedRun', 'waitFor']);
    expect(c.balance).to.equal(-1);
    block(c.send(7));
    expect(t.alive).to.equal(false);
  });

  it('a rendezvous that does not switch (preference 0) is allowed; one that would is refused with nothing sent', () => {
    const c = new Channel<number>();
    const got: number[] = [];
    const r = tasklet(function* () {
      for (;;) got.push(yield* c.receive());
    })();
    run();
    trapped(() => {
      expect(() => block(c.send(1))).to.throw(RuntimeError, 'switch_trap');
      expect(c.balance).to.equal(-1);
      c.preference = 0;
      block(c.send(2)); // the receiver is only made runnable
    });
    run();
    expect(got).to.deep.equal([2]);
    c.preference = -1;
    block(c.send(3));
    expect(got).to.deep.equal([2, 3]);
    r.kill();
  });

  it('a channel callback and the trap share the channels\' slow path: the trap alone still refuses once the callback is removed, the callback alone still runs once the trap is lifted', () => {
    const c = new Channel<number>();
    const seen: boolean[] = [];
    const r = tasklet(function* () {
      yield* c.receive();
    })();
    run();
    setChannelCallback((_ch, _t, sending) => seen.push(sending));
    try {
      trapped(() => {
        expect(setChannelCallback(null)).to.be.a('function');
        expect(() => block(c.send(1))).to.throw(RuntimeError, 'switch_trap');
        setChannelCallback((_ch, _t, sending) => seen.push(sending));
      });
      // The trap is gone, the callback stays: the send goes through.
      block(c.send(2));
    } finally {
      setChannelCallback(null);
    }
    expect(seen).to.deep.equal([true]);
    expect(r.alive).to.equal(false);
  });

    it('raising with { pending: true } is no switch and is allowed; raising at once is refused and leaves the target waiting', () => {
    const c = new Channel<number>();
    const t = tasklet(function* () {
      yield* c.receive();
    })();
    run();
    trapped(() => {
      expect(() => block(t.throw(new RangeError('now')))).to.throw(RuntimeError, 'switch_trap');
      expect(t.blocked).to.equal(true);
      block(t.kill({ pending: true }));
      expect(t.scheduled).to.equal(true);
    });
    run();
    expect(t.alive).to.equal(false);
  });

    it('the watchdog does not interrupt a tasklet while the level is non-zero, and does once it is 0 again', () => {
    let turns = 0;
    const t = tasklet(function* () {
      switchTrap(1);
      for (let i = 0; i < 20; i++) {
        turns++;
        // The runnable queue is empty, so schedule() is no switch.
        yield* schedule();
      }
      switchTrap(-1);
      for (;;) {
        turns++;
        yield* schedule();
      }
    })();
    expect(run(5)).to.equal(t);
    expect(turns).to.be.at.least(21);
    t.kill();
  });
});
