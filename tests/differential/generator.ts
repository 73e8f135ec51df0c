/**
 * Random VALID scenarios for differential fuzzing. A small model of the
 * sockets a scenario made (queued bytes and datagrams, EOF, shutdowns,
 * timeouts, pending connections) decides which operations have exactly one
 * possible outcome whatever the timing, and only those are generated: a
 * recv only when data or EOF is certain to come (or a timeout of 0 or of a
 * few milliseconds makes "nothing" the answer), a send only of a little
 * data to a peer that is open, an accept only of a queued connection, and
 * so on. The model never predicts the answers themselves: CPython gives
 * them.
 *
 * A scenario is a list of actions; steps are made from the actions by
 * replaying the model, which drops every action that is no longer valid.
 * Shrinking removes actions and replays, so every shrunk scenario is valid
 * too.
 */
import { CLIENT_OPTIONS, hexBytes, Model, realise, type Action, type Fam, type Sock } from './model.js';
import type { Scenario } from './scenario.js';

/** A small, fast, seedable PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}


const BAD = [
  '$.recv(-1)',
  '$.recv("x")',
  '$.recv(1.5)',
  '$.send("text")',
  '$.send(None)',
  '$.sendall(1)',
  '$.settimeout(-1)',
  '$.settimeout("x")',
  '$.setsockopt(SOL_SOCKET, SO_REUSEADDR, "x")',
  '$.getsockopt(SOL_SOCKET, "x")',
  '$.shutdown("x")',
  '$.shutdown(7)',
  '$.listen("x")',
  '$.recvfrom(-3)',
  '$.bind(("127.0.0.1", 70000))',
  '$.bind(("127.0.0.1",))',
  '$.connect("x")',
  '$.connect(("127.0.0.1", -1))',
  '$.sendto(b"x")',
  '$.sendto(b"x", ("127.0.0.1",))',
  '$.setblocking(None)',
  '$.bind(("127.0.0.1", 0))',
  '$.listen()',
];

const QUERIES = ['getsockname', 'getpeername', 'gettimeout', 'getblocking', 'fileno', 'family', 'type', 'proto'];
// The portable options, and some that only the generic setsockopt/getsockopt
// of the contract carry (IP_TOS, IP_TTL, TCP_KEEPIDLE, TCP_KEEPCNT).
const OPTS = ['SO_REUSEADDR', 'SO_KEEPALIVE', 'SO_TYPE', 'SO_ERROR', 'TCP_NODELAY', 'SO_BROADCAST', 'IP_TOS', 'IP_TTL', 'TCP_KEEPIDLE', 'TCP_KEEPCNT'];

function randomBytes(rng: Rng, max: number): number[] {
  const n = rng.chance(0.1) ? 0 : rng.int(1, max);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(rng.chance(0.7) ? rng.int(0x61, 0x7a) : rng.int(0, 255));
  return out;
}

function randomV6Text(rng: Rng): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(rng.chance(0.4) ? 0 : rng.chance(0.5) ? rng.int(1, 15) : rng.int(0, 0xffff));
  const hex = groups.map((g) => g.toString(16));
  if (rng.chance(0.3)) return hex.join(':');
  // Compress one random run of zeros (valid or not: CPython says which).
  const i = rng.int(0, 7);
  const j = rng.int(i, Math.min(7, i + 4));
  const text = `${hex.slice(0, i).join(':')}::${hex.slice(j + 1).join(':')}`;
  return rng.chance(0.1) ? `${text}:1.2.3.4` : text;
}

function pureAction(rng: Rng, features: Record<string, boolean>): string {
  switch (rng.int(0, 9)) {
    case 0: {
      const f = rng.pick(['htons', 'ntohs', 'htonl', 'ntohl']);
      const big = f.endsWith('l');
      const v = rng.pick([rng.int(0, big ? 0xffffffff : 0xffff), rng.int(0, 300), -1, big ? 4294967296 : 65536, rng.int(0, 70000)]);
      return `${f}(${v})`;
    }
    case 1: {
      const parts = rng.int(1, 5);
      const xs: string[] = [];
      for (let i = 0; i < parts; i++) xs.push(String(rng.pick([rng.int(0, 255), rng.int(0, 300), 0])));
      return `inet_aton("${xs.join('.')}")`;
    }
    case 2: {
      const n = rng.chance(0.8) ? 4 : rng.int(0, 6);
      const bs: number[] = [];
      for (let i = 0; i < n; i++) bs.push(rng.int(0, 255));
      return rng.chance(0.5) ? `inet_ntoa(b"${hexBytes(bs)}")` : `inet_ntop(AF_INET, b"${hexBytes(bs)}")`;
    }
    case 3:
      return `inet_pton(AF_INET6, "${randomV6Text(rng)}")`;
    case 4: {
      const n = rng.chance(0.9) ? 16 : rng.int(0, 20);
      const bs: number[] = [];
      let zeroRun = rng.int(0, 16);
      const at = rng.int(0, 15);
      for (let i = 0; i < n; i++) {
        if (i >= at && zeroRun > 0) {
          bs.push(0);
          zeroRun--;
        } else bs.push(rng.chance(0.3) ? 0 : rng.int(0, 255));
      }
      if (rng.chance(0.15) && n === 16) for (let i = 0; i < 10; i++) bs[i] = 0;
      if (rng.chance(0.1) && n === 16) { bs[10] = 0xff; bs[11] = 0xff; }
      return `inet_ntop(AF_INET6, b"${hexBytes(bs)}")`;
    }
    case 5: {
      const host = rng.pick(features.ipv6 === true ? ['"127.0.0.1"', '"::1"', 'None', '"10.0.0.1"', '"::ffff:1.2.3.4"'] : ['"127.0.0.1"', 'None', '"10.0.0.1"']);
      const port = rng.pick([String(rng.int(0, 65535)), `"${rng.int(0, 65535)}"`, 'None', '0']);
      const fam = rng.pick(['0', 'AF_INET', 'AF_INET6']);
      const type = rng.pick(['0', 'SOCK_STREAM', 'SOCK_DGRAM']);
      const flags = rng.pick(['0', 'AI_PASSIVE', 'AI_NUMERICHOST', 'AI_CANONNAME', 'bitor(AI_PASSIVE, AI_NUMERICHOST)']);
      return `getaddrinfo(${host}, ${port}, ${fam}, ${type}, 0, ${flags})`;
    }
    case 6: {
      const host = rng.pick(['127.0.0.1', '10.1.2.3', '0.0.0.0']);
      return `getnameinfo(("${host}", ${rng.int(0, 65535)}), bitor(NI_NUMERICHOST, NI_NUMERICSERV))`;
    }
    case 7:
      return `inet_pton(AF_INET, "${rng.int(0, 300)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}")`;
    case 8:
      return `gethostbyname("${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}")`;
    default:
      return rng.pick(['getdefaulttimeout()', 'has_dualstack_ipv6()', 'SOMAXCONN', 'AF_INET6', 'MSG_PEEK', 'SHUT_RDWR']);
  }
}

/** Options that report a socket's state rather than a setting. */
const STATE_OPTS = ['SO_ACCEPTCONN', 'SO_TYPE', 'SO_ERROR', 'SO_DOMAIN', 'SO_PROTOCOL'];

