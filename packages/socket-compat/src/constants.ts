/**
 * The constants of Python's `socket` module, with the values of the platform
 * they were taken from: Linux (x86-64, glibc), as `python3 -c "import
 * socket; print(socket.AF_INET6)"` prints them there. They are the public
 * names only: socket-compat maps each one it supports onto the backend
 * contract's portable codes ('inet6', SockOpt.V6ONLY, MsgFlag.PEEK...), so
 * the backend, not this table, decides what reaches the kernel. Another
 * platform's values belong in the backend contract (see the README).
 */

/** Address families: AF_UNSPEC. */
export const AF_UNSPEC = 0;
/** Address families: AF_UNIX. */
export const AF_UNIX = 1;
/** Address families: AF_INET. */
export const AF_INET = 2;
/** Address families: AF_INET6. */
export const AF_INET6 = 10;
/** Address families: AF_NETLINK. */
export const AF_NETLINK = 16;
/** Address families: AF_PACKET. */
export const AF_PACKET = 17;
/** Address families: AF_CAN. */
export const AF_CAN = 29;
/** Address families: AF_TIPC. */
export const AF_TIPC = 30;
/** Address families: AF_ALG. */
export const AF_ALG = 38;
/** Address families: AF_VSOCK. */
export const AF_VSOCK = 40;
/** Address families: AF_QIPCRTR. */
export const AF_QIPCRTR = 42;
/** Address families: AF_RDS. */
export const AF_RDS = 21;
/** Address families: AF_APPLETALK. */
export const AF_APPLETALK = 5;
/** Address families: AF_IPX. */
export const AF_IPX = 4;
/** Address families: AF_X25. */
export const AF_X25 = 9;
/** Address families: AF_AX25. */
export const AF_AX25 = 3;
/** Address families: AF_ROUTE. */
export const AF_ROUTE = 16;
/** Address families: AF_KEY. */
export const AF_KEY = 15;
/** Address families: AF_SNA. */
export const AF_SNA = 22;
/** Address families: AF_IRDA. */
export const AF_IRDA = 23;
/** Address families: AF_LLC. */
export const AF_LLC = 26;
/** Address families: AF_BRIDGE. */
export const AF_BRIDGE = 7;
/** Address families: AF_DECnet. */
export const AF_DECnet = 12;
/** Address families: AF_NETROM. */
export const AF_NETROM = 6;
/** Address families: AF_ROSE. */
export const AF_ROSE = 11;
/** Address families: AF_SECURITY. */
export const AF_SECURITY = 14;
/** Address families: AF_ASH. */
export const AF_ASH = 18;
/** Address families: AF_ECONET. */
export const AF_ECONET = 19;
/** Address families: AF_ATMPVC. */
export const AF_ATMPVC = 8;
/** Address families: AF_ATMSVC. */
export const AF_ATMSVC = 20;
/** Address families: AF_NETBEUI. */
export const AF_NETBEUI = 13;
/** Address families: AF_PPPOX. */
export const AF_PPPOX = 24;
/** Address families: AF_WANPIPE. */
export const AF_WANPIPE = 25;

/** Socket types (SOCK_NONBLOCK and SOCK_CLOEXEC are flags or-ed into the type): SOCK_STREAM. */
export const SOCK_STREAM = 1;
/** Socket types (SOCK_NONBLOCK and SOCK_CLOEXEC are flags or-ed into the type): SOCK_DGRAM. */
export const SOCK_DGRAM = 2;
/** Socket types (SOCK_NONBLOCK and SOCK_CLOEXEC are flags or-ed into the type): SOCK_RAW. */
export const SOCK_RAW = 3;
/** Socket types (SOCK_NONBLOCK and SOCK_CLOEXEC are flags or-ed into the type): SOCK_RDM. */
export const SOCK_RDM = 4;
/** Socket types (SOCK_NONBLOCK and SOCK_CLOEXEC are flags or-ed into the type): SOCK_SEQPACKET. */
export const SOCK_SEQPACKET = 5;
/** Socket types (SOCK_NONBLOCK and SOCK_CLOEXEC are flags or-ed into the type): SOCK_NONBLOCK. */
export const SOCK_NONBLOCK = 2048;
/** Socket types (SOCK_NONBLOCK and SOCK_CLOEXEC are flags or-ed into the type): SOCK_CLOEXEC. */
export const SOCK_CLOEXEC = 524288;

/** Option levels: SOL_SOCKET. */
export const SOL_SOCKET = 1;
/** Option levels: SOL_IP. */
export const SOL_IP = 0;
/** Option levels: SOL_TCP. */
export const SOL_TCP = 6;
/** Option levels: SOL_UDP. */
export const SOL_UDP = 17;

