/**
 * What `new socket(family, type, proto, fileno)` stands on: a new kernel
 * socket, or a descriptor socket-compat gave out taken over, with CPython's
 * defaults for a family, type or protocol left at -1.
 */
import type { Int } from './pyargs.js';
import { constants } from 'node:os';
import { currentBackend, SockOpt, ValueError, type Family, type IoBackend, type SocketKind } from '@stackless-io/runtime';
import { familyConstant } from './address.js';
import { check } from './check.js';
import * as C from './constants.js';
import { errorFor } from './errors.js';
import { adopt, fresh, resolve } from './handles.js';
import { toCIntStrict, toIndex } from './pyargs.js';
import { socketTypeOf } from './sockopt.js';

const { EAFNOSUPPORT, EBADF, EINVAL } = constants.errno;

/** The socket a constructor call opened or took over, and what it is. */
export interface OpenedSocket {
  readonly backend: IoBackend;
  /** The backend handle. */
  readonly h: number;
  /** The descriptor fileno() reports: the handle's number, or a duplicate's own (handles.ts). */
  readonly fd: number;
  readonly family: number;
  /** The type without SOCK_NONBLOCK and SOCK_CLOEXEC. */
  readonly type: number;
  readonly proto: number;
  /** The protocol the kernel would report for SO_PROTOCOL. */
  readonly soProtocol: number;
  /** SOCK_NONBLOCK was given: the socket starts non-blocking (timeout 0). */
  readonly nonblocking: boolean;
}

/** The contract's family for an AF_* number: the kernel answers for those it lacks (AF_ALG, AF_CAN, AF_TIPC here). */
function contractFamily(family: number): Family {
  switch (family) {
    case C.AF_INET:
      return 'inet';
    case C.AF_INET6:
      return 'inet6';
    case C.AF_UNIX:
      return 'unix';
    case C.AF_NETLINK:
      return 'netlink';
    case C.AF_PACKET:
      return 'packet';
    case C.AF_VSOCK:
      return 'vsock';
    case C.AF_ALG:
      return 'alg';
    case C.AF_CAN:
      return 'can';
    case C.AF_TIPC:
      return 'tipc';
    default:
      throw errorFor(EAFNOSUPPORT);
  }
}

/** The contract's kind for a SOCK_* type (flags removed). */
export function contractKind(type: number): SocketKind {
  if (type === C.SOCK_STREAM) return 'stream';
  if (type === C.SOCK_DGRAM) return 'dgram';
  if (type === C.SOCK_SEQPACKET) return 'seqpacket';
  if (type === C.SOCK_RAW) return 'raw';
  if (type === C.SOCK_RDM) return 'rdm';
  throw errorFor(EINVAL);
}

/** The protocol number the kernel reports (SO_PROTOCOL) for a socket made with protocol 0. */
function defaultProto(family: number, type: number): number {
  // Protocol 0 of a netlink socket is NETLINK_ROUTE, itself 0; vsock has none.
  if (family !== C.AF_INET && family !== C.AF_INET6) return 0;
  return type === C.SOCK_STREAM ? C.IPPROTO_TCP : C.IPPROTO_UDP;
}

/**
 * The socket constructor's work after its arity check: with `fileno` null,
 * a new socket (AF_INET, SOCK_STREAM, protocol 0 by default); otherwise the
 * descriptor taken over, its family and type found when they are -1.
 */
export function openSocket(family: Int, type: Int, proto: Int, fileno: Int | null): OpenedSocket {
  let fam = toCIntStrict(family);
  let typ = toCIntStrict(type);
  let pro = toCIntStrict(proto);
  const b = currentBackend();
  let nonblocking = false;
  let h: number;
  let fdNumber: number;
  if (fileno === null || fileno === undefined) {
    if (fam === -1) fam = C.AF_INET;
    if (typ === -1) typ = C.SOCK_STREAM;
    if (pro === -1) pro = 0;
    nonblocking = (typ & C.SOCK_NONBLOCK) !== 0;
    typ &= ~(C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
    h = check(b.socket(contractFamily(fam), contractKind(typ), pro));
    fresh(b, h);
    fdNumber = h;
  } else {
    const fd = toIndex(fileno);
    if (fd < 0) throw new ValueError('negative file descriptor');
    const r = resolve(b, fd);
    if (r < 0) throw errorFor(EBADF);
    const t = b.getOption(r, SockOpt.TYPE);
    if (typeof t === 'object') throw errorFor(t.errno);
    if (fam === -1) {
      const a = b.getsockname(r);
      if (typeof a === 'number') throw errorFor(-a);
      fam = familyConstant(a.family);
    }
    if (typ === -1) typ = socketTypeOf(t);
    typ &= ~(C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
    if (pro === -1) pro = defaultProto(fam, typ);
    h = adopt(b, fd);
    fdNumber = fd;
  }
  const soProtocol = pro !== 0 ? pro : defaultProto(fam, typ);
  return { backend: b, h, fd: fdNumber, family: fam, type: typ, proto: pro, soProtocol, nonblocking };
}
