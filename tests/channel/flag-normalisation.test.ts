// Stackless stores only the sign of an integer preference (a bool is an int
// in Python) and any non-zero scheduleAll as on.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';

describe('channel: preference and scheduleAll take integers and booleans', () => {
  it('preference stores the sign: true -> 1, false -> 0, 5 -> 1, -2 -> -1', () => {
    const ch = new Channel<number>();
    const cases: [number | boolean, number][] = [[true, 1], [false, 0], [5, 1], [-2, -1], [0, 0], [1, 1], [-1, -1]];
    for (const [value, stored] of cases) {
      ch.preference = value as never;
      expect(ch.preference, String(value)).to.equal(stored);
    }
  });

  it('scheduleAll stores any non-zero integer as on', () => {
    const ch = new Channel<number>();
    for (const [value, stored] of [[-1, true], [2, true], [0, false], [true, true], [false, false]] as const) {
      ch.scheduleAll = value;
      expect(ch.scheduleAll, String(value)).to.equal(stored);
    }
  });

  it('non-integers raise TypeError and change nothing', () => {
    const ch = new Channel<number>();
    ch.preference = 1;
    ch.scheduleAll = true;
    for (const bad of [0.5, NaN, Infinity, '1', null, undefined, {}]) {
      expect(() => {
        ch.preference = bad as never;
      }, String(bad)).to.throw(TypeError);
      expect(() => {
        ch.scheduleAll = bad as never;
      }, String(bad)).to.throw(TypeError);
    }
    expect(ch.preference).to.equal(1);
    expect(ch.scheduleAll).to.equal(true);
  });
});
