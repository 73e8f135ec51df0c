// readiness.cc: the core of the readiness-based shims (epoll.cc, kqueue.cc,
// uring.cc; see readiness.h for the split). The contract is in backend.h.
//
// How it works (the model is Go's internal/poll + netpoll_epoll.go and mio's
// epoll selector, in our own words):
// - Every fd the shim creates is registered once with the poller,
//   edge-triggered, for both directions (io_uring's poller arms each
//   direction once, when an operation first waits on it). Readiness is only
//   a hint that something changed.
// - An operation first tries its syscall. Only on EAGAIN does it park, in a
//   FIFO queue per fd and direction. When an edge arrives, the queue is run
//   from its head until a syscall says EAGAIN again. New operations queue
//   behind parked ones so that two readers of one socket keep their order.
// - Nothing here blocks except the poller's wait in sio_enter, and only when
//   the caller passes a timeout (the "exclusive" mode).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include "readiness.h"
#include "sockcalls.h"

namespace sio::readiness {

[[noreturn]] void die(const char *what, int err) {
  fprintf(stderr, "sio %s: %s failed: errno %d\n", kBackendName, what, err);
  abort();
}

namespace {


// ---- handle table -------------------------------------------------------
// The table is shim_instance.h's; g_mu orders create/destroy against
// sio_wake, the one call allowed from other threads.
std::mutex g_mu;
HandleTable<Instance> g_table;

Instance *lookup(int32_t h) { return g_table.lookup(h); }

// ---- helpers ------------------------------------------------------------
FdState *owned(Instance &in, int32_t fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= in.fds.size()) return nullptr;
  return in.fds[fd].get();
}

void complete(Instance &in, uint32_t token, uint32_t gen, int32_t res, uint16_t flags = 0,
              uint16_t addrlen = 0, uint32_t off = 0) {
  if (!push_completion(in, sio_cqe{token, gen, res, flags, addrlen, off, 0})) die("completion ring overflow", 0);
}

// Adds a freshly created fd (SOCKET, ACCEPT) to the table and to the poller.
int32_t adopt(Instance &in, int fd, bool stream) {
  try {
    if (static_cast<size_t>(fd) >= in.fds.size()) in.fds.resize(static_cast<size_t>(fd) + 1);
    in.fds[fd] = std::make_unique<FdState>(FdState{fd, ++in.next_seq, stream, false, {}, {}});
  } catch (const std::bad_alloc &) {
    return -ENOMEM;
  }
  int32_t err = poller_add(in, *in.fds[fd]);
  if (err < 0) {
    in.fds[fd].reset();
    return err;
  }
  in.fds_open++;
  return fd;
}

// ---- operations ---------------------------------------------------------
int32_t do_socket(Instance &in, const sio_sqe &s) {
  int fd = sys::socket_nb(static_cast<int>(s.arg0), static_cast<int>(s.arg1), static_cast<int>(s.len));
  if (fd < 0) return -errno;
  int32_t r = adopt(in, fd, (s.arg1 & 0xf) == SOCK_STREAM);
  if (r < 0) close(fd);
  return r;
}

int32_t do_close(Instance &in, int32_t fd);

// DUP: a second fd for the same socket, registered on its own (epoll keys
// registrations by fd and file, and close deregisters each fd explicitly).
int32_t do_dup(Instance &in, const FdState &st) {
  int fd = fcntl(st.fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int32_t r = adopt(in, fd, st.stream);
  if (r < 0) close(fd);
  return r;
}

// SOCKETPAIR: both fds adopted, or neither (a half-made pair is closed).
int32_t do_socketpair(Instance &in, const sio_sqe &s) {
  if (!in_arena(in, s.off, 4)) return -EFAULT;
  int sv[2];
  if (sys::socketpair_nb(static_cast<int>(s.arg0), static_cast<int>(s.arg1), static_cast<int>(s.len), sv) < 0)
    return -errno;
  bool stream = (s.arg1 & 0xf) == SOCK_STREAM;
  int32_t a = adopt(in, sv[0], stream);
  if (a < 0) {
    close(sv[0]);
    close(sv[1]);
    return a;
  }
  int32_t b = adopt(in, sv[1], stream);
  if (b < 0) {
    close(sv[1]);
    do_close(in, sv[0]);
    return b;
  }
  memcpy(in.arena + s.off, &b, sizeof b);
  return a;
}

// INHERITABLE: reads or sets FD_CLOEXEC (os.get_inheritable/set_inheritable).
int32_t do_inheritable(const FdState &st, uint32_t set, uint32_t inheritable) {
  int flags = fcntl(st.fd, F_GETFD);
  if (flags < 0) return -errno;
  if (set == 0) return (flags & FD_CLOEXEC) ? 0 : 1;
  if (set != 1 || inheritable > 1) return -EINVAL;
  int want = inheritable ? flags & ~FD_CLOEXEC : flags | FD_CLOEXEC;
  if (want != flags && fcntl(st.fd, F_SETFD, want) < 0) return -errno;
  return 0;
}

// Operations that never park; shared by the ring and sio_sync.
int32_t run_sync(Instance &in, const sio_sqe &s) {
  if (s.op == SIO_OP_NOP) return 0;
  if (s.op == SIO_OP_SOCKET) return do_socket(in, s);
  if (s.op == SIO_OP_SET_POOL) {
    if (!in_arena(in, s.off, s.len)) return -EFAULT;
    // The poller's part (its end) is never the core's to hand out.
    uint32_t keep = poller_set_pool(in, s.off, s.len);
    in.pool_off = s.off;
    in.pool_len = s.len - std::min(keep, s.len);
    in.pool_used = 0;  // nothing of the old pool is handed out after this
    return 0;
  }
  if (s.op == SIO_OP_SOCKETPAIR) return do_socketpair(in, s);
  FdState *st = owned(in, s.fd);
  if (st == nullptr) return -EBADF;
  if (s.op == SIO_OP_DUP) return do_dup(in, *st);
  if (s.op == SIO_OP_INHERITABLE) return do_inheritable(*st, s.arg0, s.arg1);
  if (s.op == SIO_OP_LISTEN) {
    int backlog = static_cast<int>(std::min<uint32_t>(s.arg0, INT_MAX));
    return listen(s.fd, backlog) < 0 ? -errno : 0;
  }
  if (s.op == SIO_OP_SHUTDOWN) {
    // Shut for reading, a drained socket answers at once from now on.
    st->rd_maybe = true;
    st->rd_end = true;
    return shutdown(s.fd, static_cast<int>(s.arg0)) < 0 ? -errno : 0;
  }
  // The rest pass a buffer (address or option value) to the kernel.
  if (!in_arena(in, s.off, s.len)) return -EFAULT;
  auto *addr = reinterpret_cast<sockaddr *>(in.arena + s.off);
  int level = static_cast<int>(s.arg0), name = static_cast<int>(s.arg1);
  socklen_t l = s.len;
  int r;
  switch (s.op) {
    case SIO_OP_BIND:
      return sys::bind(s.fd, addr, l) < 0 ? -errno : 0;
    case SIO_OP_SETSOCKOPT:
      return sys::setsockopt(s.fd, level, name, addr, l) < 0 ? -errno : 0;
    case SIO_OP_GETSOCKOPT:
      r = sys::getsockopt(s.fd, level, name, addr, &l);
      break;
    case SIO_OP_GETSOCKNAME:
      r = sys::getsockname(s.fd, addr, &l);
      break;
    case SIO_OP_GETPEERNAME:
      r = sys::getpeername(s.fd, addr, &l);
      break;
    default:
      return -EINVAL;  // unknown op code
  }
  return r < 0 ? -errno : clamp_len(l, s.len);
}

bool is_read_side(uint8_t op) {
  return op == SIO_OP_ACCEPT || op == SIO_OP_RECV || op == SIO_OP_RECVFROM || op == SIO_OP_RECVMSG ||
         op == SIO_OP_POLL_IN;
}

bool is_parking(uint8_t op) {
  return is_read_side(op) || op == SIO_OP_CONNECT || op == SIO_OP_SEND || op == SIO_OP_SENDTO ||
         op == SIO_OP_SENDMSG || op == SIO_OP_SENDFILE || op == SIO_OP_POLL_OUT;
}

// SENDMSG/RECVMSG: the message block at arg0 is 128 bytes of address, then
// the control buffer; arg1 packs the address length and the control length.
constexpr uint32_t kMsgName = 128;
uint32_t msg_namelen(const sio_sqe &s) { return s.arg1 >> 24; }
uint32_t msg_controllen(const sio_sqe &s) { return s.arg1 & 0xffffffu; }

// A message block lies in the arena, is aligned for struct cmsghdr and
// names at most 128 bytes of address.
bool msg_block_ok(const Instance &in, const sio_sqe &s) {
  return s.arg0 % alignof(cmsghdr) == 0 && msg_namelen(s) <= kMsgName &&
         in_arena(in, s.arg0, kMsgName + msg_controllen(s));
}

// SENDMSG: every descriptor an SCM_RIGHTS item carries must be one of this
// handle's fds, so that JS can never make the shim pass a descriptor of the
// process it does not own. The walk follows the kernel's own (for_each_cmsghdr
// with its CMSG_OK check); malformed items are left for the kernel to refuse.
// JS does not run during the call, so the bytes checked are the bytes sent.
bool rights_owned(Instance &in, const uint8_t *ctl, uint32_t len) {
  size_t pos = 0;
  while (pos + sizeof(cmsghdr) <= len) {
    cmsghdr h;
    memcpy(&h, ctl + pos, sizeof h);
    if (h.cmsg_len < sizeof(cmsghdr) || h.cmsg_len > len - pos) return true;  // the kernel's EINVAL
    if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
      size_t n = (h.cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; i++) {
        int fd;
        memcpy(&fd, ctl + pos + CMSG_LEN(0) + i * sizeof(int), sizeof fd);
        if (owned(in, fd) == nullptr) return false;
      }
    }
    pos += CMSG_ALIGN(h.cmsg_len);
  }
  return true;
}

// Calls fn(at) for each descriptor slot of the SCM_RIGHTS items in a
// control buffer the kernel just wrote (it writes only whole cmsghdr items;
// a malformed length ends the walk). `at` points at the int in the buffer.
template <typename Fn>
void for_each_received_fd(uint8_t *ctl, size_t len, Fn fn) {
  size_t pos = 0;
  while (pos + sizeof(cmsghdr) <= len) {
    cmsghdr h;
    memcpy(&h, ctl + pos, sizeof h);
    if (h.cmsg_len < sizeof(cmsghdr) || h.cmsg_len > len - pos) return;
    if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
      size_t n = (h.cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; i++) fn(ctl + pos + CMSG_LEN(0) + i * sizeof(int));
    }
    pos += CMSG_ALIGN(h.cmsg_len);
  }
}

