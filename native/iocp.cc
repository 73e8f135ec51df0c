// iocp.cc: the Windows shim, over one IO completion port. The contract is in
// backend.h; this file implements it with overlapped Winsock 2 calls.
//
// How it works:
// - Every socket the shim creates is non-blocking (FIONBIO), associated with
//   the instance's completion port, and set to FILE_SKIP_COMPLETION_PORT_ON_
//   SUCCESS: an overlapped call that finishes at once is reported by its
//   return value, in the same sio_enter, and queues no packet.
// - Operations on one socket and direction wait in a FIFO queue, as in
//   epoll.cc; only the head is handed to Windows (one overlapped operation
//   per socket and direction), so two readers keep their order and a close
//   or cancel never races a second operation. ACCEPT is AcceptEx on a socket
//   made beforehand, CONNECT is ConnectEx (after a bind to the wildcard
//   address when the socket has none), RECV/SEND/RECVFROM/SENDTO are
//   WSARecv/WSASend/WSARecvFrom/WSASendTo straight into and out of the arena.
// - A pool receive (backend.h, "The receive pool") holds no memory while it
//   waits: a zero-byte WSARecv tells when data has arrived, and then a plain
//   non-blocking recv() takes it into the pool.
// - A NOWAIT operation (and sio_send) is the plain non-blocking call, tried
//   once: WSAEWOULDBLOCK is -EAGAIN.
// - The OVERLAPPED record lives in the operation's slot and its buffer in the
//   arena, both owned by the shim: they stay valid until the completion of
//   the operation (or of its cancel, CancelIoEx) has been dequeued. A socket
//   closed with operations in flight stays in a list of closed sockets until
//   their completions arrive (they report -EBADF).
// - sio_enter drains GetQueuedCompletionStatusEx in batches. POLL_IN and
//   POLL_OUT have no completion-port form in Winsock: they are checked with
//   WSAPoll at every sio_enter, and while one waits, waits are cut to
//   kPollSliceMs (a bounded poll; documented in docs/backends.rst).
// - Waking Node: a completion port is not a file descriptor libuv can poll,
//   so only SIO_WATCH_THREAD exists here: a waiter thread blocks in
//   GetQueuedCompletionStatusEx, keeps what it dequeued for the next
//   sio_enter and wakes Node's loop with uv_async_send (node.exe exports
//   libuv's functions). SIO_WATCH_UV_POLL answers -EINVAL.
// - Linux's socket states where Winsock's differ: directions shut down
//   before a connection exists (kept, and passed to accepted connections),
//   a listener stopped by shutdown(), a socket whose connect failed (a
//   fresh socket takes its place: connect_failed()). The differential
//   suite (tests/differential) checks them against CPython.
// - Numbers: the ABI speaks Linux's (SOCK_*, MSG_*, option levels and names,
//   sockaddr layouts with AF_INET6 = 10); they are translated here. Errors
//   are -errno in the numbering of the C runtime Node is built with (its
//   os.constants.errno): the Winsock and Windows errors map to those in one
//   table, errno_of().
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <new>
#include <vector>

#include "backend.h"
#include "shim_instance.h"
#include "uv_api.h"

namespace {

using sio::clamp_len;
using sio::in_arena;
using sio::bind_uv_api;
using sio::kUvAsync;
using sio::uv_handle_s;
using sio::UvApi;

// The C runtime has no ESOCKTNOSUPPORT; Linux's number stands in for it, as
// the TypeScript does where the platform's table is silent (io-libuv).
constexpr int kESOCKTNOSUPPORT = 94;

using sio::kAgain;   // attempt(): would block
using sio::kNoRoom;  // attempt(): pool full, retry at the next call
constexpr int32_t kPending = INT32_MIN + 2; // start(): handed to Windows, completion to come
constexpr uint32_t kNil = UINT32_MAX;
constexpr ULONG_PTR kOpKey = 1;    // completion key of every socket
constexpr ULONG_PTR kWakeKey = 2;  // sio_wake's packet
constexpr ULONG_PTR kStopKey = 3;  // stops the waiter thread
constexpr ULONG kBatch = 128;      // entries per GetQueuedCompletionStatusEx
constexpr int kPollSliceMs = 10;   // longest wait while a POLL_IN/POLL_OUT waits
constexpr uint32_t kMaxTransfer = 0x7ffff000u;
constexpr int32_t kFirstFd = 3;    // fd numbers start where POSIX ones would

// Linux numbers of the ABI.
constexpr int L_AF_UNIX = 1, L_AF_INET = 2, L_AF_INET6 = 10;
constexpr int L_SOCK_STREAM = 1, L_SOCK_DGRAM = 2, L_SOCK_RAW = 3, L_SOCK_SEQPACKET = 5;
constexpr int L_SOCK_NONBLOCK = 0x800, L_SOCK_CLOEXEC = 0x80000;
constexpr uint32_t L_MSG_OOB = 0x1, L_MSG_PEEK = 0x2, L_MSG_WAITALL = 0x100;
constexpr short L_POLLIN = 0x1, L_POLLOUT = 0x4, L_POLLERR = 0x8, L_POLLHUP = 0x10, L_POLLNVAL = 0x20;

[[noreturn]] void die(const char *what, unsigned long err) {
  fprintf(stderr, "sio iocp: %s failed: error %lu\n", what, err);
  abort();
}

// ---- errors ----------------------------------------------------------------
// The one table: a Winsock or Windows error as the errno the other backends
// give for the same event (Linux's meaning, the C runtime's number).
int errno_of(DWORD e, bool datagram = false) {
  switch (e) {
    case 0: return 0;
    case WSAEWOULDBLOCK: return EAGAIN;
    case WSAEINTR: return EINTR;
    case WSAEBADF: case WSAENOTSOCK: case ERROR_INVALID_HANDLE: return EBADF;
    case WSAEACCES: case ERROR_ACCESS_DENIED: return EACCES;
    case WSAEFAULT: return EFAULT;
    case WSAEINVAL: case ERROR_INVALID_PARAMETER: return EINVAL;
    case WSAEMFILE: return EMFILE;
    case WSAEINPROGRESS: return EINPROGRESS;
    case WSAEALREADY: return EALREADY;
    case WSAEDESTADDRREQ: return EDESTADDRREQ;
    case WSAEMSGSIZE: case ERROR_MORE_DATA: return EMSGSIZE;
    case WSAEPROTOTYPE: return EPROTOTYPE;
    case WSAENOPROTOOPT: return ENOPROTOOPT;
    case WSAEPROTONOSUPPORT: return EPROTONOSUPPORT;
    case WSAESOCKTNOSUPPORT: return kESOCKTNOSUPPORT;
    case WSAEOPNOTSUPP: return EOPNOTSUPP;
    case WSAEPFNOSUPPORT: case WSAEAFNOSUPPORT: return EAFNOSUPPORT;
    case WSAEADDRINUSE: return EADDRINUSE;
    case WSAEADDRNOTAVAIL: return EADDRNOTAVAIL;
    case WSAENETDOWN: return ENETDOWN;
    case WSAENETUNREACH: case ERROR_NETWORK_UNREACHABLE: return ENETUNREACH;
    case WSAENETRESET: return ENETRESET;
    case WSAECONNABORTED: case ERROR_CONNECTION_ABORTED: case ERROR_REQUEST_ABORTED: return ECONNABORTED;
    // On a datagram socket Windows reports the ICMP "port unreachable" of an
    // earlier send as a reset; Linux (and so the contract) calls it refused.
    case WSAECONNRESET: case ERROR_NETNAME_DELETED: return datagram ? ECONNREFUSED : ECONNRESET;
    case WSAENOBUFS: return ENOBUFS;
    case WSAEISCONN: return EISCONN;
    case WSAENOTCONN: return ENOTCONN;
    case WSAESHUTDOWN: return EPIPE;  // Linux's answer to a send after SHUT_WR
    case WSAETIMEDOUT: case ERROR_SEM_TIMEOUT: return ETIMEDOUT;
    case WSAECONNREFUSED: case ERROR_CONNECTION_REFUSED: case ERROR_PORT_UNREACHABLE: return ECONNREFUSED;
    case WSAEHOSTUNREACH: case WSAEHOSTDOWN: case ERROR_HOST_UNREACHABLE: return EHOSTUNREACH;
    case WSAENAMETOOLONG: return ENAMETOOLONG;
    case WSA_OPERATION_ABORTED: return ECANCELED;
    case ERROR_NOT_ENOUGH_MEMORY: case ERROR_OUTOFMEMORY: return ENOMEM;
    default: return EIO;
  }
}

int32_t wsa_err(bool datagram = false) { return -errno_of(static_cast<DWORD>(WSAGetLastError()), datagram); }

// A send on a stream socket that is not connected: Linux answers EPIPE
// (tcp_sendmsg), Winsock WSAENOTCONN (Wine: WSAECONNRESET). A send without
// an address on a datagram socket that has no peer: Linux answers
// EDESTADDRREQ, Winsock WSAENOTCONN (Wine: WSAEINVAL).
int32_t send_errno(int32_t r, bool stream, bool connected = true, bool no_address = false) {
  if (!stream) return no_address && (r == -ENOTCONN || r == -EINVAL) ? -EDESTADDRREQ : r;
  if (r == -ENOTCONN || (!connected && r == -ECONNRESET)) return -EPIPE;
  return r;
}

// ---- state -------------------------------------------------------------------
struct Queue {
  uint32_t head = kNil;
  uint32_t tail = kNil;
};

struct FdState;

enum : uint8_t { kFree = 0, kQueued, kInFlight, kPolled };

// One slot per token; busy from parking until its completion is written.
struct Op {
  OVERLAPPED ov;
  sio_sqe sqe;
  uint8_t state = kFree;
  bool cancelled = false;  // CancelIoEx issued: an abort reports -ECANCELED
  bool closing = false;    // its socket was closed: reports -EBADF
  bool probe = false;      // in flight as a zero-byte WSARecv (pool receive)
  bool stop = false;       // an AcceptEx its listener's shutdown() cancelled: EINVAL
  uint32_t prev = kNil, next = kNil;
  FdState *st = nullptr;
  SOCKET accept_sock = INVALID_SOCKET;
  WSABUF wbuf;
  DWORD wflags = 0;
  INT addrlen = 0;
  sockaddr_storage addr;      // RECVFROM's sender, SENDTO's and CONNECT's target
  char accept_buf[2 * (sizeof(sockaddr_storage) + 16)];
};

struct FdState {
  SOCKET s;
  int32_t fd;
  int family;     // Linux AF_*
  int type;       // Linux SOCK_*
  int protocol;
  bool stream;    // SOCK_STREAM: a short pool piece is fine
  bool datagram;  // SOCK_DGRAM
  bool deferred = false;
  bool listening = false;  // listen() ran: Winsock listens (and would take a receive and wait forever)
  bool shut_rd = false;    // shutdown(SHUT_RD): receives are EOF, as on Linux
  bool shut_wr_later = false; // shutdown(SHUT_WR) before connecting: done once connected
  bool stopped = false;    // a listener shutdown() stopped: to Linux it no longer listens (Winsock still does)
  bool reuseaddr = false;  // SO_REUSEADDR as set (see do_setsockopt)
  bool connected = false;  // connected or accepted once (a send before is EPIPE)
  bool connecting = false; // a ConnectEx is in flight (a receive waits for it, as on Linux)
  bool user_bound = false; // bind() gave `bound` (kept when a failed connect renews the socket)
  bool keep_name = false;  // renewed unbound: Linux still names the failed socket's address
  bool no_listen = false;  // renewed: Linux's listen() is EINVAL until a bind() or connect
  int bound_len = 0, kept_len = 0;
  sockaddr_storage bound{}, kept{};
  bool eof_seen = false;   // a receive returned end of stream
  bool fin_sent = false;   // shut down for writing while connected: its FIN went out
  bool reset_told = false; // a reset has been reported once (see stream_result)
  uint32_t seq = 0;
  uint32_t in_flight = 0;  // operations Windows still holds (OVERLAPPED, buffer)
  Queue rd, wr;
};

struct Watch;

// The handle, the shared region, its geometry and the receive pool's bounds
// are InstanceCore's (shim_instance.h, shared with the readiness core).
struct Instance : sio::InstanceCore {
  HANDLE port = nullptr;
  std::atomic<bool> wake_pending{false};
  uint32_t next_seq = 0;
  uint32_t ops_parked = 0, fds_open = 0, in_flight = 0;
  std::vector<std::pair<int32_t, uint32_t>> deferred;
  std::vector<uint32_t> polled;  // tokens of waiting POLL_IN/POLL_OUT
  std::vector<Op> ops;
  std::vector<std::unique_ptr<FdState>> fds;
  // Closed sockets whose operations Windows has not given back yet.
  std::vector<std::unique_ptr<FdState>> closed;
  // Completion entries a waiter thread dequeued, for the next sio_enter.
  std::vector<OVERLAPPED_ENTRY> backlog;
  Watch *watch = nullptr;
  sio_ready_cb ready_cb = nullptr;
};

// ---- Winsock set-up ------------------------------------------------------------
LPFN_CONNECTEX g_connectex = nullptr;
INIT_ONCE g_wsa_once = INIT_ONCE_STATIC_INIT;
bool g_wsa_ok = false;

BOOL CALLBACK wsa_init(PINIT_ONCE, PVOID, PVOID *) {
  WSADATA d;
  if (WSAStartup(MAKEWORD(2, 2), &d) != 0) return TRUE;
  // ConnectEx is only reachable through WSAIoctl, on any TCP socket.
  SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
  if (s == INVALID_SOCKET) return TRUE;
  GUID guid = WSAID_CONNECTEX;
  DWORD n = 0;
  if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &g_connectex, sizeof g_connectex, &n,
               nullptr, nullptr) == 0)
    g_wsa_ok = true;
  closesocket(s);
  return TRUE;
}

