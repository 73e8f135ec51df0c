// kqueue_emu.cc: kqueue(2) and kevent(2) emulated on Linux over epoll,
// eventfd and timerfd. TESTS ONLY: it lets native/kqueue.cc run on Linux (the
// "kqueue (emulated)" build). The semantics follow FreeBSD's kqueue(2) man
// page for what the shim and the emulation's tests use; README.md lists what
// is emulated and what is not.
//
// How it works:
// - A queue is an epoll fd (so it is pollable, like a real kqueue fd: Node's
//   loop can watch it), plus one eventfd that user events and re-checks use
//   to make that epoll fd readable.
// - A descriptor with knotes is registered once in the epoll fd,
//   edge-triggered, for both directions. An edge activates the descriptor's
//   enabled knotes. A knote without EV_CLEAR (level) is re-checked with
//   poll(2) at the next call after it was returned, as kqueue keeps an active
//   level knote queued; one with EV_CLEAR waits for the next edge, as
//   kqueue's state-transition reporting does.
// - Active knotes wait in a FIFO until a call has room in its eventlist; the
//   event's data (bytes readable, room to write) is read when it is returned.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "sys/event.h"

namespace {

// epoll data: the kind in the top byte, the descriptor or timer ident below.
constexpr uint64_t kKindFd = 0, kKindUser = 1ull << 56, kKindTimer = 2ull << 56, kKindMask = 0xffull << 56;

using Key = std::pair<uintptr_t, short>;  // (ident, filter)

struct Knote {
  uintptr_t ident = 0;
  short filter = 0;
  unsigned short flags = 0;  // EV_CLEAR, EV_ONESHOT, EV_DISPATCH as given
  bool enabled = true;
  bool queued = false;       // in Kq::active
  bool recheck = false;      // in Kq::rechecks: poll(2) it at the next call
  bool triggered = false;    // EVFILT_USER: NOTE_TRIGGER seen
  unsigned eof = 0;          // EV_EOF seen on the last edge
  unsigned fflags = 0;       // EVFILT_USER's stored flags; the timer's unit
  int64_t data = 0;          // the timer's period as given
  int64_t fired = 0;         // the timer's expirations not yet returned
  void *udata = nullptr;
  int tfd = -1;              // EVFILT_TIMER's timerfd
  uint64_t gen = 0;          // tells a queued entry of a deleted knote from a new one
};

struct Kq {
  int epfd = -1;
  int evfd = -1;  // readable while something waits in active/rechecks (the queue fd's readability)
  std::mutex mu;
  std::map<Key, Knote> notes;
  std::map<uintptr_t, int> fd_notes;  // knotes per descriptor (it is in epoll while > 0)
  std::deque<std::pair<Key, uint64_t>> active;
  std::vector<Key> rechecks;
  uint64_t next_gen = 0;
};

std::mutex g_reg;
std::map<int, std::shared_ptr<Kq>> g_kqs;

std::shared_ptr<Kq> find(int kq) {
  std::lock_guard<std::mutex> lock(g_reg);
  auto it = g_kqs.find(kq);
  return it == g_kqs.end() ? nullptr : it->second;
}

bool is_fd_filter(short f) { return f == EVFILT_READ || f == EVFILT_WRITE; }

// Makes the queue fd readable (pending work that no epoll edge will bring),
// or drains that when nothing is pending any more.
void signal_pending(Kq &q, bool on) {
  uint64_t v = 1;
  if (on) {
    (void)!write(q.evfd, &v, sizeof v);
  } else {
    (void)!read(q.evfd, &v, sizeof v);
  }
}

void activate(Kq &q, Knote &kn) {
  if (kn.queued || !kn.enabled) return;
  kn.queued = true;
  q.active.emplace_back(Key{kn.ident, kn.filter}, kn.gen);
}

void want_recheck(Kq &q, Knote &kn) {
  if (kn.recheck) return;
  kn.recheck = true;
  q.rechecks.push_back(Key{kn.ident, kn.filter});
  signal_pending(q, true);
}

int64_t period_ns(const Knote &kn) {
  int64_t d = kn.data < 0 ? 0 : kn.data;
  switch (kn.fflags & (NOTE_SECONDS | NOTE_MSECONDS | NOTE_USECONDS | NOTE_NSECONDS)) {
    case NOTE_SECONDS: return d > INT64_MAX / 1000000000 ? INT64_MAX : d * 1000000000;
    case NOTE_USECONDS: return d > INT64_MAX / 1000 ? INT64_MAX : d * 1000;
    case NOTE_NSECONDS: return d;
    default: return d > INT64_MAX / 1000000 ? INT64_MAX : d * 1000000;
  }
}

int arm_timer(Kq &q, Knote &kn) {
  if (kn.tfd < 0) {
    kn.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (kn.tfd < 0) return errno;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kKindTimer | kn.ident;
    if (epoll_ctl(q.epfd, EPOLL_CTL_ADD, kn.tfd, &ev) < 0) {
      int err = errno;
      close(kn.tfd);
      kn.tfd = -1;
      return err;
    }
  }
  int64_t ns = period_ns(kn);
  if (ns <= 0) ns = 1;  // a zero timer fires at once (timerfd takes 0 as "disarm")
  itimerspec its{};
  its.it_value.tv_sec = ns / 1000000000;
  its.it_value.tv_nsec = ns % 1000000000;
  if (!(kn.flags & EV_ONESHOT)) its.it_interval = its.it_value;
  return timerfd_settime(kn.tfd, 0, &its, nullptr) < 0 ? errno : 0;
}

void drop(Kq &q, std::map<Key, Knote>::iterator it) {
  Knote &kn = it->second;
  if (kn.tfd >= 0) close(kn.tfd);  // close takes it out of the epoll set
  if (is_fd_filter(kn.filter) && --q.fd_notes[kn.ident] == 0) {
    q.fd_notes.erase(kn.ident);
    // ENOENT/EBADF: the descriptor was closed already (epoll forgot it then).
    epoll_ctl(q.epfd, EPOLL_CTL_DEL, static_cast<int>(kn.ident), nullptr);
  }
  q.notes.erase(it);
}

void user_fflags(Knote &kn, unsigned ff) {
  unsigned v = ff & NOTE_FFLAGSMASK;
  switch (ff & NOTE_FFCTRLMASK) {
    case NOTE_FFAND: kn.fflags &= v; break;
    case NOTE_FFOR: kn.fflags |= v; break;
    case NOTE_FFCOPY: kn.fflags = v; break;
    default: break;  // NOTE_FFNOP
  }
}

// Applies one change; 0 or the errno it fails with.
int apply(Kq &q, const struct kevent &c) {
  if (c.filter != EVFILT_READ && c.filter != EVFILT_WRITE && c.filter != EVFILT_USER && c.filter != EVFILT_TIMER)
    return EINVAL;
  Key key{c.ident, c.filter};
  auto it = q.notes.find(key);
  if (it == q.notes.end() && !(c.flags & EV_ADD)) return ENOENT;
  if (is_fd_filter(c.filter) && (c.ident > INT_MAX || fcntl(static_cast<int>(c.ident), F_GETFD) < 0)) {
    // A knote of a descriptor closed since: kqueue would have deleted it.
    if (it != q.notes.end()) drop(q, it);
    return EBADF;
  }
  if (c.flags & EV_DELETE) {
    if (it == q.notes.end()) return ENOENT;
    drop(q, it);
    return 0;
  }
  bool added = false;
  if (it == q.notes.end()) {
    Knote kn;
    kn.ident = c.ident;
    kn.filter = c.filter;
    kn.gen = ++q.next_gen;
    it = q.notes.emplace(key, kn).first;
    added = true;
  }
  Knote &kn = it->second;
  if (c.flags & EV_ADD) {
    kn.flags = c.flags & (EV_CLEAR | EV_ONESHOT | EV_DISPATCH);
    kn.udata = c.udata;
    kn.enabled = !(c.flags & EV_DISABLE);
    if (is_fd_filter(c.filter)) {
      if (added) q.fd_notes[c.ident]++;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.u64 = kKindFd | c.ident;
      // EEXIST: the descriptor's other filter registered it already.
      if (epoll_ctl(q.epfd, EPOLL_CTL_ADD, static_cast<int>(c.ident), &ev) < 0 && errno != EEXIST) {
        int err = errno;
        drop(q, it);
        return err;
      }
      // The state now, not only future edges (kqueue runs the filter on attach).
      want_recheck(q, kn);
    } else if (c.filter == EVFILT_TIMER) {
      kn.data = c.data;
      kn.fflags = c.fflags;
      int err = arm_timer(q, kn);
      if (err != 0) {
        drop(q, it);
        return err;
      }
    } else if (added) {
      kn.fflags = 0;
    }
  }
  if (c.flags & EV_DISABLE) kn.enabled = false;
  if ((c.flags & EV_ENABLE) && !kn.enabled) {
    kn.enabled = true;
    // What happened while it was disabled is looked at again.
    if (is_fd_filter(kn.filter)) want_recheck(q, kn);
  }
  if (c.filter == EVFILT_USER) {
    user_fflags(kn, c.fflags);
    if (c.fflags & NOTE_TRIGGER) kn.triggered = true;
    if (kn.triggered) {
      activate(q, kn);
      signal_pending(q, true);
    }
  }
  if (kn.enabled && kn.filter == EVFILT_TIMER && kn.fired > 0) activate(q, kn);
  return 0;
}

// The readiness of a descriptor filter now: 0 not ready, else 1 | EV_EOF.
unsigned poll_now(const Knote &kn) {
  pollfd p{static_cast<int>(kn.ident), static_cast<short>(kn.filter == EVFILT_READ ? POLLIN | POLLRDHUP : POLLOUT), 0};
  if (poll(&p, 1, 0) <= 0) return 0;
  if (p.revents & POLLNVAL) return 0;
  unsigned eof = 0;
  if (kn.filter == EVFILT_READ && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) eof = EV_EOF;
  if (kn.filter == EVFILT_WRITE && (p.revents & (POLLHUP | POLLERR))) eof = EV_EOF;
  return 1 | eof;
}

void run_rechecks(Kq &q) {
  std::vector<Key> list;
  list.swap(q.rechecks);
  for (const Key &k : list) {
    auto it = q.notes.find(k);
    if (it == q.notes.end()) continue;
    Knote &kn = it->second;
    kn.recheck = false;
    if (!kn.enabled) continue;
    unsigned r = poll_now(kn);
    if (r == 0) continue;
    kn.eof = r & EV_EOF;
    activate(q, kn);
  }
}

void on_epoll(Kq &q, const epoll_event &ev) {
  uint64_t tag = ev.data.u64;
  if ((tag & kKindMask) == kKindUser) return;  // the pending signal: the queues say what
  if ((tag & kKindMask) == kKindTimer) {
    auto it = q.notes.find(Key{tag & ~kKindMask, EVFILT_TIMER});
    if (it == q.notes.end()) return;
    uint64_t n = 0;
    if (read(it->second.tfd, &n, sizeof n) == sizeof n) it->second.fired += static_cast<int64_t>(n);
    if (it->second.fired > 0) activate(q, it->second);
    return;
  }
  uintptr_t fd = tag & ~kKindMask;
  uint32_t e = ev.events;
  auto rd = q.notes.find(Key{fd, EVFILT_READ});
  if (rd != q.notes.end() && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    rd->second.eof = (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ? EV_EOF : 0;
    activate(q, rd->second);
  }
  auto wr = q.notes.find(Key{fd, EVFILT_WRITE});
  if (wr != q.notes.end() && (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
    wr->second.eof = (e & (EPOLLHUP | EPOLLERR)) ? EV_EOF : 0;
    activate(q, wr->second);
  }
}

// data of a descriptor event: bytes to read (or the listen backlog's
// pending connections, which Linux does not tell: 1), room to write.
int64_t fd_data(const Knote &kn) {
  int fd = static_cast<int>(kn.ident);
  int v = 0;
  if (kn.filter == EVFILT_READ) {
    int listening = 0;
    socklen_t l = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l) == 0 && listening) return 1;
    return ioctl(fd, FIONREAD, &v) == 0 ? v : 0;
  }
  int sndbuf = 0;
  socklen_t l = sizeof sndbuf;
  if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &l) < 0 || ioctl(fd, SIOCOUTQ, &v) < 0) return 0;
  return sndbuf > v ? sndbuf - v : 0;
}

