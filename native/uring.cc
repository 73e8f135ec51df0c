// uring.cc: the Linux io_uring shim. The contract is in backend.h; the
// handle table, submissions, per-fd FIFO queues and the exported ABI are
// readiness.cc's (shared with epoll.cc and kqueue.cc). Every operation is
// tried first with the core's own syscall, as in the epoll shim: that keeps
// NOWAIT, exact short sends and the pool's rules, and is the cheapest path
// when data is there already. What io_uring changes is the wait:
// - Operations done by the kernel (poller_take). When a RECV, SEND,
//   RECVFROM, SENDTO, RECVMSG, SENDMSG (without control data) or ACCEPT says
//   EAGAIN at the head of its queue, the real operation is written into the
//   submission ring (IORING_OP_RECV/SEND/RECVMSG/SENDMSG; ACCEPT below), into and
//   out of the caller's arena range, which stays the kernel's until the
//   CQE; its user_data is (gen << 32 | kOpBit | token), and reap_op hands
//   the result to the core (finish_taken), which completes it and runs what
//   queued behind it. Only a queue's head is in the kernel (two receives in
//   flight on one socket could complete out of order), so at most one
//   operation per socket and direction.
// - ACCEPT: a multishot IORING_OP_ACCEPT (IORING_ACCEPT_MULTISHOT, 5.19)
//   per listener, armed while acceptors are parked on it (take_multishot);
//   each CQE (reap_accept) is a connection for the head acceptor, adopted
//   as accept4 would have given it, its address from getpeername(2) (a
//   multishot accept takes none). As soon as no acceptor waits, it is
//   cancelled (settle_listener). The kernel drains the backlog until the
//   cancel reaches it, so connections can come when nobody waits: they are
//   kept in the listener's stash rather than closed (the client of a
//   blocking server would wait in the backlog, not see a reset), and the
//   next ACCEPT takes the oldest before accept4 (poller_accept_first; while
//   the multishot is armed, an ACCEPT that may wait does not call accept4,
//   so none overtakes one already accepted). A POLL_IN on the listener is ready while the stash
//   holds any; closing the listener or the handle closes them. A kernel
//   without it (before 5.19; probed at poller_open: probe_multishot) gets
//   one IORING_OP_ACCEPT per parked ACCEPT (the single-shot way, reap_op).
// - Pool receives of a stream go to a provided-buffer ring (PoolRing,
//   IORING_REGISTER_PBUF_RING) over the end of the receive pool: the kernel
//   picks a 4 KiB buffer when the data arrives, so a waiting receive holds
//   no memory. The buffers a call's completions handed to JS go back into
//   the ring at the start of the next call (poller_round). No more pool
//   receives are in the kernel than the ring has buffers free; the others
//   wait for readiness. Should -ENOBUFS come all the same, the receive takes
//   the core's defer path, where the rest of the pool serves it next call.
// - CANCEL of an operation in the kernel writes IORING_OP_ASYNC_CANCEL and
//   completes it when its own CQE comes (-ECANCELED, or its result if it
//   finished first); CLOSE does the same for the fd's operations (one
//   cancel each; the fd is closed at once, so the peer sees the end when
//   the cancel releases the kernel's reference) and they complete with
//   -EBADF. sio_destroy cancels what is in the kernel and waits for the
//   CQEs (drain_taken) before the arena is unmapped.
// - Everything else waits for readiness, as before: CONNECT (see
//   poller_take), POLL_IN/POLL_OUT, SENDFILE, datagram pool receives,
//   operations with MSG_WAITALL/MSG_OOB/MSG_ERRQUEUE/MSG_DONTWAIT, and any
//   operation whose opcode the kernel lacks (IORING_REGISTER_PROBE at
//   setup) or that the kernel gave back with -EAGAIN (then all of its kind).
//   The first time such an operation waits on a socket and direction
//   (poller_arm), a multishot IORING_OP_POLL_ADD is armed; it stays until the
//   socket is closed (or the kernel ends it), like a lazily made
//   edge-triggered registration, and each wake-up posts a CQE that runs the
//   direction's queue. fds_registered counts these polls.
// - poller_wait reads the completion ring from shared memory and makes one
//   io_uring_enter at most: it submits what the call wrote into the ring
//   and, in the exclusive mode, waits for a CQE. None at all when nothing
//   was written and nothing needs waiting for. (A second, submit-only enter
//   happens only when CQEs reaped after the wait wrote SQEs, so that
//   nothing is left unsubmitted.)
// - Wake-ups: sio_wake writes an eventfd that a multishot poll in the ring
//   watches, so a waiting io_uring_enter returns. Node's loop watches the
//   ring fd itself (in.pollfd, through uv_watch.cc): it is readable exactly
//   while completions wait in the CQ, so no eventfd has to be registered
//   (IORING_REGISTER_EVENTFD) and drained every round.
// - A poll holds a reference to its socket, so poller_del removes the
//   socket's polls (IORING_OP_POLL_REMOVE) before the core closes it; their
//   last CQEs, and any CQE of an fd number closed since, are told apart by
//   the seq in user_data and dropped.
// See docs/backends.rst, "The io_uring backend".
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <new>
#include <vector>

#include "readiness.h"
#include "uring_ring.h"