// ---- handle table ----------------------------------------------------------
// The table is shim_instance.h's; g_mu orders create/destroy against
// sio_wake (shared), the one call allowed from other threads.
SRWLOCK g_mu = SRWLOCK_INIT;
sio::HandleTable<Instance> g_table;

Instance *lookup(int32_t h) { return g_table.lookup(h); }

// ---- helpers ---------------------------------------------------------------------

FdState *owned(Instance &in, int32_t fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= in.fds.size()) return nullptr;
  return in.fds[fd].get();
}

uint32_t token_of(const Instance &in, const Op &op) { return static_cast<uint32_t>(&op - in.ops.data()); }

void complete(Instance &in, uint32_t token, uint32_t gen, int32_t res, uint16_t flags = 0, uint16_t addrlen = 0,
              uint32_t off = 0) {
  if (!sio::push_completion(in, sio_cqe{token, gen, res, flags, addrlen, off, 0})) die("completion ring overflow", 0);
}

// Linux sockaddr bytes to a Windows sockaddr (the layouts differ only in
// AF_INET6's number). Returns 0, or -errno. sock_family is the socket's
// (Linux) family: an IPv4 socket takes only IPv4 addresses (Linux's
// EAFNOSUPPORT; Winsock would say otherwise).
int32_t to_win(const uint8_t *p, uint32_t len, sockaddr_storage *out, int *outlen, int sock_family = 0) {
  if (len < 2) return -EINVAL;
  uint16_t fam;
  memcpy(&fam, p, 2);
  if (sock_family == L_AF_INET && fam != L_AF_INET) return -EAFNOSUPPORT;
  memset(out, 0, sizeof *out);
  if (fam == L_AF_INET) {
    if (len < sizeof(sockaddr_in)) return -EINVAL;
    memcpy(out, p, sizeof(sockaddr_in));
    *outlen = sizeof(sockaddr_in);
  } else if (fam == L_AF_INET6) {
    if (len < 24) return -EINVAL;  // Linux takes the old, scope-less length too
    memcpy(out, p, std::min<uint32_t>(len, sizeof(sockaddr_in6)));
    out->ss_family = AF_INET6;
    *outlen = sizeof(sockaddr_in6);
  } else if (fam == L_AF_UNIX) {
    uint32_t n = std::min<uint32_t>(len, 110);
    memcpy(out, p, n);
    out->ss_family = AF_UNIX;
    *outlen = static_cast<int>(n);
  } else {
    return -EAFNOSUPPORT;
  }
  return 0;
}

// A Windows sockaddr to Linux bytes at p (cap bytes of room); returns the
// address's whole length (what Linux reports; only cap bytes are written).
uint32_t to_linux(const sockaddr_storage &a, int alen, uint8_t *p, uint32_t cap) {
  uint8_t tmp[128] = {};
  uint32_t n;
  if (a.ss_family == AF_INET) {
    memcpy(tmp, &a, sizeof(sockaddr_in));
    n = sizeof(sockaddr_in);
  } else if (a.ss_family == AF_INET6) {
    memcpy(tmp, &a, sizeof(sockaddr_in6));
    uint16_t f = L_AF_INET6;
    memcpy(tmp, &f, 2);
    n = sizeof(sockaddr_in6);
  } else {
    n = static_cast<uint32_t>(std::clamp(alen, 0, 128));
    memcpy(tmp, &a, n);
  }
  memcpy(p, tmp, std::min(n, cap));
  return n;
}

// MSG_* of the ABI (Linux's) to Winsock's. MSG_WAITALL goes on in the
// TypeScript (a receive is repeated until full), so it is not passed down.
DWORD win_msg_flags(uint32_t f) {
  DWORD w = 0;
  if (f & L_MSG_OOB) w |= MSG_OOB;
  if (f & L_MSG_PEEK) w |= MSG_PEEK;
  return w;
}

// Adds a socket to the table and to the completion port. On failure the
// socket is closed and -errno returned.
int32_t adopt(Instance &in, SOCKET s, int family, int type, int protocol) {
  u_long nb = 1;
  if (ioctlsocket(s, FIONBIO, &nb) != 0 || CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), in.port, kOpKey, 0) == nullptr ||
      !SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(s),
                                          FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)) {
    int32_t r = -errno_of(GetLastError());
    closesocket(s);
    return r;
  }
  size_t fd = kFirstFd;
  while (fd < in.fds.size() && in.fds[fd]) fd++;
  try {
    if (fd >= in.fds.size()) in.fds.resize(fd + 1);
    auto st = std::make_unique<FdState>();
    st->s = s;
    st->fd = static_cast<int32_t>(fd);
    st->family = family;
    st->type = type;
    st->protocol = protocol;
    st->stream = type == L_SOCK_STREAM;
    st->datagram = type == L_SOCK_DGRAM;
    st->seq = ++in.next_seq;
    in.fds[fd] = std::move(st);
  } catch (const std::bad_alloc &) {
    closesocket(s);
    return -ENOMEM;
  }
  in.fds_open++;
  return static_cast<int32_t>(fd);
}

int win_family(int f) { return f == L_AF_INET ? AF_INET : f == L_AF_INET6 ? AF_INET6 : f == L_AF_UNIX ? AF_UNIX : -1; }

SOCKET new_socket(int family, int type, int protocol, int32_t *err) {
  int wf = win_family(family);
  if (wf < 0) {
    *err = -EAFNOSUPPORT;
    return INVALID_SOCKET;
  }
  SOCKET s = WSASocketW(wf, type, protocol, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) {
    *err = wsa_err();
    return s;
  }
  // The contract's sockets behave as Linux's: an IPv6 socket is dual-stack
  // unless IPV6_V6ONLY is set (Windows' default is the opposite).
  if (wf == AF_INET6) {
    DWORD off = 0;
    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char *>(&off), sizeof off);
  }
  return s;
}

// ---- setup operations ---------------------------------------------------------
int32_t do_socket(Instance &in, const sio_sqe &s) {
  int type = static_cast<int>(s.arg1);
  if (type & ~(0xf | L_SOCK_NONBLOCK | L_SOCK_CLOEXEC)) return -EINVAL;
  type &= 0xf;
  if (type != L_SOCK_STREAM && type != L_SOCK_DGRAM && type != L_SOCK_RAW && type != L_SOCK_SEQPACKET)
    return -kESOCKTNOSUPPORT;
  if (s.len > INT_MAX) return -EINVAL;
  int32_t err = 0;
  SOCKET sock = new_socket(static_cast<int>(s.arg0), type, static_cast<int>(s.len), &err);
  if (sock == INVALID_SOCKET) return err;
  return adopt(in, sock, static_cast<int>(s.arg0), type, static_cast<int>(s.len));
}

int32_t do_close(Instance &in, int32_t fd);
int32_t ensure_bound(FdState &st);

int32_t do_inheritable(const FdState &st, uint32_t set, uint32_t inheritable) {
  DWORD flags = 0;
  if (!GetHandleInformation(reinterpret_cast<HANDLE>(st.s), &flags)) return -errno_of(GetLastError());
  if (set == 0) return (flags & HANDLE_FLAG_INHERIT) ? 1 : 0;
  if (set != 1 || inheritable > 1) return -EINVAL;
  if (!SetHandleInformation(reinterpret_cast<HANDLE>(st.s), HANDLE_FLAG_INHERIT, inheritable ? HANDLE_FLAG_INHERIT : 0))
    return -errno_of(GetLastError());
  return 0;
}

// Socket options. How a Linux (level, name) is carried on Windows.
enum class OptKind { kNone, kInt, kBytes, kLinger, kTimeval, kType, kDomain, kProtocol, kError };
struct WinOpt {
  OptKind kind;
  int level;
  int name;
};

