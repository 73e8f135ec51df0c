// A small reference model of Stackless scheduling and channels, written
// from the Stackless documentation (channels.rst, tasklets.rst) and the
// comments of its channelobject.c / scheduling.c, independently of the
// runtime under test. It interprets a Program directly: no generators, no
// shared code with packages/*.
//
// The rules it encodes:
//   - The run queue is FIFO; the running tasklet is not in it. Tasklets are
//     inserted at the end when created; run() takes them from the front.
//   - schedule(): the caller goes to the end of the run queue.
//   - A send (dir +1) or receive (dir -1) with no waiting peer blocks the
//     caller in the channel queue (balance += dir), unless the channel is
//     closing: then it raises ValueError and the caller goes on.
//   - With a peer (the first in the channel queue) the value (or exception)
//     crosses, balance moves back by one, and then:
//       schedule_all     peer to the end of the run queue, then the caller;
//                        the caller switches away;
//       preference==-dir the peer runs at once (front of the run queue), the
//                        caller goes behind the runnable ones (end);
//       otherwise        the peer goes to the end, the caller goes on.
//   - kill(t): a dead tasklet: nothing happens. One that never ran: it just
//     dies (its function never runs), the caller goes on. Otherwise it
//     leaves the channel it waits on (balance follows), and becomes current
//     at once, the caller staying runnable: Stackless rotates its ring of
//     runnables so that the target is its head (the tasklets behind the
//     target keep their order, the caller follows them, then the ones that
//     stood between caller and target); a target outside the ring is put in
//     front of the caller. The target raises TaskletExit and dies.
import { describeAction, excMessage, type Outcome, type Program } from './program.js';

/** What a blocked or switched-away tasklet gets when it resumes. */
type Resume = { kind: 'ok' } | { kind: 'value'; value: number } | { kind: 'error'; text: string };

interface MTasklet {
  id: number;
  pc: number;
  started: boolean;
  done: boolean;
  killPending: boolean;
  /** The channel it waits on, or -1. */
  waitingOn: number;
  resume: Resume;
}

interface MWaiter {
  t: MTasklet;
  dir: 1 | -1;
  /** What a waiting sender offers. */
  offer: Resume;
}

interface MChannel {
  preference: -1 | 0 | 1;
  scheduleAll: boolean;
  closing: boolean;
  balance: number;
  queue: MWaiter[];
}

function resultText(r: Resume): string {
  switch (r.kind) {
    case 'ok':
      return 'ok';
    case 'value':
      return `got ${r.value}`;
    case 'error':
      return `raised ${r.text}`;
  }
}

const CLOSED = 'ValueError';

