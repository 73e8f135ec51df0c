/**
 * The model behind the random scenarios: it replays actions over a picture
 * of the sockets a scenario made (queued bytes and datagrams, EOF,
 * shutdowns, timeouts, pending connections), accepts only the actions whose
 * outcome cannot depend on timing, and writes their steps. It never
 * predicts answers: CPython gives them. See generator.ts.
 */
import { parseStep } from './dsl.js';
import type { Scenario, Step } from './scenario.js';

export type Fam = 'inet' | 'inet6' | 'unix';

/**
 * What the model can leave out, for a backend whose intended differences
 * (intended-differences.json, "avoid") say it cannot do it:
 * - unix-dgram: AF_UNIX datagram sockets.
 */
export const CAPABILITIES = ['unix-dgram'] as const;
export type Capability = (typeof CAPABILITIES)[number];
/** null: blocking; 0: non-blocking; SHORT: a timeout meant to expire; LONG: a timeout meant not to. */
type Timeout = null | 0 | typeof SHORT | typeof LONG;
const SHORT = 0.01;
const LONG = 5.0;

export interface Sock {
  v: string;
  /**
   * dead: its connect was refused; reset: a TCP connection its peer reset
   * (closed with SO_LINGER 0, or stopped listening before accepting it),
   * which answers the pending error once, then EOF and EPIPE.
   */
  kind: 'listener' | 'stream' | 'dgram' | 'fresh' | 'dead' | 'reset';
  fam: Fam;
  closed: boolean;
  timeout: Timeout;
  /** The variable is set (a server side becomes usable once accepted). */
  bound: boolean;
  // listener
  pending: Sock[];
  /** How many connections may wait (a kernel takes backlog or backlog + 1). */
  backlog: number;
  /** shutdown() stopped it (TCP) or made it refuse new connections (AF_UNIX, SHUT_RD). */
  stopped: boolean;
  /** Directions shut down before listen() (1 SHUT_RD, 2 SHUT_WR): a TCP listener's connections start with them. */
  keptShut: number;
  // stream
  peer: Sock | null;
  rx: number[][];
  eof: boolean;
  shutRd: boolean;
  shutWr: boolean;
  /** Connect went non-blocking and the handshake is not known to be over. */
  connecting: boolean;
  // dgram
  named: boolean;
  dq: { data: number[]; from: Sock }[];
  /**
   * A zero-length recv/recvfrom met a queued datagram: whether it stays
   * queued depends on the kernel (Linux 6 keeps it), so no read of this
   * socket is certain any more.
   */
  dqUnknown: boolean;
}

/**
 * A stream whose sender filled it with one non-blocking send (the 'fill'
 * action): its peer holds `count` bytes (a variable: how many the kernel
 * took depends on buffer sizes it tunes) after the ones the model knows.
 */
interface Fill {
  peer: string;
  count: string;
  /** A sendall that met the full socket sent an unknown part of its bytes after them. */
  tainted: boolean;
}

/** More than the kernel's default buffers hold between two local sockets: one non-blocking send of it fills them. */
const FILL_BYTES = 8 * 1024 * 1024;
/** More than a full socket frees without the peer reading (a delayed ACK frees an in-flight window at most). */
const OVERFLOW_BYTES = 1024 * 1024;

/** One generated action: a kind and its parameters (sockets by variable). */
export interface Action {
  k: string;
  a?: string;
  b?: string;
  n?: number;
  m?: number;
  s?: string;
  x?: unknown;
}

const FAM_CONST: Record<Fam, string> = { inet: 'AF_INET', inet6: 'AF_INET6', unix: 'AF_UNIX' };
const LOOPBACK: Record<'inet' | 'inet6', string> = { inet: '127.0.0.1', inet6: '::1' };

/** The actions of Model.applyStateMove (shutdown in every state, resets, options before connect). */
const STATE_MOVES = new Set(['shutother', 'preshut', 'preshutlisten', 'resetpeer', 'racereset', 'onreset', 'optconnect']);

/**
 * Options a client sets before connect() (optconnect). Buffer sizes stay at
 * or above Linux's defaults, so that a little data still fits without
 * waiting; SO_LINGER is never 0 here (that would make close() a reset).
 */