WinOpt win_option(int level, int name) {
  constexpr int L_SOL_SOCKET = 1, L_IPPROTO_IP = 0, L_IPPROTO_TCP = 6, L_IPPROTO_IPV6 = 41;
  if (level == L_SOL_SOCKET) {
    switch (name) {
      case 1: return {OptKind::kInt, SOL_SOCKET, SO_DEBUG};
      case 2: return {OptKind::kInt, SOL_SOCKET, SO_REUSEADDR};
      case 3: return {OptKind::kType, 0, 0};
      case 4: return {OptKind::kError, SOL_SOCKET, SO_ERROR};
      case 5: return {OptKind::kInt, SOL_SOCKET, SO_DONTROUTE};
      case 6: return {OptKind::kInt, SOL_SOCKET, SO_BROADCAST};
      case 7: return {OptKind::kInt, SOL_SOCKET, SO_SNDBUF};
      case 8: return {OptKind::kInt, SOL_SOCKET, SO_RCVBUF};
      case 9: return {OptKind::kInt, SOL_SOCKET, SO_KEEPALIVE};
      case 10: return {OptKind::kInt, SOL_SOCKET, SO_OOBINLINE};
      case 13: return {OptKind::kLinger, SOL_SOCKET, SO_LINGER};
      case 18: return {OptKind::kInt, SOL_SOCKET, SO_RCVLOWAT};
      case 19: return {OptKind::kInt, SOL_SOCKET, SO_SNDLOWAT};
      case 20: return {OptKind::kTimeval, SOL_SOCKET, SO_RCVTIMEO};
      case 21: return {OptKind::kTimeval, SOL_SOCKET, SO_SNDTIMEO};
      case 30: return {OptKind::kInt, SOL_SOCKET, SO_ACCEPTCONN};
      case 38: return {OptKind::kProtocol, 0, 0};
      case 39: return {OptKind::kDomain, 0, 0};
      default: return {OptKind::kNone, 0, 0};
    }
  }
  if (level == L_IPPROTO_TCP) {
    switch (name) {
      case 1: return {OptKind::kInt, IPPROTO_TCP, TCP_NODELAY};
      case 4: return {OptKind::kInt, IPPROTO_TCP, 3 /* TCP_KEEPALIVE: seconds idle */};
      case 5: return {OptKind::kInt, IPPROTO_TCP, 17 /* TCP_KEEPINTVL */};
      case 6: return {OptKind::kInt, IPPROTO_TCP, 16 /* TCP_KEEPCNT */};
      default: return {OptKind::kNone, 0, 0};
    }
  }
  if (level == L_IPPROTO_IP) {
    switch (name) {
      case 1: return {OptKind::kInt, IPPROTO_IP, IP_TOS};
      case 2: return {OptKind::kInt, IPPROTO_IP, IP_TTL};
      case 8: return {OptKind::kInt, IPPROTO_IP, IP_PKTINFO};
      case 32: return {OptKind::kBytes, IPPROTO_IP, IP_MULTICAST_IF};
      case 33: return {OptKind::kInt, IPPROTO_IP, IP_MULTICAST_TTL};
      case 34: return {OptKind::kInt, IPPROTO_IP, IP_MULTICAST_LOOP};
      case 35: return {OptKind::kBytes, IPPROTO_IP, IP_ADD_MEMBERSHIP};
      case 36: return {OptKind::kBytes, IPPROTO_IP, IP_DROP_MEMBERSHIP};
      default: return {OptKind::kNone, 0, 0};
    }
  }
  if (level == L_IPPROTO_IPV6) {
    switch (name) {
      case 16: return {OptKind::kInt, IPPROTO_IPV6, IPV6_UNICAST_HOPS};
      case 17: return {OptKind::kInt, IPPROTO_IPV6, IPV6_MULTICAST_IF};
      case 18: return {OptKind::kInt, IPPROTO_IPV6, IPV6_MULTICAST_HOPS};
      case 19: return {OptKind::kInt, IPPROTO_IPV6, IPV6_MULTICAST_LOOP};
      case 20: return {OptKind::kBytes, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP};
      case 21: return {OptKind::kBytes, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP};
      case 26: return {OptKind::kInt, IPPROTO_IPV6, IPV6_V6ONLY};
      case 49: return {OptKind::kInt, IPPROTO_IPV6, IPV6_PKTINFO};
      default: return {OptKind::kNone, 0, 0};
    }
  }
  return {OptKind::kNone, 0, 0};
}

int32_t do_setsockopt(Instance &in, FdState &st, const sio_sqe &s) {
  WinOpt o = win_option(static_cast<int>(s.arg0), static_cast<int>(s.arg1));
  const uint8_t *v = in.arena + s.off;
  // Linux: a TCP option on another kind of socket is ENOPROTOOPT.
  if (o.level == IPPROTO_TCP && !st.stream) return -ENOPROTOOPT;
  if (o.kind == OptKind::kInt && o.level == SOL_SOCKET && o.name == SO_REUSEADDR && !st.datagram) {
    // Linux's SO_REUSEADDR on a stream lets a bind reuse a port in
    // TIME_WAIT, never one a live socket holds; Windows binds over TIME_WAIT
    // anyway, and its SO_REUSEADDR would let a bind steal a live port. So the
    // value is only kept (getsockopt reads it back), as libuv does.
    if (s.len < 4) return -EINVAL;
    int32_t x;
    memcpy(&x, v, 4);
    st.reuseaddr = x != 0;
    return 0;
  }
  switch (o.kind) {
    case OptKind::kNone: return -ENOPROTOOPT;
    case OptKind::kType: case OptKind::kDomain: case OptKind::kProtocol: case OptKind::kError:
      return -ENOPROTOOPT;  // read-only on Linux too
    case OptKind::kInt: {
      // Linux takes one byte for the IPv4 options (do_ip_setsockopt) and
      // wants an int everywhere else; Windows always wants a DWORD.
      int32_t x = 0;
      if (s.len >= 4) memcpy(&x, v, 4);
      else if (s.len >= 1 && o.level == IPPROTO_IP) x = v[0];
      else return -EINVAL;
      return setsockopt(st.s, o.level, o.name, reinterpret_cast<const char *>(&x), sizeof x) != 0 ? wsa_err() : 0;
    }
    case OptKind::kBytes:
      return setsockopt(st.s, o.level, o.name, reinterpret_cast<const char *>(v), static_cast<int>(s.len)) != 0 ? wsa_err() : 0;
    case OptKind::kLinger: {
      if (s.len < 8) return -EINVAL;
      int32_t onoff, secs;
      memcpy(&onoff, v, 4);
      memcpy(&secs, v + 4, 4);
      linger l{static_cast<u_short>(onoff != 0), static_cast<u_short>(std::clamp(secs, 0, 65535))};
      return setsockopt(st.s, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char *>(&l), sizeof l) != 0 ? wsa_err() : 0;
    }
    case OptKind::kTimeval: {
      if (s.len < 16) return -EINVAL;
      int64_t sec, usec;
      memcpy(&sec, v, 8);
      memcpy(&usec, v + 8, 8);
      if (sec < 0 || usec < 0 || usec >= 1000000) return -EDOM;
      DWORD ms = static_cast<DWORD>(std::min<int64_t>(sec * 1000 + usec / 1000, UINT32_MAX - 1));
      return setsockopt(st.s, SOL_SOCKET, o.name, reinterpret_cast<const char *>(&ms), sizeof ms) != 0 ? wsa_err() : 0;
    }
  }
  return -ENOPROTOOPT;
}

// Linux's answer to a getsockopt of an option the socket does not have:
// an IPv4 socket hands a level other than its own (SOL_SOCKET, IP, and TCP
// on a TCP socket) to ip_getsockopt, which says EOPNOTSUPP; everything else
// (an unknown name at a known level, any level on IPv6) is ENOPROTOOPT.
int32_t no_option(const FdState &st, int level) {
  constexpr int L_SOL_SOCKET = 1, L_IPPROTO_IP = 0, L_IPPROTO_TCP = 6;
  bool own = level == L_SOL_SOCKET || level == L_IPPROTO_IP || (level == L_IPPROTO_TCP && st.stream);
  return st.family == L_AF_INET && !own ? -EOPNOTSUPP : -ENOPROTOOPT;
}

int32_t do_getsockopt(Instance &in, FdState &st, const sio_sqe &s) {
  WinOpt o = win_option(static_cast<int>(s.arg0), static_cast<int>(s.arg1));
  uint8_t *v = in.arena + s.off;
  int32_t x = 0;
  // A TCP option of another kind of socket: Linux's answer, not Winsock's.
  if (o.level == IPPROTO_TCP && !st.stream) return no_option(st, static_cast<int>(s.arg0));
  switch (o.kind) {
    case OptKind::kNone: return no_option(st, static_cast<int>(s.arg0));
    case OptKind::kType: x = st.type; break;
    case OptKind::kDomain: x = st.family; break;
    case OptKind::kProtocol:
      x = st.protocol != 0 ? st.protocol : st.type == L_SOCK_STREAM ? IPPROTO_TCP : st.type == L_SOCK_DGRAM ? IPPROTO_UDP : 0;
      break;
    case OptKind::kError: {
      int e = 0, l = sizeof e;
      if (getsockopt(st.s, SOL_SOCKET, SO_ERROR, reinterpret_cast<char *>(&e), &l) != 0) return wsa_err();
      x = errno_of(static_cast<DWORD>(e), st.datagram);
      break;
    }
    case OptKind::kInt: {
      if (o.level == SOL_SOCKET && o.name == SO_REUSEADDR && !st.datagram) {
        x = st.reuseaddr ? 1 : 0;
        break;
      }
      if (o.level == SOL_SOCKET && o.name == SO_ACCEPTCONN) {
        // A stopped listener still listens to Winsock, not to Linux.
        x = st.listening && !st.stopped ? 1 : 0;
        break;
      }
      int l = sizeof x;
      if (getsockopt(st.s, o.level, o.name, reinterpret_cast<char *>(&x), &l) != 0) return wsa_err();
      if (l == 1) x &= 0xff;  // Windows answers some options with one byte (TCP_NODELAY)
      break;
    }
    case OptKind::kBytes: {
      int l = static_cast<int>(s.len);
      if (getsockopt(st.s, o.level, o.name, reinterpret_cast<char *>(v), &l) != 0) return wsa_err();
      return clamp_len(static_cast<uint64_t>(std::max(l, 0)), s.len);
    }
    case OptKind::kLinger: {
      linger l{};
      int ll = sizeof l;
      if (getsockopt(st.s, SOL_SOCKET, SO_LINGER, reinterpret_cast<char *>(&l), &ll) != 0) return wsa_err();
      int32_t out[2] = {l.l_onoff, l.l_linger};
      memcpy(v, out, std::min<uint32_t>(s.len, 8));
      return clamp_len(8, s.len);
    }
    case OptKind::kTimeval: {
      DWORD ms = 0;
      int l = sizeof ms;
      if (getsockopt(st.s, SOL_SOCKET, o.name, reinterpret_cast<char *>(&ms), &l) != 0) return wsa_err();
      int64_t out[2] = {ms / 1000, (ms % 1000) * 1000};
      memcpy(v, out, std::min<uint32_t>(s.len, 16));
      return clamp_len(16, s.len);
    }
  }
  memcpy(v, &x, std::min<uint32_t>(s.len, 4));
  return clamp_len(4, s.len);
}

int32_t do_name(Instance &in, FdState &st, const sio_sqe &s, bool peer) {
  sockaddr_storage a{};
  int alen = sizeof a;
  int r = peer ? getpeername(st.s, reinterpret_cast<sockaddr *>(&a), &alen) : getsockname(st.s, reinterpret_cast<sockaddr *>(&a), &alen);
  if (r != 0) {
    // Linux names an unbound socket's address as the family's wildcard.
    if (!peer && WSAGetLastError() == WSAEINVAL && st.keep_name) {
      a = st.kept;
      alen = st.kept_len;
    } else if (!peer && WSAGetLastError() == WSAEINVAL && (st.family == L_AF_INET || st.family == L_AF_INET6)) {
      memset(&a, 0, sizeof a);
      a.ss_family = static_cast<ADDRESS_FAMILY>(win_family(st.family));
      alen = st.family == L_AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    } else {
      return wsa_err();
    }
  }
  return clamp_len(to_linux(a, alen, in.arena + s.off, s.len), s.len);
}

