/*
 * backend.h: the C ABI that every native IO shim of Stackless IO implements
 * (epoll.cc and kqueue.cc, both over the readiness core readiness.cc, and
 * iocp.cc; uring.cc later). A new backend author should be able to implement a shim
 * from this file alone.
 *
 * Numbers
 * -------
 * - Every number JS passes in is Linux's: SOCK_* types, MSG_* flags, option
 *   levels and names, sockaddr layouts (a 16-bit family first, no sa_len;
 *   AF_INET6 = 10), control messages. A shim on another kernel translates
 *   them at its edge (kqueue.cc's socket calls: sockcalls.h, sockabi.h;
 *   iocp.cc's own tables); what it cannot translate it answers as the
 *   contract allows (-ENOSYS for SENDMSG/RECVMSG, -ENOPROTOOPT or
 *   -EOPNOTSUPP for an option it has no number for).
 * - Errors are the platform's numbers with Linux's meaning: res < 0 (and
 *   every negative return) is -errno in the numbering of the C runtime the
 *   JS engine is built with, i.e. the values of Node's os.constants.errno
 *   on that platform (Linux's on Linux, the BSD's on kqueue platforms; on
 *   Windows the UCRT's, ECONNREFUSED = 107). A shim on a kernel with native
 *   errors of its own maps them to the errno Linux gives for the same
 *   event, in one table (iocp.cc: errno_of(): WSAECONNREFUSED ->
 *   ECONNREFUSED, WSAECONNRESET -> ECONNRESET, ERROR_OPERATION_ABORTED ->
 *   ECANCELED, WSAESHUTDOWN -> EPIPE, ...); a name the platform's table
 *   lacks (ESOCKTNOSUPPORT on Windows) takes Linux's number. The TypeScript
 *   above (@stackless-io/shim-backend) reads error numbers only through
 *   os.constants.errno and never hard-codes one.
 *
 * Shape of the contract
 * ---------------------
 * - Completion-shaped. JS asks for an operation and later receives a
 *   completion (token, gen, res): res >= 0 is a byte count, a new fd or a
 *   length; res < 0 is -errno (see "Numbers" below).
 * - Batched. JS writes up to sq_entries submissions into the submission
 *   array and makes ONE call, sio_enter(h, n, timeout). The shim consumes
 *   entries [0, n), finishes whatever it can (including operations parked
 *   earlier) and writes the completions of this call into the completion
 *   array [0, return value). Both arrays are reset by every call: JS reads
 *   the completions before its next call. A head/tail ring as in io_uring
 *   would buy nothing here, because the consumer is the synchronous call.
 * - Shared memory. Header, submission array, completion array and the IO
 *   buffer arena live in ONE region that the shim allocates and never moves.
 *   JS maps it with koffi.view(sio_region(h, &len), len). Buffers are named by
 *   byte offsets into the arena, so the kernel never sees a JS heap pointer
 *   that outlives a call (sio_send's buffer is used during the call only).
 *   The arena is allocated by JS (any policy it likes); the shim only touches
 *   [off, off + len) of an operation between its submission and completion.
 * - Integers across the FFI: handles are small positive int32 values, tokens
 *   are slot indices chosen by JS, never pointers or objects (but sio_send's
 *   buffer, below).
 * - Nothing from JS is trusted: handles, fds, op codes, offsets, lengths and
 *   tokens are all checked; a bad value yields a -errno completion or return
 *   value, never a crash. Shared memory is read once per entry. The one
 *   exception is the length of the caller's own buffer in sio_send, which
 *   only the caller knows.
 * - Operations that may wait go through the rings; a non-blocking send may
 *   also be made at once with sio_send, from the caller's memory.
 *
 * Tokens
 * ------
 * token is an index in [0, max_ops) that JS picks for each submission; gen
 * is opaque to the shim and echoed back, so JS can drop a late completion for
 * a slot it has since reused. A token whose previous operation is still
 * parked is refused with -EBUSY (echoing the new submission's token and gen).
 * An operation that completes within the call does not hold its token.
 *
 * Completion capacity
 * -------------------
 * cq_entries = max_ops + sq_entries. Every completion of a call belongs
 * either to a submission of that call or to an operation parked before it,
 * so one call can never produce more than cq_entries completions.
 *
 * Threads
 * -------
 * A handle is used by the thread that created it. Only sio_wake may be
 * called from any thread. Several handles may coexist (e.g. one per worker).
 * A shim that runs threads or hands callbacks to libuv is linked with
 * -z nodelete: koffi unloads libraries at exit while those may still run.
 */