namespace sio::readiness {

// The message header of a taken SENDMSG/RECVMSG (which RECV of a datagram,
// RECVFROM and SENDTO become): the kernel reads it at submission and writes
// the received lengths and flags back into it with the result, so it lives
// as long as its slot (freed with the poller).
struct Flight {
  msghdr msg;
  iovec iov;
  sockaddr_storage name;  // RECVFROM: the sender, copied into the caller's room after
  socklen_t addrlen;      // ACCEPT: the room for the peer's address, then its length
  bool active;            // the slot's operation in the kernel uses this record
};

// The provided-buffer ring over the poller's part of the receive pool
// (IORING_REGISTER_PBUF_RING, 5.19): the kernel picks a buffer when the data
// of a pool receive it took arrives, so a waiting receive holds no memory,
// as the pool promises. Each registration has its own group id, so that the
// completion of a receive submitted before a SET_POOL is still placed.
struct PoolRing {
  io_uring_buf_ring *br = nullptr;  // the ring the kernel reads (mmapped, page-aligned)
  size_t br_len = 0;
  uint16_t group = 0;               // buffer group id of the current registration
  uint32_t count = 0;               // buffers (a power of two); 0: no ring
  uint16_t tail = 0;
  // Buffers whose bytes this call's completions handed to JS: back in the
  // ring at the start of the next call (poller_round).
  std::vector<uint16_t> lent;
  // Arena offset of buffer 0, by group id (a receive from an older group
  // is placed with its group's).
  std::vector<uint32_t> base;
  // The group each token's pool receive was submitted with.
  std::vector<uint16_t> op_group;
  // Pool receives in the kernel now. With lent, never more than count: a
  // receive beyond what the ring can serve would come back with -ENOBUFS
  // and cost a round trip for nothing, so it waits for readiness instead.
  uint32_t in_kernel = 0;
};

// A listener's multishot accept (IORING_ACCEPT_MULTISHOT, 5.19): armed
// while acceptors are parked on it, each CQE a new connection for the head
// acceptor. One that comes when none waits (the kernel accepted it before
// the cancel that the empty queue asked for reached it) is kept here, not
// closed, and the next ACCEPT on the listener takes it before accept4(2).
struct Listener {
  int fd;
  uint32_t seq;             // the listener's FdState seq (its fd number may be reused)
  bool armed = false;       // its multishot accept is in the kernel, until its last CQE
  bool stopping = false;    // an ASYNC_CANCEL for it is on its way
  std::deque<int> stash;    // connections accepted ahead of any acceptor, oldest first
};

struct PollerState {
  sio::Ring ring;
  // Listeners with a multishot accept armed or connections stashed.
  std::vector<std::unique_ptr<Listener>> listeners;
  // The kernel lacks IORING_ACCEPT_MULTISHOT (before 5.19): one
  // IORING_OP_ACCEPT per parked ACCEPT. Probed at poller_open (probe_multishot).
  bool no_multishot = false;
  // Tests (SIO_URING_REFUSE_MULTISHOT=1) set a flag bit no kernel knows in
  // the multishot accept's probe, which any kernel answers with -EINVAL, as
  // one before 5.19 answers IORING_ACCEPT_MULTISHOT: the fallback runs for real.
  uint16_t accept_test_bits = 0;
  // By token: the ACCEPT waits on its listener's multishot accept (it has no
  // operation of its own in the kernel).
  std::vector<uint8_t> on_multishot;
  PoolRing pool;
  std::vector<std::unique_ptr<Flight>> flights;  // by token, made on first use
  bool woken = false;  // this poller_wait reaped a wake-up: it must not wait
  bool closing = false;  // poller_close waits for taken operations: CQEs are only counted
  uint32_t in_flight = 0;  // operations taken (poller_take) whose CQE has not come
  // SIO_OP_* bits of the operations not to take any more: the kernel gave one
  // back with -EAGAIN (it does not wait for the socket itself), so they go
  // by readiness from then on.
  uint32_t no_take = 0;
};

namespace {

// user_data of the CQEs: a readiness poll is fd_tag(st) with the direction
// in bit 0 of the fd half, (seq << 32 | fd << 1 | write); an operation the
// kernel does has kOpBit (below); the others are these two tags.
constexpr uint64_t kWakeTag = UINT64_MAX;        // the multishot poll of the wake eventfd
constexpr uint64_t kIgnoreTag = UINT64_MAX - 1;  // POLL_REMOVE's and ASYNC_CANCEL's own CQEs
constexpr uint64_t kProbeTag = UINT64_MAX - 2;   // the multishot accept probe (probe_multishot)
// A taken operation's CQE: (gen << 32 | kOpBit | token). Poll tags never
// have bit 31 (poller_add keeps fd numbers below 2^30), and the two tags
// above are told apart first.
constexpr uint64_t kOpBit = uint64_t{1} << 31;
// A listener's multishot accept: (seq << 32 | kOpBit | kAcceptBit | fd).
// Tokens stay below 2^20 (init_instance) and fd numbers below 2^30.
constexpr uint64_t kAcceptBit = uint64_t{1} << 30;
// Connections kept for a listener with no acceptor waiting: those the
// kernel accepted before its cancel arrived. The kernel retries a multishot
// accept while the backlog is not empty, so this is what the backlog held
// then (and what arrived until the cancel), not one or two: the bound is
// the kernel's default cap on a backlog (SOMAXCONN), which a burst that
// fits a listen queue does not reach. Beyond it (4 bytes each) they are
// closed, and their clients see a reset.
constexpr size_t kStashMax = 4096;
constexpr int kMaxFd = 1 << 30;
// SENDMSG/RECVMSG's message block: the address room, then the control data
// (backend.h, "Messages").
constexpr uint32_t kMsgName = 128;
// The pool's buffers for the kernel: one buffer per receive, so a pool
// receive the kernel does takes at most this much (a stream's next bytes
// come by the core's recv(2), tried first, when more are there). The ring
// gets half of a pool of at least kPoolRingMin bytes.
constexpr uint32_t kPoolBuf = 4096;
constexpr uint32_t kPoolRingMin = 64 * 1024;
constexpr uint32_t kPoolRingMaxBufs = 32768;  // the kernel's limit on ring entries
// Ring sizes: the SQ holds the polls armed in one call (handed over early
// when full), the CQ their completions (the kernel keeps any overflow:
// IORING_FEAT_NODROP).
constexpr unsigned kRingEntries = 256;
constexpr unsigned kRingCqEntries = 4096;

uint64_t poll_tag(const FdState &st, bool write) {
  return uint64_t{st.seq} << 32 | uint64_t{static_cast<uint32_t>(st.fd)} << 1 | (write ? 1 : 0);
}

uint64_t op_tag(uint32_t token, const Op &op) { return uint64_t{op.sqe.gen} << 32 | kOpBit | token; }

// The core's tag (fd_tag) of a poll's user_data.
uint64_t core_tag(uint64_t poll) { return (poll & ~uint64_t{0xffffffff}) | ((poll & 0xffffffffu) >> 1); }

void reap(Instance &in);
io_uring_sqe *get_sqe(Instance &in);

uint64_t accept_tag(const Listener &l) {
  return uint64_t{l.seq} << 32 | kOpBit | kAcceptBit | static_cast<uint32_t>(l.fd);
}

Listener *find_listener(PollerState &p, int fd, uint32_t seq) {
  for (auto &l : p.listeners)
    if (l->fd == fd && l->seq == seq) return l.get();
  return nullptr;
}

void forget_listener(PollerState &p, const Listener *l) {
  for (auto &x : p.listeners)
    if (x.get() == l) {
      x = std::move(p.listeners.back());
      p.listeners.pop_back();
      return;
    }
}

void close_stash(Listener &l) {
  for (int fd : l.stash) close(fd);
  l.stash.clear();
}

void arm_multishot(Instance &in, Listener &l) {
  io_uring_sqe *sqe = get_sqe(in);
  sqe->opcode = IORING_OP_ACCEPT;
  sqe->fd = l.fd;
  // No address: a multishot accept must have none (the kernel answers
  // -EINVAL otherwise); the acceptor's comes from getpeername(2).
  sqe->addr = 0;
  sqe->addr2 = 0;
  sqe->ioprio = IORING_ACCEPT_MULTISHOT | in.poller->accept_test_bits;
  sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  sqe->user_data = accept_tag(l);
  l.armed = true;
  l.stopping = false;
  in.poller->in_flight++;  // until its last CQE
}

void stop_multishot(Instance &in, Listener &l) {
  if (!l.armed || l.stopping) return;
  io_uring_sqe *sqe = get_sqe(in);
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = -1;
  sqe->addr = accept_tag(l);
  sqe->user_data = kIgnoreTag;
  l.stopping = true;
}

// The token of the ACCEPT at the head of st's read queue that waits on the
// listener's multishot accept, or kNil.
uint32_t multishot_head(Instance &in, const FdState &st) {
  uint32_t t = st.rd.head;
  if (t == kNil) return kNil;
  const Op &op = in.ops[t];
  const PollerState &p = *in.poller;
  if (op.sqe.op != SIO_OP_ACCEPT || op.taken != Taken::kInFlight || t >= p.on_multishot.size() || !p.on_multishot[t])
    return kNil;
  return t;
}

// After a listener's queue moved: keeps its multishot accept armed while an
// acceptor waits on it, cancels it as soon as none does, and forgets the
// listener when nothing of it is left.
void settle_listener(Instance &in, Listener &l, bool ended = false) {
  size_t fd = static_cast<size_t>(l.fd);
  FdState *st = fd < in.fds.size() ? in.fds[fd].get() : nullptr;
  bool alive = st != nullptr && st->seq == l.seq;
  uint32_t head = alive ? multishot_head(in, *st) : kNil;
  if (head != kNil && !l.armed && (in.poller->no_multishot || ended)) {
    // The head waits for readiness instead: the kernel lacks multishot
    // accept (the next take makes it an IORING_OP_ACCEPT), or the multishot
    // ended with the listener's EINVAL (shut down): accept4 then gives the
    // acceptor that error. l is forgotten first (when nothing of it is
    // left), as the queue that runs may look it up.
    if (l.stash.empty()) forget_listener(*in.poller, &l);
    in.poller->on_multishot[head] = 0;
    finish_taken(in, head, kAgain, 0, 0, 0);
    return;
  }
  if (head != kNil && !l.armed) {
    arm_multishot(in, l);
  } else if (head == kNil) {
    stop_multishot(in, l);
  }
  if (!l.armed && l.stash.empty()) forget_listener(*in.poller, &l);
}

// A CQE of a listener's multishot accept: a new connection for the head
// acceptor (or the stash), or its end.
void reap_accept(Instance &in, uint64_t tag, const io_uring_cqe &cqe, bool more) {
  PollerState &p = *in.poller;
  if (!more) p.in_flight--;
  int32_t res = cqe.res;
  Listener *l = find_listener(p, static_cast<int>(tag & (kAcceptBit - 1)), static_cast<uint32_t>(tag >> 32));
  if (p.closing || l == nullptr) {
    if (res >= 0) close(res);  // its listener is closed: the client sees the end
    if (l != nullptr && !more) l->armed = false;
    return;
  }
  if (!more) l->armed = false;
  FdState *st = in.fds[static_cast<size_t>(l->fd)].get();  // the listener lives while l does
  if (res >= 0) {
    uint32_t head = multishot_head(in, *st);
    if (head == kNil) {
      bool first = l->stash.empty();
      try {
        if (l->stash.size() < kStashMax) l->stash.push_back(res);
        else close(res);
      } catch (const std::bad_alloc &) {
        close(res);
      }
      // What heads the queue instead (a POLL_IN, an ACCEPT waiting for
      // readiness) would have seen the backlog readable: it runs now.
      if (first && !l->stash.empty() && st->rd.head != kNil) run_ready(in, fd_tag(*st), true, false);
      l = find_listener(p, static_cast<int>(tag & (kAcceptBit - 1)), static_cast<uint32_t>(tag >> 32));
      if (l == nullptr) return;
    } else {
      // Adopted as attempt() adopts a connection the stash held, the
      // address from getpeername(2); one reset since is dropped, as accept4
      // drops it, and the head goes on waiting for the next.
      uint16_t addrlen = 0;
      int32_t r = adopt_accepted(in, in.ops[head].sqe, res, nullptr, &addrlen);
      if (r != -ECONNABORTED) {
        p.on_multishot[head] = 0;
        finish_taken(in, head, r, 0, addrlen, 0);
      }
    }
    // finish_taken ran the queue, which may have reaped (a full SQ): look
    // the listener up again rather than trust l.
    l = find_listener(p, static_cast<int>(tag & (kAcceptBit - 1)), static_cast<uint32_t>(tag >> 32));
    if (l == nullptr) return;
  } else if (res != -ECANCELED && res != -ECONNABORTED && res != -EINVAL && res != -EAGAIN) {
    // The listener's error (EMFILE, ...): the head acceptor gets it, as
    // accept4(2) would have given it.
    uint32_t head = multishot_head(in, *st);
    if (head != kNil) {
      p.on_multishot[head] = 0;
      finish_taken(in, head, res, 0, 0, 0);
      l = find_listener(p, static_cast<int>(tag & (kAcceptBit - 1)), static_cast<uint32_t>(tag >> 32));
      if (l == nullptr) return;
    }
  }
  settle_listener(in, *l, !more && res == -EINVAL);
}

// A free SQE; when the SQ is full, the pending ones are handed to the
// kernel first (and the CQ drained, should the kernel refuse for want of
// CQ room).
io_uring_sqe *get_sqe(Instance &in) {
  for (;;) {
    io_uring_sqe *sqe = sio::ring_get_sqe(in.poller->ring);
    if (sqe != nullptr) return sqe;
    int r = sio::ring_enter(in.poller->ring, 0, 0);
    if (r == -EBUSY || r == -EAGAIN) reap(in);
    else if (r < 0 && r != -EINTR) die("io_uring_enter", -r);
  }
}

// The multishot poll that turns a sio_wake into a CQE.
void arm_wake(Instance &in) {
  io_uring_sqe *sqe = get_sqe(in);
  sqe->opcode = IORING_OP_POLL_ADD;
  sqe->fd = in.wakefd;
  sqe->poll32_events = POLLIN;
  sqe->len = IORING_POLL_ADD_MULTI;
  sqe->user_data = kWakeTag;
}

void drain_eventfd(int fd) {
  uint64_t count;
  if (read(fd, &count, sizeof count) < 0 && errno != EAGAIN && errno != EINTR) die("read(eventfd)", errno);
}

// ---- the provided-buffer ring ----------------------------------------------
// The ring's entries. Not br->bufs: the UAPI header declares it with
// __DECLARE_FLEX_ARRAY, whose empty struct takes a byte in C++ (none in C),
// which moves bufs to offset 8 in C++ while the kernel reads it at 0 (and
// the tail at 14, inside entry 0).
io_uring_buf *pool_entries(PoolRing &pr) { return reinterpret_cast<io_uring_buf *>(pr.br); }
uint16_t *pool_tail(PoolRing &pr) {
  return reinterpret_cast<uint16_t *>(reinterpret_cast<uint8_t *>(pr.br) + offsetof(io_uring_buf, resv));
}

// Puts buffer bid back at the ring's tail (published by pool_publish).
void pool_add(Instance &in, uint16_t bid) {
  PoolRing &pr = in.poller->pool;
  // Field by field: entry 0's resv is the ring's tail, which the kernel
  // reads, and must keep its value.
  io_uring_buf &b = pool_entries(pr)[pr.tail & (pr.count - 1)];
  b.addr = reinterpret_cast<uintptr_t>(in.arena + pr.base[pr.group] + uint32_t{bid} * kPoolBuf);
  b.len = kPoolBuf;
  b.bid = bid;
  pr.tail++;
}

// Hands the buffers added to the kernel (it reads the tail with acquire).
void pool_publish(PoolRing &pr) { __atomic_store_n(pool_tail(pr), pr.tail, __ATOMIC_RELEASE); }

void lend_buf(PoolRing &pr, uint16_t bid) {
  try {
    pr.lent.push_back(bid);
  } catch (const std::bad_alloc &) {
    die("keeping a pool buffer", ENOMEM);  // reserved at registration: cannot happen
  }
}

// Unregisters the ring (the kernel then picks no buffer of it: a receive
// still waiting gets -ENOBUFS, and the core's pool takes it over) and frees
// its memory. The group ids and bases stay, for completions already posted.
void pool_drop(Instance &in) {
  PoolRing &pr = in.poller->pool;
  if (pr.count == 0) return;
  io_uring_buf_reg reg{};
  reg.bgid = pr.group;
  syscall(__NR_io_uring_register, in.poller->ring.fd, IORING_UNREGISTER_PBUF_RING, &reg, 1);
  munmap(pr.br, pr.br_len);
  pr.br = nullptr;
  pr.br_len = 0;
  pr.count = 0;
  pr.in_kernel = 0;  // those left are the old group's: not counted against a new ring
  pr.lent.clear();
}

// A taken operation's CQE: its result, as attempt() would have made it,
// goes to the core (nothing more while poller_close waits for it).
void reap_op(Instance &in, uint32_t token, const io_uring_cqe &cqe) {
  PollerState &p = *in.poller;
  p.in_flight--;
  if (p.closing || token >= in.ops.size()) return;
  const Op &op = in.ops[token];
  const sio_sqe &s = op.sqe;
  int32_t res = cqe.res;
  uint16_t flags = 0, addrlen = 0;
  uint32_t off = 0;
  const Flight *fl = token < p.flights.size() ? p.flights[token].get() : nullptr;
  if ((s.flags & SIO_SQE_POOL) && p.pool.in_kernel > 0 && token < p.pool.op_group.size() &&
      p.pool.op_group[token] == p.pool.group)
    p.pool.in_kernel--;
  if (cqe.flags & IORING_CQE_F_BUFFER) {
    // A pool receive: the kernel took a buffer of its group. Bytes for JS
    // keep it until the next call; otherwise it goes back into the ring
    // (if its group is still the current one).
    auto bid = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    uint16_t group = token < p.pool.op_group.size() ? p.pool.op_group[token] : 0;
    bool current = p.pool.count > 0 && group == p.pool.group;
    if (res > 0 && op.taken != Taken::kClosed && group < p.pool.base.size()) {
      off = p.pool.base[group] + uint32_t{bid} * kPoolBuf;
      if (current) lend_buf(p.pool, bid);
    } else if (current) {
      pool_add(in, bid);
      pool_publish(p.pool);
    }
  } else if ((s.flags & SIO_SQE_POOL) && res == -ENOBUFS) {
    res = kNoRoom;  // no buffer free in the ring: the core's defer path, as for a full pool
  }
  if (s.op == SIO_OP_ACCEPT && res >= 0) {
    // The new connection, accepted as accept4(SOCK_NONBLOCK | SOCK_CLOEXEC)
    // would: adopted, or closed if its listener was closed meanwhile.
    if (op.taken == Taken::kClosed) {
      close(res);
    } else {
      // The kernel wrote the address into the caller's room, and its full
      // length into the flight.
      socklen_t al = fl != nullptr ? fl->addrlen : 0;
      res = adopt_accepted(in, s, res, &al, &addrlen);
    }
  } else if (s.op == SIO_OP_ACCEPT && res == -ECONNABORTED) {
    res = -EAGAIN;  // reset while queued: not the listener's error (attempt() goes on too)
  }
  if (res >= 0 && fl != nullptr && fl->active && (s.op == SIO_OP_RECV || s.op == SIO_OP_RECVFROM || s.op == SIO_OP_RECVMSG)) {
    // What attempt() does after its recvmsg(2), from what the kernel wrote
    // back into the message header.
    const msghdr &m = fl->msg;
    if (s.op == SIO_OP_RECVMSG) {
      size_t got = std::min<size_t>(m.msg_controllen, s.arg1 & 0xffffffu);
      auto *ctl = in.arena + s.arg0 + kMsgName;
      // Descriptors received for a socket closed since: nobody gets them.
      if (op.taken == Taken::kClosed) close_received_rights(ctl, got);
      else adopt_received_rights(in, ctl, got);
      flags = static_cast<uint16_t>(m.msg_flags & 0xffff);
      addrlen = static_cast<uint16_t>(std::min<socklen_t>(m.msg_namelen, kMsgName));
      off = static_cast<uint32_t>(got);
    } else {
      if (m.msg_flags & MSG_TRUNC) flags |= SIO_CQE_TRUNC;
      if (s.op == SIO_OP_RECVFROM) {
        memcpy(in.arena + s.arg0, &fl->name, std::min<size_t>(m.msg_namelen, s.arg1));
        addrlen = static_cast<uint16_t>(std::min<uint64_t>({m.msg_namelen, s.arg1, UINT16_MAX}));
      }
    }
  }
  if (res == -EAGAIN || res == -EWOULDBLOCK) {
    // This kernel returns what would block instead of waiting itself: the
    // core waits for readiness, for this operation and all of its kind.
    if (op.taken == Taken::kInFlight && cqe.res != -ECONNABORTED) p.no_take |= 1u << op.sqe.op;
    res = kAgain;
  } else if (res == -EINTR) {
    res = kAgain;  // interrupted before it did anything: wait and try again
  }
  finish_taken(in, token, res, flags, addrlen, off);
}

// Takes every CQE the kernel has posted and runs the queues they make ready.
void reap(Instance &in) {
  sio::Ring &r = in.poller->ring;
  for (;;) {
    // The head is read anew each time: running a queue may arm a poll, and
    // a full SQ makes that reap too (get_sqe), so this loop can re-enter.
    unsigned head = *r.cq_head;
    unsigned tail = __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE);
    if (head == tail) break;
    io_uring_cqe cqe = r.cqes[head & r.cq_mask];
    // Hand the slot back before acting: running a queue may arm polls, and
    // the kernel needs CQ room for their CQEs.
    __atomic_store_n(r.cq_head, head + 1, __ATOMIC_RELEASE);
    uint64_t tag = cqe.user_data;
    bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    if (tag == kIgnoreTag) continue;
    if (tag == kProbeTag) {
      // -EBADF: the kernel took the flag and looked for the fd (-1); a
      // kernel before 5.19 refuses the flag first, with -EINVAL.
      if (cqe.res != -EBADF) in.poller->no_multishot = true;
      continue;
    }
    if (tag != kWakeTag && (tag & kOpBit) != 0 && (tag & kAcceptBit) != 0) {
      reap_accept(in, tag, cqe, more);
      continue;
    }
    if (tag != kWakeTag && (tag & kOpBit) != 0) {
      reap_op(in, static_cast<uint32_t>(tag & (kOpBit - 1)), cqe);
      continue;
    }
    if (in.poller->closing) {
      if (tag != kWakeTag && !more) in.fds_registered--;
      continue;
    }
    if (tag == kWakeTag) {
      drain_eventfd(in.wakefd);
      in.wake_pending.store(false, std::memory_order_release);
      in.poller->woken = true;
      if (!more) arm_wake(in);  // the kernel ended the multishot
      continue;
    }
    // A CQE without IORING_CQE_F_MORE is the poll's last (removed by
    // poller_del, or ended by the kernel).
    if (!more) in.fds_registered--;
    uint64_t ftag = core_tag(tag);
    size_t fd = static_cast<size_t>(ftag & 0xffffffffu);
    FdState *st = fd < in.fds.size() ? in.fds[fd].get() : nullptr;
    if (st == nullptr || st->seq != ftag >> 32) continue;  // closed since (maybe reused)
    bool write = (tag & 1) != 0;
    uint8_t bit = write ? kArmedWrite : kArmedRead;
    if (!(st->armed & bit)) continue;
    if (!more) st->armed &= static_cast<uint8_t>(~bit);  // the next wait arms a new one
    // A poll that failed (not a readiness mask) will not report readiness:
    // what waits on the socket gets its error rather than wait for ever.
    if (cqe.res < 0 && cqe.res != -ECANCELED) run_failed(in, ftag, cqe.res);
    else run_ready(in, ftag, !write, write);
  }
}

// Hands the pending SQEs to the kernel and, when asked to, waits for a CQE.
void enter_ring(Instance &in, bool wait, int timeout_ms) {
  for (;;) {
    int r = sio::ring_enter(in.poller->ring, wait ? 1 : 0, timeout_ms);
    if (r == -EBUSY || r == -EAGAIN) {
      reap(in);  // the kernel wants CQ room first
      wait = false;
      continue;
    }
    if (r < 0 && r != -EINTR && r != -ETIME) die("io_uring_enter", -r);
    return;
  }
}

// Whether the kernel has multishot accept: an IORING_OP_ACCEPT with
// IORING_ACCEPT_MULTISHOT on fd -1 answers -EBADF where it does, -EINVAL
// where the flag is unknown (the flags are checked before the fd). Its CQE
// (kProbeTag) is reaped before that of any multishot accept armed after it
// (one armed meanwhile on such a kernel ends with -EINVAL, and its acceptor
// waits for readiness: settle_listener).
void probe_multishot(Instance &in) {
  io_uring_sqe *sqe = get_sqe(in);
  sqe->opcode = IORING_OP_ACCEPT;
  sqe->fd = -1;
  sqe->ioprio = IORING_ACCEPT_MULTISHOT | in.poller->accept_test_bits;
  sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  sqe->user_data = kProbeTag;
}

// Tests make setup fail on purpose, as a kernel without io_uring (ENOSYS)
// or one that refuses it (EPERM: io_uring_disabled, seccomp) would:
// SIO_URING_REFUSE=ENOSYS, EPERM or an errno number. 0 when unset.
int refused_by_test() {
  const char *v = getenv("SIO_URING_REFUSE");
  if (v == nullptr || *v == '\0') return 0;
  if (strcmp(v, "ENOSYS") == 0) return -ENOSYS;
  if (strcmp(v, "EPERM") == 0) return -EPERM;
  int n = atoi(v);
  return n > 0 ? -n : -EPERM;
}

}  // namespace

