// Shared pieces of the channel suites: a trace log, a way to start named
// tasklets, and a cleanup that runs only after a failed test so that one
// failure does not make the root leak hook abort the rest of the run.
import { expect } from 'chai';
import {
  liveTasklets,
  run,
  setChannelCallback,
  setScheduleCallback,
  tasklet,
  type Tasklet,
  type TaskletGenerator,
} from '@stackless-io/runtime';
import type { Channel } from '@stackless-io/channel';

/** An ordered record of what the tasklets did, compared whole at the end of a test. */
export class Trace {
  readonly lines: string[] = [];
  add(line: string): void {
    this.lines.push(line);
  }
  /** Shorthand for `trace.add(...)`, handy inside tasklet bodies. */
  readonly log = (line: string): void => {
    this.lines.push(line);
  };
}

/** Creates a tasklet labelled `label` and inserts it into the run queue (it does not run yet). */
export function start(label: string, body: () => TaskletGenerator<unknown>): Tasklet<[], unknown> {
  return tasklet(body, label)();
}

/** Kills tasklets that a test left blocked on purpose, then runs whatever their deaths made runnable. */
export function killAndDrain(...ts: Tasklet<any[], any>[]): void {
  for (const t of ts) if (t.alive) t.kill();
  run();
}

/** The labels of the tasklets waiting on `ch`, first to last. */
export function waitingLabels(ch: Channel<any>): string[] {
  return ch.waiting().map((t) => t.label);
}

/** Asserts the balance and the queue of a channel at once, so a failure shows both. */
export function expectQueue(ch: Channel<any>, balance: number, labels: string[]): void {
  expect({ balance: ch.balance, waiting: waitingLabels(ch) }).to.deep.equal({ balance, waiting: labels });
}

/**
 * Registers, in the calling describe(), a hook that cleans up after a FAILED
 * test only: it removes callbacks and kills what the failed test left alive.
 * Passing tests are left alone, so the root hook still proves they leaked
 * nothing; a failing one is reported once, by its own assertion.
 */
export function cleanupAfterFailure(): void {
  afterEach(function (this: Mocha.Context) {
    if (this.currentTest?.state !== 'failed') return;
    setChannelCallback(null);
    setScheduleCallback(null);
    for (let round = 0; round < 5 && liveTasklets().length > 0; round++) {
      for (const t of liveTasklets()) {
        try {
          t.kill({ pending: false });
        } catch {
          // A tasklet that raises while dying is already part of the failure.
        }
      }
      try {
        run();
      } catch {
        // Same: the failure has been reported by the test itself.
      }
    }
  });
}