// Moves active knotes to the eventlist; returns how many.
int deliver(Kq &q, struct kevent *out, int room) {
  int n = 0;
  while (n < room && !q.active.empty()) {
    auto [key, gen] = q.active.front();
    q.active.pop_front();
    auto it = q.notes.find(key);
    if (it == q.notes.end() || it->second.gen != gen) continue;  // deleted since
    Knote &kn = it->second;
    kn.queued = false;
    if (!kn.enabled) continue;
    struct kevent &e = out[n];
    EV_SET(&e, kn.ident, kn.filter, kn.flags, 0, 0, kn.udata);
    if (is_fd_filter(kn.filter)) {
      // Not the socket error in fflags: Linux reads it only by clearing it
      // (SO_ERROR), which would change what the caller's next syscall sees.
      e.flags |= kn.eof;
      e.data = fd_data(kn);
    } else if (kn.filter == EVFILT_USER) {
      e.fflags = kn.fflags;
      if (kn.flags & (EV_CLEAR | EV_DISPATCH | EV_ONESHOT)) {
        kn.triggered = false;
        if (kn.flags & EV_CLEAR) kn.fflags = 0;
      }
    } else {
      if (kn.fired == 0) continue;  // re-armed since
      e.data = kn.fired;
      kn.fired = 0;
    }
    n++;
    if (kn.flags & EV_ONESHOT) {
      drop(q, it);
      continue;
    }
    if (kn.flags & EV_DISPATCH) kn.enabled = false;
    // A level knote stays active while its condition holds.
    if (!(kn.flags & EV_CLEAR) && kn.enabled) {
      if (is_fd_filter(kn.filter)) want_recheck(q, kn);
      if (kn.filter == EVFILT_USER && kn.triggered) activate(q, kn);
    }
  }
  return n;
}