int32_t run_sync(Instance &in, const sio_sqe &s) {
  if (s.op == SIO_OP_NOP) return 0;
  if (s.op == SIO_OP_SOCKET) return do_socket(in, s);
  if (s.op == SIO_OP_SET_POOL) {
    if (!in_arena(in, s.off, s.len)) return -EFAULT;
    in.pool_off = s.off;
    in.pool_len = s.len;
    in.pool_used = 0;
    return 0;
  }
  // Windows has no socketpair(2) (CPython emulates it with a loopback
  // connection, which the caller can do as well): the contract's ENOSYS.
  if (s.op == SIO_OP_SOCKETPAIR) return -ENOSYS;
  FdState *st = owned(in, s.fd);
  if (st == nullptr) return -EBADF;
  // A second handle of one socket would need a second association with the
  // completion port, which Windows refuses (one port per file object).
  if (s.op == SIO_OP_DUP) return -ENOSYS;
  if (s.op == SIO_OP_INHERITABLE) return do_inheritable(*st, s.arg0, s.arg1);
  if (s.op == SIO_OP_LISTEN) {
    // Linux: only connection-based sockets listen, and an unbound one is
    // bound to an ephemeral port first (Winsock answers WSAEINVAL).
    if (!st->stream && st->type != L_SOCK_SEQPACKET) return -EOPNOTSUPP;
    if (st->family == L_AF_INET || st->family == L_AF_INET6) {
      int32_t b = ensure_bound(*st);
      if (b < 0) return b;
    }
    if (st->no_listen) return -EINVAL;
    st->stopped = false;
    int backlog = static_cast<int>(std::min<uint32_t>(s.arg0, SOMAXCONN));
    if (listen(st->s, backlog) != 0) return wsa_err();
    st->listening = true;
    return 0;
  }
  if (s.op == SIO_OP_SHUTDOWN) {
    if (s.arg0 > 2) return -EINVAL;
    if (st->listening && !st->stopped && s.arg0 != 1) {
      // Linux stops a listener: its accepts (also those waiting) are EINVAL
      // and it listens again after another listen(); until then it is an
      // unconnected socket (SO_ACCEPTCONN 0, a shutdown() is ENOTCONN) whose
      // directions start open again (tcp_disconnect). Winsock has no such
      // thing (WSAENOTCONN): the waiting AcceptEx is cancelled instead.
      st->stopped = true;
      st->shut_rd = st->shut_wr_later = false;
      for (uint32_t t = st->rd.head; t != kNil; t = in.ops[t].next) {
        Op &op = in.ops[t];
        if (op.state == kInFlight && op.sqe.op == SIO_OP_ACCEPT) {
          op.stop = true;
          CancelIoEx(reinterpret_cast<HANDLE>(st->s), &op.ov);
        }
      }
      return 0;
    }
    if (st->listening && !st->stopped && s.arg0 == 1) return 0;
    // Linux: a socket that is not connected cannot be shut down (ENOTCONN);
    // Winsock lets an unconnected one be, and answers WSAENOTCONN for a
    // connection the peer has ended, which Linux shuts down quietly.
    sockaddr_storage peer;
    int pl = sizeof peer;
    bool has_peer = getpeername(st->s, reinterpret_cast<sockaddr *>(&peer), &pl) == 0;
    if (!has_peer && !(st->stream && st->connected)) {
      // Linux still marks the socket shut in those directions: a later
      // connection starts with them (receives are EOF, sends EPIPE).
      if (s.arg0 != 1) st->shut_rd = true;
      if (s.arg0 != 0) st->shut_wr_later = true;
      return -ENOTCONN;
    }
    // Linux: a connection whose FINs went both ways is closed (TIME_WAIT
    // or LAST_ACK done leave the socket TCP_CLOSE), so shutdown() is
    // ENOTCONN; Winsock shuts it down again quietly. Seen with a peek that
    // finds the peer's end of stream (not behind unread data).
    char peek;
    if (st->stream && st->fin_sent && !st->shut_rd && recv(st->s, &peek, 1, MSG_PEEK) == 0) return -ENOTCONN;
    if (shutdown(st->s, static_cast<int>(s.arg0)) != 0) {
      if (WSAGetLastError() == WSAENOTCONN && st->stream && st->connected) return 0;
      return wsa_err();
    }
    // Winsock answers a receive after SD_RECEIVE with WSAESHUTDOWN; Linux
    // with end of stream.
    if (s.arg0 != 1) st->shut_rd = true;
    if (s.arg0 != 0 && st->stream) st->fin_sent = true;
    return 0;
  }
  if (!in_arena(in, s.off, s.len)) return -EFAULT;
  switch (s.op) {
    case SIO_OP_BIND: {
      sockaddr_storage a;
      int alen;
      int32_t r = to_win(in.arena + s.off, s.len, &a, &alen, st->family);
      if (r < 0) return r;
      if (bind(st->s, reinterpret_cast<sockaddr *>(&a), alen) == 0) {
        st->user_bound = true;
        st->keep_name = st->no_listen = false;
        st->bound = a;
        st->bound_len = alen;
        return 0;
      }
      // Winsock says WSAEACCES for an address another socket holds
      // exclusively; Linux calls that EADDRINUSE.
      return WSAGetLastError() == WSAEACCES ? -EADDRINUSE : wsa_err();
    }
    case SIO_OP_SETSOCKOPT: return do_setsockopt(in, *st, s);
    case SIO_OP_GETSOCKOPT: return do_getsockopt(in, *st, s);
    case SIO_OP_GETSOCKNAME: return do_name(in, *st, s, false);
    case SIO_OP_GETPEERNAME: return do_name(in, *st, s, true);
    default: return -EINVAL;
  }
}

// ---- queues ---------------------------------------------------------------------
bool is_read_side(uint8_t op) {
  return op == SIO_OP_ACCEPT || op == SIO_OP_RECV || op == SIO_OP_RECVFROM || op == SIO_OP_RECVMSG || op == SIO_OP_POLL_IN;
}

bool is_parking(uint8_t op) {
  return is_read_side(op) || op == SIO_OP_CONNECT || op == SIO_OP_SEND || op == SIO_OP_SENDTO || op == SIO_OP_SENDMSG ||
         op == SIO_OP_POLL_OUT;
}

Queue &queue_of(FdState &st, const Op &op) { return is_read_side(op.sqe.op) ? st.rd : st.wr; }

void link(Instance &in, Queue &q, uint32_t t) {
  Op &op = in.ops[t];
  op.prev = q.tail;
  op.next = kNil;
  if (q.tail != kNil) in.ops[q.tail].next = t;
  else q.head = t;
  q.tail = t;
}

void unlink(Instance &in, Queue &q, uint32_t t) {
  Op &op = in.ops[t];
  if (op.prev != kNil) in.ops[op.prev].next = op.next;
  else q.head = op.next;
  if (op.next != kNil) in.ops[op.next].prev = op.prev;
  else q.tail = op.prev;
  op.prev = op.next = kNil;
}

// Linux reports a reset once, as ECONNRESET, to the first call that meets
// it, and EPIPE to every send after (also when the peer had closed first);
// Winsock says WSAECONNRESET to every call. Applied to each stream result.
int32_t stream_result(FdState &st, uint8_t op, uint32_t len, int32_t res) {
  if (!st.stream) return res;
  bool send = op == SIO_OP_SEND || op == SIO_OP_SENDTO;
  bool recv = op == SIO_OP_RECV || op == SIO_OP_RECVFROM;
  if (recv && res == 0 && len > 0) st.eof_seen = true;
  if (res == -ECONNRESET) {
    if (send && (st.eof_seen || st.reset_told)) res = -EPIPE;
    st.reset_told = true;
  }
  return res;
}

// Ends an operation: frees its slot and writes its completion.
void finish(Instance &in, Op &op, int32_t res, uint16_t flags = 0, uint16_t addrlen = 0, uint32_t off = 0) {
  if (op.st != nullptr) res = stream_result(*op.st, op.sqe.op, op.sqe.len, res);
  op.state = kFree;
  op.st = nullptr;
  in.ops_parked--;
  complete(in, token_of(in, op), op.sqe.gen, res, flags, addrlen, off);
}

void defer(Instance &in, FdState &st) {
  if (st.deferred) return;
  try {
    in.deferred.emplace_back(st.fd, st.seq);
  } catch (const std::bad_alloc &) {
    die("deferring a pool receive", ERROR_NOT_ENOUGH_MEMORY);
  }
  st.deferred = true;
}

// A pool receive with data (probably) there: a plain recv into the pool.
int32_t attempt_pool_recv(Instance &in, FdState &st, const sio_sqe &s, uint16_t *flags, uint32_t *off) {
  int32_t piece = sio::pool_piece(in, s.len, st.stream);
  if (piece <= 0) return piece;  // kNoRoom, -ENOBUFS, or a zero-length receive
  uint32_t len = static_cast<uint32_t>(piece);
  uint32_t at = in.pool_off + in.pool_used;
  WSABUF b{len, reinterpret_cast<char *>(in.arena + at)};
  DWORD got = 0, fl = win_msg_flags(s.msg_flags);
  if (WSARecv(st.s, &b, 1, &got, &fl, nullptr, nullptr) != 0) {
    DWORD e = static_cast<DWORD>(WSAGetLastError());
    if (e == WSAEWOULDBLOCK) return kAgain;
    if (e == WSAEMSGSIZE && !st.stream) {
      got = len;
      *flags = SIO_CQE_TRUNC;
    } else {
      return -errno_of(e, st.datagram);
    }
  }
  in.pool_used += (got + 7) & ~7u;
  *off = at;
  return static_cast<int32_t>(got);
}

// A connection a listener accepted. Linux clones it from the listener, so
// the directions shut down before listen() (that shutdown() said ENOTCONN)
// are shut on it too: it reads end of stream, and its FIN goes out.
void inherit(const FdState &listener, FdState &c) {
  c.connected = true;
  c.shut_rd = listener.shut_rd;
  if (listener.shut_wr_later) c.fin_sent = shutdown(c.s, SD_SEND) == 0;
}

// What Linux answers at once where Winsock would do otherwise, or kAgain:
// a listening socket carries no data (ENOTCONN; EPIPE to a send), and
// Winsock would leave a receive on it pending; a stopped listener is an
// unconnected socket. Directions shut down are Linux's: a stream shut for
// reading reads end of stream, a datagram socket shut for writing (also
// when that shutdown() said ENOTCONN) sends nothing (EPIPE).
int32_t linux_answer(const FdState &st, const sio_sqe &s) {
  bool recv = s.op == SIO_OP_RECV || s.op == SIO_OP_RECVFROM;
  bool send = s.op == SIO_OP_SEND || s.op == SIO_OP_SENDTO;
  if (st.listening && !st.stopped && recv) return -ENOTCONN;
  if (st.shut_rd && st.stream && recv) return 0;
  if (st.listening && recv) return -ENOTCONN;
  // A stream never connected (or whose connect failed) has nothing to
  // read (Winsock answers a zero-byte receive with 0).
  if (st.stream && recv && !st.connected && !st.connecting) return -ENOTCONN;
  if (st.listening && send) return -EPIPE;
  if (st.shut_wr_later && st.datagram && send) return -EPIPE;
  return kAgain;
}

// The plain non-blocking call of an operation (NOWAIT): its result, or kAgain.
int32_t attempt_now(Instance &in, FdState &st, Op &op, uint16_t *flags, uint16_t *addrlen, uint32_t *off) {
  const sio_sqe &s = op.sqe;
  int32_t early = linux_answer(st, s);
  if (early != kAgain) return early;
  if (s.flags & SIO_SQE_POOL) return attempt_pool_recv(in, st, s, flags, off);
  DWORD fl = win_msg_flags(s.msg_flags), n = 0;
  WSABUF b{s.len, reinterpret_cast<char *>(in.arena + s.off)};
  int r = 0;
  switch (s.op) {
    case SIO_OP_ACCEPT: {
      if (!st.stream && st.type != L_SOCK_SEQPACKET) return -EOPNOTSUPP;
      if (!st.listening || st.stopped) return -EINVAL;
      sockaddr_storage a{};
      int alen = sizeof a;
      SOCKET c = accept(st.s, reinterpret_cast<sockaddr *>(&a), &alen);
      if (c == INVALID_SOCKET) break;
      SetHandleInformation(reinterpret_cast<HANDLE>(c), HANDLE_FLAG_INHERIT, 0);
      int32_t fd = adopt(in, c, st.family, st.type, st.protocol);
      if (fd < 0) return fd;
      inherit(st, *in.fds[fd]);
      *addrlen = clamp_len(to_linux(a, alen, in.arena + s.off, s.len), s.len);
      return fd;
    }
    case SIO_OP_RECV:
      r = WSARecv(st.s, &b, 1, &n, &fl, nullptr, nullptr);
      break;
    case SIO_OP_SEND:
      r = WSASend(st.s, &b, 1, &n, fl, nullptr, nullptr);
      break;
    case SIO_OP_RECVFROM: {
      sockaddr_storage a{};
      INT alen = sizeof a;
      r = WSARecvFrom(st.s, &b, 1, &n, &fl, reinterpret_cast<sockaddr *>(&a), &alen, nullptr, nullptr);
      if (r == 0 || WSAGetLastError() == WSAEMSGSIZE)
        *addrlen = clamp_len(to_linux(a, alen, in.arena + s.arg0, s.arg1), s.arg1);
      break;
    }
    case SIO_OP_SENDTO: {
      sockaddr_storage a;
      int alen;
      int32_t e = to_win(in.arena + s.arg0, s.arg1, &a, &alen, st.family);
      if (e < 0) return e;
      r = WSASendTo(st.s, &b, 1, &n, fl, reinterpret_cast<sockaddr *>(&a), alen, nullptr, nullptr);
      break;
    }
    default:
      return -EINVAL;
  }
  if (s.op == SIO_OP_ACCEPT || r != 0) {
    DWORD e = static_cast<DWORD>(WSAGetLastError());
    if (e == WSAEWOULDBLOCK) return kAgain;
    if (e == WSAEMSGSIZE && !st.stream && (s.op == SIO_OP_RECV || s.op == SIO_OP_RECVFROM)) {
      *flags = SIO_CQE_TRUNC;
      return static_cast<int32_t>(s.len);
    }
    int32_t r2 = -errno_of(e, st.datagram);
    return s.op == SIO_OP_SEND || s.op == SIO_OP_SENDTO ? send_errno(r2, st.stream, st.connected, s.op == SIO_OP_SEND) : r2;
  }
  return static_cast<int32_t>(std::min<DWORD>(n, INT32_MAX));
}

