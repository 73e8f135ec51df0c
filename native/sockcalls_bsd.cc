// sockcalls_bsd.cc: sockcalls.h on macOS and the BSDs. Every call takes the
// ABI's (Linux's) numbers and sockaddr layout and translates them with
// sockabi.h's table for this platform; results are this platform's (-1 and
// its errno). Compiled only where kqueue is the kernel's (not on Linux: the
// emulated build runs on Linux's own socket calls); its translations are
// unit-tested on Linux through sockabi.h (native/test/sockabi_test.cc).
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "sockabi.h"
#include "sockcalls.h"

namespace sio::sys {

namespace {

#if defined(__APPLE__)
const abi::Platform &kPlat = abi::kDarwin;
#else
// FreeBSD's numbers. OpenBSD and NetBSD (untried) share them for the table's
// options and flags but for AF_INET6 and MSG_NOSIGNAL, which are taken from
// the system headers below.
const abi::Platform &kPlat = abi::kFreeBSD;
#endif

int family(int abi_family) {
  if (abi_family == 10) return AF_INET6;
  return abi::family_to(kPlat, abi_family);
}

int fail(int err) {
  errno = err;
  return -1;
}

// Non-blocking and close-on-exec with fcntl (macOS has no SOCK_NONBLOCK or
// SOCK_CLOEXEC), and no SIGPIPE from writes (macOS has no MSG_NOSIGNAL:
// SO_NOSIGPIPE on the socket instead). Closes fd on failure.
int prepare(int fd) {
  int fl = fcntl(fd, F_GETFL);
  bool ok = fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
#ifdef SO_NOSIGPIPE
  int one = 1;
  ok = ok && ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) == 0;
#endif
  if (ok) return fd;
  int err = errno;
  close(fd);
  return fail(err);
}

// The type without Linux's SOCK_NONBLOCK (0x800) and SOCK_CLOEXEC (0x80000)
// bits, which the shim applies itself; the SOCK_* kinds are the same numbers.
int kind(int abi_type) { return abi_type & ~(0x800 | 0x80000); }

int msg(int abi_flags) {
  int f = abi::msg_to(kPlat, abi_flags & ~0x4000);
  if (f < 0) return fail(-f);
#ifdef MSG_NOSIGNAL
  if (abi_flags & 0x4000) f |= MSG_NOSIGNAL;
#endif
  return f;
}

// An ABI sockaddr out: the platform's written into out (len), or -1.
struct Addr {
  uint8_t bytes[256];
  socklen_t len = 0;
};

int addr_in(const sockaddr *abi, socklen_t len, Addr *out) {
  int n = abi::addr_to(kPlat, reinterpret_cast<const uint8_t *>(abi), len, out->bytes, sizeof out->bytes);
  if (n < 0) return fail(-n);
  if (out->bytes[1] == kPlat.af_inet6) out->bytes[1] = AF_INET6;
  out->len = static_cast<socklen_t>(n);
  return 0;
}

// The platform's address into the ABI's buffer (cap *len); *len becomes
// the ABI length of the whole address.
int addr_out(const Addr &a, void *abi, socklen_t *len) {
  Addr b = a;
  if (b.len >= 2 && b.bytes[1] == AF_INET6) b.bytes[1] = static_cast<uint8_t>(kPlat.af_inet6);
  int n = abi::addr_from(kPlat, b.bytes, b.len, static_cast<uint8_t *>(abi), *len);
  if (n < 0) return fail(-n);
  *len = static_cast<socklen_t>(n);
  return 0;
}

}  // namespace

int socket_nb(int domain, int type, int protocol) {
  int f = family(domain);
  if (f < 0) return fail(EAFNOSUPPORT);
  int fd = ::socket(f, kind(type), protocol);
  return fd < 0 ? -1 : prepare(fd);
}

int socketpair_nb(int domain, int type, int protocol, int sv[2]) {
  int f = family(domain);
  if (f < 0) return fail(EAFNOSUPPORT);
  if (::socketpair(f, kind(type), protocol, sv) < 0) return -1;
  if (prepare(sv[0]) < 0) {
    int err = errno;
    close(sv[1]);
    return fail(err);
  }
  if (prepare(sv[1]) < 0) {
    int err = errno;
    close(sv[0]);
    return fail(err);
  }
  return 0;
}

