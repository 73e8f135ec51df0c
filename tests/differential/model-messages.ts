/**
 * The random model's message moves: sendmsg/recvmsg in place of
 * send/recv, sendto/recvfrom (so a message answers exactly where its plain
 * counterpart would), a descriptor passed with SCM_RIGHTS over a Unix
 * stream, received with recv_fds and taken over as a socket (these need
 * the 'messages' capability: a backend without SENDMSG/RECVMSG avoids
 * them), and sendfile() of part of a file where a send of those bytes would
 * go (every backend: one without SENDFILE reads and sends).
 */
import type { Model } from './model.js';
import { hexBytes, waits, type Action } from './model-types.js';

/** The actions of this file. */
export const MESSAGE_MOVES = new Set(['msgsend', 'msgrecv', 'msgsendto', 'msgrecvfrom', 'passfd', 'sendfile']);

/** `b"..."` literal escapes split in two buffers (each escape is 4 characters). */
function twoBuffers(hex: string): string {
  const half = Math.floor(hex.length / 8) * 4;
  return half === 0 ? `[b"${hex}"]` : `[b"${hex.slice(0, half)}", bytearray(b"${hex.slice(half)}")]`;
}

/** Writes a plain send or receive step as its message counterpart. */
function asMessage(line: string): string {
  let mo = /^(\w+)\.send\(b"(.*)"\)$/.exec(line);
  if (mo !== null) return `${mo[1]}.sendmsg(${twoBuffers(mo[2]!)})`;
  mo = /^(\w+)\.sendto\(b"(.*)", (\w+\.getsockname\(\))\)$/.exec(line);
  if (mo !== null) return `${mo[1]}.sendmsg(${twoBuffers(mo[2]!)}, [], 0, ${mo[3]})`;
  mo = /^(\w+)\.(?:recv|recvfrom)\((\d+)\)$/.exec(line);
  if (mo !== null) return `${mo[1]}.recvmsg(${mo[2]})`;
  mo = /^(\w+)\.recv\((\d+), MSG_PEEK\)$/.exec(line);
  if (mo !== null) return `${mo[1]}.recvmsg(${mo[2]}, 0, MSG_PEEK)`;
  throw new Error(`model-messages: no message form for ${line}`);
}

/** Applies the plain action `base` and writes its steps as messages. */
function asMessages(m: Model, base: Action): boolean {
  const before = m.lines.length;
  if (!m.apply(base)) return false;
  for (let i = before; i < m.lines.length; i++) m.lines[i] = asMessage(m.lines[i]!);
  return true;
}

/** The moves of this file: true or false as Model.apply() answers, undefined for any other action. */
export function applyMessageMove(m: Model, act: Action): boolean | undefined {
  if (!MESSAGE_MOVES.has(act.k)) return undefined;
  if (act.k === 'sendfile') return sendfile(m, act);
  if (m.avoids('messages')) return false;
  switch (act.k) {
    case 'msgsend':
      // send() without flags (sendall and send(.., 0) have no other message form).
      return asMessages(m, { ...act, k: 'send', n: 0 });
    case 'msgrecv':
      // recv() or recv(n, MSG_PEEK) (recv_into is the model's third form: not here).
      return asMessages(m, { ...act, k: 'recv', m: act.m! % 3 === 2 ? 2 : 0 });
    case 'msgsendto':
      return asMessages(m, { ...act, k: 'sendto', n: 0 });
    case 'msgrecvfrom':
      // recvfrom(n), recv(n) or a peek: a datagram read whole or cut (MSG_TRUNC).
      return asMessages(m, { ...act, k: 'recvfrom', m: [0, 1, 3][act.m! % 3] });
    default:
      return passFd(m, act);
  }
}

/**
 * socket.sendfile() of bytes [n, n + m) of a file holding act.x (act.s: the
 * file's variable), valid where a send of those bytes is (the model's
 * 'send' decides and records them), then the file's position (CPython moves
 * it past the bytes sent). The part sent is never empty: a call that sends
 * nothing from the file's end leaves the position where it was on the
 * sendfile(2) path but not on the fallback (libuv-no-sendfile). Not on a
 * non-blocking socket (ValueError, and no bytes: unlike a send).
 */
function sendfile(m: Model, act: Action): boolean {
  const a = m.sock(act.a);
  const data = act.x as number[];
  if (a === undefined || act.s === undefined || m.socks.has(act.s) || data.length === 0 || a.timeout === 0) return false;
  const off = act.n! % data.length;
  const count = act.m === undefined || act.m === 0 ? null : Math.min(act.m, data.length - off);
  const part = data.slice(off, count === null ? undefined : off + count);
  const before = m.lines.length;
  if (!m.apply({ k: 'send', a: act.a, x: part, n: 0 })) return false;
  const f = act.s;
  m.lines.splice(before, m.lines.length - before, `${f} = open_file(tmp("${f}"), b"${hexBytes(data)}")`, `${a.v}.sendfile(${f}, ${off}${count === null ? '' : `, ${count}`})`, `${f}.tell()`);
  return true;
}

/**
 * One descriptor passed over a Unix stream (act.a, the sender) to its peer
 * with send_fds, received at once by recv_fds of exactly the bytes sent
 * (the peer holds nothing before them, so the read is certain), and taken
 * over with socket(fileno=...) (family and type found from the descriptor).
 * act.b: the socket whose descriptor is sent; act.s: the prefix of the
 * names bound; act.x: the bytes (at least one: a stream carries no
 * ancillary data without bytes).
 */
function passFd(m: Model, act: Action): boolean {
  const a = m.sock(act.a);
  const c = m.sock(act.b);
  const data = act.x as number[];
  if (a === undefined || c === undefined || c.closed || data.length === 0 || act.s === undefined) return false;
  // A refused socket's name is left out (as the query move leaves it out): it is traced here.
  if (c.kind === 'dead') return false;
  if (a.kind !== 'stream' || a.fam !== 'unix' || !m.live(a) || a.shutWr || a.peer === null) return false;
  const p = a.peer;
  if (!m.live(p) || p.shutRd || p.rx.length > 0 || p.eof || !waits(p.timeout)) return false;
  // A fill in progress or bytes of unknown count anywhere: left to model-fill.ts's moves.
  if (m.fills.size > 0 || m.unknownRx.size > 0 || m.drained.has(a.v)) return false;
  const v = act.s;
  m.emit(
    `send_fds(${a.v}, [b"${hexBytes(data)}"], [${c.v}.fileno()])`,
    `${v}m, ${v}f, ${v}g, ${v}a = recv_fds(${p.v}, ${data.length}, 1) | len`,
    `${v}m`,
    `len(${v}f)`,
    `${v}g`,
    `${v}x = socket(-1, -1, -1, ${v}f[0])`,
    `${v}x.getsockname()`,
    `${v}x.get_inheritable()`,
    `${v}x.close()`,
  );
  return true;
}
