// sockabi.h: translation between the ABI's socket numbers and layouts
// (Linux's: backend.h) and a BSD-family kernel's (macOS, FreeBSD), as pure
// functions over a table of the platform's numbers. sockcalls_bsd.cc uses
// them with the table of the platform it is compiled on; they are compiled
// and unit-tested on Linux too, with the macOS and FreeBSD tables
// (native/test/sockabi_test.cc), since no BSD machine runs this project's CI.
#ifndef SIO_SOCKABI_H
#define SIO_SOCKABI_H

#include <stddef.h>
#include <stdint.h>

namespace sio::abi {

// One (ABI level, ABI name) -> (platform level, platform name) pair.
struct OptPair {
  int abi_level, abi_name, level, name;
};

// A BSD-family platform's numbers, where they differ from Linux's.
struct Platform {
  const char *name;
  int af_inet6;          // Linux: 10
  uint32_t sun_path;     // sockaddr_un's path room (Linux: 108)
  // MSG_* bits (Linux: OOB 1, PEEK 2, DONTROUTE 4, CTRUNC 8, TRUNC 0x20,
  // DONTWAIT 0x40, EOR 0x80, WAITALL 0x100, NOSIGNAL 0x4000).
  int msg_oob, msg_peek, msg_dontroute, msg_ctrunc, msg_trunc, msg_dontwait, msg_eor, msg_waitall;
  int msg_nosignal;      // 0: none (macOS: SO_NOSIGPIPE instead)
  const OptPair *opts;   // socket options the ABI names, by their platform numbers
  size_t n_opts;
};

extern const Platform kDarwin;
extern const Platform kFreeBSD;

// The ABI's address family as the platform's (AF_UNSPEC, AF_UNIX and AF_INET
// are the same everywhere), or -1 when it has none.
int family_to(const Platform &p, int abi_family);
int family_from(const Platform &p, int family);

// A sockaddr in the ABI's layout (u16 family first) rewritten in the
// platform's (u8 sa_len, u8 family): the platform length, or -errno
// (-EINVAL: too short or too long, -EAFNOSUPPORT: an unknown family). out
// has room for cap bytes (128 always suffices).
int addr_to(const Platform &p, const uint8_t *abi, uint32_t len, uint8_t *out, uint32_t cap);
// The reverse: the platform's sockaddr of len bytes into the ABI's layout,
// at most cap bytes written; returns the ABI length of the whole address (as
// the kernel returns the full length when the room is short), or -errno.
int addr_from(const Platform &p, const uint8_t *plat, uint32_t len, uint8_t *out, uint32_t cap);

// MSG_* flags both ways; an ABI bit the platform lacks is -EOPNOTSUPP
// (msg_to) / dropped (msg_from: only the platform's known bits are mapped).
int msg_to(const Platform &p, int abi_flags);
int msg_from(const Platform &p, int flags);

// A socket option's (level, name) as the platform's: true and the pair, or
// false when the table does not name it (the caller answers -ENOPROTOOPT):
// option numbers differ at every level, so nothing passes through untranslated.
bool opt_to(const Platform &p, int level, int name, int *out_level, int *out_name);

}  // namespace sio::abi

#endif  // SIO_SOCKABI_H
