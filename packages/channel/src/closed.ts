import { ValueError } from '@stackless-io/runtime';

/** The error Stackless raises for an operation that would block on a closed channel. */
export function closedError(): ValueError {
  return new ValueError('send/receive operation on a closed channel');
}