#ifndef SIO_BACKEND_H
#define SIO_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SIO_API __declspec(dllexport)
#else
#define SIO_API __attribute__((visibility("default")))
#endif

#define SIO_ABI_VERSION 7u
#define SIO_MAGIC 0x314f4953u /* "SIO1" in little-endian memory */

/*
 * Operation codes (sio_sqe.op). Fields not listed are ignored. "sync" marks
 * operations that also run through sio_sync (they never park and never
 * complete another operation). Every buffer (off, len) must lie inside the
 * arena, else -EFAULT. Addresses are struct sockaddr bytes; 128 bytes
 * (sizeof(struct sockaddr_storage)) always suffice.
 *
 *  op               fd   off/len             arg0        arg1        res
 *  NOP         sync  -    -                   -           -           0
 *  SOCKET      sync  -    len = protocol      domain      type        new fd (nonblocking, close-on-exec)
 *  BIND        sync  fd   address             -           -           0
 *  LISTEN      sync  fd   -                   backlog     -           0
 *  ACCEPT      once  fd   peer address out    -           -           new fd; cqe.addrlen
 *  CONNECT           fd   address             -           -           0 once connected
 *  RECV              fd   data in             -           -           bytes (0 = EOF); cqe.flags TRUNC
 *  SEND              fd   data out            -           -           bytes sent (may be short)
 *  RECVFROM          fd   data in             addr off    addr cap    bytes; cqe.addrlen, cqe.flags TRUNC
 *  SENDTO            fd   data out            addr off    addr len    bytes
 *  SHUTDOWN    sync  fd   -                   how         -           0
 *  CLOSE             fd   -                   -           -           0; parked ops on fd get -EBADF (*)
 *  POLL_IN           fd   -                   -           -           poll(2) revents once readable
 *  POLL_OUT          fd   -                   -           -           poll(2) revents once writable
 *  CANCEL            -    -                   token       gen         0, or -ENOENT if not parked;
 *                                                                     the target gets -ECANCELED (*)
 *  GETSOCKOPT  sync  fd   option value out    level       optname     option length
 *  SETSOCKOPT  sync  fd   option value in     level       optname     0
 *  GETSOCKNAME sync  fd   address out         -           -           address length (clamped to len)
 *  GETPEERNAME sync  fd   address out         -           -           address length (clamped to len)
 *  SET_POOL    sync  -    pool (see below)    -           -           0 (sio_sync only:
 *                                                                     -EINVAL in the ring)
 *  DUP         sync  fd   -                   -           -           new fd, the same socket (close-on-exec)
 *  SOCKETPAIR  sync  -    off: 2nd fd out     domain      type        1st fd; the 2nd is written as an int32
 *                         (4 bytes); len =                            at off (both nonblocking, close-on-exec)
 *                         protocol
 *  INHERITABLE sync  fd   -                   0 get,      inheritable get: 1 if child processes inherit fd
 *                                             1 set       (0 or 1)    (FD_CLOEXEC clear), else 0; set: 0
 *  SENDMSG           fd   data out            msg block   name len    bytes sent (see "Messages")
 *                                             offset      << 24 |
 *                                                         control len
 *  RECVMSG           fd   data in             msg block   name cap    bytes; cqe.addrlen, cqe.flags = the
 *                                             offset      << 24 |     kernel's msg_flags (low 16 bits),
 *                                                         control cap cqe.off = control bytes written
 *  SENDFILE          fd   off = file offset   file fd     file offset bytes sent (may be short; 0 at the
 *                         bits 32..63;        (any fd)    bits 0..31  file's end), see "Sendfile"
 *                         len = most bytes
 *
 * (*) A parked operation's -ECANCELED or -EBADF comes in the same call as
 * the CANCEL's or CLOSE's own completion, before it, unless the shim has
 * handed the operation to its kernel (iocp.cc always, uring.cc for most:
 * see docs/backends.rst): then it comes when the kernel gives the operation
 * back, maybe in a later call, and after a CANCEL it is the operation's own
 * result if it finished first. Its buffer is the kernel's until then. The
 * fd is closed at once either way (the peer sees the end).
 *
 * msg_flags are MSG_* flags for RECV/SEND/RECVFROM/SENDTO (MSG_NOSIGNAL is
 * always added to sends). Only fds created by this handle (SOCKET, ACCEPT)
 * are accepted; any other fd, or one already closed, gives -EBADF.
 *
 * Messages
 * --------
 * SENDMSG and RECVMSG are sendmsg(2)/recvmsg(2) with one data buffer
 * (off/len) and a message block in the arena at arg0: 128 bytes of address
 * (struct sockaddr), then the control buffer (struct cmsghdr items, the
 * kernel's layout). arg1 packs the address length (bits 24..31, at most 128;
 * 0: none) and the control length (bits 0..23). The block must be 8-byte
 * aligned (cmsghdr's alignment), lie inside the arena and name at most 128
 * address bytes, else -EFAULT. The shim does not build or decode control data; it only walks it
 * where descriptors cross: every SCM_RIGHTS descriptor a SENDMSG carries
 * must be an fd of this handle (else -EBADF, nothing sent; a malformed
 * control buffer is the kernel's -EINVAL), and every descriptor a RECVMSG
 * receives is adopted like an accepted socket (registered, counted in
 * fds_open, closed by sio_destroy). One the shim cannot adopt (not a
 * socket epoll takes, no memory) is closed and its int in the control data
 * is overwritten with -1, so that nothing leaks. Received descriptors are
 * made non-blocking and keep the kernel's default otherwise: they are
 * inheritable (no MSG_CMSG_CLOEXEC), as CPython's recvmsg leaves them.
 *
 * Sendfile
 * --------
 * SENDFILE is sendfile(2) from a file to the socket fd: at most len bytes
 * (cut to 0x7ffff000) of the file descriptor arg0, from the 64-bit offset
 * (off << 32 | arg1). The file fd is the caller's own (a file it opened, not
 * one of this handle's sockets): the shim only reads from it. It must be a
 * regular file, else -EINVAL (a pipe or terminal could block the thread);
 * a bad fd is -EBADF. The
 * offset is passed by pointer, so the file's own position never moves. It
 * parks like SEND where the socket has no room, on the same queue (its
 * bytes keep their order with the sends around it) and takes
 * SIO_SQE_NOWAIT. msg_flags are ignored. A shim whose platform has no
 * sendfile answers -ENOSYS (and one written against ABI 6 may answer
 * -EINVAL for the unknown op): the TS side then reads and sends itself.

 * The receive pool
 * ----------------
 * A RECV with SIO_SQE_POOL in sqe.flags names no buffer (off is ignored;
 * len is the most bytes to receive). It holds no memory while it waits: once
 * data is there the shim receives it into the receive pool, a range of the
 * arena set with SET_POOL (off/len, page-sized pieces are best), and the
 * completion says where: cqe.off. The pool is a bump area that every
 * sio_enter call starts afresh, so JS copies the bytes out before its next
 * call, as it reads the completions. A stream receive may take fewer bytes
 * than len when the pool is nearly full; a datagram one needs len bytes. When
 * the pool has no room left, the receive stays parked and is retried by the
 * next sio_enter (header.fds_deferred counts the sockets waiting for that, so
 * JS knows to call again even if the kernel says nothing new). With no pool
 * set, a pool receive fails with -ENOBUFS. A shim may keep the end of the
 * pool for its kernel to receive into (uring.cc: a provided-buffer ring of
 * 4 KiB buffers, half of a pool of 64 KiB or more): a receive done there
 * takes at most one buffer, and a datagram pool receive has only the rest
 * of the pool (one longer fails with -ENOBUFS).
 */
