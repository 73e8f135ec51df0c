/**
 * The random model's moves of filled sockets, zero-length receives and
 * state options (issue #8), as functions of the model.
 */
import type { Model } from './model.js';
import { FILL_BYTES, OVERFLOW_BYTES, waits, type Action, type Fill, type Sock } from './model-types.js';

// ---- filled sockets, zero-length receives, state options ------------------
//
// Moves that would have found issue #8's (a), (b) and (c): a non-blocking
// send that fills the socket and what may follow it, recv(0) and friends
// in every state, and the options that report a socket's state after
// shutdown() or close(). They are written here, apart, and the other
// actions ask fillForbids() what these moves rule out.

/** The peer of a pending fill, if `s` is one. */
export function fillInto(m: Model, s: Sock): Fill | undefined {
  for (const f of m.fills.values()) if (f.peer === s.v) return f;
  return undefined;
}

/**
 * Whether a fill rules out the action `k` on `a`. The filled sender sends
 * nothing more (a send that may wait would wait for the peer's read, one
 * that does not might find a little room or none) but the sendall of
 * 'fillmore'; its peer reads its known bytes, then only the fill
 * ('drain'); neither is shut down or closed until then (closing the peer
 * with unread bytes resets the connection). A drained sender's sends must
 * be allowed to wait, and a stream holding bytes of unknown count is read
 * no more (nor closed: that would reset it). A listener shut down is not
 * bound nor made to listen again.
 */
export function fillForbids(m: Model, act: Action, a: Sock | undefined): boolean {
  if (a === undefined) return false;
  if (act.k === 'bad' && m.shutListeners.has(a.v)) return /bind|listen/.test(act.s!);
  if (m.fills.size === 0 && m.drained.size === 0 && m.unknownRx.size === 0) return false;
  const filled = m.fills.has(a.v);
  const into = fillInto(m, a);
  const unknown = m.unknownRx.has(a.v);
  switch (act.k) {
    case 'send':
      if (filled) return true;
      return m.drained.has(a.v) && !a.closed && !a.shutWr && !waits(a.timeout);
    case 'recv':
      return !a.closed && (unknown || (into !== undefined && a.rx.length === 0));
    case 'close':
    case 'shutdown':
      return filled || into !== undefined || unknown;
    case 'resetpeer': {
      // A reset would meet bytes whose count the model does not know on
      // either end: what the reset socket answers first would depend on it.
      const p = a.peer;
      const peerInvolved = p !== null && (m.fills.has(p.v) || fillInto(m, p) !== undefined || m.unknownRx.has(p.v));
      return filled || into !== undefined || unknown || peerInvolved;
    }
    default:
      return false;
  }
}

/** The moves of this section: true or false as apply() answers, undefined for any other action. */
export function applyFillMove(m: Model, act: Action, a: Sock | undefined): boolean | undefined {
  switch (act.k) {
    case 'fill':
      return a !== undefined && fill(m, a, act.s!);
    case 'fillmore': {
      // A sendall that meets the full socket raises BlockingIOError; it
      // may have sent part of its bytes first (so the peer's stream now
      // holds an unknown count after the fill).
      // With a timeout, MSG_DONTWAIT changes nothing (CPython waits for
      // room until the timeout expires): only a short one will do.
      const f = a === undefined ? undefined : m.fills.get(a.v);
      if (a === undefined || f === undefined) return false;
      if (a.timeout !== 0 && a.timeout !== null && !m.mayExpire(a.timeout)) return false;
      m.emit(a.timeout === 0 ? `${a.v}.sendall(bytes(${OVERFLOW_BYTES}))` : `${a.v}.sendall(bytes(${OVERFLOW_BYTES}), MSG_DONTWAIT)`);
      f.tainted = true;
      return true;
    }
    case 'drain': {
      // The peer reads exactly the fill, once its known bytes are read: a
      // read that waits for it (the count differs between CPython and the
      // backends, so only "some" is traced).
      const f = a === undefined ? undefined : m.fills.get(a.v);
      const p = f === undefined ? undefined : m.sock(f.peer);
      if (f === undefined || p === undefined || p.closed || p.rx.length > 0 || !waits(p.timeout)) return false;
      m.emit(`${p.v}.recv(${f.count}, MSG_WAITALL) | bool`);
      m.fills.delete(a!.v);
      m.drained.add(a!.v);
      if (f.tainted) m.unknownRx.add(p.v);
      return true;
    }
    case 'zero':
      return a !== undefined && zero(m, a, act.n!);
    case 'stateopt': {
      if (a === undefined) return false;
      const opt = act.s!;
      if (opt === 'SO_ERROR' && !a.closed && (a.kind === 'dead' || a.connecting)) return false;
      m.emit(`${a.v}.getsockopt(SOL_SOCKET, ${opt})`);
      return true;
    }
    case 'shutlisten': {
      // shutdown() of a listener, then what it reports. A TCP listener
      // shut down for reading stops listening (accept: EINVAL at once);
      // a Unix one goes on. Either way the model connects to it no more.
      const l = a;
      if (l === undefined || l.kind !== 'listener' || l.closed || l.pending.length > 0) return false;
      const how = act.n! % 3;
      m.emit(`${l.v}.shutdown(${['SHUT_RD', 'SHUT_WR', 'SHUT_RDWR'][how]})`, `${l.v}.getsockopt(SOL_SOCKET, SO_ACCEPTCONN)`);
      if (l.fam !== 'unix' && how !== 1) m.emit(`${l.v}.accept()`);
      l.kind = 'fresh';
      m.shutListeners.add(l.v);
      return true;
    }
    default:
      return undefined;
  }
}

