import type { TaskletCore, WaitGroup, WaitNode } from '@stackless-io/runtime/internal';

/**
 * A select's wait node: one per case, all pointing back at the select
 * through `wgroup`. Plain operations need none (the tasklet's core is its
 * own node).
 */
export class Waiter implements WaitNode {
  qnext: WaitNode | null = null;
  qprev: WaitNode | null = null;
  wvalue: unknown;
  wIsError = false;
  constructor(
    readonly wcore: TaskletCore,
    public wdir: 1 | -1,
    value: unknown,
    readonly wgroup: WaitGroup,
    readonly windex: number,
  ) {
    this.wvalue = value;
  }
}