enum sio_op {
  SIO_OP_NOP = 0,
  SIO_OP_SOCKET = 1,
  SIO_OP_BIND = 2,
  SIO_OP_LISTEN = 3,
  SIO_OP_ACCEPT = 4,
  SIO_OP_CONNECT = 5,
  SIO_OP_RECV = 6,
  SIO_OP_SEND = 7,
  SIO_OP_RECVFROM = 8,
  SIO_OP_SENDTO = 9,
  SIO_OP_SHUTDOWN = 10,
  SIO_OP_CLOSE = 11,
  SIO_OP_POLL_IN = 12,
  SIO_OP_POLL_OUT = 13,
  SIO_OP_CANCEL = 14,
  SIO_OP_GETSOCKOPT = 15,
  SIO_OP_SETSOCKOPT = 16,
  SIO_OP_GETSOCKNAME = 17,
  SIO_OP_GETPEERNAME = 18,
  SIO_OP_SET_POOL = 19,
  SIO_OP_DUP = 20,
  SIO_OP_SOCKETPAIR = 21,
  SIO_OP_INHERITABLE = 22,
  SIO_OP_SENDMSG = 23,
  SIO_OP_RECVMSG = 24,
  SIO_OP_SENDFILE = 25,
  SIO_OP_COUNT_ = 26
};

