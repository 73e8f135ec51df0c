// Runs a Program on the real runtime (@stackless-io/runtime + channel) and
// reports the same Outcome as the reference model.
import { liveTasklets, run, schedule, stats, tasklet, TaskletExit, type Tasklet, type TaskletGenerator } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';
import { describeAction, excMessage, type Outcome, type Program } from './program.js';

/** What the runtime itself counted when run() returned, before the cleanup. */
export interface RuntimeCounts {
  alive: number;
  runnable: number;
  timers: number;
}

/** The exception class that sendException actions send. */
export class ProgErr extends Error {
  override name = 'ProgErr';
}

function errorText(e: unknown): string {
  if (e instanceof ProgErr) return `ProgErr(${e.message})`;
  if (e instanceof Error) return e.name;
  return `non-error ${String(e)}`;
}

/** Kills whatever is alive and drains the run queue, so that each run starts from nothing. */
export function resetRuntime(): void {
  for (let round = 0; round < 5 && liveTasklets().length > 0; round++) {
    for (const t of liveTasklets()) t.kill();
    run();
  }
}

/**
 * Runs `p` on the runtime; the outcome, and the runtime's own counts taken
 * when run() returned (cleanup then kills what is left).
 */
export function runReal(p: Program): { outcome: Outcome; counts: RuntimeCounts } {
  resetRuntime();
  const chans = p.channels.map((spec) => {
    const ch = new Channel<number>();
    ch.preference = spec.preference;
    ch.scheduleAll = spec.scheduleAll;
    return ch;
  });
  const trace: string[] = [];
  const ts: Tasklet<[], void>[] = [];
  p.tasklets.forEach((actions, i) => {
    const log = (text: string): void => {
      trace.push(`t${i} ${text}`);
    };
    function* body(): TaskletGenerator<void> {
      try {
        for (let n = 0; n < actions.length; n++) {
          const a = actions[n]!;
          log(describeAction(a));
          try {
            switch (a.kind) {
              case 'send':
                yield* chans[a.ch]!.send(a.value);
                log('-> ok');
                break;
              case 'recv':
                log(`-> got ${yield* chans[a.ch]!.receive()}`);
                break;
              case 'exc':
                yield* chans[a.ch]!.sendException(ProgErr, excMessage(i, n));
                log('-> ok');
                break;
              case 'sched':
                yield* schedule();
                log('-> ok');
                break;
              case 'kill':
                yield* ts[a.target]!.kill();
                log('-> ok');
                break;
              case 'close':
                chans[a.ch]!.close();
                log('-> ok');
                break;
              case 'open':
                chans[a.ch]!.open();
                log('-> ok');
                break;
            }
          } catch (e) {
            if (e instanceof TaskletExit) throw e;
            log(`-> raised ${errorText(e)}`);
          }
        }
        log('end');
      } catch (e) {
        if (e instanceof TaskletExit) log('killed');
        throw e;
      }
    }
    ts.push(tasklet(body, `t${i}`)());
  });
  try {
    run();
    const s = stats();
    return {
      outcome: {
        trace: [...trace],
        balances: chans.map((c) => c.balance),
        queues: chans.map((c) => c.waiting().map((t) => ts.indexOf(t as Tasklet<[], void>))),
        alive: ts.flatMap((t, i) => (t.alive ? [i] : [])),
      },
      counts: { alive: s.alive, runnable: s.runnable, timers: s.timers },
    };
  } finally {
    resetRuntime();
  }
}
