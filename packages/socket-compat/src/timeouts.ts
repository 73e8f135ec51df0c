/**
 * The module-wide default timeout that new sockets start with
 * (getdefaulttimeout/setdefaulttimeout). null: new sockets block; 0: they are
 * non-blocking; > 0: their operations raise `timeout` after that many seconds.
 */
import { toTimeout } from './pyargs.js';
import { cExact, cOne } from './arity.js';

let defaultTimeout: number | null = null;

/** The timeout new sockets get, in seconds (null: none, they block). */
export function getdefaulttimeout(): number | null {
  cExact('_socket.getdefaulttimeout', arguments.length, 0);
  return defaultTimeout;
}

/**
 * Sets the timeout new sockets get (null: none). Sockets that exist keep
 * theirs. Raises ValueError for a negative value, as CPython does.
 *
 * @example
 * ```ts
 * setdefaulttimeout(5); // every new socket gives up after 5 s
 * ```
 */
export function setdefaulttimeout(timeout: number | null): void {
  cOne('_socket.setdefaulttimeout', arguments.length);
  defaultTimeout = toTimeout(timeout);
}
