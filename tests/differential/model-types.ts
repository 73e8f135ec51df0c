/**
 * What the random model is made of: its picture of a socket, an action,
 * and the constants and small helpers that every family of moves (model.ts,
 * model-fill.ts, model-state.ts, model-messages.ts) uses.
 */
export type Fam = 'inet' | 'inet6' | 'unix';

/**
 * What the model can leave out, for a backend whose intended differences
 * (intended-differences.json, "avoid") say it cannot do it:
 * - unix-dgram: AF_UNIX datagram sockets;
 * - messages: sendmsg/recvmsg and descriptor passing (model-messages.ts);
 * - early-fin: a TCP listener shut down for writing before listen(), whose
 *   connections send their FIN before anyone accepts them (model-state.ts,
 *   'preshutlisten').
 */
export const CAPABILITIES = ['unix-dgram', 'messages', 'early-fin'] as const;
export type Capability = (typeof CAPABILITIES)[number];
/** null: blocking; 0: non-blocking; SHORT: a timeout meant to expire; LONG: a timeout meant not to. */
export type Timeout = null | 0 | typeof SHORT | typeof LONG;
export const SHORT = 0.01;
export const LONG = 5.0;

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
export interface Fill {
  peer: string;
  count: string;
  /** A sendall that met the full socket sent an unknown part of its bytes after them. */
  tainted: boolean;
}

/** More than the kernel's default buffers hold between two local sockets: one non-blocking send of it fills them. */
export const FILL_BYTES = 8 * 1024 * 1024;
/** More than a full socket frees without the peer reading (a delayed ACK frees an in-flight window at most). */
export const OVERFLOW_BYTES = 1024 * 1024;

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

export const FAM_CONST: Record<Fam, string> = { inet: 'AF_INET', inet6: 'AF_INET6', unix: 'AF_UNIX' };
export const LOOPBACK: Record<'inet' | 'inet6', string> = { inet: '127.0.0.1', inet6: '::1' };

/** The actions of Model.applyStateMove (shutdown in every state, resets, options before connect). */
export const STATE_MOVES = new Set(['shutother', 'preshut', 'preshutlisten', 'resetpeer', 'racereset', 'onreset', 'optconnect']);

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

export function tmo(t: Timeout): string {
  return t === null ? 'None' : String(t);
}


/** Whether a blocking-ish read may wait for something certain to come. */
export function waits(t: Timeout): boolean {
  return t === null || t === LONG;
}

/**
 * Whether a reset of `p`'s connection leaves it in one certain state: a
 * TCP socket with nothing unread, no FIN either way and no shutdown (a
 * reset after the peer's FIN is EPIPE, and a FIN makes receives answer
 * EOF before the error).
 */
export function resettable(p: Sock): boolean {
  return p.kind === 'stream' && p.fam !== 'unix' && !p.closed && !p.connecting && p.rx.length === 0 && !p.eof && !p.shutRd && !p.shutWr;
}
