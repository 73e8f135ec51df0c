// Random channel programs for the model-based test: their shape, a
// fast-check generator, and what a run of one must report.
import fc from 'fast-check';

/** One step of a tasklet's program. Channel and tasklet numbers are indexes into the program. */
export type Action =
  | { kind: 'send'; ch: number; value: number }
  | { kind: 'recv'; ch: number }
  | { kind: 'exc'; ch: number }
  | { kind: 'sched' }
  | { kind: 'kill'; target: number }
  | { kind: 'close'; ch: number }
  | { kind: 'open'; ch: number };

export interface ChannelSpec {
  preference: -1 | 0 | 1;
  scheduleAll: boolean;
}

export interface Program {
  channels: ChannelSpec[];
  /** tasklets[i] is the list of actions of tasklet i; all are started, in order, before run(). */
  tasklets: Action[][];
}

/**
 * What one run shows: the trace (each tasklet says what it starts, what it
 * got back or raised, when it ends or is killed), then the final state once
 * nothing is runnable.
 */
export interface Outcome {
  trace: string[];
  balances: number[];
  /** For each channel, the tasklets waiting on it, first to last. */
  queues: number[][];
  /** Tasklets still alive (all of them blocked on a channel, as nothing else can block here). */
  alive: number[];
}

/** The text a tasklet logs when it starts an action. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'send':
      return `send ${a.value} on c${a.ch}`;
    case 'recv':
      return `receive on c${a.ch}`;
    case 'exc':
      return `sendException on c${a.ch}`;
    case 'sched':
      return 'schedule';
    case 'kill':
      return `kill t${a.target}`;
    case 'close':
      return `close c${a.ch}`;
    case 'open':
      return `open c${a.ch}`;
  }
}

/** The message of the exception that action `n` of tasklet `i` sends, so the trace shows which one arrived. */
export function excMessage(i: number, n: number): string {
  return `from t${i} action ${n}`;
}

function actionArb(self: number, nTasklets: number, nChannels: number, kills: boolean): fc.Arbitrary<Action> {
  const ch = fc.integer({ min: 0, max: nChannels - 1 });
  const other = fc.integer({ min: 0, max: nTasklets - 2 }).map((x) => (x >= self ? x + 1 : x));
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('send' as const), ch, value: fc.integer({ min: 0, max: 999 }) }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('recv' as const), ch }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('exc' as const), ch }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'sched' as const }) },
    { weight: kills ? 2 : 0, arbitrary: fc.record({ kind: fc.constant('kill' as const), target: other }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), ch }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('open' as const), ch }) },
  );
}

const channelSpecArb: fc.Arbitrary<ChannelSpec> = fc.record({
  preference: fc.constantFrom(-1 as const, 0 as const, 1 as const),
  scheduleAll: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/**
 * Programs of 2–5 tasklets, each with 0–8 actions, over 1–3 channels.
 * `kills: false` leaves out kill actions, so that channel semantics are
 * checked on their own even while something is wrong with kill.
 */
export function programArb(options: { kills: boolean }): fc.Arbitrary<Program> {
  return fc
    .record({
      nTasklets: fc.integer({ min: 2, max: 5 }),
      // Fewer channels mean more rendezvous; three still appear often.
      nChannels: fc.oneof({ weight: 2, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constant(3) }),
    })
    .chain(({ nTasklets, nChannels }) =>
      fc.record({
        channels: fc.array(channelSpecArb, { minLength: nChannels, maxLength: nChannels }),
        tasklets: fc.tuple(
          ...Array.from({ length: nTasklets }, (_, i) =>
            fc.array(actionArb(i, nTasklets, nChannels, options.kills), { maxLength: 8 }),
          ),
        ),
      }),
    );
}