const char kBackendName[] = "io_uring";

int32_t poller_open(Instance &in) {
  in.poller = new (std::nothrow) PollerState();
  if (in.poller == nullptr) return -ENOMEM;
  int r = refused_by_test();
  if (r == 0) r = sio::ring_setup(in.poller->ring, kRingEntries, kRingCqEntries);
  if (r < 0) return r;
  in.pollfd = in.poller->ring.fd;
  const char *ms = getenv("SIO_URING_REFUSE_MULTISHOT");
  if (ms != nullptr && *ms != '\0' && strcmp(ms, "0") != 0) in.poller->accept_test_bits = 0x8000;
  in.wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (in.wakefd < 0) return -errno;
  arm_wake(in);
  probe_multishot(in);
  enter_ring(in, false, 0);
  return 0;
}

namespace {

// Waits (boundedly) until the kernel has given back every taken operation,
// so that none writes into the arena after sio_destroy unmaps it. Closing
// the ring would cancel them too, but asynchronously (the kernel's ring
// teardown runs in a worker), while the region is unmapped at once.
void drain_taken(Instance &in) {
  PollerState &p = *in.poller;
  if (p.in_flight == 0 || p.ring.fd < 0) return;
  p.closing = true;
  for (auto &l : p.listeners) {
    if (!l->armed) continue;
    l->stopping = false;
    stop_multishot(in, *l);
  }
  for (uint32_t t = 0; t < in.ops.size(); t++) {
    const Op &op = in.ops[t];
    if (!op.parked || op.taken == Taken::kNo) continue;
    if (t < p.on_multishot.size() && p.on_multishot[t]) continue;  // its listener's cancel ends it
    io_uring_sqe *sqe = get_sqe(in);
    sqe->opcode = IORING_OP_ASYNC_CANCEL;
    sqe->fd = -1;
    sqe->addr = op_tag(t, op);
    sqe->user_data = kIgnoreTag;
  }
  // A cancel of a socket operation completes at once; the bound is there for
  // a kernel that does otherwise, not for time.
  for (int i = 0; i < 100 && p.in_flight > 0; i++) {
    enter_ring(in, true, 50);
    reap(in);
  }
  // Should the kernel still hold buffers, the region is left mapped (a leak
  // rather than the kernel writing into memory reused since).
  if (p.in_flight > 0) in.region = nullptr;
}

}  // namespace

