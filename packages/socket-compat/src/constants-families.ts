/**
 * The constants of families and protocols the backends may not open (AF_CAN,
 * AF_TIPC, AF_ALG, AF_VSOCK, AF_PACKET, AF_NETLINK...), with the values
 * CPython 3.11 exposes on Linux (x86-64, glibc), grouped by family. They
 * exist so that code naming them loads and gets the kernel's answer;
 * tests/socket-compat/module-surface.test.ts compares them with python3.
 */

/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM. */
export const CAN_BCM = 2;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_CAN_FD_FRAME. */
export const CAN_BCM_CAN_FD_FRAME = 2048;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_ANNOUNCE_RESUME. */
export const CAN_BCM_RX_ANNOUNCE_RESUME = 256;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_CHANGED. */
export const CAN_BCM_RX_CHANGED = 12;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_CHECK_DLC. */
export const CAN_BCM_RX_CHECK_DLC = 64;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_DELETE. */
export const CAN_BCM_RX_DELETE = 6;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_FILTER_ID. */
export const CAN_BCM_RX_FILTER_ID = 32;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_NO_AUTOTIMER. */
export const CAN_BCM_RX_NO_AUTOTIMER = 128;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_READ. */
export const CAN_BCM_RX_READ = 7;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_RTR_FRAME. */
export const CAN_BCM_RX_RTR_FRAME = 1024;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_SETUP. */
export const CAN_BCM_RX_SETUP = 5;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_STATUS. */
export const CAN_BCM_RX_STATUS = 10;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_RX_TIMEOUT. */
export const CAN_BCM_RX_TIMEOUT = 11;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_SETTIMER. */
export const CAN_BCM_SETTIMER = 1;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_STARTTIMER. */
export const CAN_BCM_STARTTIMER = 2;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_ANNOUNCE. */
export const CAN_BCM_TX_ANNOUNCE = 8;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_COUNTEVT. */
export const CAN_BCM_TX_COUNTEVT = 4;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_CP_CAN_ID. */
export const CAN_BCM_TX_CP_CAN_ID = 16;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_DELETE. */
export const CAN_BCM_TX_DELETE = 2;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_EXPIRED. */
export const CAN_BCM_TX_EXPIRED = 9;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_READ. */
export const CAN_BCM_TX_READ = 3;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_RESET_MULTI_IDX. */
export const CAN_BCM_TX_RESET_MULTI_IDX = 512;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_SEND. */
export const CAN_BCM_TX_SEND = 4;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_SETUP. */
export const CAN_BCM_TX_SETUP = 1;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_BCM_TX_STATUS. */
export const CAN_BCM_TX_STATUS = 8;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_EFF_FLAG. */
export const CAN_EFF_FLAG = 2147483648;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_EFF_MASK. */
export const CAN_EFF_MASK = 536870911;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_ERR_FLAG. */
export const CAN_ERR_FLAG = 536870912;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_ERR_MASK. */
export const CAN_ERR_MASK = 536870911;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_ISOTP. */
export const CAN_ISOTP = 6;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_J1939. */
export const CAN_J1939 = 7;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_RAW. */
export const CAN_RAW = 1;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_RAW_FD_FRAMES. */
export const CAN_RAW_FD_FRAMES = 5;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_RAW_FILTER. */
export const CAN_RAW_FILTER = 1;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_RAW_JOIN_FILTERS. */
export const CAN_RAW_JOIN_FILTERS = 6;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_RAW_LOOPBACK. */
export const CAN_RAW_LOOPBACK = 3;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_RAW_RECV_OWN_MSGS. */
export const CAN_RAW_RECV_OWN_MSGS = 4;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_RTR_FLAG. */
export const CAN_RTR_FLAG = 1073741824;
/** AF_CAN (Controller Area Network): protocols, BCM opcodes and flags, raw-socket options, id masks: CAN_SFF_MASK. */
export const CAN_SFF_MASK = 2047;

/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_EE_INFO_NONE. */
export const J1939_EE_INFO_NONE = 0;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_EE_INFO_TX_ABORT. */
export const J1939_EE_INFO_TX_ABORT = 1;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_FILTER_MAX. */
export const J1939_FILTER_MAX = 512;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_IDLE_ADDR. */
export const J1939_IDLE_ADDR = 254;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_MAX_UNICAST_ADDR. */
export const J1939_MAX_UNICAST_ADDR = 253;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_NLA_BYTES_ACKED. */
export const J1939_NLA_BYTES_ACKED = 1;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_NLA_PAD. */
export const J1939_NLA_PAD = 0;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_NO_ADDR. */
export const J1939_NO_ADDR = 255;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_NO_NAME. */
export const J1939_NO_NAME = 0;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_NO_PGN. */
export const J1939_NO_PGN = 262144;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_PGN_ADDRESS_CLAIMED. */
export const J1939_PGN_ADDRESS_CLAIMED = 60928;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_PGN_ADDRESS_COMMANDED. */
export const J1939_PGN_ADDRESS_COMMANDED = 65240;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_PGN_MAX. */
export const J1939_PGN_MAX = 262143;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_PGN_PDU1_MAX. */
export const J1939_PGN_PDU1_MAX = 261888;
/** AF_CAN J1939 protocol: addresses, PGNs, filter limits, error-queue fields: J1939_PGN_REQUEST. */
export const J1939_PGN_REQUEST = 59904;

