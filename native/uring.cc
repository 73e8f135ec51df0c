// uring.cc: the Linux io_uring shim. The contract is in backend.h; all of it
// but the poller is readiness.cc's (shared with epoll.cc and kqueue.cc), so
// this shim makes the same socket syscalls as epoll's, tried first and
// parked on EAGAIN. io_uring only tells it when to try again:
// - The first time an operation waits on a socket and direction
//   (poller_arm), a multishot IORING_OP_POLL_ADD is written into the
//   submission ring. It stays armed until the socket is closed (or the
//   kernel ends it; then the next wait arms a new one), like an
//   edge-triggered epoll registration made lazily: each wake-up of the socket
//   posts a CQE, and the core runs that direction's queue. A socket that
//   never waits costs nothing in the kernel; one that waits again needs no
//   system call to wait.
// - poller_wait reads the completion ring from shared memory, and makes one
//   io_uring_enter at most: it submits the polls armed (and removed) during
//   the call and, in the exclusive mode, waits for a CQE. None at all when
//   nothing was armed and nothing needs waiting for. (A second, submit-only
//   enter happens only when CQEs reaped after the wait armed a poll, so that
//   nothing armed is left unsubmitted.)
// - Wake-ups: sio_wake writes an eventfd that a multishot poll in the ring
//   watches, so a waiting io_uring_enter returns. Node's loop watches the
//   ring fd itself (in.pollfd, through uv_watch.cc): it is readable exactly
//   while completions wait in the CQ, so no eventfd has to be registered
//   (IORING_REGISTER_EVENTFD) and drained every round.
// - A poll holds a reference to its socket, so poller_del removes the
//   socket's polls (IORING_OP_POLL_REMOVE) before the core closes it; their
//   last CQEs, and any CQE of an fd number closed since, are told apart by
//   the seq in user_data and dropped.
// - Polls touch no buffer: an operation's arena range is only used by the
//   core's own syscalls, so cancel and close complete at once.
// What io_uring could do beyond readiness (receives into a provided-buffer
// ring, multishot accept, sends started at submission) is not done here; see
// docs/backends.rst, "The io_uring backend".
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <new>

#include "readiness.h"
#include "uring_ring.h"

namespace sio::readiness {

struct PollerState {
  sio::Ring ring;
  bool woken = false;  // this poller_wait reaped a wake-up: it must not wait
};

namespace {

// user_data of the CQEs: a readiness poll is fd_tag(st) with the direction
// in bit 0 of the fd half, (seq << 32 | fd << 1 | write): fd numbers stay
// far below 2^31. The others are these two tags.
constexpr uint64_t kWakeTag = UINT64_MAX;        // the multishot poll of the wake eventfd
constexpr uint64_t kIgnoreTag = UINT64_MAX - 1;  // POLL_REMOVE's own CQE
// Ring sizes: the SQ holds the polls armed in one call (handed over early
// when full), the CQ their completions (the kernel keeps any overflow:
// IORING_FEAT_NODROP).
constexpr unsigned kRingEntries = 256;
constexpr unsigned kRingCqEntries = 4096;

uint64_t poll_tag(const FdState &st, bool write) {
  return uint64_t{st.seq} << 32 | uint64_t{static_cast<uint32_t>(st.fd)} << 1 | (write ? 1 : 0);
}

// The core's tag (fd_tag) of a poll's user_data.
uint64_t core_tag(uint64_t poll) { return (poll & ~uint64_t{0xffffffff}) | ((poll & 0xffffffffu) >> 1); }

void reap(Instance &in);

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
  in.wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (in.wakefd < 0) return -errno;
  arm_wake(in);
  enter_ring(in, false, 0);
  return 0;
}

void poller_close(Instance &in) {
  // Freeing the ring ends every poll (ring_free closes in.pollfd).
  if (in.poller != nullptr) sio::ring_free(in.poller->ring);
  in.pollfd = -1;
  if (in.wakefd >= 0) close(in.wakefd);
  delete in.poller;
  in.poller = nullptr;
}

// Nothing to register until an operation waits (poller_arm).
int32_t poller_add(Instance &, FdState &) { return 0; }

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

}  // namespace sio::readiness