/** SOL_SOCKET options: SO_DEBUG. */
export const SO_DEBUG = 1;
/** SOL_SOCKET options: SO_REUSEADDR. */
export const SO_REUSEADDR = 2;
/** SOL_SOCKET options: SO_TYPE. */
export const SO_TYPE = 3;
/** SOL_SOCKET options: SO_ERROR. */
export const SO_ERROR = 4;
/** SOL_SOCKET options: SO_DONTROUTE. */
export const SO_DONTROUTE = 5;
/** SOL_SOCKET options: SO_BROADCAST. */
export const SO_BROADCAST = 6;
/** SOL_SOCKET options: SO_SNDBUF. */
export const SO_SNDBUF = 7;
/** SOL_SOCKET options: SO_RCVBUF. */
export const SO_RCVBUF = 8;
/** SOL_SOCKET options: SO_KEEPALIVE. */
export const SO_KEEPALIVE = 9;
/** SOL_SOCKET options: SO_OOBINLINE. */
export const SO_OOBINLINE = 10;
/** SOL_SOCKET options: SO_PRIORITY. */
export const SO_PRIORITY = 12;
/** SOL_SOCKET options: SO_LINGER. */
export const SO_LINGER = 13;
/** SOL_SOCKET options: SO_REUSEPORT. */
export const SO_REUSEPORT = 15;
/** SOL_SOCKET options: SO_PASSCRED. */
export const SO_PASSCRED = 16;
/** SOL_SOCKET options: SO_PEERCRED. */
export const SO_PEERCRED = 17;
/** Ancillary data types at SOL_SOCKET (sendmsg/recvmsg): SCM_RIGHTS, descriptors. */
export const SCM_RIGHTS = 1;
/** Ancillary data types at SOL_SOCKET: SCM_CREDENTIALS, a struct ucred (pid, uid, gid). */
export const SCM_CREDENTIALS = 2;
/** SOL_SOCKET options: SO_RCVLOWAT. */
export const SO_RCVLOWAT = 18;
/** SOL_SOCKET options: SO_SNDLOWAT. */
export const SO_SNDLOWAT = 19;
/** SOL_SOCKET options: SO_RCVTIMEO. */
export const SO_RCVTIMEO = 20;
/** SOL_SOCKET options: SO_SNDTIMEO. */
export const SO_SNDTIMEO = 21;
/** SOL_SOCKET options: SO_BINDTODEVICE. */
export const SO_BINDTODEVICE = 25;
/** SOL_SOCKET options: SO_ACCEPTCONN. */
export const SO_ACCEPTCONN = 30;
/** SOL_SOCKET options: SO_PEERSEC. */
export const SO_PEERSEC = 31;
/** SOL_SOCKET options: SO_PASSSEC. */
export const SO_PASSSEC = 34;
/** SOL_SOCKET options: SO_MARK. */
export const SO_MARK = 36;
/** SOL_SOCKET options: SO_PROTOCOL. */
export const SO_PROTOCOL = 38;
/** SOL_SOCKET options: SO_DOMAIN. */
export const SO_DOMAIN = 39;
/** SOL_SOCKET options: SO_INCOMING_CPU. */
export const SO_INCOMING_CPU = 49;

/** Protocol numbers: IPPROTO_IP. */
export const IPPROTO_IP = 0;
/** Protocol numbers: IPPROTO_HOPOPTS. */
export const IPPROTO_HOPOPTS = 0;
/** Protocol numbers: IPPROTO_ICMP. */
export const IPPROTO_ICMP = 1;
/** Protocol numbers: IPPROTO_IGMP. */
export const IPPROTO_IGMP = 2;
/** Protocol numbers: IPPROTO_IPIP. */
export const IPPROTO_IPIP = 4;
/** Protocol numbers: IPPROTO_TCP. */
export const IPPROTO_TCP = 6;
/** Protocol numbers: IPPROTO_EGP. */
export const IPPROTO_EGP = 8;
/** Protocol numbers: IPPROTO_PUP. */
export const IPPROTO_PUP = 12;
/** Protocol numbers: IPPROTO_UDP. */
export const IPPROTO_UDP = 17;
/** Protocol numbers: IPPROTO_IDP. */
export const IPPROTO_IDP = 22;
/** Protocol numbers: IPPROTO_TP. */
export const IPPROTO_TP = 29;
/** Protocol numbers: IPPROTO_IPV6. */
export const IPPROTO_IPV6 = 41;
/** Protocol numbers: IPPROTO_ROUTING. */
export const IPPROTO_ROUTING = 43;
/** Protocol numbers: IPPROTO_FRAGMENT. */
export const IPPROTO_FRAGMENT = 44;
/** Protocol numbers: IPPROTO_RSVP. */
export const IPPROTO_RSVP = 46;
/** Protocol numbers: IPPROTO_GRE. */
export const IPPROTO_GRE = 47;
/** Protocol numbers: IPPROTO_ESP. */
export const IPPROTO_ESP = 50;
/** Protocol numbers: IPPROTO_AH. */
export const IPPROTO_AH = 51;
/** Protocol numbers: IPPROTO_ICMPV6. */
export const IPPROTO_ICMPV6 = 58;
/** Protocol numbers: IPPROTO_NONE. */
export const IPPROTO_NONE = 59;
/** Protocol numbers: IPPROTO_DSTOPTS. */
export const IPPROTO_DSTOPTS = 60;
/** Protocol numbers: IPPROTO_PIM. */
export const IPPROTO_PIM = 103;
/** Protocol numbers: IPPROTO_SCTP. */
export const IPPROTO_SCTP = 132;
/** Protocol numbers: IPPROTO_UDPLITE. */
export const IPPROTO_UDPLITE = 136;
/** Protocol numbers: IPPROTO_MPTCP. */
export const IPPROTO_MPTCP = 262;
/** Protocol numbers: IPPROTO_RAW. */
export const IPPROTO_RAW = 255;

