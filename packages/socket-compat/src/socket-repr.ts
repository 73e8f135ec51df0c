/** A socket object's repr(), as CPython prints it. */
import { pyrepr } from './pyrepr.js';
import type { socket } from './socket.js';

/** `<socket.socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 8080)>`, with `[closed]`, laddr and raddr as they apply. */
export function socketRepr(sock: socket): string {
  let s = `<socket.socket${sock._closed ? ' [closed]' : ''} fd=${sock.fileno()}, family=${sock._family}, type=${sock._type}, proto=${sock.proto}`;
  if (!sock._closed && sock._handleNow() >= 0) {
    for (const [label, get] of [
      ['laddr', () => sock.getsockname()],
      ['raddr', () => sock.getpeername()],
    ] as const) {
      try {
        const a = get();
        if (a !== '' && a !== null) s += `, ${label}=${pyrepr(a)}`;
      } catch {
        // repr() never fails: an address that cannot be had is left out.
      }
    }
  }
  return s + '>';
}
