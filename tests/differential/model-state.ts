/**
 * The random model's moves of shutdown in every state, resets racing
 * connects and options before connect (issue #8), as functions of the
 * model. Each move is one action, so that shrinking keeps or drops it whole.
 */
import type { Model } from './model.js';
import { CLIENT_OPTIONS, FAM_CONST, LOOPBACK, resettable, waits, type Action, type Fam, type Sock } from './model-types.js';

/** The steps of `shutdown(how)` on `v` (how: 0 SHUT_RD, 1 SHUT_WR, 2 SHUT_RDWR). */
function shutdownStep(v: string, how: number): string {
  return `${v}.shutdown(${['SHUT_RD', 'SHUT_WR', 'SHUT_RDWR'][how]})`;
}

/** The moves of this file: true or false as Model.apply() answers. */
export function applyStateMove(m: Model, act: Action, a: Sock | undefined, b: Sock | undefined): boolean {
  switch (act.k) {
    case 'shutother': {
      // shutdown() on what is not a connected stream: a fresh or bound
      // socket, a refused or reset one (ENOTCONN, AF_UNIX 0), a
      // listener, a UDP socket (ENOTCONN, but SHUT_WR sticks).
      if (a === undefined) return false;
      const how = act.n! % 3;
      if (a.closed || a.kind === 'fresh' || a.kind === 'dead' || a.kind === 'reset') {
        m.emit(shutdownStep(a.v, how));
        return true;
      }
      if (a.kind === 'listener') {
        if (how !== 1 && a.fam !== 'unix') {
          // The listener stops; the connections it queued are reset.
          if (a.pending.some((srv) => !resettable(srv.peer!))) return false;
          for (const srv of a.pending) {
            srv.closed = true;
            srv.peer!.kind = 'reset';
          }
          if (a.pending.length > 0) m.needs.add('linux');
          a.pending = [];
          a.keptShut = 0;
          a.stopped = true;
        } else if (how !== 1) {
          // A Unix listener refuses new connections and keeps those queued.
          a.stopped = true;
        }
        m.emit(shutdownStep(a.v, how));
        return true;
      }
      if (a.kind !== 'dgram') return false;
      m.emit(shutdownStep(a.v, how));
      // A UDP receive after SHUT_RD waits or not depending on the timeout mode: none follows.
      if (how !== 1) a.dqUnknown = true;
      if (how !== 0) {
        a.shutWr = true;
        if (b !== undefined && b !== a && b.kind === 'dgram' && b.fam === a.fam && b.named && !b.closed) {
          // The socket gets its port, then the send fails (EPIPE).
          m.emit(`${a.v}.sendto(b"x", ${b.v}.getsockname())`);
          a.named = true;
        }
      }
      return true;
    }
    case 'preshut': {
      // A client shut down before it connects keeps the directions; a
      // refused connect after the shutdown forgets them (TCP), one
      // before it does not matter. x: [bind first, refused: 0 none, 1 before, 2 after].
      const l = a;
      if (!m.canConnect(l, act.b, act.s)) return false;
      const [bindFirst, refused] = act.x as [boolean, number];
      if (refused !== 0 && m.socks.has(`${act.b}r`)) return false;
      // A Unix client connects without its name on the libuv backend (an intended difference).
      const bind = bindFirst && l.fam !== 'unix';
      const c = m.mk(act.b!, 'stream', l.fam);
      m.emit(`${c.v} = socket(${FAM_CONST[l.fam]}, SOCK_STREAM)`);
      if (bind) m.emit(`${c.v}.bind(("${LOOPBACK[l.fam as 'inet' | 'inet6']}", 0))`);
      let refuser = '';
      if (refused !== 0) {
        const r = m.mk(`${act.b}r`, 'fresh', l.fam);
        m.emit(`${r.v} = socket(${FAM_CONST[l.fam]}, SOCK_STREAM)`);
        m.emit(l.fam === 'unix' ? `${r.v}.bind(tmp("${r.v}"))` : `${r.v}.bind(("${LOOPBACK[l.fam]}", 0))`);
        refuser = l.fam === 'unix' ? `tmp("${r.v}")` : `${r.v}.getsockname()`;
      }
      if (refused === 1) m.emit(`${c.v}.connect(${refuser})`);
      const hows = [act.n! % 3, ...(act.m! % 4 === 3 ? [] : [act.m! % 4])];
      let kept = 0;
      for (const how of hows) {
        m.emit(shutdownStep(c.v, how));
        kept |= how + 1;
      }
      if (refused === 2) {
        m.emit(`${c.v}.connect(${refuser})`);
        if (l.fam !== 'unix') kept = 0;
      }
      m.emit(`${c.v}.connect(${m.addr(l)})`);
      m.queue(l, c, act.s!);
      // No FIN went out for a kept SHUT_WR: the peer sees no EOF.
      c.shutRd = (kept & 1) !== 0;
      c.shutWr = (kept & 2) !== 0;
      return true;
    }
    case 'preshutlisten': {
      // A listener shut down before (or after) bind and before listen.
      const fam = act.s as Fam;
      if (!m.famOk(fam) || m.socks.has(act.a!)) return false;
      const [before] = act.x as [boolean];
      const l = m.mk(act.a!, 'listener', fam);
      l.backlog = 4;
      m.emit(`${l.v} = socket(${FAM_CONST[fam]}, SOCK_STREAM)`);
      const hows = [act.n! % 3, ...(act.m! % 4 === 3 ? [] : [act.m! % 4])];
      // SHUT_WR kept by a TCP listener: its connections end their stream
      // before any accept, which a backend that avoids 'early-fin' cannot do.
      if (fam !== 'unix' && m.avoids('early-fin') && hows.some((how) => how !== 0)) return false;
      const bind = fam === 'unix' ? `${l.v}.bind(tmp("${l.v}"))` : `${l.v}.bind(("${LOOPBACK[fam]}", 0))`;
      if (!before) m.emit(bind);
      for (const how of hows) {
        m.emit(shutdownStep(l.v, how));
        l.keptShut |= how + 1;
      }
      if (before) m.emit(bind);
      m.emit(`${l.v}.listen()`);
      // A Unix listener shut down for reading refuses connections.
      if (fam === 'unix' && (l.keptShut & 1) !== 0) l.stopped = true;
      return true;
    }
    case 'resetpeer': {
      // A TCP end closes with SO_LINGER 0: its peer is reset, accepted
      // or not yet, before or after its first send.
      if (a === undefined || a.kind !== 'stream' || a.fam === 'unix' || !m.live(a) || a.connecting) return false;
      const p = a.peer;
      if (p === null || !resettable(p)) return false;
      m.emit(`${a.v}.setsockopt(SOL_SOCKET, SO_LINGER, pack_ii(1, 0))`, `${a.v}.close()`);
      a.closed = true;
      p.kind = 'reset';
      m.needs.add('linux');
      return true;
    }
    case 'racereset': {
      // The server accepts and resets before the client's connect() has
      // returned (a non-blocking one that nothing collected) or before
      // its first send: connect() succeeded all the same. Without a
      // listener whose accept() is certain to take this connection, the
      // move makes its own (act.s: its family).
      let l = a;
      const usable = (x: Sock | undefined): x is Sock =>
        m.canConnect(x, act.b, act.s) && x.fam !== 'unix' && x.pending.length === 0 && x.keptShut === 0 && waits(x.timeout);
      if (!usable(l)) {
        const fam = act.x as Fam;
        if ((fam !== 'inet' && fam !== 'inet6') || !m.famOk(fam) || m.socks.has(`${act.b}l`) || m.socks.has(act.b!) || m.socks.has(act.s!)) return false;
        l = m.mk(`${act.b}l`, 'listener', fam);
        l.backlog = 4;
        m.emit(`${l.v} = socket(${FAM_CONST[fam]}, SOCK_STREAM)`, `${l.v}.bind(("${LOOPBACK[fam]}", 0))`, `${l.v}.listen()`);
      }
      const c = m.mk(act.b!, 'reset', l.fam);
      const srv = m.mk(act.s!, 'stream', l.fam);
      c.peer = srv;
      srv.peer = c;
      srv.closed = true;
      m.emit(`${c.v} = socket(${FAM_CONST[l.fam]}, SOCK_STREAM)`);
      if (act.n! % 3 === 0) m.emit(`${c.v}.connect(${m.addr(l)})`);
      else if (act.n! % 3 === 1) m.emit(`${c.v}.connect_ex(${m.addr(l)})`);
      else m.emit(`${c.v}.setblocking(False)`, `${c.v}.connect(${m.addr(l)})`, `${c.v}.setblocking(True)`);
      m.emit(`${srv.v}, ${srv.v}_peer = ${l.v}.accept()`, `${srv.v}.setsockopt(SOL_SOCKET, SO_LINGER, pack_ii(1, 0))`, `${srv.v}.close()`);
      m.needs.add('linux');
      return true;
    }
    case 'onreset': {
      // A reset connection answers at once: the pending error, then EOF or EPIPE.
      if (a === undefined || a.kind !== 'reset' || !m.live(a)) return false;
      const op = act.n! % 5;
      if (op === 0) m.emit(`${a.v}.send(b"x")`);
      else if (op === 1) m.emit(`${a.v}.sendall(b"xy")`);
      else if (op === 2) m.emit(`${a.v}.recv(${act.m ?? 8})`);
      else if (op === 3) m.emit(`${a.v}.recv(${act.m ?? 8}, MSG_PEEK)`);
      else m.emit(`${a.v}.getsockopt(SOL_SOCKET, SO_ERROR)`);
      return true;
    }
    case 'optconnect': {
      // Options set before connect() hold for the connection. x: the
      // options (indexes into CLIENT_OPTIONS). n: 0 connect, 1 connect_ex,
      // 2 an IPv6 V6ONLY client connecting to an IPv4 listener's mapped
      // address (ENETUNREACH at once: it stays unconnected).
      const l = a;
      if (!m.canConnect(l, act.b, act.s)) return false;
      const opts = (act.x as number[]).map((i) => CLIENT_OPTIONS[i % CLIENT_OPTIONS.length]!);
      if (act.n! % 3 === 2) {
        if (l.fam !== 'inet' || !m.famOk('inet6')) return false;
        const c = m.mk(act.b!, 'fresh', 'inet6');
        m.emit(`${c.v} = socket(AF_INET6, SOCK_STREAM)`, `${c.v}.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1)`);
        m.emit(`${c.v}.connect(("::ffff:127.0.0.1", ${l.v}.getsockname()[1]))`, `${c.v}.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)`);
        return true;
      }
      const c = m.mk(act.b!, 'stream', l.fam);
      m.emit(`${c.v} = socket(${FAM_CONST[l.fam]}, SOCK_STREAM)`);
      const chosen = opts.filter((o) => o.fams === undefined || o.fams.includes(l.fam));
      for (const o of chosen) m.emit(`${c.v}.setsockopt(${o.level}, ${o.name}, ${o.value})`);
      m.emit(act.n! % 3 === 0 ? `${c.v}.connect(${m.addr(l)})` : `${c.v}.connect_ex(${m.addr(l)})`);
      for (const o of chosen) m.emit(`${c.v}.getsockopt(${o.level}, ${o.name}${o.name === 'SO_LINGER' ? ', 8' : ''})`);
      // Buffer sizes read back doubled, up to net.core.[rw]mem_max: Linux's answer.
      if (chosen.some((o) => o.name.endsWith('BUF'))) m.needs.add('linux');
      m.queue(l, c, act.s!);
      return true;
    }
  }
  return false;
}
