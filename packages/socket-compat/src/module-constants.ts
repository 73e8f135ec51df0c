/**
 * The constants as the module exports them. Most are plain ints; those
 * whose names start with AF_, SOCK_, MSG_ and AI_ (and are upper case: not
 * AF_DECnet) are members of the enums AddressFamily, SocketKind, MsgFlag
 * and AddressInfo, built as CPython's socket.py builds them with
 * `IntEnum._convert_`, from the same numbers (constants.ts). The rest of
 * socket-compat computes with the plain numbers of constants.ts; members
 * appear only where CPython gives them out (these exports, `sock.family`,
 * `sock.type`, getaddrinfo()).
 */
import * as C from './constants.js';
import { intEnum, intFlag, type IntEnum, type IntFlag } from './intenum.js';

export * from './constants.js';
export * from './constants-ip.js';
export * from './constants-families.js';

type Prefixed<P extends string> = {
  [K in keyof typeof C as K extends `${P}${string}` ? (K extends Uppercase<K> ? K : never) : never]: number;
};

/** The upper-case constants whose names start with `prefix`: the filter CPython's socket.py gives `_convert_`. */
function withPrefix<P extends string>(prefix: P): Prefixed<P> {
  const picked: Record<string, number> = {};
  for (const [k, v] of Object.entries(C)) {
    if (k.startsWith(prefix) && k === k.toUpperCase() && typeof v === 'number') picked[k] = v;
  }
  return picked as Prefixed<P>;
}

/** The address families (`socket.AddressFamily`): `AddressFamily(2) === AF_INET`. */
export const AddressFamily = intEnum('AddressFamily', withPrefix('AF_'));
/** A member of AddressFamily. */
export type AddressFamily = IntEnum<'AddressFamily'>;
/** The socket types (`socket.SocketKind`); SOCK_NONBLOCK and SOCK_CLOEXEC are members too, as in CPython. */
export const SocketKind = intEnum('SocketKind', withPrefix('SOCK_'));
/** A member of SocketKind. */
export type SocketKind = IntEnum<'SocketKind'>;
/** The send/recv flags (`socket.MsgFlag`), an IntFlag. */
export const MsgFlag = intFlag('MsgFlag', withPrefix('MSG_'));
/** A member (or combination) of MsgFlag. */
export type MsgFlag = IntFlag<'MsgFlag'>;
/** The getaddrinfo() flags (`socket.AddressInfo`), an IntFlag. */
export const AddressInfo = intFlag('AddressInfo', withPrefix('AI_'));
/** A member (or combination) of AddressInfo. */
export type AddressInfo = IntFlag<'AddressInfo'>;

