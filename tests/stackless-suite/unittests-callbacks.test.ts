// Stackless/unittests/test_chan_cb.py and test_sched_cb.py
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import {
  block,
  getChannelCallback,
  getcurrent,
  getmain,
  getScheduleCallback,
  run,
  schedule,
  setChannelCallback,
  setScheduleCallback,
  tasklet,
  type ChannelCallback,
  type Tasklet,
  type TaskletGenerator,
} from '@stackless-io/runtime';
import { notExpressible, test } from './suite.js';

type T = Tasklet<any[], any>;

/** The Python ChannelMonitor: records each call and the acting tasklet's tempval. */
function channelMonitor(): ChannelCallback & { history: unknown[][] } {
  const history: unknown[][] = [];
  const cb = ((channel: unknown, t: T, sending: boolean, willBlock: boolean) => {
    history.push([channel, t, sending, willBlock, t.tempval]);
  }) as ChannelCallback & { history: unknown[][] };
  cb.history = history;
  return cb;
}

describe('stackless-suite unittests: ChannelCallbackTestCase', () => {
  test('test0', () => {
    const chan = new Channel<number>();
    expect(getmain()).to.equal(getcurrent()); // main is the implicit sender
    tasklet(function* (ch: Channel<number>) {
      yield* ch.receive();
    })(chan);
    const mon = channelMonitor();
    setChannelCallback(mon);
    try {
      block(chan.send(42));
    } finally {
      setChannelCallback(null);
    }
    expect(mon.history[0]?.[4]).to.equal(42);
  });

  test('testGetCallback', () => {
    const mon = channelMonitor();
    expect(getChannelCallback()).to.equal(null);
    expect(setChannelCallback(mon)).to.equal(null);
    expect(getChannelCallback()).to.equal(mon);
    expect(setChannelCallback(null)).to.equal(mon);
    expect(getChannelCallback()).to.equal(null);
  });
});

/** The Python SchedulingMonitor: counts calls. */
function schedulingMonitor(): (() => void) & { count: number } {
  const mon = (() => {
    mon.count++;
  }) as (() => void) & { count: number };
  mon.count = 0;
  return mon;
}

/** _teststackless.test_cframe(n): a C function that schedules n times; a generator here. */
function* testCframe(n: number): TaskletGenerator<void> {
  for (let i = 0; i < n; i++) yield* schedule();
}

describe('stackless-suite unittests: SchedulingCallbackTestCase', () => {
  afterEach(() => setScheduleCallback(null));

  test('test0', () => {
    const mon1 = schedulingMonitor();
    setScheduleCallback(mon1);
    tasklet(testCframe)(3);
    tasklet(testCframe)(3);
    expect(mon1.count).to.equal(0);
    run();
    expect(mon1.count).to.be.at.least(2 * 3);
  });

  test('test1', () => {
    const n = 2;
    const mon1 = schedulingMonitor();
    setScheduleCallback(mon1);
    for (let i = 0; i < n; i++) tasklet(testCframe)(3);
    expect(mon1.count).to.equal(0);
    run();
    const c1 = mon1.count;
    expect(c1).to.be.at.least(n * 3);
    const mon2 = schedulingMonitor();
    setScheduleCallback(mon2);
    for (let i = 0; i < n; i++) tasklet(testCframe)(5);
    run();
    const c2 = mon2.count;
    expect(c2).to.be.at.least(n * 5);
    expect(mon1.count).to.equal(c1);
    expect(c2).to.be.greaterThan(c1);
    setScheduleCallback(null);
    for (let i = 0; i < n; i++) tasklet(testCframe)(7);
    run();
    expect(mon1.count).to.equal(c1);
    expect(mon2.count).to.equal(c2);
  });

  notExpressible(
    'test2currentWithPrevAndNext',
    'it checks sys.exc_info() and the C frames on the stack in the callback; JavaScript has no per-frame exception state and a suspended generator has no frame on the stack',
  );

  test('testGetCallback', () => {
    const mon = schedulingMonitor();
    expect(getScheduleCallback()).to.equal(null);
    expect(setScheduleCallback(mon)).to.equal(null);
    expect(getScheduleCallback()).to.equal(mon);
    expect(setScheduleCallback(null)).to.equal(mon);
    expect(getScheduleCallback()).to.equal(null);
  });
});
