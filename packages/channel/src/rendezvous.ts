/**
 * The heart of a channel: a tasklet meets the first waiter of the other side,
 * the value crosses, and the channel's preference decides who runs next.
 * Mirrors the order Stackless documents:
 *   - schedule_all: the peer goes to the end of the run queue, and so does the
 *     caller (every channel action schedules);
 *   - preference == -dir (the peer's side is preferred): the peer runs at
 *     once, the caller stays runnable behind the tasklets already waiting;
 *   - otherwise the peer goes to the end of the run queue and the caller
 *     goes on without a switch.
 */
import { refuseSwitch, S, type TaskletCore } from '@stackless-io/runtime/internal';
import type { Channel } from './channel.js';

/** What a receiver took without blocking. Module scratch, so the hot path allocates nothing. */
export const taken = { value: undefined as unknown, isError: false };

/**
 * Performs a rendezvous for the current tasklet `cur` with the first waiter
 * on `ch`. `dir` is +1 (cur sends `value`) or -1 (cur receives: the value is
 * left in {@link taken}). Returns true when `cur` must suspend (it has been
 * re-queued), false when it goes on.
 */
export function rendezvous(ch: Channel<unknown>, dir: 1 | -1, cur: TaskletCore, value: unknown, isError: boolean): boolean {
  const peer = ch._dequeue(dir > 0 ? -1 : 1);
  const pc = peer.wcore;
  pc.blocker = null;
  if (dir > 0) {
    if (peer.wgroup !== null) peer.wgroup.settle(peer, value, isError);
    else if (isError) {
      pc.pendingError = value;
      pc.hasPendingError = true;
    } else pc.tempval = value;
  } else {
    taken.value = peer.wvalue;
    taken.isError = peer.wIsError;
    peer.wvalue = undefined;
    if (peer.wgroup !== null) peer.wgroup.settle(peer, undefined, false);
  }
  const runq = S.runq;
  if (ch._scheduleAll) {
    pc.inQueue = true;
    runq.push(pc);
    cur.inQueue = true;
    runq.push(cur);
    return true;
  }
  if (ch.preference === -dir) {
    cur.inQueue = true;
    runq.push(cur);
    pc.inQueue = true;
    runq.unshift(pc);
    return true;
  }
  pc.inQueue = true;
  runq.push(pc);
  return false;
}

/**
 * Inside a switch trap, a rendezvous that would switch (the peer's side is
 * preferred, or schedule_all) raises before the value crosses, as Stackless
 * refuses the switch and leaves both sides waiting as they were.
 */
export function refuseTrappedRendezvous(ch: Channel<unknown>, dir: 1 | -1): void {
  if (ch._scheduleAll || ch.preference === -dir) refuseSwitch();
}

/** A receiver that took a value but must switch gets it at its resumption. */
export function handOver(cur: TaskletCore): void {
  if (taken.isError) {
    cur.pendingError = taken.value;
    cur.hasPendingError = true;
  } else cur.tempval = taken.value;
  taken.value = undefined;
}