void poller_close(Instance &in) {
  // Freeing the ring ends every poll (ring_free closes in.pollfd).
  if (in.poller != nullptr) {
    drain_taken(in);
    // Connections accepted for nobody: closed (their clients see the end).
    for (auto &l : in.poller->listeners) close_stash(*l);
    // Closing the ring unregisters the buffer ring; its memory goes after.
    sio::ring_free(in.poller->ring);
    PoolRing &pr = in.poller->pool;
    if (pr.br != nullptr) munmap(pr.br, pr.br_len);
  }
  in.pollfd = -1;
  if (in.wakefd >= 0) close(in.wakefd);
  delete in.poller;
  in.poller = nullptr;
}

// Nothing to register until an operation waits (poller_arm). Fd numbers
// stay below 2^30 so that poll tags never look like an operation's
// (kOpBit); a process never gets near that many descriptors.
int32_t poller_add(Instance &, FdState &st) { return st.fd < kMaxFd ? 0 : -EMFILE; }

void poller_arm(Instance &in, FdState &st, bool write) {
  uint8_t bit = write ? kArmedWrite : kArmedRead;
  if (st.armed & bit) return;
  // A poll on an fd that is ready already posts a CQE at once, so a
  // readiness that came after the failed attempt is never missed.
  io_uring_sqe *sqe = get_sqe(in);
  sqe->opcode = IORING_OP_POLL_ADD;
  sqe->fd = st.fd;
  sqe->poll32_events = write ? POLLOUT : (POLLIN | POLLRDHUP);
  sqe->len = IORING_POLL_ADD_MULTI;
  sqe->user_data = poll_tag(st, write);
  st.armed |= bit;
  in.fds_registered++;  // until its last CQE (reap)
}

