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

/** The members of AddressFamily, each under its own name, as the module exports them. */
export const {
  AF_ALG, AF_APPLETALK, AF_ASH, AF_ATMPVC, AF_ATMSVC, AF_AX25,
  AF_BRIDGE, AF_CAN, AF_ECONET, AF_INET, AF_INET6, AF_IPX,
  AF_IRDA, AF_KEY, AF_LLC, AF_NETBEUI, AF_NETLINK, AF_NETROM,
  AF_PACKET, AF_PPPOX, AF_QIPCRTR, AF_RDS, AF_ROSE, AF_ROUTE,
  AF_SECURITY, AF_SNA, AF_TIPC, AF_UNIX, AF_UNSPEC, AF_VSOCK,
  AF_WANPIPE, AF_X25,
} = AddressFamily;

/** The members of SocketKind, each under its own name, as the module exports them. */
export const {
  SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET,
  SOCK_STREAM,
} = SocketKind;

/** The members of MsgFlag, each under its own name, as the module exports them. */
export const {
  MSG_CMSG_CLOEXEC, MSG_CONFIRM, MSG_CTRUNC, MSG_DONTROUTE, MSG_DONTWAIT, MSG_EOR,
  MSG_ERRQUEUE, MSG_FASTOPEN, MSG_MORE, MSG_NOSIGNAL, MSG_OOB, MSG_PEEK,
  MSG_TRUNC, MSG_WAITALL,
} = MsgFlag;

/** The members of AddressInfo, each under its own name, as the module exports them. */
export const {
  AI_ADDRCONFIG, AI_ALL, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV, AI_PASSIVE,
  AI_V4MAPPED,
} = AddressInfo;