/** IPPROTO_IPV6 options: IPV6_V6ONLY. */
export const IPV6_V6ONLY = 26;

/** IPPROTO_TCP options: TCP_NODELAY. */
export const TCP_NODELAY = 1;
/** IPPROTO_TCP options: TCP_MAXSEG. */
export const TCP_MAXSEG = 2;
/** IPPROTO_TCP options: TCP_CORK. */
export const TCP_CORK = 3;
/** IPPROTO_TCP options: TCP_KEEPIDLE. */
export const TCP_KEEPIDLE = 4;
/** IPPROTO_TCP options: TCP_KEEPINTVL. */
export const TCP_KEEPINTVL = 5;
/** IPPROTO_TCP options: TCP_KEEPCNT. */
export const TCP_KEEPCNT = 6;
/** IPPROTO_TCP options: TCP_SYNCNT. */
export const TCP_SYNCNT = 7;
/** IPPROTO_TCP options: TCP_LINGER2. */
export const TCP_LINGER2 = 8;
/** IPPROTO_TCP options: TCP_DEFER_ACCEPT. */
export const TCP_DEFER_ACCEPT = 9;
/** IPPROTO_TCP options: TCP_WINDOW_CLAMP. */
export const TCP_WINDOW_CLAMP = 10;
/** IPPROTO_TCP options: TCP_INFO. */
export const TCP_INFO = 11;
/** IPPROTO_TCP options: TCP_QUICKACK. */
export const TCP_QUICKACK = 12;
/** IPPROTO_TCP options: TCP_CONGESTION. */
export const TCP_CONGESTION = 13;
/** IPPROTO_TCP options: TCP_USER_TIMEOUT. */
export const TCP_USER_TIMEOUT = 18;
/** IPPROTO_TCP options: TCP_FASTOPEN. */
export const TCP_FASTOPEN = 23;
/** IPPROTO_TCP options: TCP_NOTSENT_LOWAT. */
export const TCP_NOTSENT_LOWAT = 25;

/** send/recv flags: MSG_OOB. */
export const MSG_OOB = 1;
/** send/recv flags: MSG_PEEK. */
export const MSG_PEEK = 2;
/** send/recv flags: MSG_DONTROUTE. */
export const MSG_DONTROUTE = 4;
/** send/recv flags: MSG_CTRUNC. */
export const MSG_CTRUNC = 8;
/** send/recv flags: MSG_TRUNC. */
export const MSG_TRUNC = 32;
/** send/recv flags: MSG_DONTWAIT. */
export const MSG_DONTWAIT = 64;
/** send/recv flags: MSG_EOR. */
export const MSG_EOR = 128;
/** send/recv flags: MSG_WAITALL. */
export const MSG_WAITALL = 256;
/** send/recv flags: MSG_CONFIRM. */
export const MSG_CONFIRM = 2048;
/** send/recv flags: MSG_ERRQUEUE. */
export const MSG_ERRQUEUE = 8192;
/** send/recv flags: MSG_NOSIGNAL. */
export const MSG_NOSIGNAL = 16384;
/** send/recv flags: MSG_MORE. */
export const MSG_MORE = 32768;
/** send/recv flags: MSG_FASTOPEN. */
export const MSG_FASTOPEN = 536870912;
/** send/recv flags: MSG_CMSG_CLOEXEC. */
export const MSG_CMSG_CLOEXEC = 1073741824;