export const CLIENT_OPTIONS: { level: string; name: string; value: string; fams?: Fam[] }[] = [
  { level: 'SOL_SOCKET', name: 'SO_REUSEADDR', value: '1' },
  { level: 'SOL_SOCKET', name: 'SO_KEEPALIVE', value: '1' },
  { level: 'IPPROTO_TCP', name: 'TCP_NODELAY', value: '1' },
  { level: 'SOL_SOCKET', name: 'SO_LINGER', value: 'pack_ii(1, 5)' },
  { level: 'SOL_SOCKET', name: 'SO_RCVBUF', value: '65536' },
  { level: 'SOL_SOCKET', name: 'SO_SNDBUF', value: '65536' },
  { level: 'SOL_SOCKET', name: 'SO_BROADCAST', value: '1' },
  { level: 'IPPROTO_IPV6', name: 'IPV6_V6ONLY', value: '1', fams: ['inet6'] },
];

/** Bytes as the escapes of a b"..." literal. */
export function hexBytes(bs: number[]): string {
  return bs.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

function tmo(t: Timeout): string {
  return t === null ? 'None' : String(t);
}

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
  private readonly fills = new Map<string, Fill>();
  /**
   * Senders that were filled and whose peer read the fill: the kernel frees
   * their room when the peer's ACKs come (maybe a delayed ACK later), so
   * only sends that may wait are certain.
   */
  private readonly drained = new Set<string>();
  /** Streams that hold bytes of an unknown count (after a tainted fill): nothing they read is certain. */
  private readonly unknownRx = new Set<string>();
  /**
   * Listeners that 'shutlisten' shut down. What binding or listening again
   * does then is the business of the shutdown moves (Linux releases a port
   * that bind() chose when it stops a TCP listener), not of these.
   */
  private readonly shutListeners = new Set<string>();

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

  private mk(v: string, kind: Sock['kind'], fam: Fam, bound = true): Sock {
    const s: Sock = {
      v, kind, fam, closed: false, timeout: null, bound,
      pending: [], backlog: 0, stopped: false, keptShut: 0, peer: null, rx: [], eof: false, shutRd: false, shutWr: false, connecting: false,
      named: false, dq: [], dqUnknown: false,
    };
    this.socks.set(v, s);
    this.used.add(fam);
    return s;
  }

  famOk(f: Fam): boolean {
    return f === 'inet' || (f === 'inet6' && this.features.ipv6 === true) || (f === 'unix' && this.features.unix === true);
  }

  private addr(l: Sock): string {
    return l.fam === 'unix' ? `tmp("${l.v}")` : `${l.v}.getsockname()`;
  }

  private emit(...ls: string[]): void {
    this.lines.push(...ls);
  }

  /** Whether a blocking-ish read may wait for something certain to come. */
  private static waits(t: Timeout): boolean {
    return t === null || t === LONG;
  }

  private live(s: Sock): boolean {
    return !s.closed && s.bound;
  }

  /** Whether one more operation may wait for its timeout (or answer EAGAIN). */
  private mayExpire(t: Timeout): boolean {
    if (t === 0) return true;
    if (t !== SHORT || this.expiring >= 2) return false;
    this.expiring++;
    return true;
  }

  /** Applies the action if valid; returns false (and changes nothing) if not. */
  apply(act: Action): boolean {
    const a = this.sock(act.a);
    const b = this.sock(act.b);
    if (this.fillForbids(act, a)) return false;
    const fill = this.applyFillMove(act, a);
    if (fill !== undefined) return fill;
    if (STATE_MOVES.has(act.k)) return this.applyStateMove(act, a, b);
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
        if (!Model.waits(l.timeout)) return false;
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
        if (a.connecting && !Model.waits(a.timeout)) return false;
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
          if (!Model.waits(a.timeout)) return false;
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
          if (!Model.waits(a.timeout)) return false;
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
          if (!Model.waits(a.timeout)) return false;
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

  // ---- filled sockets, zero-length receives, state options ------------------
  //
  // Moves that would have found issue #8's (a), (b) and (c): a non-blocking
  // send that fills the socket and what may follow it, recv(0) and friends
  // in every state, and the options that report a socket's state after
  // shutdown() or close(). They are written here, apart, and the other
  // actions ask fillForbids() what these moves rule out.

  /** The senders a fill waits on (for proposals). */
  filled(): string[] {
    return [...this.fills.keys()];
  }

  /** The peer of a pending fill, if `s` is one. */
  private fillInto(s: Sock): Fill | undefined {
    for (const f of this.fills.values()) if (f.peer === s.v) return f;
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
  private fillForbids(act: Action, a: Sock | undefined): boolean {
    if (a === undefined) return false;
    if (act.k === 'bad' && this.shutListeners.has(a.v)) return /bind|listen/.test(act.s!);
    if (this.fills.size === 0 && this.drained.size === 0 && this.unknownRx.size === 0) return false;
    const filled = this.fills.has(a.v);
    const into = this.fillInto(a);
    const unknown = this.unknownRx.has(a.v);
    switch (act.k) {
      case 'send':
        if (filled) return true;
        return this.drained.has(a.v) && !a.closed && !a.shutWr && !Model.waits(a.timeout);
      case 'recv':
        return !a.closed && (unknown || (into !== undefined && a.rx.length === 0));
      case 'close':
      case 'shutdown':
        return filled || into !== undefined || unknown;
      case 'resetpeer': {
        // A reset would meet bytes whose count the model does not know on
        // either end: what the reset socket answers first would depend on it.
        const p = a.peer;
        const peerInvolved = p !== null && (this.fills.has(p.v) || this.fillInto(p) !== undefined || this.unknownRx.has(p.v));
        return filled || into !== undefined || unknown || peerInvolved;
      }
      default:
        return false;
    }
  }

  /** The moves of this section: true or false as apply() answers, undefined for any other action. */
  private applyFillMove(act: Action, a: Sock | undefined): boolean | undefined {
    switch (act.k) {
      case 'fill':
        return a !== undefined && this.fill(a, act.s!);
      case 'fillmore': {
        // A sendall that meets the full socket raises BlockingIOError; it
        // may have sent part of its bytes first (so the peer's stream now
        // holds an unknown count after the fill).
        // With a timeout, MSG_DONTWAIT changes nothing (CPython waits for
        // room until the timeout expires): only a short one will do.
        const f = a === undefined ? undefined : this.fills.get(a.v);
        if (a === undefined || f === undefined) return false;
        if (a.timeout !== 0 && a.timeout !== null && !this.mayExpire(a.timeout)) return false;
        this.emit(a.timeout === 0 ? `${a.v}.sendall(bytes(${OVERFLOW_BYTES}))` : `${a.v}.sendall(bytes(${OVERFLOW_BYTES}), MSG_DONTWAIT)`);
        f.tainted = true;
        return true;
      }
      case 'drain': {
        // The peer reads exactly the fill, once its known bytes are read: a
        // read that waits for it (the count differs between CPython and the
        // backends, so only "some" is traced).
        const f = a === undefined ? undefined : this.fills.get(a.v);
        const p = f === undefined ? undefined : this.sock(f.peer);
        if (f === undefined || p === undefined || p.closed || p.rx.length > 0 || !Model.waits(p.timeout)) return false;
        this.emit(`${p.v}.recv(${f.count}, MSG_WAITALL) | bool`);
        this.fills.delete(a!.v);
        this.drained.add(a!.v);
        if (f.tainted) this.unknownRx.add(p.v);
        return true;
      }
      case 'zero':
        return a !== undefined && this.zero(a, act.n!);
      case 'stateopt': {
        if (a === undefined) return false;
        const opt = act.s!;
        if (opt === 'SO_ERROR' && !a.closed && (a.kind === 'dead' || a.connecting)) return false;
        this.emit(`${a.v}.getsockopt(SOL_SOCKET, ${opt})`);
        return true;
      }
      case 'shutlisten': {
        // shutdown() of a listener, then what it reports. A TCP listener
        // shut down for reading stops listening (accept: EINVAL at once);
        // a Unix one goes on. Either way the model connects to it no more.
        const l = a;
        if (l === undefined || l.kind !== 'listener' || l.closed || l.pending.length > 0) return false;
        const how = act.n! % 3;
        this.emit(`${l.v}.shutdown(${['SHUT_RD', 'SHUT_WR', 'SHUT_RDWR'][how]})`, `${l.v}.getsockopt(SOL_SOCKET, SO_ACCEPTCONN)`);
        if (l.fam !== 'unix' && how !== 1) this.emit(`${l.v}.accept()`);
        l.kind = 'fresh';
        this.shutListeners.add(l.v);
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
  private fill(a: Sock, count: string): boolean {
    if (a.kind !== 'stream' || a.closed || a.shutWr || a.connecting || a.peer === null) return false;
    if (this.fills.has(a.v) || this.drained.has(a.v) || this.socks.has(count)) return false;
    const p = a.peer;
    if (!p.bound || p.closed || p.shutRd || this.unknownRx.has(p.v)) return false;
    const send = a.timeout === 0 ? `${a.v}.send(bytes(${FILL_BYTES}))` : `${a.v}.send(bytes(${FILL_BYTES}), MSG_DONTWAIT)`;
    this.emit(`${count} = ${send} | bool`);
    this.fills.set(a.v, { peer: p.v, count, tainted: false });
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
  private zero(a: Sock, n: number): boolean {
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
    if (v >= 5 && !a.closed && !this.recvfromZeroCertain(a)) return false;
    this.emit(calls[v]!);
    return true;
  }

  private recvfromZeroCertain(a: Sock): boolean {
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
        return a.named ? this.mayExpire(a.timeout) : a.timeout === 0;
      case 'stream': {
        // A stream holding an unknown count of bytes may hold none.
        if (a.connecting || this.unknownRx.has(a.v)) return false;
        const there = a.rx.length > 0 || this.fillInto(a) !== undefined;
        if (a.shutRd) return !there;
        if (there || a.eof) return Model.waits(a.timeout);
        return this.mayExpire(a.timeout);
      }
      default:
        return false;
    }
  }

  // ---- shutdown in every state, resets racing connects, options before connect ----
  // (issue #8). Each move is one action, so that shrinking keeps or drops it whole.

  /** Whether a new client may connect to `l` (the connection is queued for certain). */
  private canConnect(l: Sock | undefined, client: string | undefined, server: string | undefined): l is Sock {
    if (l === undefined || l.kind !== 'listener' || l.closed || l.stopped) return false;
    return l.pending.length < l.backlog && !this.socks.has(client!) && !this.socks.has(server!);
  }

  /**
   * Queues the server side of `c`'s connection on `l`. A TCP listener shut
   * down before it listened hands its directions to the connection: shut
   * for writing, it sends its FIN as soon as it is established.
   */
  private queue(l: Sock, c: Sock, server: string): Sock {
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

  /**
   * Whether a reset of `p`'s connection leaves it in one certain state: a
   * TCP socket with nothing unread, no FIN either way and no shutdown (a
   * reset after the peer's FIN is EPIPE, and a FIN makes receives answer
   * EOF before the error).
   */
  private static resettable(p: Sock): boolean {
    return p.kind === 'stream' && p.fam !== 'unix' && !p.closed && !p.connecting && p.rx.length === 0 && !p.eof && !p.shutRd && !p.shutWr;
  }

  /** The steps of `shutdown(how)` on `v` (how: 0 SHUT_RD, 1 SHUT_WR, 2 SHUT_RDWR). */
  private shutdownStep(v: string, how: number): string {
    return `${v}.shutdown(${['SHUT_RD', 'SHUT_WR', 'SHUT_RDWR'][how]})`;
  }

  private applyStateMove(act: Action, a: Sock | undefined, b: Sock | undefined): boolean {
    switch (act.k) {
      case 'shutother': {
        // shutdown() on what is not a connected stream: a fresh or bound
        // socket, a refused or reset one (ENOTCONN, AF_UNIX 0), a
        // listener, a UDP socket (ENOTCONN, but SHUT_WR sticks).
        if (a === undefined) return false;
        const how = act.n! % 3;
        if (a.closed || a.kind === 'fresh' || a.kind === 'dead' || a.kind === 'reset') {
          this.emit(this.shutdownStep(a.v, how));
          return true;
        }
        if (a.kind === 'listener') {
          if (how !== 1 && a.fam !== 'unix') {
            // The listener stops; the connections it queued are reset.
            if (a.pending.some((srv) => !Model.resettable(srv.peer!))) return false;
            for (const srv of a.pending) {
              srv.closed = true;
              srv.peer!.kind = 'reset';
            }
            if (a.pending.length > 0) this.needs.add('linux');
            a.pending = [];
            a.keptShut = 0;
            a.stopped = true;
          } else if (how !== 1) {
            // A Unix listener refuses new connections and keeps those queued.
            a.stopped = true;
          }
          this.emit(this.shutdownStep(a.v, how));
          return true;
        }
        if (a.kind !== 'dgram') return false;
        this.emit(this.shutdownStep(a.v, how));
        // A UDP receive after SHUT_RD waits or not depending on the timeout mode: none follows.
        if (how !== 1) a.dqUnknown = true;
        if (how !== 0) {
          a.shutWr = true;
          if (b !== undefined && b !== a && b.kind === 'dgram' && b.fam === a.fam && b.named && !b.closed) {
            // The socket gets its port, then the send fails (EPIPE).
            this.emit(`${a.v}.sendto(b"x", ${b.v}.getsockname())`);
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
        if (!this.canConnect(l, act.b, act.s)) return false;
        const [bindFirst, refused] = act.x as [boolean, number];
        if (refused !== 0 && this.socks.has(`${act.b}r`)) return false;
        // A Unix client connects without its name on the libuv backend (an intended difference).
        const bind = bindFirst && l.fam !== 'unix';
        const c = this.mk(act.b!, 'stream', l.fam);
        this.emit(`${c.v} = socket(${FAM_CONST[l.fam]}, SOCK_STREAM)`);
        if (bind) this.emit(`${c.v}.bind(("${LOOPBACK[l.fam as 'inet' | 'inet6']}", 0))`);
        let refuser = '';
        if (refused !== 0) {
          const r = this.mk(`${act.b}r`, 'fresh', l.fam);
          this.emit(`${r.v} = socket(${FAM_CONST[l.fam]}, SOCK_STREAM)`);
          this.emit(l.fam === 'unix' ? `${r.v}.bind(tmp("${r.v}"))` : `${r.v}.bind(("${LOOPBACK[l.fam]}", 0))`);
          refuser = l.fam === 'unix' ? `tmp("${r.v}")` : `${r.v}.getsockname()`;
        }
        if (refused === 1) this.emit(`${c.v}.connect(${refuser})`);
        const hows = [act.n! % 3, ...(act.m! % 4 === 3 ? [] : [act.m! % 4])];
        let kept = 0;
        for (const how of hows) {
          this.emit(this.shutdownStep(c.v, how));
          kept |= how + 1;
        }
        if (refused === 2) {
          this.emit(`${c.v}.connect(${refuser})`);
          if (l.fam !== 'unix') kept = 0;
        }
        this.emit(`${c.v}.connect(${this.addr(l)})`);
        this.queue(l, c, act.s!);
        // No FIN went out for a kept SHUT_WR: the peer sees no EOF.
        c.shutRd = (kept & 1) !== 0;
        c.shutWr = (kept & 2) !== 0;
        return true;
      }
      case 'preshutlisten': {
        // A listener shut down before (or after) bind and before listen.
        const fam = act.s as Fam;
        if (!this.famOk(fam) || this.socks.has(act.a!)) return false;
        const [before] = act.x as [boolean];
        const l = this.mk(act.a!, 'listener', fam);
        l.backlog = 4;
        this.emit(`${l.v} = socket(${FAM_CONST[fam]}, SOCK_STREAM)`);
        const hows = [act.n! % 3, ...(act.m! % 4 === 3 ? [] : [act.m! % 4])];
        const bind = fam === 'unix' ? `${l.v}.bind(tmp("${l.v}"))` : `${l.v}.bind(("${LOOPBACK[fam]}", 0))`;
        if (!before) this.emit(bind);
        for (const how of hows) {
          this.emit(this.shutdownStep(l.v, how));
          l.keptShut |= how + 1;
        }
        if (before) this.emit(bind);
        this.emit(`${l.v}.listen()`);
        // A Unix listener shut down for reading refuses connections.
        if (fam === 'unix' && (l.keptShut & 1) !== 0) l.stopped = true;
        return true;
      }
      case 'resetpeer': {
        // A TCP end closes with SO_LINGER 0: its peer is reset, accepted
        // or not yet, before or after its first send.
        if (a === undefined || a.kind !== 'stream' || a.fam === 'unix' || !this.live(a) || a.connecting) return false;
        const p = a.peer;
        if (p === null || !Model.resettable(p)) return false;
        this.emit(`${a.v}.setsockopt(SOL_SOCKET, SO_LINGER, pack_ii(1, 0))`, `${a.v}.close()`);
        a.closed = true;
        p.kind = 'reset';
        this.needs.add('linux');
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
          this.canConnect(x, act.b, act.s) && x.fam !== 'unix' && x.pending.length === 0 && x.keptShut === 0 && Model.waits(x.timeout);
        if (!usable(l)) {
          const fam = act.x as Fam;
          if ((fam !== 'inet' && fam !== 'inet6') || !this.famOk(fam) || this.socks.has(`${act.b}l`) || this.socks.has(act.b!) || this.socks.has(act.s!)) return false;
          l = this.mk(`${act.b}l`, 'listener', fam);
          l.backlog = 4;
          this.emit(`${l.v} = socket(${FAM_CONST[fam]}, SOCK_STREAM)`, `${l.v}.bind(("${LOOPBACK[fam]}", 0))`, `${l.v}.listen()`);
        }
        const c = this.mk(act.b!, 'reset', l.fam);
        const srv = this.mk(act.s!, 'stream', l.fam);
        c.peer = srv;
        srv.peer = c;
        srv.closed = true;
        this.emit(`${c.v} = socket(${FAM_CONST[l.fam]}, SOCK_STREAM)`);
        if (act.n! % 3 === 0) this.emit(`${c.v}.connect(${this.addr(l)})`);
        else if (act.n! % 3 === 1) this.emit(`${c.v}.connect_ex(${this.addr(l)})`);
        else this.emit(`${c.v}.setblocking(False)`, `${c.v}.connect(${this.addr(l)})`, `${c.v}.setblocking(True)`);
        this.emit(`${srv.v}, ${srv.v}_peer = ${l.v}.accept()`, `${srv.v}.setsockopt(SOL_SOCKET, SO_LINGER, pack_ii(1, 0))`, `${srv.v}.close()`);
        this.needs.add('linux');
        return true;
      }
      case 'onreset': {
        // A reset connection answers at once: the pending error, then EOF or EPIPE.
        if (a === undefined || a.kind !== 'reset' || !this.live(a)) return false;
        const op = act.n! % 5;
        if (op === 0) this.emit(`${a.v}.send(b"x")`);
        else if (op === 1) this.emit(`${a.v}.sendall(b"xy")`);
        else if (op === 2) this.emit(`${a.v}.recv(${act.m ?? 8})`);
        else if (op === 3) this.emit(`${a.v}.recv(${act.m ?? 8}, MSG_PEEK)`);
        else this.emit(`${a.v}.getsockopt(SOL_SOCKET, SO_ERROR)`);
        return true;
      }
      case 'optconnect': {
        // Options set before connect() hold for the connection. x: the
        // options (indexes into CLIENT_OPTIONS). n: 0 connect, 1 connect_ex,
        // 2 an IPv6 V6ONLY client connecting to an IPv4 listener's mapped
        // address (ENETUNREACH at once: it stays unconnected).
        const l = a;
        if (!this.canConnect(l, act.b, act.s)) return false;
        const opts = (act.x as number[]).map((i) => CLIENT_OPTIONS[i % CLIENT_OPTIONS.length]!);
        if (act.n! % 3 === 2) {
          if (l.fam !== 'inet' || !this.famOk('inet6')) return false;
          const c = this.mk(act.b!, 'fresh', 'inet6');
          this.emit(`${c.v} = socket(AF_INET6, SOCK_STREAM)`, `${c.v}.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1)`);
          this.emit(`${c.v}.connect(("::ffff:127.0.0.1", ${l.v}.getsockname()[1]))`, `${c.v}.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)`);
          return true;
        }
        const c = this.mk(act.b!, 'stream', l.fam);
        this.emit(`${c.v} = socket(${FAM_CONST[l.fam]}, SOCK_STREAM)`);
        const chosen = opts.filter((o) => o.fams === undefined || o.fams.includes(l.fam));
        for (const o of chosen) this.emit(`${c.v}.setsockopt(${o.level}, ${o.name}, ${o.value})`);
        this.emit(act.n! % 3 === 0 ? `${c.v}.connect(${this.addr(l)})` : `${c.v}.connect_ex(${this.addr(l)})`);
        for (const o of chosen) this.emit(`${c.v}.getsockopt(${o.level}, ${o.name}${o.name === 'SO_LINGER' ? ', 8' : ''})`);
        // Buffer sizes read back doubled, up to net.core.[rw]mem_max: Linux's answer.
        if (chosen.some((o) => o.name.endsWith('BUF'))) this.needs.add('linux');
        this.queue(l, c, act.s!);
        return true;
      }
    }
    return false;
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