// RECVMSG: adopts the descriptors the kernel installed (SCM_RIGHTS), so
// that they are handles of this shim. One it cannot adopt is closed and
// overwritten with -1 in the control data: nothing leaks. The control bytes
// were just written by the kernel, which only writes whole cmsghdr items.
void adopt_rights(Instance &in, uint8_t *ctl, size_t len) {
  for_each_received_fd(ctl, len, [&in](uint8_t *at) {
    int fd;
    memcpy(&fd, at, sizeof fd);
    if (fd < 0) return;
    int type = 0;
    socklen_t tl = sizeof type;
    // The shim never blocks: a socket a blocking process sent is made
    // non-blocking (its file status is shared with the sender's copy,
    // as for any descriptor passed).
    int fl = fcntl(fd, F_GETFL);
    bool ok = fl >= 0 && ((fl & O_NONBLOCK) || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
    if (!ok || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || adopt(in, fd, type == SOCK_STREAM) < 0) {
      close(fd);
      int none = -1;
      memcpy(at, &none, sizeof none);
    }
  });
}

// Buffers of a parking operation, checked once at submission.
bool buffers_ok(const Instance &in, const sio_sqe &s) {
  if (s.flags & SIO_SQE_POOL) return true;  // the pool, checked by SET_POOL
  switch (s.op) {
    case SIO_OP_RECVFROM:
    case SIO_OP_SENDTO:
      return in_arena(in, s.off, s.len) && in_arena(in, s.arg0, s.arg1);
    case SIO_OP_SENDMSG:
    case SIO_OP_RECVMSG:
      return in_arena(in, s.off, s.len) && msg_block_ok(in, s);
    case SIO_OP_POLL_IN:
    case SIO_OP_POLL_OUT:
    case SIO_OP_SENDFILE:  // no arena buffer: off is part of the file offset
      return true;
    default:
      return in_arena(in, s.off, s.len);
  }
}

// Whether a stream receive with these MSG_* flags reads the ordinary
// bytes and takes them: what FdState::rd_maybe is about. A peek leaves
// them, an urgent byte (MSG_OOB) and the error queue are apart from them,
// and their arrival raises no readability event of its own to count on.
bool plain_read(int msg_flags) { return (msg_flags & ~MSG_WAITALL) == 0; }

// Records what a plain stream receive's answer says of the socket's receive
// queue (FdState::rd_maybe): EAGAIN, or fewer bytes than asked for, drained
// it (recv(2) on a stream returns what is queued, up to len), and any data
// that comes later raises a readability event. Not once the read side has
// ended (FdState::rd_end): the end is read without an event.
void note_stream_read(FdState &st, ssize_t n, size_t len, int msg_flags) {
  if (!plain_read(msg_flags)) return;
  if (n > 0) {
    st.rd_maybe = static_cast<size_t>(n) >= len || st.rd_end;
  } else if (n < 0) {
    st.rd_maybe = !(errno == EAGAIN || errno == EWOULDBLOCK);
  }
  // n == 0 (the end) keeps it: every later recv(2) answers at once.
}

// A RECV into the pool: the bytes go to the pool's free part, *off says
// where. kNoRoom when the pool cannot take them in this call.
int32_t attempt_pool_recv(Instance &in, FdState &st, const sio_sqe &s, uint16_t *flags, uint32_t *off) {
  int32_t piece = pool_piece(in, s.len, st.stream);
  if (piece <= 0) return piece;  // kNoRoom, -ENOBUFS, or a zero-length receive (or no pool at all)
  uint32_t len = static_cast<uint32_t>(piece);
  uint32_t at = in.pool_off + in.pool_used;
  for (;;) {
    // A datagram's truncation is only told by recvmsg; a stream needs recv.
    ssize_t n;
    if (st.stream) {
      n = sys::recv(s.fd, in.arena + at, len, s.msg_flags);
      note_stream_read(st, n, len, s.msg_flags);
    } else {
      bool trunc = false;
      n = sys::recv_one(s.fd, in.arena + at, len, s.msg_flags, nullptr, nullptr, &trunc);
      if (n >= 0 && trunc) *flags |= SIO_CQE_TRUNC;
    }
    if (n > 0) {
      in.pool_used += static_cast<uint32_t>(n);
      *off = at;
      return static_cast<int32_t>(n);
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return kAgain;
    return -errno;
  }
}

// SENDFILE: sendfile(2) of the caller's file (arg0) from the 64-bit offset
// off << 32 | arg1, at most len bytes (cut to Linux's largest transfer).
// The offset goes by pointer: the file's position never moves. An offset
// beyond off_t is the kernel's EINVAL for a negative one.
int32_t attempt_sendfile(const sio_sqe &s) {
  uint64_t at = (static_cast<uint64_t>(s.off) << 32) | s.arg1;
  if (at > static_cast<uint64_t>(INT64_MAX)) return -EINVAL;
  // Only a regular file: reading a pipe or a terminal (which sendfile(2)
  // also takes) could block the thread, which the shim never does. The
  // caller falls back on reading and sending itself, as CPython falls back
  // on send() when os.sendfile fails.
  struct stat sb;
  if (fstat(static_cast<int>(s.arg0), &sb) < 0) return -errno;
  if (!S_ISREG(sb.st_mode)) return -EINVAL;
  size_t len = std::min<uint32_t>(s.len, 0x7ffff000u);
  for (;;) {
    off_t pos = static_cast<off_t>(at);
    ssize_t n = sys::send_file(s.fd, static_cast<int>(s.arg0), &pos, len);
    if (n >= 0) return static_cast<int32_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return kAgain;
    return -errno;
  }
}

// Tries a parking operation once. Returns its result, kAgain or kNoRoom.
int32_t attempt(Instance &in, FdState &st, Op &op, uint16_t *flags, uint16_t *addrlen, uint32_t *off) {
  const sio_sqe &s = op.sqe;
  if (s.flags & SIO_SQE_POOL) return attempt_pool_recv(in, st, s, flags, off);
  if (s.op == SIO_OP_SENDFILE) return attempt_sendfile(s);
  void *buf = in.arena + s.off;
  for (;;) {  // retried only on EINTR (and ECONNABORTED for accept)
    ssize_t n;
    switch (s.op) {
      case SIO_OP_ACCEPT: {
        socklen_t al = s.len;
        // Accepted by the poller (io_uring's multishot accept) without an
        // address, or by accept4(2) here with it.
        int fd = poller_accept_first(in, st, !(s.flags & SIO_SQE_NOWAIT));
        if (fd == -EAGAIN) return kAgain;
        bool peer_known = fd < 0;
        if (peer_known) fd = sys::accept_nb(s.fd, s.len ? static_cast<sockaddr *>(buf) : nullptr, s.len ? &al : nullptr);
        // A connection reset while queued is not the listener's error.
        if (fd < 0 && errno == ECONNABORTED) continue;
        if (fd < 0) {
          n = -1;
          break;
        }
        int32_t r = adopt_accepted(in, s, fd, peer_known ? &al : nullptr, addrlen);
        if (r == -ECONNABORTED) continue;  // reset since the poller accepted it: dropped
        return r;
      }
      case SIO_OP_CONNECT: {
        if (!op.started) {
          op.started = true;
          if (sys::connect(s.fd, static_cast<sockaddr *>(buf), s.len) == 0) return 0;
          // After EINTR the connection goes on in the background like
          // EINPROGRESS; both are finished by the writability edge.
          if (errno == EINPROGRESS || errno == EINTR) return kAgain;
          return -errno;
        }
        // Finish with connect(2) itself, as the kernel's own blocking connect
        // does after its wait, not with getsockopt(SO_ERROR): SO_ERROR reports
        // a failure but leaves the socket "connecting" (the next listen(2) is
        // EINVAL, the next connect(2) ECONNABORTED), while a second connect(2)
        // reports it (sk_err) and resets the socket to unconnected, so that it
        // can connect again or listen, as after a failed blocking connect.
        // EALREADY: still in progress (also after an early wake-up, Go issues
        // 14548, 19289). 0 or EISCONN: connected. The address is the one
        // submitted; its arena range stays pinned until this op completes.
        if (sys::connect(s.fd, static_cast<sockaddr *>(buf), s.len) == 0) return 0;
        if (errno == EALREADY || errno == EINPROGRESS || errno == EINTR) return kAgain;
        if (errno == EISCONN) return 0;
        return -errno;
      }
      case SIO_OP_RECV:
      case SIO_OP_RECVFROM: {
        if (s.op == SIO_OP_RECV && st.stream) {
          n = sys::recv(s.fd, buf, s.len, s.msg_flags);
          note_stream_read(st, n, s.len, s.msg_flags);
          break;
        }
        // recvmsg rather than recv: msg_flags tells a truncated datagram.
        bool from = s.op == SIO_OP_RECVFROM, trunc = false;
        // The sender's address goes to a whole sockaddr_storage first, then
        // as much of it as the caller's room takes into the arena. Handing
        // the kernel the caller's room directly would be safe (it writes at
        // most msg_namelen bytes), but recvmsg returns the address's full
        // length, and tools that trust that length (ASan's interceptor) then
        // see a write past a short room at the arena's end.
        sockaddr_storage name;
        socklen_t namelen = sizeof name;
        n = sys::recv_one(s.fd, buf, s.len, s.msg_flags, from ? &name : nullptr, from ? &namelen : nullptr, &trunc);
        if (n >= 0) {
          if (trunc) *flags |= SIO_CQE_TRUNC;
          if (from) {
            memcpy(in.arena + s.arg0, &name, std::min<size_t>(namelen, s.arg1));
            *addrlen = clamp_len(namelen, s.arg1);
          }
        }
        break;
      }
      case SIO_OP_SEND:
      case SIO_OP_SENDTO: {
        // A peer that went away gives EPIPE, not SIGPIPE (sys::send_to).
        const sockaddr *to = nullptr;
        if (s.op == SIO_OP_SENDTO) to = reinterpret_cast<const sockaddr *>(in.arena + s.arg0);
        n = sys::send_to(s.fd, buf, s.len, s.msg_flags, to, to ? s.arg1 : 0, false);
        break;
      }
      case SIO_OP_SENDMSG:
      case SIO_OP_RECVMSG: {
        // Control data passes through in Linux's cmsghdr layout, which only
        // Linux's kernel reads (see sockcalls.h).
        if (!sys::kPassesControl) return -ENOSYS;
        iovec iov{buf, s.len};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_name = msg_namelen(s) || s.op == SIO_OP_RECVMSG ? in.arena + s.arg0 : nullptr;
        msg.msg_namelen = s.op == SIO_OP_RECVMSG ? kMsgName : msg_namelen(s);
        uint8_t *ctl = in.arena + s.arg0 + kMsgName;
        msg.msg_control = msg_controllen(s) ? ctl : nullptr;
        msg.msg_controllen = msg_controllen(s);
        if (s.op == SIO_OP_SENDMSG) {
          if (!rights_owned(in, ctl, msg_controllen(s))) return -EBADF;
          n = sendmsg(s.fd, &msg, s.msg_flags | sys::kNoSignal);
          break;
        }
        // No MSG_CMSG_CLOEXEC: descriptors received are inheritable, as
        // CPython's recvmsg leaves them (os.get_inheritable says True).
        n = recvmsg(s.fd, &msg, s.msg_flags);
        if (n >= 0) {
          // controllen <= the capacity given, which is below 2^24.
          size_t got = std::min<size_t>(msg.msg_controllen, msg_controllen(s));
          adopt_rights(in, ctl, got);
          *flags = static_cast<uint16_t>(msg.msg_flags & 0xffff);
          *addrlen = clamp_len(msg.msg_namelen, kMsgName);
          *off = static_cast<uint32_t>(got);
        }
        break;
      }
      case SIO_OP_POLL_IN:
      case SIO_OP_POLL_OUT: {
        pollfd p{s.fd, static_cast<short>(s.op == SIO_OP_POLL_IN ? POLLIN : POLLOUT), 0};
        n = poll(&p, 1, 0);
        // Connections the poller accepted ahead make a listener readable.
        if (n == 0 && s.op == SIO_OP_POLL_IN && poller_holds_accepted(in, st)) return POLLIN;
        if (n == 0) return kAgain;
        if (n > 0) return p.revents;
        break;
      }
      default:
        return -EINVAL;  // unreachable: submit() admits parking ops only
    }
    if (n >= 0) return static_cast<int32_t>(n);  // n <= len <= arena_len < 2^31
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return kAgain;
    return -errno;
  }
}

void park(Instance &in, Queue &q, uint32_t token) {
  Op &op = in.ops[token];
  op.parked = true;
  op.prev = q.tail;
  op.next = kNil;
  if (q.tail == kNil)
    q.head = token;
  else
    in.ops[q.tail].next = token;
  q.tail = token;
  in.ops_parked++;
}

// Takes token out of its queue; it stays counted as parked (unpark).
void unlink(Instance &in, Queue &q, uint32_t token) {
  Op &op = in.ops[token];
  if (op.prev == kNil)
    q.head = op.next;
  else
    in.ops[op.prev].next = op.next;
  if (op.next == kNil)
    q.tail = op.prev;
  else
    in.ops[op.next].prev = op.prev;
  op.prev = op.next = kNil;
}

void unpark(Instance &in, Queue &q, uint32_t token) {
  unlink(in, q, token);
  Op &op = in.ops[token];
  op.parked = false;
  in.ops_parked--;
}

Queue &queue_of(FdState &st, const Op &op) { return is_read_side(op.sqe.op) ? st.rd : st.wr; }

// Remembers that st's read queue stopped for want of pool room: the next
// sio_enter runs it again (no edge will come for data already there).
void defer(Instance &in, FdState &st) {
  if (st.deferred) return;
  try {
    in.deferred.emplace_back(st.fd, st.seq);
  } catch (const std::bad_alloc &) {
    die("deferring a pool receive", ENOMEM);
  }
  st.deferred = true;
}

// The parked head of st's queue q waits: the poller takes it over (io_uring
// does it by completion) or watches the fd's readiness. It is marked taken
// before the poller is asked, so that nothing the poller runs meanwhile
// (a full submission ring makes uring.cc reap) tries it too.
void wait_head(Instance &in, FdState &st, Queue &q, uint32_t token) {
  Op &op = in.ops[token];
  op.taken = Taken::kInFlight;
  if (poller_take(in, st, op, token)) return;
  op.taken = Taken::kNo;
  poller_arm(in, st, &q == &st.wr);
}

// Runs a queue from its head after an edge, until a syscall says EAGAIN.
// A NOWAIT operation is parked only at the head, by a pool receive that found
// no room (submit() refuses one behind others): tried again, it does not wait.
void run_queue(Instance &in, FdState &st, Queue &q) {
  while (q.head != kNil) {
    uint32_t token = q.head;
    Op &op = in.ops[token];
    if (op.taken != Taken::kNo) return;  // the kernel does it; finish_taken goes on
    uint16_t flags = 0, addrlen = 0;
    uint32_t off = 0;
    int32_t r = attempt(in, st, op, &flags, &addrlen, &off);
    if (r == kAgain && (op.sqe.flags & SIO_SQE_NOWAIT)) r = -EAGAIN;
    if (r == kAgain) return wait_head(in, st, q, token);
    if (r == kNoRoom) return defer(in, st);
    unpark(in, q, token);
    complete(in, token, op.sqe.gen, r, flags, addrlen, off);
  }
}

// At the start of a call, with the pool empty again: runs the read queues
// that stopped for want of room.
void run_deferred(Instance &in) {
  if (in.deferred.empty()) return;
  std::vector<std::pair<int32_t, uint32_t>> list;
  list.swap(in.deferred);
  for (const auto &[fd, seq] : list) {
    FdState *st = owned(in, fd);
    if (st == nullptr || st->seq != seq) continue;  // closed since (maybe reused)
    st->deferred = false;
    run_queue(in, *st, st->rd);
  }
  // Keep the capacity: the list is reused call after call.
  if (in.deferred.empty()) {
    list.clear();
    in.deferred.swap(list);
  }
}

// Completes what waits in q with res. An operation the poller took is only
// affected by its fd closing: it leaves the queue (which dies with the fd),
// the kernel is asked for it back, and it completes with -EBADF when the
// poller hands it back (finish_taken). A poll that failed leaves it alone.
void fail_queue(Instance &in, Queue &q, int32_t res, bool closing) {
  uint32_t token = q.head;
  while (token != kNil) {
    Op &op = in.ops[token];
    uint32_t next = op.next;
    if (op.taken == Taken::kNo) {
      unpark(in, q, token);
      complete(in, token, op.sqe.gen, res);
    } else if (closing) {
      // Marked and unlinked before the poller is asked: a result it reaps
      // meanwhile must find the op out of the queue already.
      bool in_flight = op.taken == Taken::kInFlight;
      op.taken = Taken::kClosed;
      unlink(in, q, token);
      if (in_flight) poller_give_back(in, op, token);
    }
    token = next;
  }
}

int32_t do_close(Instance &in, int32_t fd) {
  FdState *st = owned(in, fd);
  if (st == nullptr) return -EBADF;  // foreign, never opened, or closed twice
  // Like CPython: whoever is blocked on the socket wakes with EBADF.
  fail_queue(in, st->rd, -EBADF, true);
  fail_queue(in, st->wr, -EBADF, true);
  // Deregister explicitly: with epoll, close alone keeps the registration
  // while a dup of the fd lives on (e.g. in a forked child), and events would
  // keep coming; an io_uring poll holds a reference to the socket, which
  // would stay open (the peer never seeing the end) until the poll fired.
  poller_del(in, *st);
  in.fds[fd].reset();
  in.fds_open--;
  // Linux releases the fd even when close reports EINTR; never retry.
  if (close(fd) < 0 && errno != EINTR) return -errno;
  return 0;
}

int32_t do_cancel(Instance &in, uint32_t token, uint32_t gen) {
  if (token >= in.max_ops) return -ENOENT;
  Op &op = in.ops[token];
  if (!op.parked || op.sqe.gen != gen) return -ENOENT;
  // A parked op's fd is always owned: close fails the queues before it
  // forgets the fd.
  // One the poller took completes when the kernel gives it back: with
  // -ECANCELED, or with its real result if it finished first (the kernel
  // holds its buffer until then). A second CANCEL finds nothing to cancel.
  if (op.taken == Taken::kCancelling || op.taken == Taken::kClosed) return -ENOENT;
  if (op.taken == Taken::kInFlight) {
    op.taken = Taken::kCancelling;
    poller_give_back(in, op, token);
    return 0;
  }
  FdState *st = owned(in, op.sqe.fd);
  unpark(in, queue_of(*st, op), token);
  // After this completion the shim never touches the op's buffer again.
  complete(in, token, gen, -ECANCELED);
  return 0;
}

// ACCEPT through sio_sync (backend.h, "Accepting at once"): one accept4(2)
// now, so that a caller can drain a listener's queue in one go without a
// ring round per connection. -EAGAIN where the ring's ACCEPT would park:
// no connection is queued, or acceptors are parked on the listener already
// (they were first, and the next edge serves them). The new fd is adopted
// as the ring's ACCEPT adopts it; the peer's address goes to [off, off+len).
int32_t accept_now(Instance &in, const sio_sqe &s, uint16_t *addrlen) {
  FdState *st = owned(in, s.fd);
  if (st == nullptr) return -EBADF;
  if (!in_arena(in, s.off, s.len)) return -EFAULT;
  if (st->rd.head != kNil) return -EAGAIN;
  Op op;
  op.sqe = s;
  // Never a pool receive: attempt() runs the accept4 case, as for an
  // ACCEPT that may not wait.
  op.sqe.flags = SIO_SQE_NOWAIT;
  uint16_t flags = 0;
  uint32_t off = 0;
  int32_t r = attempt(in, *st, op, &flags, addrlen, &off);
  return r == kAgain ? -EAGAIN : r;
}

// The operations that may be tried once (SIO_SQE_NOWAIT): the parking ones
// but CONNECT, which cannot be taken back once connect(2) has started it.
bool takes_nowait(uint8_t op) { return is_parking(op) && op != SIO_OP_CONNECT; }

void submit(Instance &in, const sio_sqe &s) {
  if (s.token >= in.max_ops) return complete(in, s.token, s.gen, -EINVAL);
  if (in.ops[s.token].parked) return complete(in, s.token, s.gen, -EBUSY);
  if (s.op >= SIO_OP_COUNT_) return complete(in, s.token, s.gen, -EINVAL);
  if ((s.flags & ~(SIO_SQE_POOL | SIO_SQE_NOWAIT)) || ((s.flags & SIO_SQE_POOL) && s.op != SIO_OP_RECV) ||
      ((s.flags & SIO_SQE_NOWAIT) && !takes_nowait(s.op)))
    return complete(in, s.token, s.gen, -EINVAL);
  if ((s.flags & SIO_SQE_POOL) && in.pool_len == 0) return complete(in, s.token, s.gen, -ENOBUFS);
  // The pool must not move under the receives of the call in progress (their
  // completions point into it): SET_POOL runs through sio_sync only.
  if (s.op == SIO_OP_SET_POOL) return complete(in, s.token, s.gen, -EINVAL);
  if (s.op == SIO_OP_CLOSE) return complete(in, s.token, s.gen, do_close(in, s.fd));
  if (s.op == SIO_OP_CANCEL) return complete(in, s.token, s.gen, do_cancel(in, s.arg0, s.arg1));
  if (!is_parking(s.op)) return complete(in, s.token, s.gen, run_sync(in, s));
  FdState *st = owned(in, s.fd);
  if (st == nullptr) return complete(in, s.token, s.gen, -EBADF);
  if (!buffers_ok(in, s)) return complete(in, s.token, s.gen, -EFAULT);
  Op &op = in.ops[s.token];
  op.sqe = s;
  op.started = false;
  // Poll operations take no buffer, pool receives no buffer of their own;
  // zero the offset so attempt() never forms a pointer from an unchecked one.
  if (s.op == SIO_OP_POLL_IN || s.op == SIO_OP_POLL_OUT) op.sqe.off = op.sqe.len = 0;
  if (s.flags & SIO_SQE_POOL) op.sqe.off = 0;
  Queue &q = queue_of(*st, op);
  bool nowait = (s.flags & SIO_SQE_NOWAIT) != 0;
  if (q.head == kNil && !nowait && s.op == SIO_OP_RECV && st->stream && plain_read(s.msg_flags) && !st->rd_maybe &&
      poller_edge_per_arrival()) {
    // The last receive drained the socket, and the poller reports the next
    // arrival: wait for it rather than hear EAGAIN from recv(2) first (an
    // echo's next request, submitted right after its reply, is rarely
    // there yet).
    park(in, q, s.token);
    wait_head(in, *st, q, s.token);
    return;
  }
  if (q.head == kNil) {
    uint16_t flags = 0, addrlen = 0;
    uint32_t off = 0;
    int32_t r = attempt(in, *st, op, &flags, &addrlen, &off);
    if (r == kAgain && nowait) r = -EAGAIN;
    if (r == kNoRoom) defer(in, *st);
    else if (r != kAgain) return complete(in, s.token, s.gen, r, flags, addrlen, off);
    park(in, q, s.token);
    if (r == kAgain) wait_head(in, *st, q, s.token);
    return;
  }
  if (nowait) {
    // Operations parked ahead of it wait for readiness: so would this one.
    return complete(in, s.token, s.gen, -EAGAIN);
  }
  park(in, q, s.token);
}

// Linux's largest single transfer (MAX_RW_COUNT on 4 KiB pages): a send(2)
// of more takes at most this much anyway, and the count fits an int32.
constexpr uint32_t kMaxTransfer = 0x7ffff000u;

// Whether a SEND, SENDTO, SENDMSG or SENDFILE is parked on the write queue:
// sio_send must not overtake the bytes it holds.
bool send_parked(const Instance &in, const FdState &st) {
  for (uint32_t t = st.wr.head; t != kNil; t = in.ops[t].next) {
    uint8_t op = in.ops[t].sqe.op;
    if (op == SIO_OP_SEND || op == SIO_OP_SENDTO || op == SIO_OP_SENDMSG || op == SIO_OP_SENDFILE) return true;
  }
  return false;
}

}  // namespace

void run_ready(Instance &in, uint64_t tag, bool readable, bool writable, bool read_end) {
  FdState *st = owned(in, static_cast<int32_t>(tag & 0xffffffffu));
  if (st == nullptr || st->seq != tag >> 32) return;  // stale event
  if (read_end) st->rd_end = true;
  if (readable) {
    st->rd_maybe = true;
    run_queue(in, *st, st->rd);
  }
  if (writable) run_queue(in, *st, st->wr);
}

void run_failed(Instance &in, uint64_t tag, int32_t res) {
  FdState *st = owned(in, static_cast<int32_t>(tag & 0xffffffffu));
  if (st == nullptr || st->seq != tag >> 32) return;  // stale event
  st->rd_maybe = true;
  st->rd_end = true;
  fail_queue(in, st->rd, res, false);
  fail_queue(in, st->wr, res, false);
}

void finish_taken(Instance &in, uint32_t token, int32_t res, uint16_t flags, uint16_t addrlen, uint32_t off) {
  if (token >= in.max_ops) return;
  Op &op = in.ops[token];
  if (!op.parked || op.taken == Taken::kNo) return;  // not the poller's: nothing to finish
  if (op.taken == Taken::kClosed) {
    // Out of every queue since its fd closed (the fd number may be another
    // socket's by now): only the completion is left.
    op.taken = Taken::kNo;
    op.parked = false;
    in.ops_parked--;
    complete(in, token, op.sqe.gen, -EBADF);
    return;
  }
  // Still in its queue, so its fd is still this handle's (closing would
  // have made it kClosed).
  bool cancelling = op.taken == Taken::kCancelling;
  op.taken = Taken::kNo;
  FdState *st = owned(in, op.sqe.fd);
  Queue &q = queue_of(*st, op);
  if (res == kAgain || res == kNoRoom) {
    // Given back undone: a cancelled one is done with, the other waits for
    // readiness (or for pool room) like any parked operation.
    if (!cancelling) return res == kAgain ? poller_arm(in, *st, &q == &st->wr) : defer(in, *st);
    res = -ECANCELED;
  }
  unpark(in, q, token);
  complete(in, token, op.sqe.gen, res, flags, addrlen, off);
  run_queue(in, *st, q);
}

void adopt_received_rights(Instance &in, uint8_t *ctl, size_t len) { adopt_rights(in, ctl, len); }

void close_received_rights(const uint8_t *ctl, size_t len) {
  // The walk only reads through `at` here.
  for_each_received_fd(const_cast<uint8_t *>(ctl), len, [](uint8_t *at) {
    int fd;
    memcpy(&fd, at, sizeof fd);
    if (fd >= 0) close(fd);
  });
}

int32_t adopt_accepted(Instance &in, const sio_sqe &s, int fd, const socklen_t *peer_len, uint16_t *addrlen) {
  socklen_t al = peer_len != nullptr ? *peer_len : s.len;
  // Accepted without an address: the peer's, as accept4(2) would have
  // written it. A connection reset since has none, and is dropped as
  // accept4 drops one reset while queued.
  if (peer_len == nullptr && s.len && sys::getpeername(fd, reinterpret_cast<sockaddr *>(in.arena + s.off), &al) < 0) {
    close(fd);
    return -ECONNABORTED;
  }
  // Of its listener's kind: a stream, or a seqpacket socket (whose receives
  // keep message boundaries). A listener gone from the table counts as a
  // stream; the callers never come here with one (the ACCEPT of a closed
  // listener completes with -EBADF, and what it accepted is closed).
  const FdState *l = owned(in, s.fd);
  int32_t r = adopt(in, fd, l == nullptr || l->stream);
  if (r < 0) {
    close(fd);
    return r;
  }
  // The full length, as accept4(2) gives it, clamped to the room: a longer
  // address was cut to fit.
  if (s.len) *addrlen = clamp_len(al, s.len);
  return r;
}

namespace {

void publish_counters(Instance &in) {
  in.hdr->ops_parked = in.ops_parked;
  in.hdr->fds_open = in.fds_open;
  in.hdr->fds_registered = in.fds_registered;
  in.hdr->fds_deferred = static_cast<uint32_t>(in.deferred.size());
}

void on_ready(void *arg) {
  // SAFETY: the watch is stopped before its instance is freed, and a stopped
  // watch never calls back, so arg is live here. The callback may destroy the
  // instance; nothing after it touches `in`.
  auto *in = static_cast<Instance *>(arg);
  in->ready_cb(in->handle);
}

void free_instance(Instance *in) {
  if (in->watch != nullptr) sio::uv_watch_stop(in->watch);
  // The poller first: closing an io_uring ring ends its polls, so that the
  // sockets' last references are the fds closed next (epoll and kqueue do
  // not mind the order).
  poller_close(*in);
  for (auto &st : in->fds)
    if (st) close(st->fd);
  if (in->region != nullptr) munmap(in->region, in->region_len);
  delete in;
}

int32_t init_instance(Instance &in, uint32_t sq_entries, uint32_t max_ops, uint32_t arena_bytes) {
  size_t len = plan_region(in, sq_entries, max_ops, arena_bytes);
  void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return -errno;
  lay_out_region(in, static_cast<uint8_t *>(p));
  try {
    in.ops.resize(max_ops);
  } catch (const std::bad_alloc &) {
    return -ENOMEM;
  }
  return poller_open(in);
}

}  // namespace
}  // namespace sio::readiness