void poller_del(Instance &in, FdState &st) {
  // A listener's multishot accept ends (its CQEs still to come close what
  // they bring) and what it stashed is closed: nothing leaks, and each
  // client sees its connection end as it would with the backlog's.
  if (Listener *l = find_listener(*in.poller, st.fd, st.seq)) {
    stop_multishot(in, *l);
    close_stash(*l);
    forget_listener(*in.poller, l);
  }
  for (bool write : {false, true}) {
    uint8_t bit = write ? kArmedWrite : kArmedRead;
    if (!(st.armed & bit)) continue;
    io_uring_sqe *sqe = get_sqe(in);
    sqe->opcode = IORING_OP_POLL_REMOVE;
    sqe->fd = -1;
    sqe->addr = poll_tag(st, write);
    sqe->user_data = kIgnoreTag;
    // Its last CQE (-ECANCELED, or a readiness) is dropped as stale.
    st.armed &= static_cast<uint8_t>(~bit);
  }
}

void poller_wait(Instance &in, int timeout_ms) {
  // What the kernel posted since the last call is in shared memory: run it
  // first, and do not wait when it completed something (or was a wake-up).
  in.poller->woken = false;
  reap(in);
  if (in.cq_count > 0 || !in.deferred.empty() || in.poller->woken) timeout_ms = 0;
  bool wait = timeout_ms != 0;
  if (in.poller->ring.pending == 0 && !wait) return;  // no system call at all
  enter_ring(in, wait, timeout_ms);
  reap(in);
  // Queues run by that reap may have armed polls anew: hand them over now,
  // as nothing else would before the next call.
  if (in.poller->ring.pending > 0) enter_ring(in, false, 0);
}

