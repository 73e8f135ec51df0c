/**
 * Stackless channels for tasklets: unbuffered rendezvous with `balance`,
 * `preference`, `scheduleAll`, `sendException`, `sendSequence`, blocking
 * iteration and `close`, plus a typed `select` over several channels.
 *
 * @packageDocumentation
 */
export { Channel } from './channel.js';
export { select, type SelectResult, type SelectOptions, type CaseValue } from './select.js';
export { RecvCase, SendCase, type SelectCase } from './select-case.js';
