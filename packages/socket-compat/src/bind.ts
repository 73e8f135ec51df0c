/**
 * socket.bind() once its arity is checked. A numeric host (or '',
 * '<broadcast>', or an AF_UNIX path) is bound at once; a host name needs
 * the resolver, so the bind becomes an operation that resolves it without
 * blocking the scheduler. Until that operation is run with `yield*`, the
 * socket's other calls raise an Error that says so (socket._fd()).
 */
import { completed, type Operation, type SockAddr, type TaskletGenerator } from '@stackless-io/runtime';
import { addressNow, addressOp, parseAddress, type AddressLike, type ParsedAddress } from './address.js';
import { check } from './check.js';
import type { socket } from './socket.js';

/** bind(address): an operation already finished for a numeric address, one to run for a host name. */
export function bind(sock: socket, address: AddressLike): Operation<void> {
  const p = parseAddress(sock._family, address, 'bind');
  const sa = addressNow(p, 'bind');
  if (sa !== null) {
    bindTo(sock, sa);
    return completed(undefined);
  }
  sock._unstartedBind = true;
  return bindLater(sock, p);
}

function* bindLater(sock: socket, p: ParsedAddress): TaskletGenerator<void> {
  sock._unstartedBind = false;
  bindTo(sock, yield* addressOp(p, 'bind'));
}

function bindTo(sock: socket, sa: SockAddr): void {
  check(sock._backend.bind(sock._fd(), sa));
}
