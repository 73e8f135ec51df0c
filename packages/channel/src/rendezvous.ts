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
 *
 * The send and the receive each have their own function ({@link giveTo},
 * {@link takeFrom}), so the plain operations, the hot path, test no
 * direction and pass the value straight through; {@link rendezvous} serves
 * select, which handles both directions through one call.
 */
import { refuseSwitch, S as importedS, type TaskletCore, type WaitNode } from '@stackless-io/runtime/internal';
import type { Channel } from './channel.js';

// A module-level const, not the import, for the reason ops.ts gives.
const S = importedS;

/** What a receiver took in {@link rendezvous}. Module scratch, so select's path allocates nothing for it. */
export const taken = { value: undefined as unknown, isError: false };

/**
 * Makes the peer `pc` runnable after a rendezvous of `cur` going direction
 * `dir`, as the channel's flags say. Returns true when `cur` must suspend
 * (it has been re-queued), false when it goes on.
 */
function schedulePeer(ch: Channel<unknown>, dir: 1 | -1, cur: TaskletCore, pc: TaskletCore): boolean {
  const runq = S.runq;
  pc.inQueue = true;
  if (ch._scheduleAll) {
    runq.push(pc);
    cur.inQueue = true;
    runq.push(cur);
    return true;
  }
  if (ch._preference === -dir) {
    cur.inQueue = true;
    runq.push(cur);
    runq.unshift(pc);
    return true;
  }
  runq.push(pc);
  return false;
}

/**
 * The current tasklet `cur` sends `value` (or the error the receiver raises)
 * to the first receiver waiting on `ch` (one must wait). Returns true when
 * `cur` must suspend.
 */
export function giveTo(ch: Channel<unknown>, cur: TaskletCore, value: unknown, isError: boolean): boolean {
  const peer = ch._dequeue(-1);
  const pc = peer.wcore;
  pc.blocker = null;
  if (peer.wgroup !== null) peer.wgroup.settle(peer, value, isError);
  else if (isError) {
    pc.pendingError = value;
    pc.hasPendingError = true;
  } else pc.tempval = value;
  return schedulePeer(ch, 1, cur, pc);
}

/**
 * The current tasklet `cur` receives from the first sender waiting on `ch`
 * (one must wait): the sender's node is returned with its offer still in
 * it, and the caller takes it out (wvalue, wIsError) before the node is
 * used again; then {@link takeDone} schedules. Split in two so the value
 * travels in locals, not through a scratch object.
 */
export function takeFrom(ch: Channel<unknown>): WaitNode {
  const peer = ch._dequeue(1);
  peer.wcore.blocker = null;
  return peer;
}

/** Ends a receive that {@link takeFrom} began; true when `cur` must suspend. */
export function takeDone(ch: Channel<unknown>, cur: TaskletCore, peer: WaitNode): boolean {
  peer.wvalue = undefined;
  if (peer.wgroup !== null) peer.wgroup.settle(peer, undefined, false);
  return schedulePeer(ch, -1, cur, peer.wcore);
}

/**
 * Performs a rendezvous for the current tasklet `cur` with the first waiter
 * on `ch`. `dir` is +1 (cur sends `value`) or -1 (cur receives: the value is
 * left in {@link taken}). Returns true when `cur` must suspend (it has been
 * re-queued), false when it goes on.
 */
export function rendezvous(ch: Channel<unknown>, dir: 1 | -1, cur: TaskletCore, value: unknown, isError: boolean): boolean {
  if (dir > 0) return giveTo(ch, cur, value, isError);
  const peer = takeFrom(ch);
  taken.value = peer.wvalue;
  taken.isError = peer.wIsError;
  return takeDone(ch, cur, peer);
}

/**
 * Inside a switch trap, a rendezvous that would switch (the peer's side is
 * preferred, or schedule_all) raises before the value crosses, as Stackless
 * refuses the switch and leaves both sides waiting as they were.
 */
export function refuseTrappedRendezvous(ch: Channel<unknown>, dir: 1 | -1): void {
  if (ch._scheduleAll || ch._preference === -dir) refuseSwitch();
}

/** A receiver that took a value but must switch gets it at its resumption. */
export function handOver(cur: TaskletCore): void {
  if (taken.isError) {
    cur.pendingError = taken.value;
    cur.hasPendingError = true;
  } else cur.tempval = taken.value;
  taken.value = undefined;
}