// The members of AddressFamily, each under its own name, as the module exports them.
/** Address family AF_ALG: `<AddressFamily.AF_ALG: 38>`. */
export const AF_ALG = AddressFamily.AF_ALG;
/** Address family AF_APPLETALK: `<AddressFamily.AF_APPLETALK: 5>`. */
export const AF_APPLETALK = AddressFamily.AF_APPLETALK;
/** Address family AF_ASH: `<AddressFamily.AF_ASH: 18>`. */
export const AF_ASH = AddressFamily.AF_ASH;
/** Address family AF_ATMPVC: `<AddressFamily.AF_ATMPVC: 8>`. */
export const AF_ATMPVC = AddressFamily.AF_ATMPVC;
/** Address family AF_ATMSVC: `<AddressFamily.AF_ATMSVC: 20>`. */
export const AF_ATMSVC = AddressFamily.AF_ATMSVC;
/** Address family AF_AX25: `<AddressFamily.AF_AX25: 3>`. */
export const AF_AX25 = AddressFamily.AF_AX25;
/** Address family AF_BRIDGE: `<AddressFamily.AF_BRIDGE: 7>`. */
export const AF_BRIDGE = AddressFamily.AF_BRIDGE;
/** Address family AF_CAN: `<AddressFamily.AF_CAN: 29>`. */
export const AF_CAN = AddressFamily.AF_CAN;
/** Address family AF_ECONET: `<AddressFamily.AF_ECONET: 19>`. */
export const AF_ECONET = AddressFamily.AF_ECONET;
/** Address family AF_INET: `<AddressFamily.AF_INET: 2>`. */
export const AF_INET = AddressFamily.AF_INET;
/** Address family AF_INET6: `<AddressFamily.AF_INET6: 10>`. */
export const AF_INET6 = AddressFamily.AF_INET6;
/** Address family AF_IPX: `<AddressFamily.AF_IPX: 4>`. */
export const AF_IPX = AddressFamily.AF_IPX;
/** Address family AF_IRDA: `<AddressFamily.AF_IRDA: 23>`. */
export const AF_IRDA = AddressFamily.AF_IRDA;
/** Address family AF_KEY: `<AddressFamily.AF_KEY: 15>`. */
export const AF_KEY = AddressFamily.AF_KEY;
/** Address family AF_LLC: `<AddressFamily.AF_LLC: 26>`. */
export const AF_LLC = AddressFamily.AF_LLC;
/** Address family AF_NETBEUI: `<AddressFamily.AF_NETBEUI: 13>`. */
export const AF_NETBEUI = AddressFamily.AF_NETBEUI;
/** Address family AF_NETLINK: `<AddressFamily.AF_NETLINK: 16>`. */
export const AF_NETLINK = AddressFamily.AF_NETLINK;
/** Address family AF_NETROM: `<AddressFamily.AF_NETROM: 6>`. */
export const AF_NETROM = AddressFamily.AF_NETROM;
/** Address family AF_PACKET: `<AddressFamily.AF_PACKET: 17>`. */
export const AF_PACKET = AddressFamily.AF_PACKET;
/** Address family AF_PPPOX: `<AddressFamily.AF_PPPOX: 24>`. */
export const AF_PPPOX = AddressFamily.AF_PPPOX;
/** Address family AF_QIPCRTR: `<AddressFamily.AF_QIPCRTR: 42>`. */
export const AF_QIPCRTR = AddressFamily.AF_QIPCRTR;
/** Address family AF_RDS: `<AddressFamily.AF_RDS: 21>`. */
export const AF_RDS = AddressFamily.AF_RDS;
/** Address family AF_ROSE: `<AddressFamily.AF_ROSE: 11>`. */
export const AF_ROSE = AddressFamily.AF_ROSE;
/** Address family AF_ROUTE: `<AddressFamily.AF_NETLINK: 16>` (an alias of AF_NETLINK). */
export const AF_ROUTE = AddressFamily.AF_ROUTE;
/** Address family AF_SECURITY: `<AddressFamily.AF_SECURITY: 14>`. */
export const AF_SECURITY = AddressFamily.AF_SECURITY;
/** Address family AF_SNA: `<AddressFamily.AF_SNA: 22>`. */
export const AF_SNA = AddressFamily.AF_SNA;
/** Address family AF_TIPC: `<AddressFamily.AF_TIPC: 30>`. */
export const AF_TIPC = AddressFamily.AF_TIPC;
/** Address family AF_UNIX: `<AddressFamily.AF_UNIX: 1>`. */
export const AF_UNIX = AddressFamily.AF_UNIX;
/** Address family AF_UNSPEC: `<AddressFamily.AF_UNSPEC: 0>`. */
export const AF_UNSPEC = AddressFamily.AF_UNSPEC;
/** Address family AF_VSOCK: `<AddressFamily.AF_VSOCK: 40>`. */
export const AF_VSOCK = AddressFamily.AF_VSOCK;
/** Address family AF_WANPIPE: `<AddressFamily.AF_WANPIPE: 25>`. */
export const AF_WANPIPE = AddressFamily.AF_WANPIPE;
/** Address family AF_X25: `<AddressFamily.AF_X25: 9>`. */
export const AF_X25 = AddressFamily.AF_X25;

// The members of SocketKind, each under its own name, as the module exports them.
/** Socket type SOCK_CLOEXEC: `<SocketKind.SOCK_CLOEXEC: 524288>`. */
export const SOCK_CLOEXEC = SocketKind.SOCK_CLOEXEC;
/** Socket type SOCK_DGRAM: `<SocketKind.SOCK_DGRAM: 2>`. */
export const SOCK_DGRAM = SocketKind.SOCK_DGRAM;
/** Socket type SOCK_NONBLOCK: `<SocketKind.SOCK_NONBLOCK: 2048>`. */
export const SOCK_NONBLOCK = SocketKind.SOCK_NONBLOCK;
/** Socket type SOCK_RAW: `<SocketKind.SOCK_RAW: 3>`. */
export const SOCK_RAW = SocketKind.SOCK_RAW;
/** Socket type SOCK_RDM: `<SocketKind.SOCK_RDM: 4>`. */
export const SOCK_RDM = SocketKind.SOCK_RDM;
/** Socket type SOCK_SEQPACKET: `<SocketKind.SOCK_SEQPACKET: 5>`. */
export const SOCK_SEQPACKET = SocketKind.SOCK_SEQPACKET;
/** Socket type SOCK_STREAM: `<SocketKind.SOCK_STREAM: 1>`. */
export const SOCK_STREAM = SocketKind.SOCK_STREAM;