// ---- overlapped operations -----------------------------------------------------------
// Result of an overlapped call that returned at once (skip-on-success), or
// kPending. `ok` is the call's success; bytes what it reported.
void mark_in_flight(Instance &in, FdState &st, Op &op) {
  op.state = kInFlight;
  st.in_flight++;
  in.in_flight++;
}

int32_t immediate(Instance &in, FdState &st, Op &op, bool ok) {
  if (ok) return 0;
  DWORD e = static_cast<DWORD>(WSAGetLastError());
  if (e == WSA_IO_PENDING) {
    mark_in_flight(in, st, op);
    return kPending;
  }
  return -errno_of(e, st.datagram);
}

// Copies the options a program may have set from one socket to a fresh
// one (Winsock's numbers), only those that differ: setting SO_RCVBUF
// would switch off Windows' receive window tuning. What the fresh socket
// refuses is left as it is.
void copy_options(SOCKET from, SOCKET to, int family) {
  static const int kOpts[][2] = {
      {SOL_SOCKET, SO_KEEPALIVE}, {SOL_SOCKET, SO_BROADCAST}, {SOL_SOCKET, SO_RCVBUF},   {SOL_SOCKET, SO_SNDBUF},
      {SOL_SOCKET, SO_OOBINLINE}, {SOL_SOCKET, SO_DONTROUTE}, {SOL_SOCKET, SO_RCVTIMEO}, {SOL_SOCKET, SO_SNDTIMEO},
      {IPPROTO_TCP, TCP_NODELAY}, {IPPROTO_TCP, 3},           {IPPROTO_TCP, 16},         {IPPROTO_TCP, 17},
      {IPPROTO_IP, IP_TOS},       {IPPROTO_IP, IP_TTL},       {IPPROTO_IPV6, IPV6_V6ONLY}, {IPPROTO_IPV6, IPV6_UNICAST_HOPS},
  };
  for (const auto &o : kOpts) {
    if (o[0] == IPPROTO_IP && family != L_AF_INET) continue;
    if (o[0] == IPPROTO_IPV6 && family != L_AF_INET6) continue;
    DWORD was = 0, now = 0;
    int wl = sizeof was, nl = sizeof now;
    if (getsockopt(from, o[0], o[1], reinterpret_cast<char *>(&was), &wl) != 0) continue;
    if (getsockopt(to, o[0], o[1], reinterpret_cast<char *>(&now), &nl) == 0 && now == was) continue;
    setsockopt(to, o[0], o[1], reinterpret_cast<const char *>(&was), sizeof was);
  }
  linger l{};
  int ll = sizeof l;
  if (getsockopt(from, SOL_SOCKET, SO_LINGER, reinterpret_cast<char *>(&l), &ll) == 0 && l.l_onoff != 0)
    setsockopt(to, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char *>(&l), sizeof l);
}

// A TCP connect failed. Linux's socket is then unconnected again: it can
// connect again or listen, has no pending error (SO_ERROR 0), forgets the
// directions a shutdown() kept, releases the port the connect chose and
// keeps what bind() gave (the address; the port too if bind() named one),
// though getsockname() still names the released port and listen() is
// EINVAL until the next bind() or connect.
// A Winsock socket whose ConnectEx failed will not connect again
// (WSAECONNABORTED), keeps the port and its error, so the shim puts a fresh
// socket in its place, with the options that were set and bind()'s
// address. Not with operations in flight (none can be on a socket that
// failed to connect), and not when making the fresh one fails: the old one
// then stays, as Windows leaves it.
void connect_failed(Instance &in, FdState &st) {
  st.connecting = false;
  if (st.connected) return;  // EISCONN: the connection stays
  st.shut_rd = st.shut_wr_later = false;
  if (st.in_flight > 0 || st.listening) return;
  int32_t err = 0;
  SOCKET n = new_socket(st.family, st.type, st.protocol, &err);
  if (n == INVALID_SOCKET) return;
  copy_options(st.s, n, st.family);
  uint16_t port = 0;
  if (st.user_bound) memcpy(&port, reinterpret_cast<const uint8_t *>(&st.bound) + 2, 2);
  u_long nb = 1;
  bool ok = (port == 0 || bind(n, reinterpret_cast<const sockaddr *>(&st.bound), st.bound_len) == 0) &&
            ioctlsocket(n, FIONBIO, &nb) == 0 && CreateIoCompletionPort(reinterpret_cast<HANDLE>(n), in.port, kOpKey, 0) != nullptr &&
            SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(n),
                                               FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE);
  if (!ok) {
    closesocket(n);
    return;
  }
  st.kept_len = sizeof st.kept;
  st.keep_name = port == 0 && getsockname(st.s, reinterpret_cast<sockaddr *>(&st.kept), &st.kept_len) == 0;
  if (st.keep_name && !st.user_bound) {
    // The address was the connect's choice too: Linux names the wildcard.
    if (st.kept.ss_family == AF_INET) reinterpret_cast<sockaddr_in *>(&st.kept)->sin_addr.s_addr = htonl(INADDR_ANY);
    if (st.kept.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6 *>(&st.kept)->sin6_addr = in6addr_any;
  }
  st.no_listen = true;
  DWORD hf = 0;
  if (GetHandleInformation(reinterpret_cast<HANDLE>(st.s), &hf))
    SetHandleInformation(reinterpret_cast<HANDLE>(n), HANDLE_FLAG_INHERIT, hf & HANDLE_FLAG_INHERIT);
  closesocket(st.s);
  st.s = n;
  st.eof_seen = st.reset_told = false;
}

int32_t ensure_bound(FdState &st) {
  sockaddr_storage a{};
  int alen = sizeof a;
  if (getsockname(st.s, reinterpret_cast<sockaddr *>(&a), &alen) == 0) return 0;
  memset(&a, 0, sizeof a);
  a.ss_family = static_cast<ADDRESS_FAMILY>(win_family(st.family));
  alen = st.family == L_AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  return bind(st.s, reinterpret_cast<sockaddr *>(&a), alen) != 0 ? wsa_err() : 0;
}

int32_t accepted(Instance &in, FdState &st, Op &op, uint16_t *addrlen);

// Hands the operation to Windows. Returns kPending (a completion packet will
// come), kNoRoom (pool full), or its result when it finished at once (with
// flags/addrlen/off filled in).
int32_t start(Instance &in, FdState &st, Op &op, uint16_t *flags, uint16_t *addrlen, uint32_t *off) {
  sio_sqe &s = op.sqe;
  int32_t early = linux_answer(st, s);
  if (early != kAgain) return early;
  if (st.listening && s.op == SIO_OP_CONNECT) return -EINVAL;
  memset(&op.ov, 0, sizeof op.ov);
  op.probe = false;
  DWORD n = 0, fl = win_msg_flags(s.msg_flags);
  op.wbuf = WSABUF{s.len, reinterpret_cast<char *>(in.arena + s.off)};
  switch (s.op) {
    case SIO_OP_RECV: {
      if (s.flags & SIO_SQE_POOL) {
        // Data may be there already: take it; else wait for it with a
        // zero-byte receive (MSG_PEEK on datagrams, which a zero-byte
        // receive would otherwise swallow).
        for (;;) {
          int32_t r = attempt_pool_recv(in, st, s, flags, off);
          if (r != kAgain) return r;
          memset(&op.ov, 0, sizeof op.ov);
          op.probe = true;
          op.wbuf = WSABUF{0, nullptr};
          op.wflags = st.stream ? 0 : MSG_PEEK;
          int rr = WSARecv(st.s, &op.wbuf, 1, &n, &op.wflags, &op.ov, nullptr);
          if (rr == 0) continue;  // readable at once
          DWORD e = static_cast<DWORD>(WSAGetLastError());
          if (e == WSAEMSGSIZE) continue;
          if (e == WSA_IO_PENDING) {
            mark_in_flight(in, st, op);
            return kPending;
          }
          op.probe = false;
          return -errno_of(e, st.datagram);
        }
      }
      op.wflags = fl;
      int32_t r = immediate(in, st, op, WSARecv(st.s, &op.wbuf, 1, &n, &op.wflags, &op.ov, nullptr) == 0);
      if (r == 0) return static_cast<int32_t>(n);
      if (r == -EMSGSIZE && !st.stream) {
        *flags = SIO_CQE_TRUNC;
        return static_cast<int32_t>(s.len);
      }
      return r;
    }
    case SIO_OP_SEND: {
      int32_t r = immediate(in, st, op, WSASend(st.s, &op.wbuf, 1, &n, fl, &op.ov, nullptr) == 0);
      return r == 0 ? static_cast<int32_t>(n) : send_errno(r, st.stream, st.connected, true);
    }
    case SIO_OP_RECVFROM: {
      op.wflags = fl;
      op.addrlen = sizeof op.addr;
      memset(&op.addr, 0, sizeof op.addr);
      int32_t r = immediate(in, st, op, WSARecvFrom(st.s, &op.wbuf, 1, &n, &op.wflags, reinterpret_cast<sockaddr *>(&op.addr),
                                                &op.addrlen, &op.ov, nullptr) == 0);
      if (r == -EMSGSIZE && !st.stream) {
        *flags = SIO_CQE_TRUNC;
        n = s.len;
        r = 0;
      }
      if (r != 0) return r;
      *addrlen = clamp_len(to_linux(op.addr, op.addrlen, in.arena + s.arg0, s.arg1), s.arg1);
      return static_cast<int32_t>(n);
    }
    case SIO_OP_SENDTO: {
      int32_t e = to_win(in.arena + s.arg0, s.arg1, &op.addr, &op.addrlen, st.family);
      if (e < 0) return e;
      int32_t r = immediate(in, st, op, WSASendTo(st.s, &op.wbuf, 1, &n, fl, reinterpret_cast<sockaddr *>(&op.addr),
                                              op.addrlen, &op.ov, nullptr) == 0);
      return r == 0 ? static_cast<int32_t>(n) : r;
    }
    case SIO_OP_CONNECT: {
      int32_t e = to_win(in.arena + s.off, s.len, &op.addr, &op.addrlen, st.family);
      if (e < 0) return e;
      if (!st.stream) {
        // A datagram connect only sets the peer: it never waits.
        return connect(st.s, reinterpret_cast<sockaddr *>(&op.addr), op.addrlen) != 0 ? wsa_err(true) : 0;
      }
      if (st.family != L_AF_INET && st.family != L_AF_INET6) return -EOPNOTSUPP;
      if (op.addr.ss_family != win_family(st.family)) return -EAFNOSUPPORT;
      // An IPv4-mapped address on an IPV6_V6ONLY socket: Linux refuses it
      // before the socket gets a port (ENETUNREACH); ConnectEx would only
      // refuse it after the bind it needs, leaving the socket bound.
      if (st.family == L_AF_INET6 && IN6_IS_ADDR_V4MAPPED(&reinterpret_cast<const sockaddr_in6 *>(&op.addr)->sin6_addr)) {
        DWORD only = 0;
        int ol = sizeof only;
        if (getsockopt(st.s, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<char *>(&only), &ol) == 0 && only != 0)
          return -ENETUNREACH;
      }
      int32_t b = ensure_bound(st);
      if (b < 0) return b;
      int32_t r = immediate(in, st, op, g_connectex(st.s, reinterpret_cast<sockaddr *>(&op.addr), op.addrlen, nullptr, 0,
                                                nullptr, &op.ov) != FALSE);
      if (r == kPending) {
        st.connecting = true;
        return r;
      }
      if (r == 0 && setsockopt(st.s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) != 0) r = wsa_err();
      if (r == 0) {
        st.connected = true;
        st.no_listen = false;
        if (st.shut_wr_later) st.fin_sent = shutdown(st.s, SD_SEND) == 0;
      }
      if (r == -EINVAL) {
        // ConnectEx on a listening or connected socket: Linux's answers.
        BOOL listening = FALSE;
        int l = sizeof listening;
        getsockopt(st.s, SOL_SOCKET, SO_ACCEPTCONN, reinterpret_cast<char *>(&listening), &l);
        sockaddr_storage p;
        int pl = sizeof p;
        if (!listening && getpeername(st.s, reinterpret_cast<sockaddr *>(&p), &pl) == 0) return -EISCONN;
        if (listening) return r;
      }
      if (r < 0) connect_failed(in, st);
      return r;
    }
    case SIO_OP_ACCEPT: {
      // Linux: accept on a datagram socket is EOPNOTSUPP, on one that does
      // not listen (or whose listening shutdown() stopped) EINVAL; AcceptEx
      // would wait.
      if (!st.stream && st.type != L_SOCK_SEQPACKET) return -EOPNOTSUPP;
      if (!st.listening || st.stopped) return -EINVAL;
      int32_t err = 0;
      op.accept_sock = new_socket(st.family, st.type, st.protocol, &err);
      if (op.accept_sock == INVALID_SOCKET) return err;
      constexpr DWORD kAddr = sizeof(sockaddr_storage) + 16;
      int32_t r = immediate(in, st, op, AcceptEx(st.s, op.accept_sock, op.accept_buf, 0, kAddr, kAddr, &n, &op.ov) != FALSE);
      if (r == kPending) return r;
      if (r < 0) {
        closesocket(op.accept_sock);
        op.accept_sock = INVALID_SOCKET;
        // AcceptEx on a socket that does not listen: Linux says EINVAL too.
        return r;
      }
      return accepted(in, st, op, addrlen);
    }
    case SIO_OP_RECVMSG:
    case SIO_OP_SENDMSG:
      return -ENOSYS;
    default:
      return -EINVAL;
  }
}