/**
 * The moves of issue #8's (a), (b) and (c) (model-fill.ts, "filled sockets,
 * zero-length receives, state options"): zero-length receives and state
 * options on any socket in any state, a listener shut down, and a
 * non-blocking send that fills a stream, with the sendall that then meets
 * the full socket and the peer's read of the fill. A fill costs an 8 MiB
 * send on each side, so it stays rare.
 */
function proposeFillMove(rng: Rng, m: Model, names: string[], ofKind: (k: Sock['kind']) => string | undefined): Action {
  const any = (): string | undefined => (names.length === 0 ? undefined : rng.pick(names));
  const filled = m.filled();
  if (filled.length > 0 && rng.chance(0.6)) return { k: rng.chance(0.3) ? 'fillmore' : 'drain', a: rng.pick(filled) };
  const r = rng.int(0, 99);
  if (r < 38) return { k: 'zero', a: any(), n: rng.int(0, 6) };
  if (r < 72) return { k: 'stateopt', a: any(), s: rng.pick(STATE_OPTS) };
  if (r < 86) return { k: 'shutlisten', a: ofKind('listener'), n: rng.int(0, 2) };
  return { k: 'fill', a: ofKind('stream'), s: m.fresh('n') };
}

/**
 * Proposes a move of issue #8's classes (maybe invalid: the model decides):
 * shutdown() in every socket state (fresh, bound, listening, refused,
 * reset, UDP; connected ones are the plain shutdown move, before connect
 * and before listen the composite moves), a reset racing a connect (the
 * server accepts and resets before the client's connect() returns or
 * before its first send, or either end of any connection resets it), and
 * options set on a client before it connects.
 */