/** Runs `p` on the model and reports what the real runtime must report. */
export function runModel(p: Program): Outcome {
  const trace: string[] = [];
  const ts: MTasklet[] = p.tasklets.map((_, id) => ({
    id,
    pc: 0,
    started: false,
    done: false,
    killPending: false,
    waitingOn: -1,
    resume: { kind: 'ok' },
  }));
  const chans: MChannel[] = p.channels.map((c) => ({
    preference: c.preference,
    scheduleAll: c.scheduleAll,
    closing: false,
    balance: 0,
    queue: [],
  }));
  let runq: MTasklet[] = [...ts];

  const log = (t: MTasklet, text: string): void => {
    trace.push(`t${t.id} ${text}`);
  };

  /**
   * The rendezvous rules once a peer has been taken off the channel queue.
   * Returns true when the caller switches away (it is then in the run queue).
   */
  function afterRendezvous(ch: MChannel, dir: 1 | -1, cur: MTasklet, peer: MTasklet): boolean {
    if (ch.scheduleAll) {
      runq.push(peer, cur);
      return true;
    }
    if (ch.preference === -dir) {
      runq.push(cur);
      runq.unshift(peer);
      return true;
    }
    runq.push(peer);
    return false;
  }

  /**
   * Performs one action of `cur`. Returns the result when the action
   * finished at once, or null when `cur` switched away or blocked (its
   * result is then in cur.resume, or comes with the peer).
   */
  function perform(cur: MTasklet, n: number): Resume | null {
    const a = (p.tasklets[cur.id] as Program['tasklets'][number])[n]!;
    switch (a.kind) {
      case 'sched':
        cur.resume = { kind: 'ok' };
        runq.push(cur);
        return null;
      case 'close':
        chans[a.ch]!.closing = true;
        return { kind: 'ok' };
      case 'open':
        chans[a.ch]!.closing = false;
        return { kind: 'ok' };
      case 'send':
      case 'exc': {
        const ch = chans[a.ch]!;
        const offer: Resume =
          a.kind === 'send' ? { kind: 'value', value: a.value } : { kind: 'error', text: `ProgErr(${excMessage(cur.id, n)})` };
        if (ch.balance < 0) {
          const w = ch.queue.shift()!;
          ch.balance -= w.dir;
          w.t.waitingOn = -1;
          w.t.resume = offer;
          if (afterRendezvous(ch, 1, cur, w.t)) {
            cur.resume = { kind: 'ok' };
            return null;
          }
          return { kind: 'ok' };
        }
        if (ch.closing) return { kind: 'error', text: CLOSED };
        ch.queue.push({ t: cur, dir: 1, offer });
        ch.balance += 1;
        cur.waitingOn = a.ch;
        return null;
      }
      case 'recv': {
        const ch = chans[a.ch]!;
        if (ch.balance > 0) {
          const w = ch.queue.shift()!;
          ch.balance -= w.dir;
          w.t.waitingOn = -1;
          w.t.resume = { kind: 'ok' };
          if (afterRendezvous(ch, -1, cur, w.t)) {
            cur.resume = w.offer;
            return null;
          }
          return w.offer;
        }
        if (ch.closing) return { kind: 'error', text: CLOSED };
        ch.queue.push({ t: cur, dir: -1, offer: { kind: 'ok' } });
        ch.balance -= 1;
        cur.waitingOn = a.ch;
        return null;
      }
      case 'kill': {
        const target = ts[a.target]!;
        if (target.done) return { kind: 'ok' };
        if (!target.started) {
          runq = runq.filter((t) => t !== target);
          target.done = true;
          return { kind: 'ok' };
        }
        if (target.waitingOn >= 0) {
          const ch = chans[target.waitingOn]!;
          const i = ch.queue.findIndex((w) => w.t === target);
          ch.balance -= ch.queue[i]!.dir;
          ch.queue.splice(i, 1);
          target.waitingOn = -1;
        }
        target.killPending = true;
        cur.resume = { kind: 'ok' };
        const i = runq.indexOf(target);
        runq = i >= 0 ? [target, ...runq.slice(i + 1), cur, ...runq.slice(0, i)] : [target, cur, ...runq];
        return null;
      }
    }
  }

  /** Runs `t` from where it stopped until it switches away, blocks or ends. */
  function step(t: MTasklet): void {
    const actions = p.tasklets[t.id]!;
    if (t.started) {
      if (t.killPending) {
        log(t, 'killed');
        t.done = true;
        return;
      }
      // It stopped inside action t.pc: that action now returns.
      log(t, `-> ${resultText(t.resume)}`);
      t.pc++;
    }
    t.started = true;
    while (t.pc < actions.length) {
      log(t, describeAction(actions[t.pc]!));
      const r = perform(t, t.pc);
      if (r === null) return;
      log(t, `-> ${resultText(r)}`);
      t.pc++;
    }
    log(t, 'end');
    t.done = true;
  }

  for (let t = runq.shift(); t !== undefined; t = runq.shift()) step(t);

  return {
    trace,
    balances: chans.map((c) => c.balance),
    queues: chans.map((c) => c.queue.map((w) => w.t.id)),
    alive: ts.filter((t) => !t.done).map((t) => t.id),
  };
}
