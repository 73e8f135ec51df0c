// uv_watch.h: lets Node's own event loop tell a shim that its poller fd (an
// epoll fd, a kqueue fd, an io_uring ring fd) is readable, so the runtime
// never blocks Node's loop. Shared by the shims; not part of the JS ABI.
//
// Two routes, chosen per watch (see sio_watch in backend.h):
//   SIO_WATCH_UV_POLL: uv_poll on the fd in Node's default loop. No thread.
//   SIO_WATCH_THREAD:  a waiter thread blocks in poll(2) on the fd and wakes
//                      the loop with uv_async_send. Works for any fd type.
// Either way the callback runs on the loop thread. Only Node's default loop is
// reachable without a napi_env, so a watch serves the main thread only; a
// worker thread uses the exclusive mode (sio_enter with a timeout) instead.
#ifndef SIO_UV_WATCH_H
#define SIO_UV_WATCH_H

namespace sio {

struct UvWatch;
using UvReadyFn = void (*)(void *arg);

// Starts a watch on fd (readable). fn(arg) is called on the loop thread each
// time the fd is readable; in THREAD mode only after the previous call has
// been followed by uv_watch_rearm. Returns 0, or -ENOSYS when libuv is not in
// the process (a plain C++ program), -EINVAL for an unknown mode, -errno.
int uv_watch_start(UvWatch **out, unsigned mode, int fd, UvReadyFn fn, void *arg);

// Says the fd has been drained; lets a waiter thread that handed over poll
// again. Cheap (a mutex, no syscall unless the waiter sleeps) and
// a no-op in UV_POLL mode (libuv's level-triggered poll needs no re-arm).
void uv_watch_rearm(UvWatch *w);

// Stops the watch. fn is never called after this returns; the memory is
// released from libuv's close callback. Safe to call from inside fn.
void uv_watch_stop(UvWatch *w);

// uv_ref / uv_unref on the watch's handle.
void uv_watch_ref(UvWatch *w, bool ref);

}  // namespace sio

#endif  // SIO_UV_WATCH_H
