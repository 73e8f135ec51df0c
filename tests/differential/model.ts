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
  kind: 'listener' | 'stream' | 'dgram' | 'fresh' | 'dead';
  fam: Fam;
  closed: boolean;
  timeout: Timeout;
  /** The variable is set (a server side becomes usable once accepted). */
  bound: boolean;
  // listener
  pending: Sock[];
  /** How many connections may wait (a kernel takes backlog or backlog + 1). */
  backlog: number;
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
  private readonly stopped = new Set<string>();

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
      pending: [], backlog: 0, peer: null, rx: [], eof: false, shutRd: false, shutWr: false, connecting: false,
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
    if (this.stateForbids(act, a)) return false;
    const state = this.applyStateMove(act, a);
    if (state !== undefined) return state;
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
        if (l === undefined || l.kind !== 'listener' || l.closed || l.pending.length >= l.backlog || this.socks.has(act.b!) || this.socks.has(act.s!)) return false;
        const c = this.mk(act.b!, 'stream', l.fam);
        const srv = this.mk(act.s!, 'stream', l.fam, false);
        c.peer = srv;
        srv.peer = c;
        l.pending.push(srv);
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
        if (a === undefined || b === undefined || a.kind !== 'dgram' || b.kind !== 'dgram' || !this.live(a)) return false;
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
        const level = opt === 'TCP_NODELAY' ? 'IPPROTO_TCP' : 'SOL_SOCKET';
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
  // actions ask stateForbids() what these moves rule out.

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
  private stateForbids(act: Action, a: Sock | undefined): boolean {
    if (a === undefined) return false;
    if (act.k === 'bad' && this.stopped.has(a.v)) return /bind|listen/.test(act.s!);
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
      default:
        return false;
    }
  }

  /** The moves of this section: true or false as apply() answers, undefined for any other action. */
  private applyStateMove(act: Action, a: Sock | undefined): boolean | undefined {
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
        this.stopped.add(l.v);
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
  const scenario: Scenario = { name, actors: { main: steps } };
  if (requires.length > 0) scenario.requires = requires;
  // Random scenarios are short: a watchdog of a few seconds is plenty.
  scenario.timeout = 3;
  return { scenario, kept };
}
