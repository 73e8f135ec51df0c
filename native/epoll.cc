// epoll.cc: the Linux epoll shim. The contract is in backend.h; all of it but
// the poller is readiness.cc's (shared with kqueue.cc). This file is the
// poller: one epoll fd, every socket registered once edge-triggered for both
// directions, and an eventfd for sio_wake.
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "readiness.h"
#include "readiness_only.h"  // every operation on readiness

namespace sio::readiness {

namespace {
constexpr uint64_t kWakeTag = UINT64_MAX;  // epoll data of the wake eventfd
constexpr int kMaxEvents = 1024;
}  // namespace

const char kBackendName[] = "epoll";

int32_t poller_open(Instance &in) {
  in.pollfd = epoll_create1(EPOLL_CLOEXEC);
  if (in.pollfd < 0) return -errno;
  in.wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (in.wakefd < 0) return -errno;
  epoll_event ev{};
  ev.events = EPOLLIN;  // level-triggered: stays ready until drained
  ev.data.u64 = kWakeTag;
  if (epoll_ctl(in.pollfd, EPOLL_CTL_ADD, in.wakefd, &ev) < 0) return -errno;
  return 0;
}

void poller_close(Instance &in) {
  if (in.pollfd >= 0) close(in.pollfd);
  if (in.wakefd >= 0) close(in.wakefd);
}

int32_t poller_add(Instance &in, FdState &st) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = fd_tag(st);
  if (epoll_ctl(in.pollfd, EPOLL_CTL_ADD, st.fd, &ev) < 0) return -errno;
  in.fds_registered++;
  return 0;
}

// Registered for both directions at adoption: nothing to arm.
void poller_arm(Instance &, FdState &, bool) {}

void poller_del(Instance &in, FdState &st) {
  if (epoll_ctl(in.pollfd, EPOLL_CTL_DEL, st.fd, nullptr) == 0) in.fds_registered--;
}

void poller_wait(Instance &in, int timeout_ms) {
  epoll_event evs[kMaxEvents];
  int n = epoll_wait(in.pollfd, evs, kMaxEvents, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return;  // a signal; the caller simply comes back
    die("epoll_wait", errno);   // EBADF/EFAULT/EINVAL: the shim is broken
  }
  for (int i = 0; i < n; i++) {
    uint64_t tag = evs[i].data.u64;
    if (tag == kWakeTag) {
      uint64_t count;
      if (read(in.wakefd, &count, sizeof count) < 0 && errno != EAGAIN) die("read(eventfd)", errno);
      in.wake_pending.store(false, std::memory_order_release);
      continue;
    }
    uint32_t e = evs[i].events;
    run_ready(in, tag, e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR), e & (EPOLLOUT | EPOLLHUP | EPOLLERR),
              e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR));
  }
}

int32_t poller_wake(Instance &in) {
  uint64_t one = 1;
  return write(in.wakefd, &one, sizeof one) < 0 ? -errno : 0;
}

}  // namespace sio::readiness