using namespace sio::readiness;

// ---- exported ABI ---------------------------------------------------------
extern "C" {

SIO_API uint32_t sio_abi_version(void) { return SIO_ABI_VERSION; }

SIO_API const char *sio_backend_name(void) { return kBackendName; }

SIO_API int32_t sio_create(uint32_t sq_entries, uint32_t max_ops, uint32_t arena_bytes) {
  if (!sio::create_args_ok(sq_entries, max_ops, arena_bytes)) return -EINVAL;
  auto *in = new (std::nothrow) Instance();
  if (in == nullptr) return -ENOMEM;
  int32_t r = init_instance(*in, sq_entries, max_ops, arena_bytes);
  if (r < 0) {
    free_instance(in);
    return r;
  }
  int32_t handle;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    handle = g_table.insert(in);
  }
  if (handle < 0) free_instance(in);
  return handle;
}

SIO_API int32_t sio_destroy(int32_t handle) {
  Instance *in;
  {
    // Under g_mu so that a concurrent sio_wake either finishes its write
    // before the eventfd is closed or no longer finds the instance.
    std::lock_guard<std::mutex> lock(g_mu);
    in = g_table.remove(handle);
    if (in == nullptr) return -EBADF;
  }
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
  in->pool_used = 0;  // JS has copied out what the last call received
  poller_round(*in);
  run_deferred(*in);
  for (uint32_t i = 0; i < n_submit; i++) {
    sio_sqe s;
    memcpy(&s, &in->sq[i], sizeof s);  // read shared memory exactly once
    submit(*in, s);
  }
  bool busy = in->cq_count > 0 || !in->deferred.empty();
  poller_wait(*in, busy ? 0 : std::max(timeout_ms, -1));
  publish_counters(*in);
  if (in->watch != nullptr) sio::uv_watch_rearm(in->watch);
  return static_cast<int32_t>(in->cq_count);
}