function proposeStateMove(rng: Rng, m: Model, fams: Fam[]): Action | undefined {
  const live = (pred: (s: Sock) => boolean): string | undefined => {
    const xs = [...m.socks.values()].filter((s) => s.bound && !s.closed && pred(s)).map((s) => s.v);
    return xs.length === 0 ? undefined : rng.pick(xs);
  };
  const listener = (): string | undefined => live((s) => s.kind === 'listener');
  const tcp = fams.filter((f) => f !== 'unix');
  const reset = live((s) => s.kind === 'reset');
  // Once a connection is reset, most moves ask it something.
  if (reset !== undefined && rng.chance(0.5)) return { k: 'onreset', a: reset, n: rng.int(0, 4), m: rng.pick([0, 1, 8, 100]) };
  switch (rng.int(0, 9)) {
    case 0:
    case 1:
      return { k: 'shutother', a: live((s) => s.kind !== 'stream'), b: live((s) => s.kind === 'dgram'), n: rng.int(0, 2) };
    case 2:
      return { k: 'preshut', a: listener(), b: m.fresh('c'), s: m.fresh('s'), n: rng.int(0, 2), m: rng.int(0, 3), x: [rng.chance(0.3), rng.pick([0, 0, 1, 2])] };
    case 3:
      return { k: 'preshutlisten', a: m.fresh('l'), s: rng.pick(fams), n: rng.int(0, 2), m: rng.int(0, 3), x: [rng.chance(0.5)] };
    case 4:
      return { k: 'resetpeer', a: live((s) => s.kind === 'stream' && s.fam !== 'unix') };
    case 5:
      return { k: 'racereset', a: listener(), b: m.fresh('c'), s: m.fresh('s'), n: rng.int(0, 2), x: rng.pick(tcp) };
    default: {
      const opts: number[] = [];
      for (let i = rng.int(1, 3); i > 0; i--) opts.push(rng.int(0, CLIENT_OPTIONS.length - 1));
      return { k: 'optconnect', a: listener(), b: m.fresh('c'), s: m.fresh('s'), n: rng.int(0, 2), x: opts };
    }
  }
}

/**
 * A message move (model-messages.ts): sendmsg/recvmsg where send/recv or
 * sendto/recvfrom would go, or a descriptor passed over a Unix stream.
 */
function proposeMessageMove(rng: Rng, m: Model, names: string[], ofKind: (k: Sock['kind']) => string | undefined): Action {
  switch (rng.int(0, 5)) {
    case 5:
      return { k: 'sendfile', a: ofKind('stream'), s: m.fresh('file'), x: randomBytes(rng, 64), n: rng.int(0, 63), m: rng.pick([0, 0, 1, 5, 20]) };
    case 0:
      return { k: 'msgsend', a: ofKind('stream'), x: randomBytes(rng, 64) };
    case 1:
      return { k: 'msgrecv', a: ofKind('stream'), n: rng.pick([0, 1, 3, 8, 64, 1024]), m: rng.int(0, 2) };
    case 2:
      return { k: 'msgsendto', a: ofKind('dgram'), b: ofKind('dgram'), x: randomBytes(rng, 48) };
    case 3:
      return { k: 'msgrecvfrom', a: ofKind('dgram'), n: rng.pick([0, 1, 3, 16, 100]), m: rng.int(0, 2) };
    default: {
      const x = randomBytes(rng, 16);
      return { k: 'passfd', a: ofKind('stream'), b: names.length === 0 ? undefined : rng.pick(names), s: m.fresh('m'), x: x.length === 0 ? [0x21] : x };
    }
  }
}

/** How often a proposal is one of proposeMessageMove's. */
const MESSAGE_MOVE_SHARE = 0.08;

/** How often a proposal is one of proposeStateMove's. */
const STATE_MOVE_SHARE = 0.12;

