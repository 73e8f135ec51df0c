// sockcalls.h: the socket calls of readiness.cc, taking the ABI's numbers.
//
// backend.h's ABI speaks Linux's numbers and layouts: SOCK_* types, MSG_*
// flags, option levels and names, sockaddrs (sa_family_t first, no sa_len),
// as the TypeScript above every shim (@stackless-io/shim-backend) encodes
// them. On Linux these calls are the syscalls themselves (inline below). On
// macOS and the BSDs (kqueue.cc's platforms) sockcalls_bsd.cc translates at
// this edge with the tables of sockabi.h: address families and sockaddr
// layouts, MSG_* flags, option levels and names; it makes sockets
// non-blocking and close-on-exec with fcntl (macOS has neither
// SOCK_NONBLOCK/SOCK_CLOEXEC nor accept4) and keeps SIGPIPE away with
// SO_NOSIGPIPE where MSG_NOSIGNAL is missing (macOS).
//
// Results are the platform's: -1 and errno in the platform's numbering, which
// is what Node's os.constants.errno holds there (backend.h says so).
#ifndef SIO_SOCKCALLS_H
#define SIO_SOCKCALLS_H

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

namespace sio::sys {

#ifdef __linux__
}  // namespace sio::sys
#include <sys/sendfile.h>
namespace sio::sys {

// Control data (SENDMSG/RECVMSG) passes through to the kernel as the ABI
// lays it out (Linux's cmsghdr): true only where that is the kernel's layout.
constexpr bool kPassesControl = true;
constexpr int kNoSignal = MSG_NOSIGNAL;

inline int socket_nb(int domain, int type, int protocol) {
  return ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
}
inline int socketpair_nb(int domain, int type, int protocol, int sv[2]) {
  return ::socketpair(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol, sv);
}
inline int accept_nb(int fd, sockaddr *addr, socklen_t *len) {
  return ::accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
inline int bind(int fd, const sockaddr *addr, socklen_t len) { return ::bind(fd, addr, len); }
inline int connect(int fd, const sockaddr *addr, socklen_t len) { return ::connect(fd, addr, len); }
inline int setsockopt(int fd, int level, int name, const void *v, socklen_t len) {
  return ::setsockopt(fd, level, name, v, len);
}
inline int getsockopt(int fd, int level, int name, void *v, socklen_t *len) {
  return ::getsockopt(fd, level, name, v, len);
}
inline int getsockname(int fd, sockaddr *addr, socklen_t *len) { return ::getsockname(fd, addr, len); }
inline int getpeername(int fd, sockaddr *addr, socklen_t *len) { return ::getpeername(fd, addr, len); }
inline ssize_t recv(int fd, void *buf, size_t len, int flags) { return ::recv(fd, buf, len, flags); }

// recvmsg(2) of one buffer: the sender's address into name (when given; the
// length in and out), whether a datagram was truncated into *trunc.
inline ssize_t recv_one(int fd, void *buf, size_t len, int flags, void *name, socklen_t *namelen, bool *trunc) {
  iovec iov{buf, len};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (name != nullptr) {
    msg.msg_name = name;
    msg.msg_namelen = *namelen;
  }
  ssize_t n = ::recvmsg(fd, &msg, flags);
  if (n >= 0) {
    *trunc = (msg.msg_flags & MSG_TRUNC) != 0;
    if (name != nullptr) *namelen = msg.msg_namelen;
  }
  return n;
}

// sendto(2) that never raises SIGPIPE; dontwait: never blocks either.
inline ssize_t send_to(int fd, const void *buf, size_t len, int flags, const sockaddr *to, socklen_t tolen,
                       bool dontwait) {
  return ::sendto(fd, buf, len, flags | MSG_NOSIGNAL | (dontwait ? MSG_DONTWAIT : 0), to, tolen);
}

// sendfile(2) from `file` at *pos (advanced; the file's own position never
// moves) to the socket.
inline ssize_t send_file(int sock, int file, off_t *pos, size_t len) { return ::sendfile(sock, file, pos, len); }

#else  // macOS, FreeBSD, OpenBSD, NetBSD: sockcalls_bsd.cc

constexpr bool kPassesControl = false;
constexpr int kNoSignal = 0;

int socket_nb(int domain, int type, int protocol);
int socketpair_nb(int domain, int type, int protocol, int sv[2]);
int accept_nb(int fd, sockaddr *addr, socklen_t *len);
int bind(int fd, const sockaddr *addr, socklen_t len);
int connect(int fd, const sockaddr *addr, socklen_t len);
int setsockopt(int fd, int level, int name, const void *v, socklen_t len);
int getsockopt(int fd, int level, int name, void *v, socklen_t *len);
int getsockname(int fd, sockaddr *addr, socklen_t *len);
int getpeername(int fd, sockaddr *addr, socklen_t *len);
ssize_t recv(int fd, void *buf, size_t len, int flags);
ssize_t recv_one(int fd, void *buf, size_t len, int flags, void *name, socklen_t *namelen, bool *trunc);
ssize_t send_to(int fd, const void *buf, size_t len, int flags, const sockaddr *to, socklen_t tolen, bool dontwait);
ssize_t send_file(int sock, int file, off_t *pos, size_t len);

#endif

}  // namespace sio::sys

#endif  // SIO_SOCKCALLS_H