int32_t poller_wake(Instance &in) {
  uint64_t one = 1;
  return write(in.wakefd, &one, sizeof one) < 0 ? -errno : 0;
}

namespace {

// The head ACCEPT of st waits on the listener's multishot accept (armed
// now if it is not). False when there is no memory for it: the single-shot
// way needs none.
bool take_multishot(Instance &in, FdState &st, uint32_t token) {
  PollerState &p = *in.poller;
  Listener *l = find_listener(p, st.fd, st.seq);
  try {
    if (p.on_multishot.size() < in.ops.size()) p.on_multishot.resize(in.ops.size());
    if (l == nullptr) {
      p.listeners.push_back(std::make_unique<Listener>());
      l = p.listeners.back().get();
      l->fd = st.fd;
      l->seq = st.seq;
    }
  } catch (const std::bad_alloc &) {
    return false;
  }
  p.on_multishot[token] = 1;
  // One being cancelled ends soon: its last CQE arms a new one
  // (settle_listener), as the head still waits then.
  if (!l->armed) arm_multishot(in, *l);
  return true;
}

}  // namespace

int poller_accept_first(Instance &in, FdState &st, bool can_wait) {
  Listener *l = find_listener(*in.poller, st.fd, st.seq);
  if (l == nullptr) return -1;
  if (!l->stash.empty()) {
    int fd = l->stash.front();
    l->stash.pop_front();
    if (!l->armed && l->stash.empty()) forget_listener(*in.poller, l);
    return fd;
  }
  // The kernel accepts for this listener now: the next connection comes as
  // its CQE, in arrival order, to whoever heads the queue then. One that
  // may not wait calls accept4 all the same: a connection in the backlog
  // must not look like none (a readable listener answering EAGAIN); only
  // the order of connections that came while nobody waited may then differ.
  return l->armed && can_wait ? -EAGAIN : -1;
}