/** AF_CAN J1939 socket options: SO_J1939_ERRQUEUE. */
export const SO_J1939_ERRQUEUE = 4;
/** AF_CAN J1939 socket options: SO_J1939_FILTER. */
export const SO_J1939_FILTER = 1;
/** AF_CAN J1939 socket options: SO_J1939_PROMISC. */
export const SO_J1939_PROMISC = 2;
/** AF_CAN J1939 socket options: SO_J1939_SEND_PRIO. */
export const SO_J1939_SEND_PRIO = 3;

/** AF_CAN J1939 ancillary data types: SCM_J1939_DEST_ADDR. */
export const SCM_J1939_DEST_ADDR = 1;
/** AF_CAN J1939 ancillary data types: SCM_J1939_DEST_NAME. */
export const SCM_J1939_DEST_NAME = 2;
/** AF_CAN J1939 ancillary data types: SCM_J1939_ERRQUEUE. */
export const SCM_J1939_ERRQUEUE = 4;
/** AF_CAN J1939 ancillary data types: SCM_J1939_PRIO. */
export const SCM_J1939_PRIO = 3;

/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_ADDR_ID. */
export const TIPC_ADDR_ID = 3;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_ADDR_NAME. */
export const TIPC_ADDR_NAME = 2;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_ADDR_NAMESEQ. */
export const TIPC_ADDR_NAMESEQ = 1;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_CFG_SRV. */
export const TIPC_CFG_SRV = 0;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_CLUSTER_SCOPE. */
export const TIPC_CLUSTER_SCOPE = 2;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_CONN_TIMEOUT. */
export const TIPC_CONN_TIMEOUT = 130;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_CRITICAL_IMPORTANCE. */
export const TIPC_CRITICAL_IMPORTANCE = 3;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_DEST_DROPPABLE. */
export const TIPC_DEST_DROPPABLE = 129;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_HIGH_IMPORTANCE. */
export const TIPC_HIGH_IMPORTANCE = 2;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_IMPORTANCE. */
export const TIPC_IMPORTANCE = 127;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_LOW_IMPORTANCE. */
export const TIPC_LOW_IMPORTANCE = 0;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_MEDIUM_IMPORTANCE. */
export const TIPC_MEDIUM_IMPORTANCE = 1;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_NODE_SCOPE. */
export const TIPC_NODE_SCOPE = 3;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_PUBLISHED. */
export const TIPC_PUBLISHED = 1;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_SRC_DROPPABLE. */
export const TIPC_SRC_DROPPABLE = 128;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_SUBSCR_TIMEOUT. */
export const TIPC_SUBSCR_TIMEOUT = 3;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_SUB_CANCEL. */
export const TIPC_SUB_CANCEL = 4;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_SUB_PORTS. */
export const TIPC_SUB_PORTS = 1;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_SUB_SERVICE. */
export const TIPC_SUB_SERVICE = 2;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_TOP_SRV. */
export const TIPC_TOP_SRV = 1;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_WAIT_FOREVER. */
export const TIPC_WAIT_FOREVER = -1;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_WITHDRAWN. */
export const TIPC_WITHDRAWN = 2;
/** AF_TIPC (Transparent Inter-Process Communication): address types, scopes, importance, options, subscriptions: TIPC_ZONE_SCOPE. */
export const TIPC_ZONE_SCOPE = 1;

/** AF_TIPC option level: SOL_TIPC. */
export const SOL_TIPC = 271;

/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_OP_DECRYPT. */
export const ALG_OP_DECRYPT = 0;
/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_OP_ENCRYPT. */
export const ALG_OP_ENCRYPT = 1;
/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_OP_SIGN. */
export const ALG_OP_SIGN = 2;
/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_OP_VERIFY. */
export const ALG_OP_VERIFY = 3;
/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_SET_AEAD_ASSOCLEN. */
export const ALG_SET_AEAD_ASSOCLEN = 4;
/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_SET_AEAD_AUTHSIZE. */
export const ALG_SET_AEAD_AUTHSIZE = 5;
/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_SET_IV. */
export const ALG_SET_IV = 2;
/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_SET_KEY. */
export const ALG_SET_KEY = 1;
/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_SET_OP. */
export const ALG_SET_OP = 3;
/** AF_ALG (kernel crypto API): setsockopt names and operations: ALG_SET_PUBKEY. */
export const ALG_SET_PUBKEY = 6;

