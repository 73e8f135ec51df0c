/**
 * The model behind the random scenarios: it replays actions over a picture
 * of the sockets a scenario made (queued bytes and datagrams, EOF,
 * shutdowns, timeouts, pending connections), accepts only the actions whose
 * outcome cannot depend on timing, and writes their steps. It never
 * predicts answers: CPython gives them. See generator.ts.
 *
 * Its moves are in files by family: the basic ones here (sockets, connect,
 * accept, send and receive, options, closing), model-fill.ts (filled
 * sockets, zero-length receives, state options), model-state.ts (shutdown
 * in every state, resets, options before connect), model-messages.ts
 * (sendmsg/recvmsg, descriptor passing). The members the move files use are not private.
 */
import { parseStep } from './dsl.js';
import { applyFillMove, fillForbids } from './model-fill.js';
import { applyMessageMove } from './model-messages.js';
import { applyStateMove } from './model-state.js';
import {
  FAM_CONST,
  hexBytes,
  LONG,
  LOOPBACK,
  SHORT,
  STATE_MOVES,
  tmo,
  waits,
  type Action,
  type Fam,
  type Fill,
  type Sock,
  type Timeout,
} from './model-types.js';
import type { Scenario, Step } from './scenario.js';

export { CAPABILITIES, CLIENT_OPTIONS, hexBytes, type Action, type Capability, type Fam, type Sock } from './model-types.js';

/** The model: replays actions, says which are valid, and writes their steps. */
export class Model {
  readonly socks = new Map<string, Sock>();
  readonly lines: string[] = [];
  readonly used = new Set<Fam>();
  /** Features a scenario needs beyond its families (linux, dualstack). */
  readonly needs = new Set<string>();
  private counter = 0;
  private buffers = 0;
  /** Operations meant to time out: each costs wall time, so a scenario has few. */
  private expiring = 0;
  /** Senders a non-blocking send filled, until their peer has read the fill (by sender variable). */
  readonly fills = new Map<string, Fill>();
  /**
   * Senders that were filled and whose peer read the fill: the kernel frees
   * their room when the peer's ACKs come (maybe a delayed ACK later), so
   * only sends that may wait are certain.
   */
  readonly drained = new Set<string>();
  /** Streams that hold bytes of an unknown count (after a tainted fill): nothing they read is certain. */
  readonly unknownRx = new Set<string>();
  /**
   * Listeners that 'shutlisten' shut down. What binding or listening again
   * does then is the business of the shutdown moves (Linux releases a port
   * that bind() chose when it stops a TCP listener), not of these.
   */
  readonly shutListeners = new Set<string>();

  constructor(
    private readonly features: Record<string, boolean>,
    private readonly avoid: ReadonlySet<string> = new Set(),
  ) {}

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  sock(v: string | undefined): Sock | undefined {
    if (v === undefined) return undefined;
    const s = this.socks.get(v);
    return s !== undefined && s.bound ? s : undefined;
  }

  mk(v: string, kind: Sock['kind'], fam: Fam, bound = true): Sock {
    const s: Sock = {
      v, kind, fam, closed: false, timeout: null, bound,
      pending: [], backlog: 0, stopped: false, keptShut: 0, peer: null, rx: [], eof: false, shutRd: false, shutWr: false, connecting: false,
      named: false, dq: [], dqUnknown: false,
    };
    this.socks.set(v, s);
    this.used.add(fam);
    return s;
  }

  /** Whether this model leaves out a capability (its backend's intended differences say so). */
  avoids(c: string): boolean {
    return this.avoid.has(c);
  }

  famOk(f: Fam): boolean {
    return f === 'inet' || (f === 'inet6' && this.features.ipv6 === true) || (f === 'unix' && this.features.unix === true);
  }

  addr(l: Sock): string {
    return l.fam === 'unix' ? `tmp("${l.v}")` : `${l.v}.getsockname()`;
  }

  emit(...ls: string[]): void {
    this.lines.push(...ls);
  }

  live(s: Sock): boolean {
    return !s.closed && s.bound;
  }

  /** Whether one more operation may wait for its timeout (or answer EAGAIN). */
  mayExpire(t: Timeout): boolean {
    if (t === 0) return true;
    if (t !== SHORT || this.expiring >= 2) return false;
    this.expiring++;
    return true;
  }

