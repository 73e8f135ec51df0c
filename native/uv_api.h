// uv_api.h: the few libuv entry points the shims call to wake Node's loop
// (uv_watch.cc on POSIX, iocp.cc's waiter thread on Windows), declared by
// hand and looked up at run time rather than taken from uv.h: Node exports
// them from its binary, and their signatures and the handle-type numbers
// below are stable across libuv 1.x. So a shim builds with nothing but a C++
// compiler, loads into a process without libuv (a plain C++ test program,
// where watching reports -ENOSYS), and assumes no struct layout: handle
// sizes come from uv_handle_size(). How a name is looked up is each
// platform's (dlsym, GetProcAddress): the caller passes it in. Not part of
// the JS ABI.
#ifndef SIO_UV_API_H
#define SIO_UV_API_H

#include <stddef.h>

#include <type_traits>

namespace sio {

struct uv_loop_s;
struct uv_handle_s;
using uv_poll_cb = void (*)(uv_handle_s *, int status, int events);
using uv_async_cb = void (*)(uv_handle_s *);
using uv_close_cb = void (*)(uv_handle_s *);
constexpr int kUvAsync = 1;     // UV_ASYNC
constexpr int kUvPoll = 8;      // UV_POLL
constexpr int kUvReadable = 1;  // UV_READABLE

struct UvApi {
  uv_loop_s *(*default_loop)();
  size_t (*handle_size)(int);
  void (*handle_set_data)(uv_handle_s *, void *);
  void *(*handle_get_data)(const uv_handle_s *);
  int (*async_init)(uv_loop_s *, uv_handle_s *, uv_async_cb);
  int (*async_send)(uv_handle_s *);
  void (*close)(uv_handle_s *, uv_close_cb);
  void (*ref)(uv_handle_s *);
  void (*unref)(uv_handle_s *);
  // uv_poll's: only a watch that polls a file descriptor needs them (not
  // iocp.cc's: a completion port is none); null unless asked for.
  int (*poll_init)(uv_loop_s *, uv_handle_s *, int);
  int (*poll_start)(uv_handle_s *, int, uv_poll_cb);
  int (*poll_stop)(uv_handle_s *);
};

// Fills api with what find(name) (a void * or nullptr) answers for each
// entry point, and with_poll also uv_poll's: whether every one asked for was
// found. Meant for a function-local static's initialisation, which C++ makes
// thread-safe.
template <typename Find>
bool bind_uv_api(UvApi &api, Find find, bool with_poll) {
  bool ok = true;
  auto bind = [&](auto *slot, const char *name) {
    void *p = find(name);
    *slot = reinterpret_cast<std::remove_pointer_t<decltype(slot)>>(p);
    ok = ok && p != nullptr;
  };
  bind(&api.default_loop, "uv_default_loop");
  bind(&api.handle_size, "uv_handle_size");
  bind(&api.handle_set_data, "uv_handle_set_data");
  bind(&api.handle_get_data, "uv_handle_get_data");
  bind(&api.async_init, "uv_async_init");
  bind(&api.async_send, "uv_async_send");
  bind(&api.close, "uv_close");
  bind(&api.ref, "uv_ref");
  bind(&api.unref, "uv_unref");
  if (with_poll) {
    bind(&api.poll_init, "uv_poll_init");
    bind(&api.poll_start, "uv_poll_start");
    bind(&api.poll_stop, "uv_poll_stop");
  }
  return ok;
}

}  // namespace sio

#endif  // SIO_UV_API_H
