/**
 * How Node's loop drives the backend: a libuv poll watch on the shim's
 * poller fd (epoll, kqueue) runs a round (the backend's `wake` function) when
 * the fd is readable; a shim whose kernel object is no pollable fd (an IO
 * completion port) refuses that mode with EINVAL and gets the other one, a
 * waiter thread that wakes the loop with uv_async_send. The watch keeps the
 * process alive only while it is ref'd, which the backend makes it exactly
 * while requests are pending.
 */
import { constants } from 'node:os';
import { WatchMode } from './abi.js';
import { ShimError, type Shim } from './shim.js';

/** The watch of one shim, its ref, and the settle step the backend runs after a run of JS. */
export class LoopWatch {
  private readonly shim: Shim;
  private readonly settle: () => void;
  private refd_ = false;
  private settleQueued = false;

  /** The way Node's loop learns that the shim has work (UV_POLL, else THREAD). */
  readonly mode: number;

  /**
   * Watches the shim: `wake` runs when it has work, `settle` after a run of
   * JS in which note() was called. Starts unref'd.
   */
  constructor(shim: Shim, wake: () => void, settle: () => void) {
    this.shim = shim;
    this.settle = settle;
    const onReady = (): void => {
      try {
        wake();
      } catch (e) {
        // The caller is native code, which must not see our errors; they
        // still reach Node.
        process.nextTick(() => {
          throw e;
        });
      }
    };
    let mode: number = WatchMode.UV_POLL;
    try {
      shim.watch(WatchMode.UV_POLL, onReady);
    } catch (e) {
      // No fd libuv could poll: the shim's own waiter thread instead.
      if (!(e instanceof ShimError) || e.errno !== constants.errno.EINVAL) throw e;
      mode = WatchMode.THREAD;
      shim.watch(WatchMode.THREAD, onReady);
    }
    this.mode = mode;
    // Idle until a request is pending: an idle backend keeps no process alive.
    shim.ref(false);
  }

  /** True while the watch keeps the process alive. */
  get refd(): boolean {
    return this.refd_;
  }

  /** Refs or unrefs the watch; an FFI call only when that changes it. */
  ref(on: boolean): void {
    if (on !== this.refd_) {
      this.refd_ = on;
      this.shim.ref(on);
    }
  }

  /**
   * Runs `settle` once the current run of JS (the scheduler's rounds) is
   * over, however often it is called meanwhile: one microtask per
   * scheduler turn.
   */
  note(): void {
    if (this.settleQueued) return;
    this.settleQueued = true;
    queueMicrotask(this.run);
  }

  private readonly run = (): void => {
    this.settleQueued = false;
    this.settle();
  };
}
