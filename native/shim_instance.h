// shim_instance.h: what an instance of every shim has alike, whatever its
// kernel: the handle table that turns the ABI's integer handles into
// instances, sio_create's limits, the shared region's geometry and header
// (backend.h, "The shared region"), the arena bounds check, the receive
// pool's rule for what a pool receive may take, and the completion ring's
// write. Both sides of the project's shims use it: the readiness core
// (readiness.cc, POSIX) and the IOCP shim (iocp.cc, Windows), so it names no
// operating system's call: each shim allocates and frees the region's
// memory, and takes its own lock around the table, with its own system's
// means. Not part of the JS ABI.
#ifndef SIO_SHIM_INSTANCE_H
#define SIO_SHIM_INSTANCE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <atomic>

#include "backend.h"

namespace sio {

// What an operation's attempt answers besides a result: park it and wait for
// the socket (kAgain), or park it until the next sio_enter call because the
// receive pool has no room for it (kNoRoom). Never a -errno.
constexpr int32_t kAgain = INT32_MIN;
constexpr int32_t kNoRoom = INT32_MIN + 1;
// A stream receive takes a short piece of the pool rather than wait for the
// next call, unless less than this (or than it asked for) is left.
constexpr uint32_t kPoolMinPiece = 2048;

// sio_create's limits: what the region geometry below is computed for
// (every offset then fits the header's 32-bit fields).
inline bool create_args_ok(uint32_t sq_entries, uint32_t max_ops, uint32_t arena_bytes) {
  return sq_entries >= 1 && sq_entries <= 65536 && max_ops >= 1 && max_ops <= (1u << 20) &&
         arena_bytes <= (1u << 30);
}

// The part of an instance the shared region describes. A shim's Instance
// derives from it and adds its kernel's state.
struct InstanceCore {
  int32_t handle = 0;
  uint8_t *region = nullptr;
  size_t region_len = 0;
  sio_header *hdr = nullptr;
  sio_sqe *sq = nullptr;
  sio_cqe *cq = nullptr;
  uint8_t *arena = nullptr;
  // Private copies of the geometry: the header in shared memory is output
  // only, so JS writing to it cannot make the shim overrun anything.
  uint32_t sq_entries = 0, cq_entries = 0, max_ops = 0, arena_len = 0;
  uint32_t cq_count = 0;  // completions written by this sio_enter call
  // The receive pool (backend.h): [pool_off, pool_off + pool_len) of the
  // arena, pool_used of it taken since this sio_enter call began.
  uint32_t pool_off = 0, pool_len = 0, pool_used = 0;
};

// Where the region's parts start: the header, the submission ring after it,
// the completion ring after that, and the arena on the next 4 KiB boundary.
struct RegionGeometry {
  uint64_t sq_off, cq_off, arena_off, len;
};

inline RegionGeometry region_geometry(const InstanceCore &in) {
  RegionGeometry g;
  g.sq_off = sizeof(sio_header);
  g.cq_off = g.sq_off + uint64_t{in.sq_entries} * sizeof(sio_sqe);
  g.arena_off = (g.cq_off + uint64_t{in.cq_entries} * sizeof(sio_cqe) + 4095) & ~uint64_t{4095};
  g.len = g.arena_off + in.arena_len;
  return g;
}

// Sets the instance's geometry from sio_create's (checked) arguments and
// returns the region's length, for the shim to allocate: the completion
// ring holds max_ops + sq_entries entries, which bounds what one sio_enter
// call can complete (backend.h).
inline size_t plan_region(InstanceCore &in, uint32_t sq_entries, uint32_t max_ops, uint32_t arena_bytes) {
  in.sq_entries = sq_entries;
  in.max_ops = max_ops;
  in.cq_entries = max_ops + sq_entries;
  in.arena_len = arena_bytes;
  in.region_len = region_geometry(in).len;
  return in.region_len;
}

// Points the instance into mem, the region plan_region sized (the shim's
// allocation, owned by the instance from here on), and writes the header
// JS reads the geometry from.
inline void lay_out_region(InstanceCore &in, uint8_t *mem) {
  RegionGeometry g = region_geometry(in);
  in.region = mem;
  in.hdr = reinterpret_cast<sio_header *>(mem);
  in.sq = reinterpret_cast<sio_sqe *>(mem + g.sq_off);
  in.cq = reinterpret_cast<sio_cqe *>(mem + g.cq_off);
  in.arena = mem + g.arena_off;
  *in.hdr = sio_header{};
  in.hdr->magic = SIO_MAGIC;
  in.hdr->abi_version = SIO_ABI_VERSION;
  in.hdr->region_len = static_cast<uint32_t>(g.len);
  in.hdr->sq_off = static_cast<uint32_t>(g.sq_off);
  in.hdr->sq_entries = in.sq_entries;
  in.hdr->cq_off = static_cast<uint32_t>(g.cq_off);
  in.hdr->cq_entries = in.cq_entries;
  in.hdr->arena_off = static_cast<uint32_t>(g.arena_off);
  in.hdr->arena_len = in.arena_len;
  in.hdr->max_ops = in.max_ops;
}

// Whether [off, off + len) lies in the arena (in 64 bits: no wrap-around).
inline bool in_arena(const InstanceCore &in, uint32_t off, uint32_t len) {
  return uint64_t{off} + len <= in.arena_len;
}

// An address length as the ABI reports it: what the kernel gave, clamped to
// the caller's room and to the 16 bits of the completion's field.
inline uint16_t clamp_len(uint64_t got, uint32_t cap) {
  return static_cast<uint16_t>(std::min<uint64_t>({got, cap, UINT16_MAX}));
}

// How many of the len bytes a pool receive asks for it may take in this
// sio_enter call (backend.h, "The receive pool"): a stream takes the room
// left, down to a short piece (kPoolMinPiece, or len when smaller); a
// datagram needs room for all of it, and one longer than the whole pool
// could never fit. The count (0 for a zero-length receive, or no pool),
// kNoRoom (it waits for the next call) or -ENOBUFS. The pool lies in the
// arena (at most 1 GiB), so the count fits an int32_t.
inline int32_t pool_piece(const InstanceCore &in, uint32_t len, bool stream) {
  uint32_t avail = in.pool_used < in.pool_len ? in.pool_len - in.pool_used : 0;
  if (stream) {
    if (avail < std::min(len, kPoolMinPiece)) return kNoRoom;
    return static_cast<int32_t>(std::min(len, avail));
  }
  if (len > in.pool_len) return -ENOBUFS;
  if (avail < len) return kNoRoom;
  return static_cast<int32_t>(len);
}

// Writes a completion; false when the ring is full. cq_entries bounds the
// completions of one call (backend.h), so a false is a bug in the shim: its
// caller fails loudly (a lost completion would hang a tasklet silently).
inline bool push_completion(InstanceCore &in, const sio_cqe &c) {
  if (in.cq_count >= in.cq_entries) return false;
  in.cq[in.cq_count++] = c;
  return true;
}

// The handle table. Handles are (generation << 8 | slot), so a stale handle
// never reaches a new instance in the same slot; they stay positive.
// lookup() takes no lock (an acquire load); insert() and remove() run under
// the shim's own lock, which also orders them against sio_wake, the one
// call allowed from other threads. A global table needs no constructor:
// static storage starts zeroed, as the slots and generations must.
template <typename T>
class HandleTable {
 public:
  T *lookup(int32_t h) const {
    if (h <= 0) return nullptr;
    T *in = slots_[static_cast<uint32_t>(h) % kSlots].load(std::memory_order_acquire);
    return in != nullptr && in->handle == h ? in : nullptr;
  }

  // Gives in a handle and a slot: the handle, or -EMFILE when every slot is
  // taken (in is then not the table's).
  int32_t insert(T *in) {
    for (uint32_t i = 0; i < kSlots; i++) {
      if (slots_[i].load(std::memory_order_relaxed) != nullptr) continue;
      gen_[i] = gen_[i] % 0x7fffffu + 1;  // keeps handles positive
      in->handle = static_cast<int32_t>(gen_[i] << 8 | i);
      slots_[i].store(in, std::memory_order_release);
      return in->handle;
    }
    return -EMFILE;
  }

  // Takes the instance of handle h out of the table: it, or nullptr when h
  // reaches none (the caller answers -EBADF).
  T *remove(int32_t h) {
    T *in = lookup(h);
    if (in != nullptr) slots_[static_cast<uint32_t>(h) % kSlots].store(nullptr, std::memory_order_release);
    return in;
  }

 private:
  static constexpr uint32_t kSlots = 256;
  std::atomic<T *> slots_[kSlots];
  uint32_t gen_[kSlots];
};

}  // namespace sio

#endif  // SIO_SHIM_INSTANCE_H