// Its readiness polls are armed per wait (poller_arm): an arrival while no
// operation waits raises nothing, so a receive always tries recv(2) first.
bool poller_edge_per_arrival() { return false; }

bool poller_holds_accepted(Instance &in, const FdState &st) {
  const Listener *l = find_listener(*in.poller, st.fd, st.seq);
  return l != nullptr && !l->stash.empty();
}

bool poller_take(Instance &in, FdState &st, Op &op, uint32_t token) {
  PollerState &p = *in.poller;
  const sio_sqe &s = op.sqe;
  if (p.closing || (p.no_take & (1u << s.op)) || (s.flags & SIO_SQE_NOWAIT)) return false;
  // Flags that change how the kernel waits stay with the core's loop:
  // MSG_WAITALL would have the kernel gather a stream receive (the
  // TypeScript does that, and a cancel must not lose what came), MSG_DONTWAIT
  // would never wait, MSG_OOB and MSG_ERRQUEUE wait on other conditions.
  if (s.msg_flags & (MSG_WAITALL | MSG_DONTWAIT | MSG_OOB | MSG_ERRQUEUE)) return false;
  // The arena ranges were checked at submission and stay the op's until its
  // completion, which the TypeScript waits for before reusing them.
  uint8_t *buf = in.arena + s.off;
  uint8_t opcode;
  int msg_flags = s.msg_flags;
  // name/namelen/control/controllen of the message header, for the ops
  // that need one; needs_flight: the op needs a Flight (all but a stream's
  // RECV and SEND).
  void *name = nullptr, *control = nullptr;
  socklen_t namelen = 0;
  size_t controllen = 0;
  bool needs_flight = true;
  switch (s.op) {
    case SIO_OP_RECV:
      if (s.flags & SIO_SQE_POOL) {
        // Into a buffer of the pool's ring, picked when the data arrives; a
        // datagram (which needs room for all of itself) waits for readiness.
        if (p.pool.count == 0 || !st.stream || p.pool.in_kernel + p.pool.lent.size() >= p.pool.count) return false;
        opcode = IORING_OP_RECV;
        needs_flight = false;
        break;
      }
      // A datagram's truncation is told by recvmsg's msg_flags only.
      opcode = st.stream ? IORING_OP_RECV : IORING_OP_RECVMSG;
      needs_flight = !st.stream;
      break;
    case SIO_OP_SEND:
      opcode = IORING_OP_SEND;
      msg_flags |= MSG_NOSIGNAL;  // a peer gone is EPIPE, as for the core's send
      needs_flight = false;
      break;
    case SIO_OP_ACCEPT:
      // A multishot accept for the listener where the kernel has one: armed
      // while acceptors wait, each CQE the head's connection (reap_accept).
      if (!p.no_multishot && sio::ring_supports(p.ring, IORING_OP_ACCEPT) && take_multishot(in, st, token)) return true;
      // Otherwise one IORING_OP_ACCEPT for the head; a burst of connections
      // is served by the core's accept4(2) first, one per ACCEPT parked
      // behind, before the next one is taken.
      opcode = IORING_OP_ACCEPT;
      break;
    case SIO_OP_RECVFROM:
      opcode = IORING_OP_RECVMSG;
      break;
    case SIO_OP_SENDTO:
      opcode = IORING_OP_SENDMSG;
      msg_flags |= MSG_NOSIGNAL;
      name = in.arena + s.arg0;
      namelen = s.arg1;
      break;
    case SIO_OP_RECVMSG:
      opcode = IORING_OP_RECVMSG;
      name = in.arena + s.arg0;
      namelen = kMsgName;
      controllen = s.arg1 & 0xffffffu;
      if (controllen > 0) control = in.arena + s.arg0 + kMsgName;
      break;
    case SIO_OP_SENDMSG:
      // Control data stays with the core: the kernel resolves SCM_RIGHTS
      // descriptor numbers each time it tries, so a descriptor this handle
      // closed meanwhile (its number maybe another file's of the process)
      // could be sent; the core checks them before every sendmsg(2).
      if ((s.arg1 & 0xffffffu) != 0) return false;
      opcode = IORING_OP_SENDMSG;
      msg_flags |= MSG_NOSIGNAL;
      namelen = s.arg1 >> 24;
      if (namelen > 0) name = in.arena + s.arg0;
      break;
    default:
      // CONNECT stays with readiness: the core's first try has started it
      // (connect(2) said EINPROGRESS), and IORING_OP_CONNECT on a socket
      // already connecting answers EALREADY rather than wait; what is left
      // is a wait for writability and one more connect(2), which is what
      // the readiness path does. POLL_IN/POLL_OUT (readiness is what they
      // ask for) and SENDFILE (a file to a socket) also go by readiness.
      return false;
  }
  if (!sio::ring_supports(p.ring, opcode)) return false;
  Flight *fl = nullptr;
  if (!needs_flight && token < p.flights.size() && p.flights[token]) p.flights[token]->active = false;
  if (needs_flight) {
    try {
      if (p.flights.size() < in.ops.size()) p.flights.resize(in.ops.size());
      if (!p.flights[token]) p.flights[token] = std::make_unique<Flight>();
    } catch (const std::bad_alloc &) {
      return false;  // readiness needs no memory
    }
    fl = p.flights[token].get();
    *fl = Flight{};
    fl->active = true;
    fl->addrlen = s.len;
    fl->iov = iovec{buf, s.len};
    fl->msg.msg_iov = &fl->iov;
    fl->msg.msg_iovlen = 1;
    if (s.op == SIO_OP_RECVFROM) {
      name = &fl->name;
      namelen = sizeof fl->name;
    }
    fl->msg.msg_name = name;
    fl->msg.msg_namelen = namelen;
    fl->msg.msg_control = control;
    fl->msg.msg_controllen = controllen;
  }
  io_uring_sqe *sqe = get_sqe(in);
  sqe->opcode = opcode;
  sqe->fd = st.fd;
  // msg_flags shares its place with accept_flags: written first, so that
  // ACCEPT's own flags are what stays.
  sqe->msg_flags = static_cast<uint32_t>(msg_flags);
  if (s.op == SIO_OP_ACCEPT) {
    // The peer's address goes straight to the caller's room (the kernel
    // writes at most addrlen bytes, and answers the full length there).
    sqe->addr = s.len > 0 ? reinterpret_cast<uintptr_t>(buf) : 0;
    sqe->addr2 = s.len > 0 ? reinterpret_cast<uintptr_t>(&fl->addrlen) : 0;
    sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  } else if (s.flags & SIO_SQE_POOL) {
    try {
      if (p.pool.op_group.size() < in.ops.size()) p.pool.op_group.resize(in.ops.size());
    } catch (const std::bad_alloc &) {
      die("taking a pool receive", ENOMEM);  // after get_sqe: the SQE is written now
    }
    p.pool.op_group[token] = p.pool.group;
    p.pool.in_kernel++;
    sqe->flags = IOSQE_BUFFER_SELECT;
    sqe->buf_group = p.pool.group;
    sqe->addr = 0;
    sqe->len = std::min(s.len, kPoolBuf);
  } else if (fl != nullptr) {
    sqe->addr = reinterpret_cast<uintptr_t>(&fl->msg);
    sqe->len = 1;
  } else {
    sqe->addr = reinterpret_cast<uintptr_t>(buf);
    sqe->len = s.len;
  }
  sqe->user_data = op_tag(token, op);
  p.in_flight++;
  return true;
}