  /** Applies the action if valid; returns false (and changes nothing) if not. */
  apply(act: Action): boolean {
    const a = this.sock(act.a);
    const b = this.sock(act.b);
    const message = applyMessageMove(this, act);
    if (message !== undefined) return message;
    if (fillForbids(this, act, a)) return false;
    const fill = applyFillMove(this, act, a);
    if (fill !== undefined) return fill;
    if (STATE_MOVES.has(act.k)) return applyStateMove(this, act, a, b);
    switch (act.k) {
      // ---- pure functions -------------------------------------------------
      case 'fn':
        this.emit(act.s!);
        return true;

      // ---- creating sockets ----------------------------------------------
      case 'listener': {
        const fam = act.s as Fam;
        if (!this.famOk(fam) || this.socks.has(act.a!)) return false;
        const l = this.mk(act.a!, 'listener', fam);
        // listen(0) and listen(1) hold one connection for sure; the default holds many.
        l.backlog = act.n === undefined ? 4 : Math.max(1, Math.min(act.n, 4));
        this.emit(`${l.v} = socket(${FAM_CONST[fam]}, SOCK_STREAM)`);
        this.emit(fam === 'unix' ? `${l.v}.bind(tmp("${l.v}"))` : `${l.v}.bind(("${LOOPBACK[fam]}", 0))`);
        this.emit(`${l.v}.listen(${act.n ?? ''})`);
        return true;
      }
      case 'connect': {
        // act.a: the listener; act.b: the new client; act.s: the server side's name; act.n: variant.
        const l = a;
        if (!this.canConnect(l, act.b, act.s)) return false;
        const c = this.mk(act.b!, 'stream', l.fam);
        this.queue(l, c, act.s!);
        const variant = l.fam === 'inet' ? act.n! % 4 : act.n! % 3;
        if (variant === 3) {
          this.emit(`${c.v} = create_connection(${this.addr(l)})`);
        } else {
          this.emit(`${c.v} = socket(${FAM_CONST[l.fam]}, SOCK_STREAM)`);
          if (variant === 0) this.emit(`${c.v}.connect(${this.addr(l)})`);
          else if (variant === 1) this.emit(`${c.v}.connect_ex(${this.addr(l)})`);
          else {
            this.emit(`${c.v}.setblocking(False)`, `${c.v}.connect(${this.addr(l)})`, `${c.v}.setblocking(True)`);
            c.connecting = l.fam !== 'unix';
          }
        }
        return true;
      }
      case 'accept': {
        const l = a;
        if (l === undefined || l.kind !== 'listener') return false;
        if (l.closed || l.pending.length === 0) {
          if (l.closed || this.mayExpire(l.timeout)) {
            this.emit(`${l.v}.accept()`);
            return true;
          }
          return false;
        }
        if (!waits(l.timeout)) return false;
        const srv = l.pending.shift()!;
        srv.bound = true;
        if (srv.peer !== null) srv.peer.connecting = false;
        this.emit(`${srv.v}, ${srv.v}_peer = ${l.v}.accept()`);
        if (act.n === 1) this.emit(`${srv.v}_peer`);
        return true;
      }
      case 'socketpair': {
        if (!this.famOk('unix') || this.socks.has(act.a!) || this.socks.has(act.b!)) return false;
        const x = this.mk(act.a!, 'stream', 'unix');
        const y = this.mk(act.b!, 'stream', 'unix');
        x.peer = y;
        y.peer = x;
        this.emit(`${x.v}, ${y.v} = socketpair()`);
        return true;
      }
      case 'udp': {
        const fam = act.s as Fam;
        if (fam === 'unix' || !this.famOk(fam) || this.socks.has(act.a!)) return false;
        const u = this.mk(act.a!, 'dgram', fam);
        this.emit(`${u.v} = socket(${FAM_CONST[fam]}, SOCK_DGRAM)`);
        if (act.n === 1) {
          this.emit(`${u.v}.bind(("${LOOPBACK[fam as 'inet' | 'inet6']}", 0))`);
          u.named = true;
        }
        return true;
      }
      case 'fresh': {
        const fam = act.s as Fam;
        if (!this.famOk(fam) || this.socks.has(act.a!)) return false;
        if (fam === 'unix' && act.n === 1 && this.avoid.has('unix-dgram')) return false;
        const f = this.mk(act.a!, 'fresh', fam);
        this.emit(`${f.v} = socket(${FAM_CONST[fam]}, ${act.n === 1 ? 'SOCK_DGRAM' : 'SOCK_STREAM'})`);
        return true;
      }
      case 'refused': {
        // A bound socket that does not listen refuses; the client is dead afterwards.
        const fam = act.s as Fam;
        if (!this.famOk(fam) || this.socks.has(act.a!) || this.socks.has(act.b!)) return false;
        const r = this.mk(act.a!, 'fresh', fam);
        const c = this.mk(act.b!, 'dead', fam);
        this.emit(`${r.v} = socket(${FAM_CONST[fam]}, SOCK_STREAM)`);
        this.emit(fam === 'unix' ? `${r.v}.bind(tmp("${r.v}"))` : `${r.v}.bind(("${LOOPBACK[fam]}", 0))`);
        this.emit(`${c.v} = socket(${FAM_CONST[fam]}, SOCK_STREAM)`);
        const target = fam === 'unix' ? `tmp("${r.v}")` : `${r.v}.getsockname()`;
        if (act.n === 2) {
          // With a timeout, CPython learns the refusal from SO_ERROR, which
          // leaves the kernel socket "connecting" (listen: EINVAL, the next
          // connect: ECONNABORTED).
          this.emit(`${c.v}.settimeout(${LONG})`);
          c.timeout = LONG;
        }
        this.emit(act.n === 1 ? `${c.v}.connect_ex(${target})` : `${c.v}.connect(${target})`);
        return true;
      }

      // ---- stream data ----------------------------------------------------
      case 'send': {
        if (a === undefined || a.kind !== 'stream' || !a.bound) return false;
        const p = a.peer!;
        const data = act.x as number[];
        if (a.closed || a.shutWr) {
          // EBADF, or EPIPE after our own SHUT_WR: answered at once.
          this.emit(`${a.v}.send(b"${hexBytes(data)}")`);
          return true;
        }
        if (p.closed) {
          // A Unix peer that is gone answers EPIPE at once; TCP would answer
          // only after a reset comes back, which is a matter of timing.
          if (a.fam !== 'unix') return false;
          this.emit(`${a.v}.send(b"${hexBytes(data)}")`);
          return true;
        }
        if (p.shutRd) return false;
        // Before the handshake is known to be over only a send that may wait is certain.
        if (a.connecting && !waits(a.timeout)) return false;
        const queued = p.rx.reduce((n, c) => n + c.length, 0);
        if (queued + data.length > 16384) return false;
        // Otherwise a timeout of 0 is fine: a little data always fits.
        const how = act.n! % 3;
        if (how === 0) this.emit(`${a.v}.send(b"${hexBytes(data)}")`);
        else if (how === 1) this.emit(`${a.v}.sendall(b"${hexBytes(data)}")`);
        else this.emit(`${a.v}.send(b"${hexBytes(data)}", 0)`);
        if (data.length > 0) p.rx.push([...data]);
        return true;
      }
      case 'recv': {
        if (a === undefined || a.kind !== 'stream' || !a.bound) return false;
        const n = act.n!;
        const how = act.m! % 3; // 0 recv, 1 recv_into (whole buffer), 2 peek
        if (a.closed) {
          this.emit(`${a.v}.recv(${n})`);
          return true;
        }
        const total = a.rx.reduce((k, c) => k + c.length, 0);
        let call: string;
        const buf = `buf${this.buffers}`;
        let bufSize = n;
        const mkCall = (size: number): string => {
          bufSize = size;
          if (how === 1) return `${a.v}.recv_into(${buf})`;
          if (how === 2) return `${a.v}.recv(${size}, MSG_PEEK)`;
          return `${a.v}.recv(${size})`;
        };
        if (a.shutRd) {
          if (total > 0) return false;
          call = mkCall(n);
        } else if (total > 0) {
          if (!waits(a.timeout)) return false;
          // recv(0) answers b"" at once when data waits; recv_into of an
          // empty buffer is recv(0) too.
          // TCP delivers each send whole, but two sends may arrive apart:
          // ask for no more than the first one holds. A Unix stream has
          // everything queued at once.
          const limit = a.fam === 'unix' ? total : a.rx[0]!.length;
          const size = Math.min(n, limit);
          call = mkCall(size);
          if (how !== 2 && size > 0) {
            let left = size;
            while (left > 0) {
              const c = a.rx[0]!;
              if (c.length <= left) {
                left -= c.length;
                a.rx.shift();
              } else {
                a.rx[0] = c.slice(left);
                left = 0;
              }
            }
          }
        } else if (a.eof) {
          if (!waits(a.timeout)) return false;
          call = mkCall(n);
        } else {
          if (!this.mayExpire(a.timeout)) return false;
          call = mkCall(n);
        }
        if (how === 1) {
          this.buffers++;
          this.emit(`${buf} = bytearray(${bufSize})`, call, buf);
        } else {
          this.emit(call);
        }
        return true;
      }
      case 'shutdown': {
        if (a === undefined || a.kind !== 'stream' || !this.live(a) || a.connecting) return false;
        const how = act.n! % 3;
        this.emit(`${a.v}.shutdown(${['SHUT_RD', 'SHUT_WR', 'SHUT_RDWR'][how]})`);
        if (how !== 1) a.shutRd = true;
        if (how !== 0) {
          a.shutWr = true;
          if (a.peer !== null) a.peer.eof = true;
        }
        return true;
      }
      case 'close': {
        if (a === undefined) return false;
        if (a.closed) {
          this.emit(`${a.v}.close()`);
          return true;
        }
        if (a.kind === 'stream' && a.rx.length > 0) return false; // unread data makes a reset
        // Closed before the handshake is known to be over, the connection may never be queued.
        if (a.connecting) return false;
        if (a.kind === 'listener' && a.pending.length > 0) return false; // pending connections get resets
        a.closed = true;
        if (a.kind === 'stream' && a.peer !== null) a.peer.eof = true;
        this.emit(`${a.v}.close()`);
        return true;
      }

      // ---- datagrams ----------------------------------------------------------
      case 'sendto': {
        if (a === undefined || b === undefined || a.kind !== 'dgram' || b.kind !== 'dgram' || !this.live(a) || a.shutWr) return false;
        if (a.fam !== b.fam || b.closed || !b.named || b.dq.length >= 8) return false;
        const data = act.x as number[];
        this.emit(act.n === 1 ? `${a.v}.sendto(b"${hexBytes(data)}", 0, ${b.v}.getsockname())` : `${a.v}.sendto(b"${hexBytes(data)}", ${b.v}.getsockname())`);
        a.named = true;
        b.dq.push({ data, from: a });
        return true;
      }
      case 'recvfrom': {
        if (a === undefined || a.kind !== 'dgram' || !a.bound) return false;
        const how = a.closed ? 0 : act.m! % 4; // recvfrom, recv, recvfrom_into, recv peek
        const n = act.n!;
        if (a.closed) {
          // EBADF at once.
        } else if (a.dqUnknown) {
          return false;
        } else if (a.dq.length > 0) {
          if (!waits(a.timeout)) return false;
          if (n === 0 && (how === 0 || how === 1)) a.dqUnknown = true;
          else if (how !== 3) a.dq.shift();
        } else {
          if (!a.named) return false; // an unbound socket would wait forever or raise by platform
          if (!this.mayExpire(a.timeout)) return false;
        }
        if (how === 0) this.emit(`${a.v}.recvfrom(${n})`);
        else if (how === 1) this.emit(`${a.v}.recv(${n})`);
        else if (how === 2) {
          const buf = `buf${this.buffers++}`;
          this.emit(`${buf} = bytearray(${Math.max(n, 1)})`, `${a.v}.recvfrom_into(${buf}, ${n})`, buf);
        } else this.emit(`${a.v}.recv(${n}, MSG_PEEK)`);
        return true;
      }

      // ---- settings and queries ------------------------------------------------
      case 'settimeout': {
        if (a === undefined) return false;
        const t = ([null, 0, SHORT, LONG] as const)[act.n! % 4]!;
        if (act.m === 1 && (t === null || t === 0)) this.emit(`${a.v}.setblocking(${t === null ? 'True' : 'False'})`);
        else this.emit(`${a.v}.settimeout(${tmo(t)})`);
        // A closed socket raises EBADF, but CPython sets the timeout first.
        a.timeout = t;
        return true;
      }
      case 'query': {
        if (a === undefined) return false;
        const q = act.s!;
        if (q === 'getpeername') {
          if (a.kind === 'stream' && !a.closed && (a.connecting || a.peer?.closed === true && a.fam !== 'unix')) return false;
          if (a.kind === 'dead' && !a.closed) return false;
        }
        if (q === 'getsockname' && a.kind === 'dead' && !a.closed) return false;
        if (q === 'fileno') this.emit(`${a.v}.fileno() | nonneg`);
        else this.emit(`${a.v}.${q}${q === 'family' || q === 'type' || q === 'proto' ? '' : '()'}`);
        return true;
      }
      case 'sockopt': {
        if (a === undefined) return false;
        const opt = act.s!;
        const level = opt.startsWith('TCP_') ? 'IPPROTO_TCP' : opt.startsWith('IP_') ? 'IPPROTO_IP' : 'SOL_SOCKET';
        if (act.n === 2 || opt === 'SO_TYPE' || opt === 'SO_ERROR') {
          if (opt === 'SO_ERROR' && (a.kind === 'dead' || a.connecting)) return false;
          this.emit(`${a.v}.getsockopt(${level}, ${opt})`);
        } else {
          this.emit(`${a.v}.setsockopt(${level}, ${opt}, ${act.n})`, `${a.v}.getsockopt(${level}, ${opt})`);
        }
        return true;
      }
      case 'bad': {
        // Bad arguments: CPython checks them in a fixed order, before or
        // after the descriptor; the answer never depends on timing.
        if (a === undefined) return false;
        const line = act.s!.replace(/\$/g, a.v);
        if (a.fam === 'unix' && /bind|connect|sendto/.test(line)) return false;
        // listen() after a refused connect answers as the kernel does (0 on
        // older Linux, EINVAL on 6.18), and what follows depends on it.
        if (a.kind === 'dead' && line === `${a.v}.listen()`) return false;
        this.emit(line);
        return true;
      }
    }
    return false;
  }

