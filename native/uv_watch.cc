// uv_watch.cc: see uv_watch.h.
#include "uv_watch.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __linux__
#include <sys/eventfd.h>
#else
#include <fcntl.h>
#endif
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <new>
#include <thread>

#include "backend.h"
#include "uv_api.h"

namespace sio {
namespace {

// libuv's entry points (uv_api.h), from the process's own symbols: nullptr
// when the process has no libuv. Thread-safe (static initialisation).
const UvApi *uv_api() {
  static UvApi api;
  static const bool ok = bind_uv_api(api, [](const char *name) { return dlsym(RTLD_DEFAULT, name); }, true);
  return ok ? &api : nullptr;
}

[[noreturn]] void die(const char *what, int err) {
  fprintf(stderr, "sio uv_watch: %s failed: errno %d\n", what, err);
  abort();
}

}  // namespace

struct UvWatch {
  const UvApi *uv;
  unsigned mode;
  UvReadyFn fn;
  void *arg;
  uv_handle_s *handle;  // uv_poll_t (UV_POLL) or uv_async_t (THREAD)
  // THREAD mode only.
  int fd = -1;
  int stop_fd = -1;  // readable once stopping: an eventfd, or a pipe's read end
  int stop_wr = -1;  // where the stop is written: the eventfd, or the pipe's write end
  std::thread waiter;
  std::mutex mu;
  std::condition_variable cv;
  // Guarded by mu. True from the waiter's uv_async_send until the rearm that
  // follows the drain: only a waiter that handed over waits, and only a
  // rearm that finds it waiting releases it. (A plain "armed" flag set by
  // every rearm would let an enter() made outside the callback pre-arm the
  // waiter, which would then spin on the still-readable fd.)
  bool handed_over = false;
  bool stopping = false;
};

namespace {

// Runs on the loop thread. fn may stop the watch (and destroy its owner), so
// nothing touches w after the call: uv_close defers the free to on_close.
void on_ready(uv_handle_s *h) {
  auto *w = static_cast<UvWatch *>(uv_api()->handle_get_data(h));
  w->fn(w->arg);
}

void on_poll(uv_handle_s *h, int, int) { on_ready(h); }

// SAFETY: libuv calls this once, after the last callback of the handle; from
// here on nothing else refers to the handle or to w (the waiter thread, if
// any, was joined before uv_close).
void on_close(uv_handle_s *h) {
  auto *w = static_cast<UvWatch *>(uv_api()->handle_get_data(h));
  free(h);
  delete w;
}

// THREAD mode. poll(2) does not consume readiness (epoll_wait on the epoll
// fd would steal the shim's events), so the waiter only learns "something is
// ready" and hands over; it then waits for the rearm that follows the
// drain, otherwise it would spin on a still-readable fd.
void waiter_main(UvWatch *w) {
  for (;;) {
    struct pollfd fds[2] = {{w->fd, POLLIN, 0}, {w->stop_fd, POLLIN, 0}};
    int n;
    do {
      n = poll(fds, 2, -1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) die("poll", errno);  // only EFAULT/EINVAL/ENOMEM: impossible
    if (fds[1].revents != 0) return;
    std::unique_lock<std::mutex> lock(w->mu);
    w->handed_over = true;
    // The async callback is now certain to run, call the shim's enter and so
    // rearm; until then the fd stays readable and polling it would spin.
    w->uv->async_send(w->handle);
    w->cv.wait(lock, [w] { return !w->handed_over || w->stopping; });
    if (w->stopping) return;
  }
}

}  // namespace

// The waiter's stop signal: an eventfd on Linux, a pipe elsewhere (macOS and
// the BSDs have no eventfd). 0 or -errno.
static int open_stop(UvWatch *w) {
#ifdef __linux__
  w->stop_fd = w->stop_wr = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return w->stop_fd < 0 ? -errno : 0;
#else
  int p[2];
  if (pipe(p) < 0) return -errno;
  for (int fd : p) {
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
      int err = errno;
      close(p[0]);
      close(p[1]);
      return -err;
    }
  }
  w->stop_fd = p[0];
  w->stop_wr = p[1];
  return 0;
#endif
}

static void close_stop(UvWatch *w) {
  close(w->stop_fd);
  if (w->stop_wr != w->stop_fd) close(w->stop_wr);
  w->stop_fd = w->stop_wr = -1;
}

int uv_watch_start(UvWatch **out, unsigned mode, int fd, UvReadyFn fn, void *arg) {
  const UvApi *uv = uv_api();
  if (uv == nullptr) return -ENOSYS;
  if (mode != SIO_WATCH_UV_POLL && mode != SIO_WATCH_THREAD) return -EINVAL;
  auto *w = new (std::nothrow) UvWatch();
  if (w == nullptr) return -ENOMEM;
  w->uv = uv;
  w->mode = mode;
  w->fn = fn;
  w->arg = arg;
  int type = mode == SIO_WATCH_UV_POLL ? kUvPoll : kUvAsync;
  w->handle = static_cast<uv_handle_s *>(calloc(1, uv->handle_size(type)));
  if (w->handle == nullptr) {
    delete w;
    return -ENOMEM;
  }
  int r;
  if (mode == SIO_WATCH_UV_POLL) {
    r = uv->poll_init(uv->default_loop(), w->handle, fd);
    if (r == 0) {
      uv->handle_set_data(w->handle, w);
      r = uv->poll_start(w->handle, kUvReadable, on_poll);
      if (r != 0) {
        uv->close(w->handle, on_close);  // frees w
        return r;
      }
    }
  } else {
    w->fd = fd;
    r = open_stop(w);
    if (r == 0) {
      r = uv->async_init(uv->default_loop(), w->handle, on_ready);
      if (r != 0) close_stop(w);
    }
    if (r == 0) {
      uv->handle_set_data(w->handle, w);
      try {
        w->waiter = std::thread(waiter_main, w);
      } catch (...) {
        close_stop(w);
        uv->close(w->handle, on_close);  // frees w
        return -EAGAIN;
      }
    }
  }
  if (r != 0) {  // libuv returns -errno itself; the handle was never opened
    free(w->handle);
    delete w;
    return r;
  }
  *out = w;
  return 0;
}

void uv_watch_rearm(UvWatch *w) {
  if (w->mode != SIO_WATCH_THREAD) return;
  {
    std::lock_guard<std::mutex> lock(w->mu);
    if (!w->handed_over) return;  // the waiter is polling already
    w->handed_over = false;
  }
  w->cv.notify_one();
}

void uv_watch_stop(UvWatch *w) {
  if (w->mode == SIO_WATCH_UV_POLL) {
    // uv_poll_stop removes the fd from libuv's epoll at once, so the caller
    // may close the fd right after this returns.
    w->uv->poll_stop(w->handle);
  } else {
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->stopping = true;
    }
    w->cv.notify_one();
    uint64_t one = 1;
    if (write(w->stop_wr, &one, sizeof one) < 0) die("write(stop fd)", errno);
    w->waiter.join();
    close_stop(w);
  }
  w->uv->close(w->handle, on_close);
}

void uv_watch_ref(UvWatch *w, bool ref) {
  if (ref)
    w->uv->ref(w->handle);
  else
    w->uv->unref(w->handle);
}

}  // namespace sio