/** shutdown() directions: SHUT_RD. */
export const SHUT_RD = 0;
/** shutdown() directions: SHUT_WR. */
export const SHUT_WR = 1;
/** shutdown() directions: SHUT_RDWR. */
export const SHUT_RDWR = 2;

/** getaddrinfo() flags: AI_PASSIVE. */
export const AI_PASSIVE = 1;
/** getaddrinfo() flags: AI_CANONNAME. */
export const AI_CANONNAME = 2;
/** getaddrinfo() flags: AI_NUMERICHOST. */
export const AI_NUMERICHOST = 4;
/** getaddrinfo() flags: AI_V4MAPPED. */
export const AI_V4MAPPED = 8;
/** getaddrinfo() flags: AI_ALL. */
export const AI_ALL = 16;
/** getaddrinfo() flags: AI_ADDRCONFIG. */
export const AI_ADDRCONFIG = 32;
/** getaddrinfo() flags: AI_NUMERICSERV. */
export const AI_NUMERICSERV = 1024;

/** getnameinfo() flags and sizes: NI_NUMERICHOST. */
export const NI_NUMERICHOST = 1;
/** getnameinfo() flags and sizes: NI_NUMERICSERV. */
export const NI_NUMERICSERV = 2;
/** getnameinfo() flags and sizes: NI_NOFQDN. */
export const NI_NOFQDN = 4;
/** getnameinfo() flags and sizes: NI_NAMEREQD. */
export const NI_NAMEREQD = 8;
/** getnameinfo() flags and sizes: NI_DGRAM. */
export const NI_DGRAM = 16;
/** getnameinfo() flags and sizes: NI_MAXHOST. */
export const NI_MAXHOST = 1025;
/** getnameinfo() flags and sizes: NI_MAXSERV. */
export const NI_MAXSERV = 32;

/** getaddrinfo() errors (gaierror.errno): EAI_BADFLAGS. */
export const EAI_BADFLAGS = -1;
/** getaddrinfo() errors (gaierror.errno): EAI_NONAME. */
export const EAI_NONAME = -2;
/** getaddrinfo() errors (gaierror.errno): EAI_AGAIN. */
export const EAI_AGAIN = -3;
/** getaddrinfo() errors (gaierror.errno): EAI_FAIL. */
export const EAI_FAIL = -4;
/** getaddrinfo() errors (gaierror.errno): EAI_NODATA. */
export const EAI_NODATA = -5;
/** getaddrinfo() errors (gaierror.errno): EAI_FAMILY. */
export const EAI_FAMILY = -6;
/** getaddrinfo() errors (gaierror.errno): EAI_SOCKTYPE. */
export const EAI_SOCKTYPE = -7;
/** getaddrinfo() errors (gaierror.errno): EAI_SERVICE. */
export const EAI_SERVICE = -8;
/** getaddrinfo() errors (gaierror.errno): EAI_ADDRFAMILY. */
export const EAI_ADDRFAMILY = -9;
/** getaddrinfo() errors (gaierror.errno): EAI_MEMORY. */
export const EAI_MEMORY = -10;
/** getaddrinfo() errors (gaierror.errno): EAI_SYSTEM. */
export const EAI_SYSTEM = -11;
/** getaddrinfo() errors (gaierror.errno): EAI_OVERFLOW. */
export const EAI_OVERFLOW = -12;

/** IPv4 addresses as 32-bit numbers: INADDR_ANY. */
export const INADDR_ANY = 0;
/** IPv4 addresses as 32-bit numbers: INADDR_BROADCAST. */
export const INADDR_BROADCAST = 4294967295;
/** IPv4 addresses as 32-bit numbers: INADDR_LOOPBACK. */
export const INADDR_LOOPBACK = 2130706433;
/** IPv4 addresses as 32-bit numbers: INADDR_NONE. */
export const INADDR_NONE = 4294967295;
/** IPv4 addresses as 32-bit numbers: INADDR_UNSPEC_GROUP. */
export const INADDR_UNSPEC_GROUP = 3758096384;
/** IPv4 addresses as 32-bit numbers: INADDR_ALLHOSTS_GROUP. */
export const INADDR_ALLHOSTS_GROUP = 3758096385;
/** IPv4 addresses as 32-bit numbers: INADDR_MAX_LOCAL_GROUP. */
export const INADDR_MAX_LOCAL_GROUP = 3758096639;

/** The kernel's limit on listen() backlogs: SOMAXCONN. */
export const SOMAXCONN = 4096;

/** This build supports IPv6 sockets. */
export const has_ipv6 = true;
