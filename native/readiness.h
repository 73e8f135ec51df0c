// readiness.h: the core shared by the readiness-based shims (epoll.cc,
// kqueue.cc, uring.cc). The contract is in backend.h; readiness.cc implements all of
// it (handle table, submissions, per-fd FIFO queues, try-first-then-park, the
// receive pool, NOWAIT, message blocks, rights adoption, the exported ABI)
// over a small poller interface that each shim implements with its kernel's
// mechanism: register an fd for both directions (or arm one direction when
// an operation starts waiting on it), deregister it, wait for readiness and
// hand it to run_ready(), wake a waiting call. A poller may also take a
// waiting operation over and do it itself by completion (poller_take;
// uring.cc), handing the result back through finish_taken().
// Not part of the JS ABI.
#ifndef SIO_READINESS_H
#define SIO_READINESS_H

#include <stdint.h>

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

#include "backend.h"
#include "shim_instance.h"
#include "uv_watch.h"

namespace sio::readiness {

// attempt()'s kAgain and kNoRoom, and the pool's rules, are shim_instance.h's.
constexpr uint32_t kNil = UINT32_MAX;     // end of an intrusive op list

// Prints what failed and aborts: for states the shim cannot go on from.
[[noreturn]] void die(const char *what, int err);

// What a poller keeps beside the Instance (kqueue.cc: its change list);
// defined by the poller that needs it, freed by its poller_close.
struct PollerState;

struct Queue {
  uint32_t head = kNil;
  uint32_t tail = kNil;
};

// Whether the poller does a parked operation itself (poller_take): the
// kernel holds its buffer until the poller reports its result.
enum class Taken : uint8_t {
  kNo,          // parked for readiness: the core's syscall does it
  kInFlight,    // the kernel does it (only ever a queue's head)
  kCancelling,  // a CANCEL asked the kernel for it back; its result decides
  kClosed,      // its fd was closed: out of every queue, -EBADF once back
};

// One slot per token. A slot is busy only while its operation is parked
// (or taken by the poller, until the poller hands it back).
struct Op {
  sio_sqe sqe;           // private, validated copy of the submission
  bool parked = false;
  bool started = false;  // CONNECT: connect(2) has been issued
  Taken taken = Taken::kNo;
  uint32_t prev = kNil;
  uint32_t next = kNil;
};

struct FdState {
  int fd;
  uint32_t seq;           // tags poller events so one for a reused fd number is dropped
  bool stream;            // SOCK_STREAM: recv(2) suffices, a short pool piece is fine
  bool deferred = false;  // in Instance::deferred: a pool receive waits for room
  Queue rd;               // ACCEPT, RECV, RECVFROM, POLL_IN
  Queue wr;               // CONNECT, SEND, SENDTO, POLL_OUT
  // The directions a lazily arming poller watches (kArmedRead/kArmedWrite;
  // uring.cc). Pollers that register at adoption leave it 0.
  uint8_t armed = 0;
  // Bytes (or an end) may be waiting to be read: false once a stream
  // receive said EAGAIN or read less than it asked for (it drained the
  // socket), true again at the next readability event. While false, and
  // the poller reports every arrival (poller_edge_per_arrival), a new
  // stream RECV waits for that event instead of trying recv(2) first: the
  // try would only say EAGAIN.
  bool rd_maybe = true;
  // The poller reported the end of the read side (a FIN, a reset, an
  // error), or the socket was shut down here: it stays. A short read then
  // proves nothing: recv(2) returns the bytes before a FIN and consumes the
  // FIN with them, and the end it leaves for the next call (0, or the
  // error) raises no event of its own any more.
  bool rd_end = false;
};

constexpr uint8_t kArmedRead = 1;
constexpr uint8_t kArmedWrite = 2;

// The handle, the shared region, its geometry and the receive pool's bounds
// are InstanceCore's (shim_instance.h, shared with iocp.cc).
struct Instance : InstanceCore {
  int pollfd = -1;  // the poller's fd (epoll, kqueue, io_uring ring): what Node's loop watches
  int wakefd = -1;  // the poller's wake-up fd, when it needs one (epoll's and io_uring's eventfd)
  PollerState *poller = nullptr;
  std::atomic<bool> wake_pending{false};
  uint32_t next_seq = 0;
  // fds_registered is the poller's to count: registrations alive in the
  // kernel (epoll/kqueue: sockets; io_uring: readiness polls in the ring).
  uint32_t ops_parked = 0, fds_open = 0, fds_registered = 0;
  // Sockets whose read queue stopped for want of pool room, with the seq
  // they had (a closed and reused fd number is skipped).
  std::vector<std::pair<int32_t, uint32_t>> deferred;
  std::vector<Op> ops;
  // Indexed by fd. unique_ptr keeps each FdState at a fixed address while the
  // vector grows (an ACCEPT run from a listener's queue adds entries).
  std::vector<std::unique_ptr<FdState>> fds;
  sio::UvWatch *watch = nullptr;
  sio_ready_cb ready_cb = nullptr;
};


// The tag a poller stores with an fd's registration and hands back with its
// events: the fd and its seq, so that an event for a closed (maybe reused)
// fd number is told apart.
inline uint64_t fd_tag(const FdState &st) { return uint64_t{st.seq} << 32 | static_cast<uint32_t>(st.fd); }

// ---- implemented by readiness.cc, for the pollers --------------------------
// An event for the fd of tag: runs its read queue when readable, its write
// queue when writable (both on an error or hang-up). read_end: the event
// says the read side has ended (epoll's EPOLLRDHUP, EPOLLHUP or EPOLLERR,
// kqueue's EV_EOF; FdState::rd_end). Stale tags are ignored.
void run_ready(Instance &in, uint64_t tag, bool readable, bool writable, bool read_end = false);
// The poller could not watch the fd of tag (a registration it made later
// failed with -errno res): what is parked on it completes with res rather
// than wait for an event that will not come. Stale tags are ignored.
void run_failed(Instance &in, uint64_t tag, int32_t res);
// The result of an operation the poller took (poller_take returned true), as
// attempt() would have made it: completes the operation (-EBADF if its fd
// was closed meanwhile) and runs what waits behind it. A result of kAgain
// means the kernel gave it back undone: it waits for readiness instead;
// kNoRoom: a pool receive found no pool room (it waits for the next call).
void finish_taken(Instance &in, uint32_t token, int32_t res, uint16_t flags, uint16_t addrlen, uint32_t off);
// What RECVMSG's completion does with the control data the kernel wrote
// (readiness.cc's attempt() does the same): adopts the descriptors received.
void adopt_received_rights(Instance &in, uint8_t *ctl, size_t len);
// Closes the descriptors an SCM_RIGHTS item carries, for a RECVMSG whose
// result nobody gets (its fd was closed while the kernel did it).
void close_received_rights(const uint8_t *ctl, size_t len);
// Makes fd, a connection accepted for the ACCEPT s (attempt()'s accept4(2),
// or the poller's kernel: io_uring's ACCEPT), a handle of this shim as
// accept4 would have given it: of its listener's kind (stream or seqpacket),
// and the length of the peer's address, clamped to s's room, in *addrlen
// (left alone when s has no room). peer_len: the full length accept4 (or
// the kernel) answered, the address already in s's room; nullptr when fd
// came without one (a multishot accept takes none): getpeername(2) writes
// it then, and a connection reset since has none: it is closed and
// -ECONNABORTED returned, as accept4 answers for one reset while queued
// (not the listener's error: the acceptor goes on waiting). Otherwise the
// new fd, or -errno with fd closed.
int32_t adopt_accepted(Instance &in, const sio_sqe &s, int fd, const socklen_t *peer_len, uint16_t *addrlen);

// ---- implemented by each poller (epoll.cc, kqueue.cc, uring.cc) ------------
// The shim's name (sio_backend_name).
extern const char kBackendName[];
// Creates in.pollfd (and the wake-up mechanism): 0 or -errno. poller_close
// releases what it made, also after a partial poller_open.
int32_t poller_open(Instance &in);
void poller_close(Instance &in);
// Registers a newly adopted fd for both directions, edge-triggered, counting
// it in in.fds_registered: 0 or -errno. A poller that arms lazily
// (poller_arm) may do nothing here.
int32_t poller_add(Instance &in, FdState &st);
// An operation on st now waits in one direction (its syscall said EAGAIN):
// a poller that arms lazily asks the kernel to report that direction's
// readiness from now on (a readiness that came after the failed attempt
// must still be reported). Pollers that registered the fd in poller_add do
// nothing.
void poller_arm(Instance &in, FdState &st, bool write);
// Deregisters an fd about to be closed (uncounting what it registered).
void poller_del(Instance &in, FdState &st);
// Waits up to timeout_ms (0: do not wait, -1: no limit) and calls run_ready
// for each event; a wake-up clears in.wake_pending. EINTR returns quietly.
// A poller that finds events already there before it waits (uring.cc reads
// them from shared memory) does not wait when they completed something.
void poller_wait(Instance &in, int timeout_ms);
// Wakes a poller_wait in progress (or the next one): any thread, under the
// handle table's lock. 0 or -errno.
int32_t poller_wake(Instance &in);
// The optional completion hook. op (slot token) heads st's queue, is parked
// and has just said EAGAIN (the core tries the syscall first, but for a
// stream receive on a socket known drained (FdState::rd_maybe): that
// keeps NOWAIT, exact short sends and the pool's rules, and is the cheapest
// path when data is there already). A poller that can do the operation by
// completion starts it in the kernel and returns true; it then reports the
// result once through finish_taken(), also after poller_give_back. The op
// stays at its queue's head meanwhile, so later ones keep their order.
// epoll.cc and kqueue.cc return false: the core arms readiness
// (poller_arm) as before.
bool poller_take(Instance &in, FdState &st, Op &op, uint32_t token);
// Asks the kernel to give a taken operation back early (CANCEL, or its fd
// closing): its result still comes through finish_taken(), -ECANCELED or
// what it did if it finished first. Only called for taken operations.
void poller_give_back(Instance &in, Op &op, uint32_t token);
// An ACCEPT on st is about to call accept4(2) (the core's first try, a
// parked one's retry, sio_sync's accept at once). A poller that accepts
// ahead of the acceptors (uring.cc's multishot accept) hands out what it
// holds first, in arrival order: a connection's fd, not adopted yet; or,
// for an ACCEPT that may wait (can_wait), -EAGAIN when the kernel is
// accepting for st right now (the next connection comes through it, so
// that acceptors get them in order); or -1: nothing held, accept4(2) as
// usual (one that may not wait, NOWAIT or sio_sync, races the kernel for
// the backlog rather than say EAGAIN with a connection there). epoll.cc
// and kqueue.cc return -1.
int poller_accept_first(Instance &in, FdState &st, bool can_wait);
// Whether the poller holds connections accepted for st (above): a POLL_IN
// on the listener is then ready, as the backlog they left would have made
// it. epoll.cc and kqueue.cc return false.
bool poller_holds_accepted(Instance &in, const FdState &st);
// Whether the poller reports each arrival of data (or of an end) on a
// socket registered at adoption, also while no operation waits on it
// (epoll's EPOLLET, kqueue's EV_CLEAR): then a socket a receive drained
// needs no recv(2) before its next event (FdState::rd_maybe). epoll.cc and
// kqueue.cc return true; uring.cc, whose polls are armed per wait, false.
bool poller_edge_per_arrival();
// SET_POOL: the pool is now [off, off + len) of the arena. A poller may keep
// the end of it for itself (uring.cc: the buffers of its provided-buffer
// ring, into which the kernel receives for pool receives it took); it
// returns how many bytes it keeps (less than len; 0: none), and the core's
// own pool receives use the rest. What it kept before is given up.
uint32_t poller_set_pool(Instance &in, uint32_t off, uint32_t len);
// The start of a sio_enter: what the completions of the last call took from
// the pool is free again (backend.h, "The receive pool").
void poller_round(Instance &in);

}  // namespace sio::readiness

#endif  // SIO_READINESS_H