/*
 * Not waiting
 * -----------
 * A submission with SIO_SQE_NOWAIT comes from a caller that will not wait
 * (a non-blocking socket, MSG_DONTWAIT): the operation is tried once and,
 * where it would park, completes with -EAGAIN instead. It also answers
 * -EAGAIN at once when operations are parked ahead of it on the same fd and
 * direction (they keep their order). A pool receive that finds data but no
 * pool room waits for the next sio_enter, as any pool receive does, and is
 * tried once more there. ACCEPT, RECV, SEND, RECVFROM, SENDTO, SENDMSG,
 * RECVMSG, SENDFILE, POLL_IN and POLL_OUT take the flag; any other operation with it gives -EINVAL.
 *
 * A non-blocking send offers the kernel the whole buffer, which may be far
 * larger than any arena block: sio_send sends straight from the caller's
 * memory, synchronously (see there).
 */

/* sio_sqe.flags */
#define SIO_SQE_POOL 0x1u   /* RECV only: receive into the pool (see above) */
#define SIO_SQE_NOWAIT 0x2u /* try once: -EAGAIN instead of parking (see "Not waiting") */

/* Submission entry: 32 bytes, all fields naturally aligned. */
struct sio_sqe {
  uint8_t op;         /* enum sio_op */
  uint8_t flags;      /* SIO_SQE_*; an unknown bit gives -EINVAL */
  uint16_t msg_flags; /* MSG_* for the send/recv family */
  int32_t fd;
  uint32_t token;     /* slot index < max_ops */
  uint32_t gen;       /* echoed in the completion */
  uint32_t off;       /* arena offset of the operation's buffer */
  uint32_t len;       /* length of that buffer */
  uint32_t arg0;
  uint32_t arg1;
};

/* sio_cqe.flags */
#define SIO_CQE_TRUNC 0x1u /* datagram longer than the buffer (MSG_TRUNC) */

/* Completion entry: 24 bytes. */
struct sio_cqe {
  uint32_t token;
  uint32_t gen;
  int32_t res;      /* >= 0 result, < 0 -errno */
  uint16_t flags;   /* SIO_CQE_* */
  uint16_t addrlen; /* bytes of address written (ACCEPT, RECVFROM) */
  uint32_t off;     /* pool RECV with res > 0: arena offset of the bytes */
  uint32_t reserved;
};

/*
 * The region starts with this header (128 bytes). The shim writes every field
 * except sync_sqe and never reads any field back except sync_sqe, so nothing
 * JS scribbles here can mislead it. Offsets are from the region start.
 */