/**
 * One non-blocking send of FILL_BYTES on a connected stream whose peer
 * does not read: the kernel takes what its buffers hold (some, never all)
 * and the socket is full. The count is bound to `count` and traced as
 * "some" (| bool).
 */
export function fill(m: Model, a: Sock, count: string): boolean {
  if (a.kind !== 'stream' || a.closed || a.shutWr || a.connecting || a.peer === null) return false;
  if (m.fills.has(a.v) || m.drained.has(a.v) || m.socks.has(count)) return false;
  const p = a.peer;
  if (!p.bound || p.closed || p.shutRd || m.unknownRx.has(p.v)) return false;
  const send = a.timeout === 0 ? `${a.v}.send(bytes(${FILL_BYTES}))` : `${a.v}.send(bytes(${FILL_BYTES}), MSG_DONTWAIT)`;
  m.emit(`${count} = ${send} | bool`);
  m.fills.set(a.v, { peer: p.v, count, tainted: false });
  return true;
}

/**
 * A zero-length receive (variant `n`). recv(0) and recv_into of an empty
 * buffer make no system call in CPython: any state will do. recvfrom(0)
 * and recvfrom_into of an empty buffer do, and a stream's waits for a
 * byte, so they go where the answer is certain: a closed socket, a
 * listener, an unconnected one that does not wait, a stream with bytes
 * there (or at EOF) read by a call that may wait, an idle one read by a
 * call that does not.
 */
export function zero(m: Model, a: Sock, n: number): boolean {
  const calls = [
    `${a.v}.recv(0)`,
    `${a.v}.recv(0, MSG_PEEK)`,
    `${a.v}.recv(0, MSG_WAITALL)`,
    `${a.v}.recv_into(bytearray(0))`,
    `${a.v}.recv_into(bytearray(0), 0, MSG_PEEK)`,
    `${a.v}.recvfrom(0)`,
    `${a.v}.recvfrom_into(bytearray(0))`,
  ];
  const v = n % calls.length;
  if (v >= 5 && !a.closed && !recvfromZeroCertain(m, a)) return false;
  m.emit(calls[v]!);
  return true;
}

export function recvfromZeroCertain(m: Model, a: Sock): boolean {
  switch (a.kind) {
    case 'listener':
      // With a timeout CPython first waits for the socket to be readable
      // (a connection waiting), and then calls recvfrom.
      return a.timeout === null || a.timeout === 0;
    case 'fresh':
      // A fresh datagram socket would wait: only a call that does not.
      return a.timeout === 0;
    case 'dgram':
      if (a.dq.length > 0 || a.dqUnknown) return false; // the 'recvfrom' action covers these
      return a.named ? m.mayExpire(a.timeout) : a.timeout === 0;
    case 'stream': {
      // A stream holding an unknown count of bytes may hold none.
      if (a.connecting || m.unknownRx.has(a.v)) return false;
      const there = a.rx.length > 0 || fillInto(m, a) !== undefined;
      if (a.shutRd) return !there;
      if (there || a.eof) return waits(a.timeout);
      return m.mayExpire(a.timeout);
    }
    default:
      return false;
  }
}

