// uring_ring.cc: the ring bookkeeping of uring_ring.h over raw syscalls.
// The memory-ordering rules are the kernel's (io_uring(7)): the tail we
// publish is a release store, the tail the kernel publishes an acquire load.
#include "uring_ring.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace sio {

namespace {

unsigned load_acquire(const unsigned *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void store_release(unsigned *p, unsigned v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

// Asks the kernel which opcodes it has. A kernel without the probe (before
// 5.6) or one that refuses it leaves every bit clear: the shim then does
// every operation by readiness, which needs no opcode beyond POLL_ADD.
void probe_ops(Ring &r) {
  // io_uring_probe ends in a flexible array: room for every 8-bit opcode.
  alignas(io_uring_probe) uint8_t buf[sizeof(io_uring_probe) + 256 * sizeof(io_uring_probe_op)] = {};
  auto *probe = reinterpret_cast<io_uring_probe *>(buf);
  if (syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_PROBE, probe, 256) < 0) return;
  for (unsigned i = 0; i < probe->ops_len; i++)
    if (probe->ops[i].flags & IO_URING_OP_SUPPORTED) r.ops[probe->ops[i].op / 64] |= uint64_t{1} << (probe->ops[i].op % 64);
}

}  // namespace

int ring_setup(Ring &r, unsigned entries, unsigned cq_entries) {
  // COOP_TASKRUN (5.19): the kernel does not interrupt this thread to post
  // a completion (an IPI per socket wake-up); it posts it at the thread's
  // next system call, or wakes the thread if it sleeps. Older kernels
  // refuse the flag (EINVAL), and get the ring without it.
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN;
  p.cq_entries = cq_entries;
  long fd = syscall(__NR_io_uring_setup, entries, &p);
  if (fd < 0 && errno == EINVAL) {
    p = io_uring_params{};
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = cq_entries;
    fd = syscall(__NR_io_uring_setup, entries, &p);
  }
  if (fd < 0) return -errno;
  r.fd = static_cast<int>(fd);
  r.features = p.features;
  // Needed: one mapping for both rings (5.4), no dropped CQEs (5.5), a
  // timeout on the wait without a timeout SQE (5.11).
  constexpr uint32_t kNeed = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG;
  if ((p.features & kNeed) != kNeed) {
    ring_free(r);
    return -EOPNOTSUPP;
  }
  size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  r.ring_len = sq_len > cq_len ? sq_len : cq_len;
  void *ring = mmap(nullptr, r.ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r.fd, IORING_OFF_SQ_RING);
  if (ring == MAP_FAILED) {
    int err = errno;
    ring_free(r);
    return -err;
  }
  r.ring_ptr = ring;
  r.sqes_len = p.sq_entries * sizeof(io_uring_sqe);
  void *sqes = mmap(nullptr, r.sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r.fd, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) {
    int err = errno;
    ring_free(r);
    return -err;
  }
  r.sqes = static_cast<io_uring_sqe *>(sqes);
  auto *base = static_cast<uint8_t *>(ring);
  r.sq_head = reinterpret_cast<unsigned *>(base + p.sq_off.head);
  r.sq_tail = reinterpret_cast<unsigned *>(base + p.sq_off.tail);
  r.sq_mask = *reinterpret_cast<unsigned *>(base + p.sq_off.ring_mask);
  r.sq_entries = p.sq_entries;
  r.sq_array = reinterpret_cast<unsigned *>(base + p.sq_off.array);
  r.cq_head = reinterpret_cast<unsigned *>(base + p.cq_off.head);
  r.cq_tail = reinterpret_cast<unsigned *>(base + p.cq_off.tail);
  r.cq_mask = *reinterpret_cast<unsigned *>(base + p.cq_off.ring_mask);
  r.cqes = reinterpret_cast<io_uring_cqe *>(base + p.cq_off.cqes);
  // The SQ array maps ring slots to SQE indices one to one, once for all.
  for (unsigned i = 0; i < p.sq_entries; i++) r.sq_array[i] = i;
  probe_ops(r);
  return 0;
}

void ring_free(Ring &r) {
  if (r.sqes != nullptr) munmap(r.sqes, r.sqes_len);
  if (r.ring_ptr != nullptr) munmap(r.ring_ptr, r.ring_len);
  if (r.fd >= 0) close(r.fd);
  r = Ring{};
}

io_uring_sqe *ring_get_sqe(Ring &r) {
  unsigned tail = *r.sq_tail;  // only we write it
  if (tail - load_acquire(r.sq_head) >= r.sq_entries) return nullptr;
  io_uring_sqe *sqe = &r.sqes[tail & r.sq_mask];
  memset(sqe, 0, sizeof *sqe);
  store_release(r.sq_tail, tail + 1);
  r.pending++;
  return sqe;
}

int ring_enter(Ring &r, unsigned min_complete, int timeout_ms) {
  unsigned flags = 0;
  io_uring_getevents_arg arg{};
  __kernel_timespec ts{};
  void *argp = nullptr;
  size_t argsz = 0;
  if (min_complete > 0) {
    flags |= IORING_ENTER_GETEVENTS;
    if (timeout_ms >= 0) {
      ts.tv_sec = timeout_ms / 1000;
      ts.tv_nsec = static_cast<long long>(timeout_ms % 1000) * 1000000;
      arg.ts = reinterpret_cast<uint64_t>(&ts);
      flags |= IORING_ENTER_EXT_ARG;
      argp = &arg;
      argsz = sizeof arg;
    }
  }
  for (;;) {
    unsigned submit = r.pending;
    long n = syscall(__NR_io_uring_enter, r.fd, submit, min_complete, flags, argp, argsz);
    if (n >= 0) {
      r.pending -= static_cast<unsigned>(n) < submit ? static_cast<unsigned>(n) : submit;
      // A submission the kernel could not take now (EAGAIN/EBUSY/ENOMEM)
      // is reported as a short count; the rest stays pending.
      return 0;
    }
    if (errno == EINTR && submit > 0 && min_complete == 0) continue;
    return -errno;
  }
}

}  // namespace sio
