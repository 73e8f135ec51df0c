// kqueue.cc: the kqueue shim, for macOS and the BSDs. The contract is in
// backend.h; all of it but the poller is readiness.cc's (shared with
// epoll.cc), and the socket calls translate the ABI's Linux numbers at the
// edge (sockcalls.h). This file is the poller:
// - one kqueue; every socket gets EVFILT_READ and EVFILT_WRITE once, with
//   EV_CLEAR (state transitions, the edge-triggered habit of epoll.cc);
// - the registrations of a round are batched into the change list of the
//   round's one kevent() call, which also collects the events;
// - EVFILT_USER (ident 0) is the wake-up of sio_wake;
// - an event with EV_EOF and a socket error in fflags runs both queues (the
//   syscalls tell the error); EV_ERROR for a registration fails what is
//   parked on that socket.
//
// On Linux it is compiled against native/testing/kqueue-emu (tests only): its
// sys/event.h defines SIO_KQUEUE_EMULATED, and the shim calls itself
// "kqueue (emulated)".
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/event.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <new>
#include <vector>

#include "readiness.h"
#include "readiness_only.h"  // every operation on readiness

static_assert(sizeof(void *) == 8, "the poller keeps a 64-bit tag in each kevent's udata");

namespace sio::readiness {

struct PollerState {
  std::vector<struct kevent> changes;  // registrations not yet given to kevent()
};

namespace {

constexpr uintptr_t kWakeIdent = 0;  // the EVFILT_USER event of sio_wake
constexpr int kMaxEvents = 1024;

int close_queue(int kq) {
#ifdef SIO_KQUEUE_EMULATED
  return kqueue_emu_close(kq);  // the emulation cannot see close(2)
#else
  return close(kq);
#endif
}

void *udata_of(uint64_t tag) { return reinterpret_cast<void *>(static_cast<uintptr_t>(tag)); }
uint64_t tag_of(const struct kevent &ev) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(ev.udata)); }

// Gives the pending changes to kevent() alone (more than a round's eventlist
// can report errors for, or before a wait the caller wants to end quickly).
void flush(Instance &in);

void dispatch(Instance &in, const struct kevent &ev) {
  if (ev.filter == EVFILT_USER) {
    in.wake_pending.store(false, std::memory_order_release);
    return;
  }
  uint64_t tag = tag_of(ev);
  if (ev.flags & EV_ERROR) {
    // A change of ours failed. EV_DELETE of a socket already closed is the
    // one error expected (close removes its events): nothing to do. A
    // registration that failed means the socket cannot be waited on.
    if (ev.data != 0 && ev.data != ENOENT && ev.data != EBADF) run_failed(in, tag, -static_cast<int32_t>(ev.data));
    return;
  }
  // fflags of an EV_EOF event is the socket's pending error: then both
  // directions have something to say (a refused connect, a reset).
  bool error = (ev.flags & EV_EOF) && ev.fflags != 0;
  bool readable = ev.filter == EVFILT_READ || error;
  run_ready(in, tag, readable, ev.filter == EVFILT_WRITE || error, readable && (ev.flags & EV_EOF));
}

void flush(Instance &in) {
  std::vector<struct kevent> &ch = in.poller->changes;
  struct kevent errs[64];
  while (!ch.empty()) {
    // Each change is given room for its EV_ERROR, so no error is lost and
    // the call itself does not fail for one change's error.
    size_t n = std::min<size_t>(ch.size(), 64);
    for (size_t i = 0; i < n; i++) ch[i].flags |= EV_RECEIPT;
    timespec zero{0, 0};
    int got = kevent(in.pollfd, ch.data(), static_cast<int>(n), errs, static_cast<int>(n), &zero);
    if (got < 0 && errno != EINTR) die("kevent(changes)", errno);
    ch.erase(ch.begin(), ch.begin() + static_cast<std::ptrdiff_t>(n));
    for (int i = 0; i < got; i++) dispatch(in, errs[i]);
  }
}

}  // namespace

#ifdef SIO_KQUEUE_EMULATED
const char kBackendName[] = "kqueue (emulated)";
#else
const char kBackendName[] = "kqueue";
#endif