/** AF_ALG option level: SOL_ALG. */
export const SOL_ALG = 279;

/** AF_VSOCK (virtual machine sockets): well-known CIDs and ports: VMADDR_CID_ANY. */
export const VMADDR_CID_ANY = 4294967295;
/** AF_VSOCK (virtual machine sockets): well-known CIDs and ports: VMADDR_CID_HOST. */
export const VMADDR_CID_HOST = 2;
/** AF_VSOCK (virtual machine sockets): well-known CIDs and ports: VMADDR_PORT_ANY. */
export const VMADDR_PORT_ANY = 4294967295;

/** AF_VSOCK socket options: SO_VM_SOCKETS_BUFFER_MAX_SIZE. */
export const SO_VM_SOCKETS_BUFFER_MAX_SIZE = 2;
/** AF_VSOCK socket options: SO_VM_SOCKETS_BUFFER_MIN_SIZE. */
export const SO_VM_SOCKETS_BUFFER_MIN_SIZE = 1;
/** AF_VSOCK socket options: SO_VM_SOCKETS_BUFFER_SIZE. */
export const SO_VM_SOCKETS_BUFFER_SIZE = 0;

/** AF_VSOCK version: VM_SOCKETS_INVALID_VERSION. */
export const VM_SOCKETS_INVALID_VERSION = 4294967295;

/** AF_VSOCK ioctl request: IOCTL_VM_SOCKETS_GET_LOCAL_CID. */
export const IOCTL_VM_SOCKETS_GET_LOCAL_CID = 1977;

/** AF_PACKET packet types (sll_pkttype): PACKET_BROADCAST. */
export const PACKET_BROADCAST = 1;
/** AF_PACKET packet types (sll_pkttype): PACKET_FASTROUTE. */
export const PACKET_FASTROUTE = 6;
/** AF_PACKET packet types (sll_pkttype): PACKET_HOST. */
export const PACKET_HOST = 0;
/** AF_PACKET packet types (sll_pkttype): PACKET_LOOPBACK. */
export const PACKET_LOOPBACK = 5;
/** AF_PACKET packet types (sll_pkttype): PACKET_MULTICAST. */
export const PACKET_MULTICAST = 2;
/** AF_PACKET packet types (sll_pkttype): PACKET_OTHERHOST. */
export const PACKET_OTHERHOST = 3;
/** AF_PACKET packet types (sll_pkttype): PACKET_OUTGOING. */
export const PACKET_OUTGOING = 4;

/** AF_NETLINK protocols: NETLINK_CRYPTO. */
export const NETLINK_CRYPTO = 21;
/** AF_NETLINK protocols: NETLINK_DNRTMSG. */
export const NETLINK_DNRTMSG = 14;
/** AF_NETLINK protocols: NETLINK_FIREWALL. */
export const NETLINK_FIREWALL = 3;
/** AF_NETLINK protocols: NETLINK_IP6_FW. */
export const NETLINK_IP6_FW = 13;
/** AF_NETLINK protocols: NETLINK_NFLOG. */
export const NETLINK_NFLOG = 5;
/** AF_NETLINK protocols: NETLINK_ROUTE. */
export const NETLINK_ROUTE = 0;
/** AF_NETLINK protocols: NETLINK_USERSOCK. */
export const NETLINK_USERSOCK = 2;
/** AF_NETLINK protocols: NETLINK_XFRM. */
export const NETLINK_XFRM = 6;

/** protocol families (the same numbers as their AF_): PF_CAN. */
export const PF_CAN = 29;
/** protocol families (the same numbers as their AF_): PF_PACKET. */
export const PF_PACKET = 17;
/** protocol families (the same numbers as their AF_): PF_RDS. */
export const PF_RDS = 21;

/** option levels of other families: SOL_CAN_BASE. */
export const SOL_CAN_BASE = 100;
/** option levels of other families: SOL_CAN_RAW. */
export const SOL_CAN_RAW = 101;
/** option levels of other families: SOL_RDS. */
export const SOL_RDS = 276;

/** IPPROTO_UDPLITE options: UDPLITE_RECV_CSCOV. */
export const UDPLITE_RECV_CSCOV = 11;
/** IPPROTO_UDPLITE options: UDPLITE_SEND_CSCOV. */
export const UDPLITE_SEND_CSCOV = 10;

/** port ranges: IPPORT_RESERVED. */
export const IPPORT_RESERVED = 1024;
/** port ranges: IPPORT_USERRESERVED. */
export const IPPORT_USERRESERVED = 5000;

/** errno values the module re-exports from errno: EAGAIN. */
export const EAGAIN = 11;
/** errno values the module re-exports from errno: EBADF. */
export const EBADF = 9;
/** errno values the module re-exports from errno: EWOULDBLOCK. */
export const EWOULDBLOCK = 11;