SIO_API int32_t sio_sync(int32_t handle) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  sio_sqe s;
  memcpy(&s, &in->hdr->sync_sqe, sizeof s);
  bool ring_only = s.op >= SIO_OP_COUNT_ || is_parking(s.op) || s.op == SIO_OP_CLOSE || s.op == SIO_OP_CANCEL;
  uint16_t addrlen = 0;
  int32_t res = s.op == SIO_OP_ACCEPT ? accept_now(*in, s, &addrlen) : ring_only ? -EINVAL : run_sync(*in, s);
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
  const sockaddr *to = nullptr;
  if (addr_len > 0) {
    if (!in_arena(*in, addr_off, addr_len)) return -EFAULT;
    to = reinterpret_cast<const sockaddr *>(in->arena + addr_off);
  }
  if (send_parked(*in, *st)) return -EAGAIN;
  // SAFETY: buf is the caller's memory for the duration of this call (a
  // Uint8Array that koffi passes by pointer; no JS runs, so nothing moves or
  // frees it) and len is its length; nothing keeps the pointer afterwards.
  size_t n = std::min(len, kMaxTransfer);
  int flags = static_cast<int>(msg_flags & 0xffffu);
  for (;;) {
    ssize_t r = sio::sys::send_to(fd, buf, n, flags, to, to != nullptr ? addr_len : 0, true);
    if (r >= 0) return static_cast<int32_t>(r);  // r <= n < 2^31
    if (errno != EINTR) return -errno;
  }
}