int32_t poller_open(Instance &in) {
  in.poller = new (std::nothrow) PollerState();
  if (in.poller == nullptr) return -ENOMEM;
  in.pollfd = kqueue();
  if (in.pollfd < 0) return -errno;
  // kqueue(2) descriptors are not inherited by fork children; close-on-exec
  // keeps them out of exec'd programs too.
  if (fcntl(in.pollfd, F_SETFD, FD_CLOEXEC) < 0) return -errno;
  struct kevent ev;
  EV_SET(&ev, kWakeIdent, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, nullptr);
  if (kevent(in.pollfd, &ev, 1, nullptr, 0, nullptr) < 0) return -errno;
  return 0;
}

void poller_close(Instance &in) {
  if (in.pollfd >= 0) close_queue(in.pollfd);
  delete in.poller;
  in.poller = nullptr;
}

int32_t poller_add(Instance &in, FdState &st) {
  // Batched: given to kevent() with the round's wait. A socket that is ready
  // already is reported then (kqueue runs the filter when it attaches it).
  try {
    std::vector<struct kevent> &ch = in.poller->changes;
    ch.resize(ch.size() + 2);
    EV_SET(&ch[ch.size() - 2], st.fd, EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, udata_of(fd_tag(st)));
    EV_SET(&ch[ch.size() - 1], st.fd, EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0, udata_of(fd_tag(st)));
  } catch (const std::bad_alloc &) {
    return -ENOMEM;
  }
  in.fds_registered++;
  return 0;
}

// Registered for both directions at adoption: nothing to arm.
void poller_arm(Instance &, FdState &, bool) {}

namespace {

// Deletes st's events; true when they were registered (or pending).
bool unregister(Instance &in, const FdState &st) {
  // Not registered yet: drop the pending registration (the fd number may be
  // reused before the round's kevent() call).
  std::vector<struct kevent> &ch = in.poller->changes;
  size_t before = ch.size();
  for (size_t i = ch.size(); i-- > 0;)
    if (ch[i].ident == static_cast<uintptr_t>(st.fd) && ch[i].udata == udata_of(fd_tag(st))) ch.erase(ch.begin() + i);
  if (ch.size() != before) return true;
  // close(2) removes a descriptor's events from a real kqueue, but only
  // after the fd is closed, and the fd number may then be reused before the
  // next round: deleted now, in one call, so nothing of the old socket stays.
  // (The emulation needs it too: it cannot see close.)
  // EV_RECEIPT: each change answers with an EV_ERROR entry (data 0 when it
  // succeeded), and a call whose changes answer fills its eventlist with
  // them, so it collects no pending event (those stay for the round's wait).
  struct kevent del[2];
  EV_SET(&del[0], st.fd, EVFILT_READ, EV_DELETE | EV_RECEIPT, 0, 0, nullptr);
  EV_SET(&del[1], st.fd, EVFILT_WRITE, EV_DELETE | EV_RECEIPT, 0, 0, nullptr);
  struct kevent got[2];
  timespec zero{0, 0};
  int n = kevent(in.pollfd, del, 2, got, 2, &zero);
  bool ok = n == 2;
  for (int i = 0; i < n; i++)
    if (!(got[i].flags & EV_ERROR) || got[i].data != 0) ok = false;
  return ok;
}

}  // namespace

void poller_del(Instance &in, FdState &st) {
  if (unregister(in, st)) in.fds_registered--;
}

void poller_wait(Instance &in, int timeout_ms) {
  std::vector<struct kevent> &ch = in.poller->changes;
  // Changes ride with the wait when the eventlist has room for all their
  // errors besides events; otherwise they go first, on their own.
  if (ch.size() > kMaxEvents / 2) flush(in);
  struct kevent evs[kMaxEvents];
  timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
  int n = kevent(in.pollfd, ch.data(), static_cast<int>(ch.size()), evs, kMaxEvents, timeout_ms < 0 ? nullptr : &ts);
  if (n < 0) {
    // EINTR: a signal. The changes were applied (kevent(2): "When kevent()
    // call fails with EINTR error, all changes in the changelist have been
    // applied."); the caller simply comes back.
    if (errno == EINTR) {
      ch.clear();
      return;
    }
    die("kevent", errno);  // EBADF/EFAULT/EINVAL: the shim is broken
  }
  ch.clear();
  for (int i = 0; i < n; i++) dispatch(in, evs[i]);
}

int32_t poller_wake(Instance &in) {
  struct kevent ev;
  EV_SET(&ev, kWakeIdent, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
  return kevent(in.pollfd, &ev, 1, nullptr, 0, nullptr) < 0 ? -errno : 0;
}

}  // namespace sio::readiness
