// The sendmsg()/recvmsg() base classes of CPython's test_socket
// (SendrecvmsgBase and its connectionless, connected, datagram-flags and
// recvmsg_into mixins) as one fixture, made for a kind of socket: UDP over
// IPv4 or IPv6, TCP, or a Unix stream. The client half runs in a tasklet.
import { join } from 'node:path';
import { expect } from 'chai';
import type { TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import type { Ctx } from './frame.js';
import { Event, HOST, HOSTv6 } from './support.js';

/** support.LOOPBACK_TIMEOUT: the fail_timeout of the tests that set one. */
export const FAIL_TIMEOUT = 10;

/** The kinds of socket the concrete classes use. */
export type Kind = 'UDP' | 'UDP6' | 'UDPLITE' | 'UDPLITE6' | 'TCP' | 'UnixStream';

/** recvmsg()'s answer: data, ancillary items, msg_flags, address. */
export type RecvmsgResult = [Buffer, socket.Ancillary[], number, socket.Address | null];

/** What checkFlags() takes besides the flags. */
export interface FlagCheck {
  eor?: boolean | null;
  checkset?: socket.Int;
  checkunset?: socket.Int;
  ignore?: socket.Int;
}

/** What both halves of a sendmsg/recvmsg test use. */
export interface MsgFixture {
  kind: Kind;
  /** The server's socket the tests receive on (the accepted one when connected). */
  serv_sock: socket.socket;
  /** The client's socket the tests send from. */
  cli_sock: socket.socket;
  serv_addr: socket.Address;
  cli_addr: socket.Address;
  /** The listening or bound server socket (`serv`). */
  serv: socket.socket;
  misc_event: Event;
  sendToServer(msg: Uint8Array): TaskletGenerator<number>;
  /** sendmsg() on the client, missing arguments filled from the kind's defaults. */
  sendmsgToServer(...args: unknown[]): TaskletGenerator<number>;
  /** recvmsg(), or recvmsg_into() made to answer as recvmsg() for the RecvmsgInto classes. */
  doRecvmsg(sock: socket.socket, bufsize: number, ...args: socket.Int[]): TaskletGenerator<RecvmsgResult>;
  checkRecvmsgAddress(a1: unknown, a2: unknown): void;
  checkFlags(flags: number, check?: FlagCheck): void;
}

/** A half of a sendmsg/recvmsg test. */
export type MsgHalf = (f: MsgFixture) => TaskletGenerator<void>;

/** How a class' tests receive and whether its server socket has a timeout. */
export interface MsgOptions {
  /** RecvmsgIntoMixin: doRecvmsg() uses recvmsg_into(). */
  into?: boolean;
  /** SendrecvmsgServerTimeoutBase: the server socket gets FAIL_TIMEOUT. */
  serverTimeout?: boolean;
  /** Called with every recvmsg result (SCMRightsTest closes the descriptors it got). */
  register?: (r: RecvmsgResult) => void;
}

const isDgram = (k: Kind): boolean => k.startsWith('UDP');
const isInet6 = (k: Kind): boolean => k.endsWith('6');

function family(k: Kind): socket.AddressFamily {
  return isInet6(k) ? socket.AF_INET6 : k === 'UnixStream' ? socket.AF_UNIX : socket.AF_INET;
}

function newSocket(k: Kind): socket.socket {
  return new socket.socket(family(k), isDgram(k) ? socket.SOCK_DGRAM : socket.SOCK_STREAM, k.startsWith('UDPLITE') ? socket.IPPROTO_UDPLITE : 0);
}

let unixNames = 0;

function* bindSock(k: Kind, dir: () => string, s: socket.socket): TaskletGenerator<void> {
  if (k === 'UnixStream') yield* s.bind(join(dir(), `s${++unixNames}`));
  else yield* s.bind([isInet6(k) ? HOSTv6 : HOST, 0]);
}

/** Runs one sendmsg/recvmsg test of `kind`: the server half here, the client half in a tasklet. */
export function* msgTest(c: Ctx, kind: Kind, options: MsgOptions, server: MsgHalf, client: MsgHalf): TaskletGenerator<void> {
  let d: string | null = null;
  const dir = (): string => (d ??= c.tmpdir());
  const serv = newSocket(kind);
  const connected = !isDgram(kind);
  let cli_conn: socket.socket | null = null;
  const f = { kind, serv, misc_event: new Event() } as MsgFixture;
  const common_unset = +socket.MSG_CTRUNC | +socket.MSG_OOB;
  const non_eor = isDgram(kind) ? +socket.MSG_TRUNC : 0;
  f.checkFlags = (flags, check = {}) => {
    // The flags may be MsgFlag members: their ints take part in the bit arithmetic.
    const { eor = null } = check;
    let checkset = +(check.checkset ?? 0);
    let checkunset = +(check.checkunset ?? 0);
    const ignore = +(check.ignore ?? 0);
    let defaultset = 0;
    let defaultunset = common_unset;
    if (eor) defaultunset |= non_eor;
    else if (eor !== null) defaultset |= non_eor;
    defaultset &= ~checkunset;
    defaultunset &= ~checkset;
    checkset |= defaultset;
    checkunset |= defaultunset;
    const inboth = checkset & checkunset & ~ignore;
    if (inboth) throw new Error(`contradictory set, unset requirements for flags 0x${inboth.toString(16)}`);
    const mask = (checkset | checkunset) & ~ignore;
    expect(flags & mask, `msg_flags 0x${flags.toString(16)}`).to.equal(checkset & mask);
  };
  f.checkRecvmsgAddress = (a1, a2) => {
    if (connected) return; // the address of a connected socket is unspecified: not examined
    if (isInet6(kind)) expect((a1 as unknown[]).slice(0, -1)).to.deep.equal((a2 as unknown[]).slice(0, -1));
    else expect(a1).to.deep.equal(a2);
  };
  f.doRecvmsg = function* (sock, bufsize, ...args) {
    if (!options.into) {
      const r = yield* sock.recvmsg(bufsize, ...args);
      options.register?.(r);
      return r;
    }
    const buf = Buffer.alloc(bufsize);
    const [n, anc, flags, addr] = yield* sock.recvmsg_into([buf], ...args);
    options.register?.([buf, anc, flags, addr]);
    expect(n).to.be.within(0, bufsize);
    return [Buffer.from(buf.subarray(0, n)), anc, flags, addr];
  };
  f.sendToServer = function* (msg) {
    return connected ? yield* f.cli_sock.send(msg) : yield* f.cli_sock.sendto(msg, f.serv_addr);
  };
  f.sendmsgToServer = (...args) => {
    const defaults = connected ? [] : [[], [], 0, f.serv_addr];
    const full = [...args, ...defaults.slice(args.length)];
    return (f.cli_sock.sendmsg as (...a: unknown[]) => TaskletGenerator<number>)(...full);
  };
  try {
    yield* bindSock(kind, dir, serv);
    f.serv_addr = serv.getsockname();
    if (connected) serv.listen();
    // CPython binds the client in its thread's clientSetUp; binding it here
    // first changes nothing the tests look at, and gives the server its address.
    const cli = newSocket(kind);
    f.cli_sock = cli;
    const ready = new Event();
    let t: ReturnType<Ctx['actor']> | null = null;
    try {
      yield* bindSock(kind, dir, cli);
      f.cli_addr = cli.getsockname();
    } catch (e) {
      cli.close();
      throw e;
    }
    t = c.actor(function* () {
      try {
        if (connected) yield* cli.connect(f.serv_addr);
        yield* ready.wait();
        yield* client(f);
      } finally {
        cli.close();
      }
    });
    if (connected) [cli_conn] = yield* serv.accept();
    f.serv_sock = cli_conn ?? serv;
    if (options.serverTimeout) f.serv_sock.settimeout(FAIL_TIMEOUT);
    ready.set();
    yield* server(f);
    yield* c.join(t);
  } finally {
    cli_conn?.close();
    serv.close();
  }
}