uint32_t poller_set_pool(Instance &in, uint32_t off, uint32_t len) {
  PollerState &p = *in.poller;
  pool_drop(in);
  if (len < kPoolRingMin || !sio::ring_supports(p.ring, IORING_OP_RECV)) return 0;
  uint32_t count = 1;
  while (count * 2 <= std::min(len / 2 / kPoolBuf, kPoolRingMaxBufs)) count *= 2;
  PoolRing &pr = p.pool;
  try {
    // Room reserved now, so that lending never allocates.
    pr.lent.reserve(count);
    if (pr.base.size() >= UINT16_MAX) return 0;  // group ids used up: the core's pool only
    pr.base.push_back(off + len - count * kPoolBuf);
  } catch (const std::bad_alloc &) {
    return 0;
  }
  auto group = static_cast<uint16_t>(pr.base.size() - 1);
  size_t br_len = (count * sizeof(io_uring_buf) + 4095) & ~size_t{4095};
  void *mem = mmap(nullptr, br_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return 0;
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uintptr_t>(mem);
  reg.ring_entries = count;
  reg.bgid = group;
  // A kernel without provided-buffer rings (before 5.19), or one that
  // refuses it: pool receives go by readiness, into the core's pool.
  if (syscall(__NR_io_uring_register, p.ring.fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) {
    munmap(mem, br_len);
    return 0;
  }
  pr.br = static_cast<io_uring_buf_ring *>(mem);
  pr.br_len = br_len;
  pr.group = group;
  pr.count = count;
  pr.tail = 0;
  for (uint32_t i = 0; i < count; i++) pool_add(in, static_cast<uint16_t>(i));
  pool_publish(pr);
  return count * kPoolBuf;
}

void poller_round(Instance &in) {
  PoolRing &pr = in.poller->pool;
  if (pr.lent.empty()) return;
  for (uint16_t bid : pr.lent) pool_add(in, bid);
  pr.lent.clear();
  pool_publish(pr);
}

void poller_give_back(Instance &in, Op &op, uint32_t token) {
  PollerState &p = *in.poller;
  if (token < p.on_multishot.size() && p.on_multishot[token]) {
    // No operation of its own is in the kernel: it is given back at once
    // (-ECANCELED, or -EBADF for a closed listener). The listener's next
    // connection goes to the next acceptor, or to the stash; with none left
    // waiting, the multishot accept is cancelled.
    p.on_multishot[token] = 0;
    int fd = op.sqe.fd;
    bool closed = op.taken == Taken::kClosed;
    finish_taken(in, token, kAgain, 0, 0, 0);
    if (closed) return;  // poller_del follows and ends the multishot
    FdState *st = static_cast<size_t>(fd) < in.fds.size() ? in.fds[static_cast<size_t>(fd)].get() : nullptr;
    if (st == nullptr) return;
    if (Listener *l = find_listener(p, st->fd, st->seq)) settle_listener(in, *l);
    return;
  }
  // By user_data: the op's fd may be closed already. At most one operation
  // per socket and direction is in the kernel (only a queue's head is
  // taken), so one cancel each is as cheap as IORING_ASYNC_CANCEL_FD.
  io_uring_sqe *sqe = get_sqe(in);
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = -1;
  sqe->addr = op_tag(token, op);
  sqe->user_data = kIgnoreTag;
}

}  // namespace sio::readiness