/** Proposes one action (maybe invalid: the model decides). */
function propose(rng: Rng, m: Model, features: Record<string, boolean>): Action {
  const names = [...m.socks.values()].filter((s) => s.bound).map((s) => s.v);
  const any = (): string | undefined => (names.length === 0 ? undefined : rng.pick(names));
  const ofKind = (k: Sock['kind']): string | undefined => {
    const xs = [...m.socks.values()].filter((s) => s.bound && s.kind === k && !s.closed).map((s) => s.v);
    return xs.length === 0 ? undefined : rng.pick(xs);
  };
  const fams: Fam[] = ['inet', 'inet', 'inet'];
  if (features.ipv6 === true) fams.push('inet6');
  if (features.unix === true) fams.push('unix');
  // More often while a fill waits for its follow-ups.
  if (rng.chance(m.filled().length > 0 ? 0.3 : 0.1)) return proposeFillMove(rng, m, names, ofKind);
  if (rng.chance(MESSAGE_MOVE_SHARE)) return proposeMessageMove(rng, m, names, ofKind);
  if (rng.chance(STATE_MOVE_SHARE)) {
    const act = proposeStateMove(rng, m, fams);
    if (act !== undefined) return act;
  }
  const r = rng.int(0, 99);
  if (r < 6) return { k: 'fn', s: pureAction(rng, features) };
  if (r < 10) return { k: 'listener', a: m.fresh('l'), s: rng.pick(fams), n: rng.pick([undefined, 0, 1, 5]) as number | undefined };
  if (r < 16) return { k: 'connect', a: ofKind('listener'), b: m.fresh('c'), s: m.fresh('s'), n: rng.int(0, 3) };
  if (r < 22) return { k: 'accept', a: ofKind('listener'), n: rng.int(0, 1) };
  if (r < 25) return { k: 'socketpair', a: m.fresh('p'), b: m.fresh('q') };
  if (r < 29) return { k: 'udp', a: m.fresh('u'), s: rng.pick(fams.filter((f) => f !== 'unix')), n: rng.chance(0.8) ? 1 : 0 };
  if (r < 31) return { k: 'fresh', a: m.fresh('f'), s: rng.pick(fams), n: rng.int(0, 1) };
  if (r < 33) return { k: 'refused', a: m.fresh('r'), b: m.fresh('d'), s: rng.pick(fams), n: rng.int(0, 2) };
  if (r < 45) return { k: 'send', a: ofKind('stream'), x: randomBytes(rng, 64), n: rng.int(0, 2) };
  if (r < 57) return { k: 'recv', a: ofKind('stream'), n: rng.pick([0, 1, 2, 3, 5, 8, 16, 64, 1024]), m: rng.int(0, 2) };
  if (r < 60) return { k: 'shutdown', a: ofKind('stream'), n: rng.int(0, 2) };
  if (r < 64) return { k: 'close', a: any() };
  if (r < 70) return { k: 'sendto', a: ofKind('dgram'), b: ofKind('dgram'), x: randomBytes(rng, 48), n: rng.int(0, 1) };
  if (r < 76) return { k: 'recvfrom', a: ofKind('dgram'), n: rng.pick([0, 1, 3, 7, 16, 100]), m: rng.int(0, 3) };
  if (r < 82) return { k: 'settimeout', a: any(), n: rng.pick([0, 0, 1, 1, 2, 3]), m: rng.int(0, 1) };
  if (r < 89) return { k: 'query', a: any(), s: rng.pick(QUERIES) };
  if (r < 93) return { k: 'sockopt', a: any(), s: rng.pick(OPTS), n: rng.int(0, 2) };
  return { k: 'bad', a: any(), s: rng.pick(BAD) };
}

/** One random valid scenario: its actions and the scenario. */
export function randomScenario(seed: number, index: number, features: Record<string, boolean>): { scenario: Scenario; actions: Action[] } {
  const rng = new Rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const m = new Model(features);
  const actions: Action[] = [];
  const want = rng.int(4, 24);
  let shortTimeouts = 0;
  for (let tries = 0; actions.length < want && tries < want * 20; tries++) {
    const act = propose(rng, m, features);
    // Expired timeouts cost wall time: at most two per scenario.
    if (act.k === 'settimeout' && act.n! % 4 === 2) {
      if (shortTimeouts >= 2) continue;
      shortTimeouts++;
    }
    if (m.apply(act)) actions.push(act);
  }
  const name = `random.${seed}.${index}`;
  return { scenario: realise(name, actions, features).scenario, actions };
}