int to_ms(const timespec *ts) {
  if (ts == nullptr) return -1;
  if (ts->tv_sec < 0 || ts->tv_nsec < 0) return 0;
  int64_t ms = ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000;
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

int64_t now_ms() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t{t.tv_sec} * 1000 + t.tv_nsec / 1000000;
}

}  // namespace

extern "C" {

int kqueue(void) {
  auto q = std::make_shared<Kq>();
  q->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (q->epfd < 0) return -1;
  q->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;  // level: stays readable while work is pending
  ev.data.u64 = kKindUser;
  if (q->evfd < 0 || epoll_ctl(q->epfd, EPOLL_CTL_ADD, q->evfd, &ev) < 0) {
    int err = errno;
    if (q->evfd >= 0) close(q->evfd);
    close(q->epfd);
    errno = err;
    return -1;
  }
  std::lock_guard<std::mutex> lock(g_reg);
  g_kqs[q->epfd] = q;
  return q->epfd;
}

int kqueue_emu_close(int kq) {
  std::shared_ptr<Kq> q;
  {
    std::lock_guard<std::mutex> lock(g_reg);
    auto it = g_kqs.find(kq);
    if (it == g_kqs.end()) return close(kq);  // not a queue: close's own answer
    q = it->second;
    g_kqs.erase(it);
  }
  std::lock_guard<std::mutex> lock(q->mu);
  for (auto &[key, kn] : q->notes)
    if (kn.tfd >= 0) close(kn.tfd);
  q->notes.clear();
  close(q->evfd);
  return close(q->epfd);
}

int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents,
           const struct timespec *timeout) {
  std::shared_ptr<Kq> qp = find(kq);
  if (qp == nullptr) {
    errno = EBADF;
    return -1;
  }
  if (nchanges < 0 || nevents < 0 || (nchanges > 0 && changelist == nullptr) || (nevents > 0 && eventlist == nullptr)) {
    errno = nchanges < 0 || nevents < 0 ? EINVAL : EFAULT;
    return -1;
  }
  Kq &q = *qp;
  std::unique_lock<std::mutex> lock(q.mu);
  int n = 0;
  for (int i = 0; i < nchanges; i++) {
    // Copied first: the changelist and the eventlist may be the same array.
    struct kevent c = changelist[i];
    int err = apply(q, c);
    if (err == 0 && !(c.flags & EV_RECEIPT)) continue;
    if (n < nevents) {
      struct kevent &e = eventlist[n++];
      e = c;
      e.flags = EV_ERROR;
      e.data = err;
      continue;
    }
    if (err == 0) continue;
    errno = err;
    return -1;
  }
  if (n > 0 || nevents == 0) return n;
  int wait_ms = to_ms(timeout);
  int64_t deadline = wait_ms < 0 ? 0 : now_ms() + wait_ms;
  epoll_event evs[64];
  // Edges already in the epoll fd are collected before anything is returned,
  // so that an edge and a re-check of the same state make one event.
  bool collect = true;
  for (;;) {
    if (collect) {
      int k = epoll_wait(q.epfd, evs, 64, 0);
      for (int i = 0; i < k; i++) on_epoll(q, evs[i]);
    }
    run_rechecks(q);
    int got = deliver(q, eventlist, nevents);
    if (q.active.empty() && q.rechecks.empty()) signal_pending(q, false);
    if (got > 0) return got;
    int ms = wait_ms;
    if (wait_ms > 0) {
      int64_t left = deadline - now_ms();
      ms = left > 0 ? static_cast<int>(left) : 0;
    }
    int epfd = q.epfd;
    lock.unlock();
    int k = epoll_wait(epfd, evs, 64, ms);
    int err = errno;
    lock.lock();
    if (k < 0) {
      errno = err;
      return -1;
    }
    for (int i = 0; i < k; i++) on_epoll(q, evs[i]);
    collect = k == 64;  // more may be waiting
    if (k == 0 && ms == 0 && q.active.empty() && q.rechecks.empty()) return 0;  // timed out
  }
}

}  // extern "C"
