// sockabi.cc: the tables and translations of sockabi.h. The numbers are the
// platforms' <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h> values; the
// ABI's are Linux's (as the TypeScript encodes them).
#include "sockabi.h"

#include <errno.h>
#include <string.h>

#include <algorithm>

namespace sio::abi {

namespace {

// Linux's numbers: the ABI's.
constexpr int kSolSocket = 1, kIpprotoIp = 0, kIpprotoTcp = 6, kIpprotoIpv6 = 41;
constexpr int kAfUnspec = 0, kAfUnix = 1, kAfInet = 2, kAfInet6 = 10;
constexpr int kBsdSolSocket = 0xffff;

// Options common to macOS and FreeBSD (by BSD's numbers).
#define SIO_COMMON_OPTS                                                                              \
  {kSolSocket, 1, kBsdSolSocket, 0x0001},        /* SO_DEBUG */                                      \
      {kSolSocket, 2, kBsdSolSocket, 0x0004},    /* SO_REUSEADDR */                                  \
      {kSolSocket, 3, kBsdSolSocket, 0x1008},    /* SO_TYPE */                                       \
      {kSolSocket, 4, kBsdSolSocket, 0x1007},    /* SO_ERROR */                                      \
      {kSolSocket, 5, kBsdSolSocket, 0x0010},    /* SO_DONTROUTE */                                  \
      {kSolSocket, 6, kBsdSolSocket, 0x0020},    /* SO_BROADCAST */                                  \
      {kSolSocket, 7, kBsdSolSocket, 0x1001},    /* SO_SNDBUF */                                     \
      {kSolSocket, 8, kBsdSolSocket, 0x1002},    /* SO_RCVBUF */                                     \
      {kSolSocket, 9, kBsdSolSocket, 0x0008},    /* SO_KEEPALIVE */                                  \
      {kSolSocket, 10, kBsdSolSocket, 0x0100},   /* SO_OOBINLINE */                                  \
      {kSolSocket, 15, kBsdSolSocket, 0x0200},   /* SO_REUSEPORT */                                  \
      {kSolSocket, 18, kBsdSolSocket, 0x1004},   /* SO_RCVLOWAT */                                   \
      {kSolSocket, 19, kBsdSolSocket, 0x1003},   /* SO_SNDLOWAT */                                   \
      {kSolSocket, 30, kBsdSolSocket, 0x0002},   /* SO_ACCEPTCONN */                                 \
      {kIpprotoTcp, 1, kIpprotoTcp, 1},          /* TCP_NODELAY */                                   \
      {kIpprotoTcp, 2, kIpprotoTcp, 2},          /* TCP_MAXSEG */                                    \
      {kIpprotoIp, 1, kIpprotoIp, 3},            /* IP_TOS */                                        \
      {kIpprotoIp, 2, kIpprotoIp, 4},            /* IP_TTL */                                        \
      {kIpprotoIp, 32, kIpprotoIp, 9},           /* IP_MULTICAST_IF */                               \
      {kIpprotoIp, 33, kIpprotoIp, 10},          /* IP_MULTICAST_TTL */                              \
      {kIpprotoIp, 34, kIpprotoIp, 11},          /* IP_MULTICAST_LOOP */                             \
      {kIpprotoIp, 35, kIpprotoIp, 12},          /* IP_ADD_MEMBERSHIP */                             \
      {kIpprotoIp, 36, kIpprotoIp, 13},          /* IP_DROP_MEMBERSHIP */                            \
      {kIpprotoIpv6, 16, kIpprotoIpv6, 4},       /* IPV6_UNICAST_HOPS */                             \
      {kIpprotoIpv6, 17, kIpprotoIpv6, 9},       /* IPV6_MULTICAST_IF */                             \
      {kIpprotoIpv6, 18, kIpprotoIpv6, 10},      /* IPV6_MULTICAST_HOPS */                           \
      {kIpprotoIpv6, 19, kIpprotoIpv6, 11},      /* IPV6_MULTICAST_LOOP */                           \
      {kIpprotoIpv6, 20, kIpprotoIpv6, 12},      /* IPV6_JOIN_GROUP */                               \
      {kIpprotoIpv6, 21, kIpprotoIpv6, 13},      /* IPV6_LEAVE_GROUP */                              \
      {kIpprotoIpv6, 26, kIpprotoIpv6, 27}       /* IPV6_V6ONLY */

const OptPair kDarwinOpts[] = {
    SIO_COMMON_OPTS,
    {kSolSocket, 13, kBsdSolSocket, 0x1080},  // SO_LINGER: SO_LINGER_SEC (macOS's SO_LINGER counts ticks)
    {kIpprotoTcp, 4, kIpprotoTcp, 0x10},      // TCP_KEEPIDLE: TCP_KEEPALIVE
    {kIpprotoTcp, 5, kIpprotoTcp, 0x101},     // TCP_KEEPINTVL
    {kIpprotoTcp, 6, kIpprotoTcp, 0x102},     // TCP_KEEPCNT
};

const OptPair kFreeBSDOpts[] = {
    SIO_COMMON_OPTS,
    {kSolSocket, 13, kBsdSolSocket, 0x0080},  // SO_LINGER (seconds)
    {kIpprotoTcp, 4, kIpprotoTcp, 256},       // TCP_KEEPIDLE
    {kIpprotoTcp, 5, kIpprotoTcp, 512},       // TCP_KEEPINTVL
    {kIpprotoTcp, 6, kIpprotoTcp, 1024},      // TCP_KEEPCNT
};

#undef SIO_COMMON_OPTS

uint16_t load16(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}

void store16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

}  // namespace

const Platform kDarwin{"darwin", 30, 104, 0x1, 0x2, 0x4, 0x20, 0x10, 0x80, 0x8, 0x40, 0,
                       kDarwinOpts, sizeof kDarwinOpts / sizeof kDarwinOpts[0]};
const Platform kFreeBSD{"freebsd", 28, 104, 0x1, 0x2, 0x4, 0x20, 0x10, 0x80, 0x8, 0x40, 0x20000,
                        kFreeBSDOpts, sizeof kFreeBSDOpts / sizeof kFreeBSDOpts[0]};

int family_to(const Platform &p, int f) {
  if (f == kAfUnspec || f == kAfUnix || f == kAfInet) return f;
  return f == kAfInet6 ? p.af_inet6 : -1;
}

int family_from(const Platform &p, int f) {
  if (f == kAfUnspec || f == kAfUnix || f == kAfInet) return f;
  return f == p.af_inet6 ? kAfInet6 : -1;
}

int addr_to(const Platform &p, const uint8_t *abi, uint32_t len, uint8_t *out, uint32_t cap) {
  if (len < 2 || cap < 128) return -EINVAL;
  int fam = load16(abi);
  uint32_t n;
  switch (fam) {
    case kAfUnspec:
      n = 2;  // connect(AF_UNSPEC): dissolve a datagram socket's association
      break;
    case kAfInet:
      if (len < 16) return -EINVAL;
      n = 16;
      break;
    case kAfInet6:
      // Linux takes the 24-byte RFC 2133 form without the scope id too.
      if (len < 24) return -EINVAL;
      n = 28;
      break;
    case kAfUnix: {
      uint32_t path = len - 2;
      // No abstract names and no autobind (an empty name) on the BSDs.
      if (path == 0 || abi[2] == 0) return -EINVAL;
      // The ABI's length may count a terminating NUL; BSD's room is smaller.
      const void *nul = memchr(abi + 2, 0, path);
      if (nul != nullptr) path = static_cast<uint32_t>(static_cast<const uint8_t *>(nul) - (abi + 2));
      if (path >= p.sun_path) return -EINVAL;
      n = 2 + path;
      break;
    }
    default:
      return -EAFNOSUPPORT;
  }
  memset(out, 0, n);
  if (n > 2) memcpy(out + 2, abi + 2, std::min<uint32_t>(n, len) - 2);
  out[0] = static_cast<uint8_t>(n);
  out[1] = static_cast<uint8_t>(family_to(p, fam));
  return static_cast<int>(n);
}

int addr_from(const Platform &p, const uint8_t *plat, uint32_t len, uint8_t *out, uint32_t cap) {
  if (len < 2) {
    // An unnamed socket (e.g. getsockname of an unbound unix socket): the
    // ABI's answer is the family alone.
    if (cap >= 2) store16(out, kAfUnix);
    return 2;
  }
  int fam = family_from(p, plat[1]);
  if (fam < 0) return -EAFNOSUPPORT;
  uint32_t n = len;  // same sizes after the two header bytes
  if (fam == kAfInet) n = 16;
  if (fam == kAfInet6) n = 28;
  uint8_t tmp[256] = {};
  store16(tmp, static_cast<uint16_t>(fam));
  memcpy(tmp + 2, plat + 2, std::min<uint32_t>(len, sizeof tmp) - 2);
  memcpy(out, tmp, std::min(n, cap));
  return static_cast<int>(n);
}

int msg_to(const Platform &p, int f) {
  const int known = 0x1 | 0x2 | 0x4 | 0x40 | 0x80 | 0x100 | 0x4000;
  if (f & ~known) return -EOPNOTSUPP;
  int r = 0;
  if (f & 0x1) r |= p.msg_oob;
  if (f & 0x2) r |= p.msg_peek;
  if (f & 0x4) r |= p.msg_dontroute;
  if (f & 0x40) r |= p.msg_dontwait;
  if (f & 0x80) r |= p.msg_eor;
  if (f & 0x100) r |= p.msg_waitall;
  if (f & 0x4000) r |= p.msg_nosignal;  // 0 on macOS: SO_NOSIGPIPE does it
  return r;
}

int msg_from(const Platform &p, int f) {
  int r = 0;
  if (f & p.msg_oob) r |= 0x1;
  if (f & p.msg_ctrunc) r |= 0x8;
  if (f & p.msg_trunc) r |= 0x20;
  if (f & p.msg_eor) r |= 0x80;
  return r;
}

bool opt_to(const Platform &p, int level, int name, int *out_level, int *out_name) {
  for (size_t i = 0; i < p.n_opts; i++) {
    if (p.opts[i].abi_level == level && p.opts[i].abi_name == name) {
      *out_level = p.opts[i].level;
      *out_name = p.opts[i].name;
      return true;
    }
  }
  return false;
}

}  // namespace sio::abi