struct sio_header {
  uint32_t magic;       /* SIO_MAGIC */
  uint32_t abi_version; /* SIO_ABI_VERSION */
  uint32_t region_len;
  uint32_t sq_off;
  uint32_t sq_entries;
  uint32_t cq_off;
  uint32_t cq_entries;  /* max_ops + sq_entries */
  uint32_t arena_off;   /* page aligned */
  uint32_t arena_len;
  uint32_t max_ops;
  /* Counters, current after every call: for leak checks and diagnostics. */
  uint32_t ops_parked;     /* operations waiting for readiness */
  uint32_t fds_open;       /* fds created by this handle and not closed */
  uint32_t fds_registered; /* of those, how many are in the poller */
  uint32_t fds_deferred;   /* sockets whose pool receives wait for pool room */
  uint32_t reserved[2];
  struct sio_sqe sync_sqe; /* input of sio_sync */
  struct sio_cqe sync_cqe; /* output of sio_sync */
  uint8_t pad[8];
};

/*
 * sio_watch modes. A shim whose kernel object is no pollable fd (an IO
 * completion port) answers -EINVAL to UV_POLL; the TypeScript then asks for
 * THREAD. iocp.cc's waiter thread blocks in GetQueuedCompletionStatusEx and
 * keeps what it dequeued for the next sio_enter.
 */
#define SIO_WATCH_UV_POLL 1u /* Node's libuv polls the poller fd (no thread) */
#define SIO_WATCH_THREAD 2u  /* a waiter thread + uv_async_send */

/* Called on Node's main thread when sio_enter has work; see sio_watch. */
typedef void (*sio_ready_cb)(int32_t handle);

/* SIO_ABI_VERSION of the library, to check before anything else. */
SIO_API uint32_t sio_abi_version(void);

/* "epoll", "io_uring", "iocp", "kqueue". */
SIO_API const char *sio_backend_name(void);

/*
 * Creates a backend instance. sq_entries in [1, 65536], max_ops in
 * [1, 1 << 20], arena_bytes in [0, 1 << 30]. Returns a handle > 0, or -errno.
 */
SIO_API int32_t sio_create(uint32_t sq_entries, uint32_t max_ops, uint32_t arena_bytes);

/*
 * Closes every fd the handle created, stops any watch and unmaps the region:
 * every view of the region is invalid afterwards. Parked operations are
 * dropped without completions. 0, or -EBADF for an unknown handle.
 */
SIO_API int32_t sio_destroy(int32_t handle);

/* Start of the shared region and (in *len_out) its length; NULL if unknown. */
SIO_API void *sio_region(int32_t handle, uint32_t *len_out);

/*
 * Consumes submissions [0, n_submit), then harvests readiness and finishes
 * parked operations. Waits up to timeout_ms (-1: no limit; 0: never) for
 * readiness, but only when this call has produced no completion yet: this
 * is the "exclusive" mode, where the tasklets own the thread. Returns the
 * number of completions written, or -errno (-EBADF bad handle, -EINVAL
 * n_submit > sq_entries; in both cases nothing was consumed).
 */
SIO_API int32_t sio_enter(int32_t handle, uint32_t n_submit, int32_t timeout_ms);

/*
 * Runs header.sync_sqe at once, writes header.sync_cqe and returns its res.
 * Only "sync" operations of the table above; others give -EINVAL.
 *
 * Accepting at once (optional; "once" in the table): ACCEPT through sio_sync
 * tries one accept at once, never parks, and answers the new fd (adopted as
 * the ring's ACCEPT adopts it, the peer's address at [off, off + len),
 * sync_cqe.addrlen its length), or -errno: -EAGAIN when no connection is
 * queued, and also when ACCEPT operations are parked on fd (they were first;
 * the next readiness serves them), -EBADF for an fd not the shim's. It lets
 * a caller drain a listener's queue in one go, one call per connection,
 * without a ring round each. A shim without it answers -EINVAL (as for any
 * operation not "sync"): ShimBackend probes once with fd -1 (-EBADF: it
 * accepts at once) and otherwise uses the ring only, so a shim may leave it
 * out. The flags field is ignored.
 */
SIO_API int32_t sio_sync(int32_t handle);