int accept_nb(int fd, sockaddr *addr, socklen_t *len) {
  Addr a;
  a.len = sizeof a.bytes;
  int c = ::accept(fd, reinterpret_cast<sockaddr *>(a.bytes), &a.len);
  if (c < 0 || prepare(c) < 0) return -1;
  if (addr != nullptr && addr_out(a, addr, len) < 0) {
    int err = errno;
    close(c);
    return fail(err);
  }
  return c;
}

int bind(int fd, const sockaddr *addr, socklen_t len) {
  Addr a;
  if (addr_in(addr, len, &a) < 0) return -1;
  return ::bind(fd, reinterpret_cast<const sockaddr *>(a.bytes), a.len);
}

int connect(int fd, const sockaddr *addr, socklen_t len) {
  Addr a;
  if (addr_in(addr, len, &a) < 0) return -1;
  return ::connect(fd, reinterpret_cast<const sockaddr *>(a.bytes), a.len);
}

int setsockopt(int fd, int level, int name, const void *v, socklen_t len) {
  int l, n;
  if (!abi::opt_to(kPlat, level, name, &l, &n)) return fail(ENOPROTOOPT);
  return ::setsockopt(fd, l, n, v, len);
}

int getsockopt(int fd, int level, int name, void *v, socklen_t *len) {
  int l, n;
  if (!abi::opt_to(kPlat, level, name, &l, &n)) return fail(ENOPROTOOPT);
  return ::getsockopt(fd, l, n, v, len);
}

int getsockname(int fd, sockaddr *addr, socklen_t *len) {
  Addr a;
  a.len = sizeof a.bytes;
  if (::getsockname(fd, reinterpret_cast<sockaddr *>(a.bytes), &a.len) < 0) return -1;
  return addr_out(a, addr, len);
}

int getpeername(int fd, sockaddr *addr, socklen_t *len) {
  Addr a;
  a.len = sizeof a.bytes;
  if (::getpeername(fd, reinterpret_cast<sockaddr *>(a.bytes), &a.len) < 0) return -1;
  return addr_out(a, addr, len);
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
  int f = msg(flags);
  return f < 0 ? -1 : ::recv(fd, buf, len, f);
}

ssize_t recv_one(int fd, void *buf, size_t len, int flags, void *name, socklen_t *namelen, bool *trunc) {
  int f = msg(flags);
  if (f < 0) return -1;
  Addr a;
  iovec iov{buf, len};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  if (name != nullptr) {
    m.msg_name = a.bytes;
    m.msg_namelen = sizeof a.bytes;
  }
  ssize_t n = ::recvmsg(fd, &m, f);
  if (n < 0) return -1;
  *trunc = (abi::msg_from(kPlat, m.msg_flags) & 0x20) != 0;
  if (name != nullptr) {
    a.len = m.msg_namelen;
    // A connected socket's datagram may come without an address.
    if (a.len == 0) *namelen = 0;
    else if (addr_out(a, name, namelen) < 0) *namelen = 0;
  }
  return n;
}

ssize_t send_to(int fd, const void *buf, size_t len, int flags, const sockaddr *to, socklen_t tolen, bool dontwait) {
  // MSG_NOSIGNAL where the platform has it; SO_NOSIGPIPE (set at creation)
  // where it does not.
  int f = msg(flags | 0x4000 | (dontwait ? 0x40 : 0));
  if (f < 0) return -1;
  if (to == nullptr) return ::sendto(fd, buf, len, f, nullptr, 0);
  Addr a;
  if (addr_in(to, tolen, &a) < 0) return -1;
  return ::sendto(fd, buf, len, f, reinterpret_cast<const sockaddr *>(a.bytes), a.len);
}

// SENDFILE: the BSDs' and macOS's sendfile(2) differ from Linux's (and from
// each other: headers and trailers, the count returned through a pointer);
// not written yet, so the operation answers ENOSYS and the caller falls back
// on reading and sending, as the contract allows.
ssize_t send_file(int, int, off_t *, size_t) {
  errno = ENOSYS;
  return -1;
}

}  // namespace sio::sys