SIO_API int32_t sio_sethostname(const void *name, uint32_t len) {
  if (name == nullptr && len > 0) return -EFAULT;
  // macOS and the BSDs take the length as an int; Linux's limit is far below.
  if (len > INT_MAX) return -EINVAL;
  // SAFETY: name is the caller's memory of len bytes for the duration of
  // this call (a Uint8Array koffi passes by pointer), read by the kernel only.
  return sethostname(static_cast<const char *>(name), static_cast<int>(len)) < 0 ? -errno : 0;
}

SIO_API int32_t sio_foreign_errno(int32_t fd) {
  if (fd < 0) return -EBADF;
  struct stat sb;
  if (fstat(fd, &sb) < 0) return -EBADF;
  return S_ISSOCK(sb.st_mode) ? -EBADF : -ENOTSOCK;
}

SIO_API int32_t sio_wake(int32_t handle) {
  std::lock_guard<std::mutex> lock(g_mu);
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  // Coalesce: one wake-up until sio_enter has seen it (Go's
  // netpollWakeSig does the same).
  if (in->wake_pending.exchange(true, std::memory_order_acq_rel)) return 0;
  int32_t r = poller_wake(*in);
  if (r < 0) in->wake_pending.store(false, std::memory_order_release);
  return r;
}

SIO_API int32_t sio_watch(int32_t handle, uint32_t mode, sio_ready_cb cb) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  if (cb == nullptr) return -EINVAL;
  if (in->watch != nullptr) return -EBUSY;
  in->ready_cb = cb;
  return sio::uv_watch_start(&in->watch, mode, in->pollfd, on_ready, in);
}

SIO_API int32_t sio_unwatch(int32_t handle) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  if (in->watch == nullptr) return -ENOENT;
  sio::uv_watch_stop(in->watch);
  in->watch = nullptr;
  return 0;
}

SIO_API int32_t sio_watch_ref(int32_t handle, int32_t ref) {
  Instance *in = lookup(handle);
  if (in == nullptr) return -EBADF;
  if (in->watch == nullptr) return -ENOENT;
  sio::uv_watch_ref(in->watch, ref != 0);
  return 0;
}

}  // extern "C"