// AcceptEx succeeded: the new socket takes the listener's context and joins
// the table; the peer's address goes to the arena.
int32_t accepted(Instance &in, FdState &st, Op &op, uint16_t *addrlen) {
  SOCKET c = op.accept_sock;
  op.accept_sock = INVALID_SOCKET;
  if (setsockopt(c, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<const char *>(&st.s), sizeof st.s) != 0) {
    int32_t r = wsa_err();
    closesocket(c);
    return r;
  }
  sockaddr_storage a{};
  int alen = sizeof a;
  if (getpeername(c, reinterpret_cast<sockaddr *>(&a), &alen) != 0) alen = 0;
  int32_t fd = adopt(in, c, st.family, st.type, st.protocol);
  if (fd < 0) return fd;
  inherit(st, *in.fds[fd]);
  *addrlen = alen > 0 ? clamp_len(to_linux(a, alen, in.arena + op.sqe.off, op.sqe.len), op.sqe.len) : 0;
  return fd;
}

// Starts queued operations from the head of q until one is in flight (or
// waits for pool room).
void run_queue(Instance &in, FdState &st, Queue &q) {
  while (q.head != kNil) {
    uint32_t t = q.head;
    Op &op = in.ops[t];
    if (op.state == kInFlight) return;
    uint16_t flags = 0, addrlen = 0;
    uint32_t off = 0;
    int32_t r;
    if (op.sqe.flags & SIO_SQE_NOWAIT) {
      r = attempt_now(in, st, op, &flags, &addrlen, &off);
      if (r == kAgain) r = -EAGAIN;
    } else {
      r = start(in, st, op, &flags, &addrlen, &off);
    }
    if (r == kPending) return;
    if (r == kNoRoom) return defer(in, st);
    unlink(in, q, t);
    finish(in, op, r, flags, addrlen, off);
  }
}

void run_deferred(Instance &in) {
  if (in.deferred.empty()) return;
  std::vector<std::pair<int32_t, uint32_t>> list;
  list.swap(in.deferred);
  for (const auto &[fd, seq] : list) {
    FdState *st = owned(in, fd);
    if (st == nullptr || st->seq != seq) continue;
    st->deferred = false;
    run_queue(in, *st, st->rd);
  }
  if (in.deferred.empty()) {
    list.clear();
    in.deferred.swap(list);
  }
}

// POLL_IN/POLL_OUT: WSAPoll once; Linux's revents, or 0 when not ready.
int32_t poll_once(FdState &st, uint8_t op) {
  WSAPOLLFD p{st.s, static_cast<SHORT>(op == SIO_OP_POLL_IN ? POLLRDNORM : POLLWRNORM), 0};
  int n = WSAPoll(&p, 1, 0);
  if (n < 0) return wsa_err();
  if (n == 0) return 0;
  int32_t r = 0;
  if (p.revents & (POLLRDNORM | POLLRDBAND)) r |= L_POLLIN;
  if (p.revents & POLLWRNORM) r |= L_POLLOUT;
  if (p.revents & POLLERR) r |= L_POLLERR;
  if (p.revents & POLLHUP) r |= L_POLLHUP | (op == SIO_OP_POLL_IN ? L_POLLIN : 0);
  if (p.revents & POLLNVAL) r |= L_POLLNVAL;
  return r;
}

void run_polls(Instance &in) {
  size_t keep = 0;
  for (size_t i = 0; i < in.polled.size(); i++) {
    Op &op = in.ops[in.polled[i]];
    int32_t r = poll_once(*op.st, op.sqe.op);
    if (r != 0) finish(in, op, r);
    else in.polled[keep++] = in.polled[i];
  }
  in.polled.resize(keep);
}

void fail_queue(Instance &in, Queue &q, int32_t res) {
  for (uint32_t t = q.head; t != kNil;) {
    Op &op = in.ops[t];
    uint32_t next = op.next;
    if (op.state == kInFlight) {
      // closesocket aborts it; its completion reports -EBADF.
      op.closing = true;
    } else {
      unlink(in, q, t);
      finish(in, op, res);
    }
    t = next;
  }
}

int32_t do_close(Instance &in, int32_t fd) {
  FdState *st = owned(in, fd);
  if (st == nullptr) return -EBADF;
  fail_queue(in, st->rd, -EBADF);
  fail_queue(in, st->wr, -EBADF);
  size_t keep = 0;
  for (size_t i = 0; i < in.polled.size(); i++) {
    Op &op = in.ops[in.polled[i]];
    if (op.st == st) finish(in, op, -EBADF);
    else in.polled[keep++] = in.polled[i];
  }
  in.polled.resize(keep);
  // Cancelled explicitly as well as by closesocket: in one Wine run a send
  // and a receive pending on a socket closed under load never came back.
  if (st->in_flight > 0) CancelIoEx(reinterpret_cast<HANDLE>(st->s), nullptr);
  int r = closesocket(st->s);
  int32_t res = r != 0 ? wsa_err() : 0;
  if (st->in_flight > 0) {
    try {
      in.closed.push_back(std::move(in.fds[fd]));
    } catch (const std::bad_alloc &) {
      die("keeping a closed socket", ERROR_NOT_ENOUGH_MEMORY);
    }
  }
  in.fds[fd].reset();
  in.fds_open--;
  return res;
}

int32_t do_cancel(Instance &in, uint32_t token, uint32_t gen) {
  if (token >= in.max_ops) return -ENOENT;
  Op &op = in.ops[token];
  if (op.state == kFree || op.sqe.gen != gen || op.closing) return -ENOENT;
  if (op.state == kPolled) {
    in.polled.erase(std::find(in.polled.begin(), in.polled.end(), token));
    finish(in, op, -ECANCELED);
    return 0;
  }
  if (op.state == kQueued) {
    unlink(in, queue_of(*op.st, op), token);
    finish(in, op, -ECANCELED);
    return 0;
  }
  if (op.cancelled) return -ENOENT;
  // In flight: Windows gives it back with ERROR_OPERATION_ABORTED, or with
  // its real result if it finished first; either is its one completion.
  op.cancelled = true;
  CancelIoEx(reinterpret_cast<HANDLE>(op.st->s), &op.ov);
  return 0;
}

bool takes_nowait(uint8_t op) { return is_parking(op) && op != SIO_OP_CONNECT; }

bool buffers_ok(const Instance &in, const sio_sqe &s) {
  if (s.flags & SIO_SQE_POOL) return true;
  switch (s.op) {
    case SIO_OP_RECVFROM:
    case SIO_OP_SENDTO:
      return in_arena(in, s.off, s.len) && in_arena(in, s.arg0, s.arg1);
    case SIO_OP_POLL_IN:
    case SIO_OP_POLL_OUT:
    case SIO_OP_SENDMSG:
    case SIO_OP_RECVMSG:
      return true;
    default:
      return in_arena(in, s.off, s.len);
  }
}

void submit(Instance &in, const sio_sqe &s) {
  if (s.token >= in.max_ops) return complete(in, s.token, s.gen, -EINVAL);
  if (in.ops[s.token].state != kFree) return complete(in, s.token, s.gen, -EBUSY);
  if (s.op >= SIO_OP_COUNT_) return complete(in, s.token, s.gen, -EINVAL);
  if ((s.flags & ~(SIO_SQE_POOL | SIO_SQE_NOWAIT)) || ((s.flags & SIO_SQE_POOL) && s.op != SIO_OP_RECV) ||
      ((s.flags & SIO_SQE_NOWAIT) && !takes_nowait(s.op)))
    return complete(in, s.token, s.gen, -EINVAL);
  if ((s.flags & SIO_SQE_POOL) && in.pool_len == 0) return complete(in, s.token, s.gen, -ENOBUFS);
  if (s.op == SIO_OP_SET_POOL) return complete(in, s.token, s.gen, -EINVAL);
  if (s.op == SIO_OP_CLOSE) return complete(in, s.token, s.gen, do_close(in, s.fd));
  if (s.op == SIO_OP_CANCEL) return complete(in, s.token, s.gen, do_cancel(in, s.arg0, s.arg1));
  // SENDFILE (TransmitFile would be Windows' counterpart) is not written
  // yet: -ENOSYS, as backend.h asks of a shim without it, and the caller
  // reads and sends itself.
  if (s.op == SIO_OP_SENDFILE) return complete(in, s.token, s.gen, -ENOSYS);
  if (!is_parking(s.op)) return complete(in, s.token, s.gen, run_sync(in, s));
  FdState *st = owned(in, s.fd);
  if (st == nullptr) return complete(in, s.token, s.gen, -EBADF);
  if (!buffers_ok(in, s)) return complete(in, s.token, s.gen, -EFAULT);
  if (s.op == SIO_OP_SENDMSG || s.op == SIO_OP_RECVMSG) return complete(in, s.token, s.gen, -ENOSYS);
  Op &op = in.ops[s.token];
  op.sqe = s;
  op.cancelled = op.closing = op.probe = op.stop = false;
  op.st = st;
  if (s.op == SIO_OP_POLL_IN || s.op == SIO_OP_POLL_OUT) op.sqe.off = op.sqe.len = 0;
  if (s.flags & SIO_SQE_POOL) op.sqe.off = 0;
  bool nowait = (s.flags & SIO_SQE_NOWAIT) != 0;
  if (s.op == SIO_OP_POLL_IN || s.op == SIO_OP_POLL_OUT) {
    int32_t r = poll_once(*st, s.op);
    if (r != 0) return complete(in, s.token, s.gen, r);
    if (nowait) return complete(in, s.token, s.gen, -EAGAIN);
    try {
      in.polled.push_back(s.token);
    } catch (const std::bad_alloc &) {
      return complete(in, s.token, s.gen, -ENOMEM);
    }
    op.state = kPolled;
    in.ops_parked++;
    return;
  }
  Queue &q = queue_of(*st, op);
  if (q.head != kNil && nowait) return complete(in, s.token, s.gen, -EAGAIN);
  op.state = kQueued;
  in.ops_parked++;
  link(in, q, s.token);
  if (q.head == s.token) run_queue(in, *st, q);
}

