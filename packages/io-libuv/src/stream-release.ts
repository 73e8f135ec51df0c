/**
 * Letting go of a Node socket as close() lets go of a kernel socket: what
 * send() accepted is still delivered and a FIN follows; unread data or
 * SO_LINGER 0 turns the close into a reset, as on Linux.
 */
import type net from 'node:net';

/** How long a closed socket may take to flush what it was given before it is dropped. */
const CLOSE_FLUSH_MS = 30_000;

/** Sends a reset (TCP) or just closes (Unix sockets have no reset). */
export function reset(s: net.Socket, unix: boolean): void {
  if (unix) s.destroy();
  else s.resetAndDestroy();
}

/**
 * Ends the connection after the data Node still holds, then closes it,
 * within `lingerSeconds` (> 0) or 30 s. The socket no longer keeps the
 * process alive; its pending writes do, until they are out.
 */
export function flushAndClose(s: net.Socket, lingerSeconds: number): void {
  if (s.writableLength === 0) {
    s.destroy();
    return;
  }
  const limit = setTimeout(() => s.destroy(), lingerSeconds > 0 ? lingerSeconds * 1000 : CLOSE_FLUSH_MS);
  limit.unref();
  s.once('finish', () => {
    clearTimeout(limit);
    s.destroy();
  });
  s.once('close', () => clearTimeout(limit));
  if (!s.writableEnded) s.end();
  s.unref();
}