  /** The senders a fill waits on (for proposals). */
  filled(): string[] {
    return [...this.fills.keys()];
  }

  /** Whether a new client may connect to `l` (the connection is queued for certain). */
  canConnect(l: Sock | undefined, client: string | undefined, server: string | undefined): l is Sock {
    if (l === undefined || l.kind !== 'listener' || l.closed || l.stopped) return false;
    return l.pending.length < l.backlog && !this.socks.has(client!) && !this.socks.has(server!);
  }

  /**
   * Queues the server side of `c`'s connection on `l`. A TCP listener shut
   * down before it listened hands its directions to the connection: shut
   * for writing, it sends its FIN as soon as it is established.
   */
  queue(l: Sock, c: Sock, server: string): Sock {
    const srv = this.mk(server, 'stream', l.fam, false);
    c.peer = srv;
    srv.peer = c;
    l.pending.push(srv);
    if (l.fam !== 'unix') {
      if ((l.keptShut & 1) !== 0) srv.shutRd = true;
      if ((l.keptShut & 2) !== 0) {
        srv.shutWr = true;
        c.eof = true;
      }
    }
    return srv;
  }
}



/** Builds the scenario of a list of actions, keeping only those still valid. */
export function realise(
  name: string,
  actions: Action[],
  features: Record<string, boolean>,
  avoid: ReadonlySet<string> = new Set(),
): { scenario: Scenario; kept: Action[] } {
  const m = new Model(features, avoid);
  const kept: Action[] = [];
  // Names are fixed by the actions; fresh() only serves proposals.
  for (const act of actions) if (m.apply(act)) kept.push(act);
  const steps: Step[] = m.lines.map((l, i) => parseStep(l, `${name} step ${i}`));
  const requires: string[] = [];
  if (m.used.has('inet6')) requires.push('ipv6');
  if (m.used.has('unix')) requires.push('unix');
  for (const f of m.needs) requires.push(f);
  const scenario: Scenario = { name, actors: { main: steps } };
  if (requires.length > 0) scenario.requires = requires;
  // Random scenarios are short: a watchdog of a few seconds is plenty.
  scenario.timeout = 3;
  return { scenario, kept };
}