// A completion packet of an operation in flight.
void on_packet(Instance &in, OVERLAPPED *ov) {
  Op &op = *CONTAINING_RECORD(ov, Op, ov);
  FdState &st = *op.st;
  st.in_flight--;
  DWORD bytes = 0, fl = 0;
  DWORD err = 0;
  if (op.closing) {
    err = WSAENOTSOCK;
  } else if (!WSAGetOverlappedResult(st.s, &op.ov, &bytes, FALSE, &fl)) {
    err = static_cast<DWORD>(WSAGetLastError());
  }
  uint32_t t = token_of(in, op);
  if (op.closing) {
    // The socket is gone; the slot was kept for this completion only.
    if (op.accept_sock != INVALID_SOCKET) closesocket(op.accept_sock);
    op.accept_sock = INVALID_SOCKET;
    Queue &q = queue_of(st, op);
    (void)q;  // the closed socket's queues are not run any more
    op.state = kFree;
    op.st = nullptr;
    in.ops_parked--;
    complete(in, t, op.sqe.gen, -EBADF);
    if (st.in_flight == 0) {
      for (auto &c : in.closed)
        if (c.get() == &st) {
          c.reset();
          break;
        }
      in.closed.erase(std::remove(in.closed.begin(), in.closed.end(), nullptr), in.closed.end());
    }
    return;
  }
  Queue &q = queue_of(st, op);
  uint16_t flags = 0, addrlen = 0;
  uint32_t off = 0;
  int32_t res;
  op.state = kQueued;  // no longer in flight; still the head of q
  if (err == WSAEMSGSIZE && !st.stream && (op.sqe.op == SIO_OP_RECV || op.sqe.op == SIO_OP_RECVFROM)) {
    err = 0;
    flags = op.probe ? 0 : SIO_CQE_TRUNC;
    bytes = op.probe ? 0 : op.sqe.len;
  }
  if (op.sqe.op == SIO_OP_CONNECT) st.connecting = false;
  if (err != 0) {
    if (op.accept_sock != INVALID_SOCKET) {
      closesocket(op.accept_sock);
      op.accept_sock = INVALID_SOCKET;
    }
    res = op.cancelled && err == WSA_OPERATION_ABORTED ? -ECANCELED
          : op.stop && err == WSA_OPERATION_ABORTED  ? -EINVAL
                                                     : -errno_of(err, st.datagram);
  } else if (op.probe) {
    op.probe = false;
    if (op.cancelled) {
      res = -ECANCELED;
    } else {
      // Data has arrived: the queue's head runs again and takes it.
      run_queue(in, st, q);
      return;
    }
  } else {
    switch (op.sqe.op) {
      case SIO_OP_ACCEPT:
        res = accepted(in, st, op, &addrlen);
        break;
      case SIO_OP_CONNECT:
        res = setsockopt(st.s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) != 0 ? wsa_err() : 0;
        if (res == 0) {
          st.connected = true;
          st.no_listen = false;
          if (st.shut_wr_later) st.fin_sent = shutdown(st.s, SD_SEND) == 0;
        }
        break;
      case SIO_OP_RECVFROM:
        addrlen = clamp_len(to_linux(op.addr, op.addrlen, in.arena + op.sqe.arg0, op.sqe.arg1), op.sqe.arg1);
        res = static_cast<int32_t>(bytes);
        break;
      default:
        res = static_cast<int32_t>(std::min<DWORD>(bytes, INT32_MAX));
        break;
    }
  }
  if (op.sqe.op == SIO_OP_CONNECT && res < 0 && st.stream) connect_failed(in, st);
  unlink(in, q, t);
  finish(in, op, res, flags, addrlen, off);
  if (op.sqe.op == SIO_OP_CONNECT && res < 0 && st.stream && q.head != kNil) {
    // Linux: a send that waited for the handshake gets its failure (sk_err,
    // tcp_sendmsg), where Winsock would try it on an unconnected socket.
    uint32_t h = q.head;
    Op &next = in.ops[h];
    if (next.sqe.op == SIO_OP_SEND || next.sqe.op == SIO_OP_SENDTO) {
      unlink(in, q, h);
      finish(in, next, res);
    }
  }
  run_queue(in, st, q);
}

void on_entries(Instance &in, const OVERLAPPED_ENTRY *e, ULONG n) {
  for (ULONG i = 0; i < n; i++) {
    if (e[i].lpCompletionKey == kWakeKey) {
      in.wake_pending.store(false, std::memory_order_release);
    } else if (e[i].lpCompletionKey == kOpKey && e[i].lpOverlapped != nullptr) {
      in.in_flight--;
      on_packet(in, e[i].lpOverlapped);
    }
  }
}

// Dequeues completion packets: waits up to timeout_ms for the first batch.
void harvest(Instance &in, DWORD timeout_ms) {
  OVERLAPPED_ENTRY e[kBatch];
  for (int round = 0; round < 64; round++) {
    ULONG n = 0;
    if (!GetQueuedCompletionStatusEx(in.port, e, kBatch, &n, timeout_ms, FALSE)) {
      DWORD err = GetLastError();
      if (err == WAIT_TIMEOUT) return;
      die("GetQueuedCompletionStatusEx", err);
    }
    on_entries(in, e, n);
    if (n < kBatch) return;
    timeout_ms = 0;
  }
}

// ---- waking Node's loop ------------------------------------------------------------
// libuv's entry points (uv_api.h), exported by node.exe; looked up at run
// time, so the DLL also loads into a process without libuv (watching is then
// -ENOSYS). uv_poll's are not asked for: a completion port is no descriptor.
const UvApi *uv_api() {
  static UvApi api;
  static const bool ok = [] {
    HMODULE m = GetModuleHandleW(nullptr);
    return m != nullptr &&
           bind_uv_api(api, [m](const char *name) { return reinterpret_cast<void *>(GetProcAddress(m, name)); }, false);
  }();
  return ok ? &api : nullptr;
}

// The waiter thread blocks in GetQueuedCompletionStatusEx on the port. What
// it dequeues is the main thread's to handle: it keeps the entries in
// `stash`, hands over (uv_async_send: the loop calls the shim's callback,
// whose sio_enter takes them) and waits until that sio_enter has run.
struct Watch {
  const UvApi *uv;
  Instance *in;
  uv_handle_s *handle;
  HANDLE thread = nullptr;
  CRITICAL_SECTION mu;
  CONDITION_VARIABLE cv;
  bool handed_over = false;  // guarded by mu
  bool stopping = false;     // guarded by mu
  std::atomic<int> slice_ms{-1};  // wait limit while POLL_* wait (-1: none)
  std::vector<OVERLAPPED_ENTRY> stash;  // the waiter's until handed over
};

void on_async(uv_handle_s *h) {
  auto *w = static_cast<Watch *>(uv_api()->handle_get_data(h));
  // SAFETY: the watch is stopped (and this handle closed) before its
  // instance is freed, and libuv calls nothing after uv_close.
  Instance *in = w->in;
  in->ready_cb(in->handle);
}

void on_close(uv_handle_s *h) {
  auto *w = static_cast<Watch *>(uv_api()->handle_get_data(h));
  free(h);
  DeleteCriticalSection(&w->mu);
  delete w;
}

DWORD WINAPI waiter_main(void *arg) {
  auto *w = static_cast<Watch *>(arg);
  OVERLAPPED_ENTRY e[kBatch];
  for (;;) {
    ULONG n = 0;
    int slice = w->slice_ms.load(std::memory_order_acquire);
    BOOL ok = GetQueuedCompletionStatusEx(w->in->port, e, kBatch, &n, slice < 0 ? INFINITE : static_cast<DWORD>(slice), FALSE);
    if (!ok) {
      DWORD err = GetLastError();
      if (err != WAIT_TIMEOUT) die("GetQueuedCompletionStatusEx (waiter)", err);
      n = 0;
    }
    bool stop = false;
    EnterCriticalSection(&w->mu);
    for (ULONG i = 0; i < n; i++) {
      if (e[i].lpCompletionKey == kStopKey) stop = true;
      else w->stash.push_back(e[i]);
    }
    if (stop || w->stopping) {
      LeaveCriticalSection(&w->mu);
      return 0;
    }
    w->handed_over = true;
    w->uv->async_send(w->handle);
    while (w->handed_over && !w->stopping) SleepConditionVariableCS(&w->cv, &w->mu, INFINITE);
    bool quit = w->stopping;
    LeaveCriticalSection(&w->mu);
    if (quit) return 0;
  }
}

// Called by sio_enter: takes what the waiter dequeued (whether or not its
// uv_async_send has been seen yet: an sio_enter made meanwhile for another
// reason takes it just as well).
void take_stash(Instance &in) {
  Watch *w = in.watch;
  if (w == nullptr) return;
  EnterCriticalSection(&w->mu);
  if (!w->stash.empty()) {
    in.backlog.insert(in.backlog.end(), w->stash.begin(), w->stash.end());
    w->stash.clear();
  }
  LeaveCriticalSection(&w->mu);
}

// Called at the end of sio_enter: lets a waiter that handed over wait again,
// once its stash has been taken. A waiter that handed over after this call's
// take_stash keeps waiting: its uv_async_send brings the sio_enter that
// takes the stash (releasing it here would strand the entries).
void rearm(Instance &in) {
  Watch *w = in.watch;
  if (w == nullptr) return;
  // While POLL_IN/POLL_OUT wait, the waiter's waits are cut to slices so
  // that sio_enter checks them again; one blocked without limit is woken.
  int slice = in.polled.empty() ? -1 : kPollSliceMs;
  if (w->slice_ms.exchange(slice, std::memory_order_acq_rel) < 0 && slice >= 0 &&
      !in.wake_pending.exchange(true, std::memory_order_acq_rel) &&
      !PostQueuedCompletionStatus(in.port, 0, kWakeKey, nullptr))
    die("PostQueuedCompletionStatus", GetLastError());
  EnterCriticalSection(&w->mu);
  bool wake = w->handed_over && w->stash.empty();
  if (wake) w->handed_over = false;
  LeaveCriticalSection(&w->mu);
  if (wake) WakeConditionVariable(&w->cv);
}