/*
 * A non-blocking send, made at once: one send(2)/sendto(2) of
 * [buf, buf + len) on fd (MSG_* msg_flags, 16 bits; MSG_NOSIGNAL and
 * MSG_DONTWAIT are added) to the address at arena [addr_off, addr_off +
 * addr_len) when addr_len > 0. Returns the bytes the kernel took, or -errno:
 * -EAGAIN when the socket has no room, and also when SEND or SENDTO
 * operations are parked on fd (the bytes they hold go first). Never parks,
 * never completes another operation.
 *
 * This is the one call that takes a pointer into the caller's memory, so
 * that a send may offer the kernel more than any arena block holds (the
 * whole buffer, as a non-blocking send(2) does) without a copy. The shim
 * reads the buffer only during the call and keeps nothing of it. It checks
 * the handle, fd, pointer and address range; the length it cannot check:
 * the caller passes the length of the memory it passes (the TS binding, the
 * only caller, takes both from one Uint8Array). Lengths above 0x7ffff000
 * (Linux's largest transfer) are cut to it.
 */
SIO_API int32_t sio_send(int32_t handle, int32_t fd, const void *buf, uint32_t len, uint32_t msg_flags,
                         uint32_t addr_off, uint32_t addr_len);

/*
 * Optional: sethostname(2) of the len bytes at name, as they are (no NUL
 * terminator needed; a NUL among them is the kernel's to read). Returns 0 or
 * -errno, the kernel's answer: -EPERM without the privilege, -EINVAL for a
 * name longer than the kernel keeps (64 bytes on Linux), -EFAULT for a NULL
 * name with len > 0 (the shim's check). len 0 sets the empty name, as
 * sethostname(2) does.
 *
 * It renames the whole machine (or UTS namespace), not anything of a
 * handle, so it takes no handle, and it is an entry point of its own rather
 * than an op code: no submission, random or stray, can reach it through the
 * rings. A shim whose platform has no sethostname(2) leaves the symbol out;
 * the TypeScript binds it only where the library exports it (no ABI version
 * is tied to it), and the backend then has no sethostname. Like sio_send it
 * reads the caller's memory during the call only.
 */
SIO_API int32_t sio_sethostname(const void *name, uint32_t len);

/*
 * What a socket call answers for a number that is none of the shim's
 * handles (optional): where handles are the process's descriptors (the
 * POSIX shims), -ENOTSOCK for an open descriptor that is no socket (a file,
 * a pipe: what the kernel, and so CPython's socket(fileno=fd), answers) and
 * -EBADF otherwise, a socket opened elsewhere included (the shim takes over
 * only descriptors it created). A shim whose handles are not descriptors
 * (IOCP's SOCKETs) leaves the symbol out and the TypeScript answers -EBADF.
 * Takes no handle of an instance: it only asks the kernel about `fd`.
 */
SIO_API int32_t sio_foreign_errno(int32_t fd);

/*
 * Makes a blocked or future sio_enter return, and a watch fire. Any thread.
 * Wake-ups coalesce. 0, or -EBADF.
 */
SIO_API int32_t sio_wake(int32_t handle);

/*
 * Asks Node's event loop (the default libuv loop of the calling thread's
 * process) to call cb(handle) on the main thread whenever sio_enter(h, 0, 0)
 * has something to do; cb is expected to call sio_enter. -ENOSYS when the
 * library is not loaded into Node, -EBUSY if already watching.
 */
SIO_API int32_t sio_watch(int32_t handle, uint32_t mode, sio_ready_cb cb);

/* Stops the watch; cb is never called after this returns. 0 or -errno. */
SIO_API int32_t sio_unwatch(int32_t handle);

/* Whether the watch keeps Node's event loop alive (uv_ref/uv_unref). */
SIO_API int32_t sio_watch_ref(int32_t handle, int32_t ref);

#ifdef __cplusplus
} /* extern "C" */
#endif

#ifdef __cplusplus
static_assert(sizeof(struct sio_sqe) == 32, "sio_sqe layout");
static_assert(sizeof(struct sio_cqe) == 24, "sio_cqe layout");
static_assert(sizeof(struct sio_header) == 128, "sio_header layout");
static_assert(offsetof(struct sio_header, sync_sqe) == 64, "sio_header layout");
static_assert(offsetof(struct sio_header, sync_cqe) == 96, "sio_header layout");
#endif

#endif /* SIO_BACKEND_H */
