// uring_ring.h: a minimal io_uring ring over the raw syscalls
// (io_uring_setup, io_uring_enter, io_uring_register), for uring.cc.
//
// Why raw syscalls and not liburing: the part of liburing this shim needs is
// the ring bookkeeping below (about a hundred lines), and a prebuilt shim
// that links liburing.so would need it installed on every user's machine
// (static linking would avoid that, but then the build needs liburing-dev
// everywhere it compiles, CI included). The kernel's UAPI header
// <linux/io_uring.h> is all that is needed and comes with any Linux C library.
#ifndef SIO_URING_RING_H
#define SIO_URING_RING_H

#include <linux/io_uring.h>
#include <stddef.h>
#include <stdint.h>

namespace sio {

struct Ring {
  int fd = -1;
  // The mmapped SQ ring, CQ ring (one mapping with IORING_FEAT_SINGLE_MMAP)
  // and the SQE array.
  void *ring_ptr = nullptr;
  size_t ring_len = 0;
  io_uring_sqe *sqes = nullptr;
  size_t sqes_len = 0;
  unsigned *sq_head = nullptr, *sq_tail = nullptr, *sq_array = nullptr;
  unsigned sq_mask = 0, sq_entries = 0;
  unsigned *cq_head = nullptr, *cq_tail = nullptr;
  unsigned cq_mask = 0;
  io_uring_cqe *cqes = nullptr;
  // SQEs written but not yet handed to the kernel (tail published, enter due).
  unsigned pending = 0;
  uint32_t features = 0;
  // The opcodes this kernel supports (IORING_REGISTER_PROBE, 5.6), one bit
  // each; all clear when the probe itself is refused.
  uint64_t ops[4] = {};
};

// Whether the kernel said it supports opcode op (ring_setup probed it).
inline bool ring_supports(const Ring &r, unsigned op) { return op < 256 && (r.ops[op / 64] >> (op % 64) & 1) != 0; }

// Sets up a ring of `entries` SQEs and `cq_entries` CQEs. 0 or -errno
// (-ENOSYS: no io_uring; -EPERM: refused, e.g. io_uring_disabled or seccomp;
// -EOPNOTSUPP: the kernel lacks a feature the shim needs).
int ring_setup(Ring &r, unsigned entries, unsigned cq_entries);

// Unmaps and closes; the kernel cancels whatever was in flight.
void ring_free(Ring &r);

// The next free SQE (zeroed), or nullptr when the SQ is full: call
// ring_enter to hand the pending ones over first.
io_uring_sqe *ring_get_sqe(Ring &r);

// Submits the pending SQEs and, when min_complete > 0, waits for that many
// CQEs or timeout_ms (-1: no limit). Returns 0 or -errno (-EINTR, -ETIME
// are not errors for the caller: it simply reaps what is there).
int ring_enter(Ring &r, unsigned min_complete, int timeout_ms);

}  // namespace sio

#endif  // SIO_URING_RING_H