// The members of MsgFlag, each under its own name, as the module exports them.
/** send/recv flag MSG_CMSG_CLOEXEC: `<MsgFlag.MSG_CMSG_CLOEXEC: 1073741824>`. */
export const MSG_CMSG_CLOEXEC = MsgFlag.MSG_CMSG_CLOEXEC;
/** send/recv flag MSG_CONFIRM: `<MsgFlag.MSG_CONFIRM: 2048>`. */
export const MSG_CONFIRM = MsgFlag.MSG_CONFIRM;
/** send/recv flag MSG_CTRUNC: `<MsgFlag.MSG_CTRUNC: 8>`. */
export const MSG_CTRUNC = MsgFlag.MSG_CTRUNC;
/** send/recv flag MSG_DONTROUTE: `<MsgFlag.MSG_DONTROUTE: 4>`. */
export const MSG_DONTROUTE = MsgFlag.MSG_DONTROUTE;
/** send/recv flag MSG_DONTWAIT: `<MsgFlag.MSG_DONTWAIT: 64>`. */
export const MSG_DONTWAIT = MsgFlag.MSG_DONTWAIT;
/** send/recv flag MSG_EOR: `<MsgFlag.MSG_EOR: 128>`. */
export const MSG_EOR = MsgFlag.MSG_EOR;
/** send/recv flag MSG_ERRQUEUE: `<MsgFlag.MSG_ERRQUEUE: 8192>`. */
export const MSG_ERRQUEUE = MsgFlag.MSG_ERRQUEUE;
/** send/recv flag MSG_FASTOPEN: `<MsgFlag.MSG_FASTOPEN: 536870912>`. */
export const MSG_FASTOPEN = MsgFlag.MSG_FASTOPEN;
/** send/recv flag MSG_MORE: `<MsgFlag.MSG_MORE: 32768>`. */
export const MSG_MORE = MsgFlag.MSG_MORE;
/** send/recv flag MSG_NOSIGNAL: `<MsgFlag.MSG_NOSIGNAL: 16384>`. */
export const MSG_NOSIGNAL = MsgFlag.MSG_NOSIGNAL;
/** send/recv flag MSG_OOB: `<MsgFlag.MSG_OOB: 1>`. */
export const MSG_OOB = MsgFlag.MSG_OOB;
/** send/recv flag MSG_PEEK: `<MsgFlag.MSG_PEEK: 2>`. */
export const MSG_PEEK = MsgFlag.MSG_PEEK;
/** send/recv flag MSG_TRUNC: `<MsgFlag.MSG_TRUNC: 32>`. */
export const MSG_TRUNC = MsgFlag.MSG_TRUNC;
/** send/recv flag MSG_WAITALL: `<MsgFlag.MSG_WAITALL: 256>`. */
export const MSG_WAITALL = MsgFlag.MSG_WAITALL;

// The members of AddressInfo, each under its own name, as the module exports them.
/** getaddrinfo() flag AI_ADDRCONFIG: `<AddressInfo.AI_ADDRCONFIG: 32>`. */
export const AI_ADDRCONFIG = AddressInfo.AI_ADDRCONFIG;
/** getaddrinfo() flag AI_ALL: `<AddressInfo.AI_ALL: 16>`. */
export const AI_ALL = AddressInfo.AI_ALL;
/** getaddrinfo() flag AI_CANONNAME: `<AddressInfo.AI_CANONNAME: 2>`. */
export const AI_CANONNAME = AddressInfo.AI_CANONNAME;
/** getaddrinfo() flag AI_NUMERICHOST: `<AddressInfo.AI_NUMERICHOST: 4>`. */
export const AI_NUMERICHOST = AddressInfo.AI_NUMERICHOST;
/** getaddrinfo() flag AI_NUMERICSERV: `<AddressInfo.AI_NUMERICSERV: 1024>`. */
export const AI_NUMERICSERV = AddressInfo.AI_NUMERICSERV;
/** getaddrinfo() flag AI_PASSIVE: `<AddressInfo.AI_PASSIVE: 1>`. */
export const AI_PASSIVE = AddressInfo.AI_PASSIVE;
/** getaddrinfo() flag AI_V4MAPPED: `<AddressInfo.AI_V4MAPPED: 8>`. */
export const AI_V4MAPPED = AddressInfo.AI_V4MAPPED;