int32_t watch_start(Instance &in) {
  const UvApi *uv = uv_api();
  if (uv == nullptr) return -ENOSYS;
  auto *w = new (std::nothrow) Watch();
  if (w == nullptr) return -ENOMEM;
  w->uv = uv;
  w->in = &in;
  InitializeCriticalSection(&w->mu);
  InitializeConditionVariable(&w->cv);
  w->handle = static_cast<uv_handle_s *>(calloc(1, uv->handle_size(kUvAsync)));
  int r = w->handle == nullptr ? -ENOMEM : uv->async_init(uv->default_loop(), w->handle, on_async);
  if (r != 0) {
    free(w->handle);
    DeleteCriticalSection(&w->mu);
    delete w;
    return r < 0 && r > -200 ? r : -EIO;
  }
  uv->handle_set_data(w->handle, w);
  w->slice_ms.store(in.polled.empty() ? -1 : kPollSliceMs);
  w->thread = CreateThread(nullptr, 64 * 1024, waiter_main, w, 0, nullptr);
  if (w->thread == nullptr) {
    uv->close(w->handle, on_close);  // frees w
    return -EAGAIN;
  }
  in.watch = w;
  return 0;
}

void watch_stop(Instance &in) {
  Watch *w = in.watch;
  in.watch = nullptr;
  EnterCriticalSection(&w->mu);
  w->stopping = true;
  LeaveCriticalSection(&w->mu);
  WakeConditionVariable(&w->cv);
  if (!PostQueuedCompletionStatus(in.port, 0, kStopKey, nullptr)) die("PostQueuedCompletionStatus", GetLastError());
  WaitForSingleObject(w->thread, INFINITE);
  CloseHandle(w->thread);
  // What the waiter dequeued last is still the instance's to handle.
  in.backlog.insert(in.backlog.end(), w->stash.begin(), w->stash.end());
  w->stash.clear();
  w->uv->close(w->handle, on_close);
}

// ---- instances ------------------------------------------------------------------------
void publish_counters(Instance &in) {
  in.hdr->ops_parked = in.ops_parked;
  in.hdr->fds_open = in.fds_open;
  in.hdr->fds_registered = in.fds_open;
  in.hdr->fds_deferred = static_cast<uint32_t>(in.deferred.size());
}

void free_instance(Instance *in) {
  if (in->watch != nullptr) watch_stop(*in);
  for (auto &st : in->fds) {
    if (!st) continue;
    if (st->in_flight > 0) CancelIoEx(reinterpret_cast<HANDLE>(st->s), nullptr);
    closesocket(st->s);
  }
  for (auto &op : in->ops)
    if (op.accept_sock != INVALID_SOCKET) closesocket(op.accept_sock);
  // Windows may still write into OVERLAPPED records and arena buffers until
  // the aborted operations' packets are dequeued: wait for them (bounded).
  bool drained = true;
  if (in->port != nullptr) {
    OVERLAPPED_ENTRY e[kBatch];
    for (int i = 0; i < 100 && in->in_flight > 0; i++) {
      ULONG n = 0;
      if (!GetQueuedCompletionStatusEx(in->port, e, kBatch, &n, 100, FALSE)) continue;
      for (ULONG k = 0; k < n; k++)
        if (e[k].lpCompletionKey == kOpKey && e[k].lpOverlapped != nullptr) in->in_flight--;
    }
    drained = in->in_flight == 0;
    CloseHandle(in->port);
  }
  if (!drained) {
    // Never free memory Windows may still write: leaking is the safe answer.
    fprintf(stderr, "sio iocp: %u operations never completed after their sockets closed; their memory is kept\n",
            in->in_flight);
    return;
  }
  if (in->region != nullptr) VirtualFree(in->region, 0, MEM_RELEASE);
  delete in;
}

int32_t init_instance(Instance &in, uint32_t sq_entries, uint32_t max_ops, uint32_t arena_bytes) {
  size_t len = sio::plan_region(in, sq_entries, max_ops, arena_bytes);
  void *p = VirtualAlloc(nullptr, len, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  if (p == nullptr) return -ENOMEM;
  sio::lay_out_region(in, static_cast<uint8_t *>(p));
  try {
    in.ops.resize(max_ops);
  } catch (const std::bad_alloc &) {
    return -ENOMEM;
  }
  in.port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  if (in.port == nullptr) return -errno_of(GetLastError());
  return 0;
}

}  // namespace

// ---- exported ABI -----------------------------------------------------------------------
extern "C" {

SIO_API uint32_t sio_abi_version(void) { return SIO_ABI_VERSION; }

SIO_API const char *sio_backend_name(void) { return "iocp"; }

SIO_API int32_t sio_create(uint32_t sq_entries, uint32_t max_ops, uint32_t arena_bytes) {
  if (!sio::create_args_ok(sq_entries, max_ops, arena_bytes)) return -EINVAL;
  InitOnceExecuteOnce(&g_wsa_once, wsa_init, nullptr, nullptr);
  if (!g_wsa_ok) return -ENOSYS;
  auto *in = new (std::nothrow) Instance();
  if (in == nullptr) return -ENOMEM;
  int32_t r = init_instance(*in, sq_entries, max_ops, arena_bytes);
  if (r < 0) {
    free_instance(in);
    return r;
  }
  AcquireSRWLockExclusive(&g_mu);
  int32_t handle = g_table.insert(in);
  ReleaseSRWLockExclusive(&g_mu);
  if (handle < 0) free_instance(in);
  return handle;
}

SIO_API int32_t sio_destroy(int32_t handle) {
  AcquireSRWLockExclusive(&g_mu);
  Instance *in = g_table.remove(handle);
  ReleaseSRWLockExclusive(&g_mu);
  if (in == nullptr) return -EBADF;
  free_instance(in);
  return 0;
}

SIO_API void *sio_region(int32_t handle, uint32_t *len_out) {
  Instance *in = lookup(handle);
  if (in == nullptr) return nullptr;
  if (len_out != nullptr) *len_out = static_cast<uint32_t>(in->region_len);
  return in->region;
}

SIO_API int32_t sio_enter(int32_t handle, uint32_t n_submit, int32_t timeout_ms) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  if (n_submit > in->sq_entries) return -EINVAL;
  in->cq_count = 0;
  in->pool_used = 0;
  take_stash(*in);
  if (!in->backlog.empty()) {
    std::vector<OVERLAPPED_ENTRY> list;
    list.swap(in->backlog);
    on_entries(*in, list.data(), static_cast<ULONG>(list.size()));
  }
  run_deferred(*in);
  for (uint32_t i = 0; i < n_submit; i++) {
    sio_sqe s;
    memcpy(&s, &in->sq[i], sizeof s);
    submit(*in, s);
  }
  run_polls(*in);
  bool busy = in->cq_count > 0 || !in->deferred.empty();
  DWORD wait = busy || timeout_ms == 0 ? 0 : timeout_ms < 0 ? INFINITE : static_cast<DWORD>(timeout_ms);
  if (!in->polled.empty() && wait > static_cast<DWORD>(kPollSliceMs)) wait = kPollSliceMs;
  harvest(*in, wait);
  if (in->cq_count == 0 && !in->polled.empty()) run_polls(*in);
  publish_counters(*in);
  rearm(*in);
  return static_cast<int32_t>(in->cq_count);
}

// ACCEPT through sio_sync (backend.h, "Accepting at once"): the plain
// non-blocking accept(), tried once. An AcceptEx in flight (or any request
// queued on the listener's read side) was first: it takes the next
// connection, so this answers -EAGAIN rather than overtake it.
int32_t accept_now(Instance &in, const sio_sqe &s, uint16_t *addrlen) {
  FdState *st = owned(in, s.fd);
  if (st == nullptr) return -EBADF;
  if (!in_arena(in, s.off, s.len)) return -EFAULT;
  if (st->rd.head != kNil) return -EAGAIN;
  Op op;
  op.sqe = s;
  uint16_t flags = 0;
  uint32_t off = 0;
  int32_t r = attempt_now(in, *st, op, &flags, addrlen, &off);
  return r == kAgain ? -EAGAIN : r;
}

SIO_API int32_t sio_sync(int32_t handle) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  sio_sqe s;
  memcpy(&s, &in->hdr->sync_sqe, sizeof s);
  uint16_t addrlen = 0;
  int32_t res;
  if (s.op == SIO_OP_ACCEPT) {
    res = accept_now(*in, s, &addrlen);
  } else {
    bool ring_only = s.op >= SIO_OP_COUNT_ || is_parking(s.op) || s.op == SIO_OP_CLOSE || s.op == SIO_OP_CANCEL;
    res = ring_only ? -EINVAL : run_sync(*in, s);
  }
  in->hdr->sync_cqe = sio_cqe{s.token, s.gen, res, 0, addrlen, 0, 0};
  publish_counters(*in);
  return res;
}

SIO_API int32_t sio_send(int32_t handle, int32_t fd, const void *buf, uint32_t len, uint32_t msg_flags,
                         uint32_t addr_off, uint32_t addr_len) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  FdState *st = owned(*in, fd);
  if (st == nullptr) return -EBADF;
  if (buf == nullptr && len > 0) return -EFAULT;
  sockaddr_storage to;
  int tolen = 0;
  if (addr_len > 0) {
    if (!in_arena(*in, addr_off, addr_len)) return -EFAULT;
    int32_t r = to_win(in->arena + addr_off, addr_len, &to, &tolen, st->family);
    if (r < 0) return r;
  }
  sio_sqe what{};
  what.op = tolen > 0 ? SIO_OP_SENDTO : SIO_OP_SEND;
  int32_t early = linux_answer(*st, what);
  if (early != kAgain) return early;
  // Sends wait their turn, and so does a send on a stream still connecting
  // (Linux waits for the handshake, whose failure it then reports).
  for (uint32_t t = st->wr.head; t != kNil; t = in->ops[t].next) {
    uint8_t op = in->ops[t].sqe.op;
    if (op == SIO_OP_SEND || op == SIO_OP_SENDTO || (op == SIO_OP_CONNECT && st->stream)) return -EAGAIN;
  }
  // SAFETY: buf is the caller's memory for the duration of this call; the
  // plain (not overlapped) call keeps nothing of it afterwards.
  WSABUF b{std::min(len, kMaxTransfer), static_cast<char *>(const_cast<void *>(buf))};
  DWORD n = 0;
  int r = tolen > 0 ? WSASendTo(st->s, &b, 1, &n, win_msg_flags(msg_flags), reinterpret_cast<sockaddr *>(&to), tolen, nullptr, nullptr)
                    : WSASend(st->s, &b, 1, &n, win_msg_flags(msg_flags), nullptr, nullptr);
  if (r != 0) return stream_result(*st, SIO_OP_SEND, len, send_errno(wsa_err(st->datagram), st->stream, st->connected, tolen == 0));
  return static_cast<int32_t>(n);
}

SIO_API int32_t sio_wake(int32_t handle) {
  AcquireSRWLockShared(&g_mu);
  Instance *in = lookup(handle);
  int32_t r = 0;
  if (in == nullptr) {
    r = -EBADF;
  } else if (!in->wake_pending.exchange(true, std::memory_order_acq_rel)) {
    if (!PostQueuedCompletionStatus(in->port, 0, kWakeKey, nullptr)) {
      in->wake_pending.store(false, std::memory_order_release);
      r = -errno_of(GetLastError());
    }
  }
  ReleaseSRWLockShared(&g_mu);
  return r;
}

SIO_API int32_t sio_watch(int32_t handle, uint32_t mode, sio_ready_cb cb) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  if (cb == nullptr) return -EINVAL;
  // A completion port is no file descriptor: libuv cannot poll it.
  if (mode != SIO_WATCH_THREAD) return -EINVAL;
  if (in->watch != nullptr) return -EBUSY;
  in->ready_cb = cb;
  return watch_start(*in);
}

SIO_API int32_t sio_unwatch(int32_t handle) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  if (in->watch == nullptr) return -ENOENT;
  watch_stop(*in);
  return 0;
}

SIO_API int32_t sio_watch_ref(int32_t handle, int32_t ref) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  if (in->watch == nullptr) return -ENOENT;
  if (ref) in->watch->uv->ref(in->watch->handle);
  else in->watch->uv->unref(in->watch->handle);
  return 0;
}

}  // extern "C"
