/**
 * The shim ABI of native/backend.h, mirrored for TypeScript: operation codes,
 * entry layouts and flags. Keep in step with that header (SIO_ABI_VERSION).
 */

/** The ABI version this package speaks; the library must report the same. */
export const ABI_VERSION = 7;

/** First word of the shared region ("SIO1" in little-endian memory). */
export const MAGIC = 0x314f4953;

/**
 * Operation codes of a submission. See the table in native/backend.h for the
 * fields each one reads and what its result means.
 */
export const Op = {
  /** Does nothing; completes with 0 (sync). */
  NOP: 0,
  /** A new non-blocking, close-on-exec socket: arg0 domain, arg1 type, len the protocol (sync). */
  SOCKET: 1,
  /** Binds fd to the address at off/len (sync). */
  BIND: 2,
  /** Listens on fd with backlog arg0 (sync). */
  LISTEN: 3,
  /** Accepts on fd: the new fd, the peer address written at off. */
  ACCEPT: 4,
  /** Connects fd to the address at off/len; 0 once connected. */
  CONNECT: 5,
  /** Receives into off/len: bytes (0 at EOF). */
  RECV: 6,
  /** Sends off/len: bytes sent (may be short). */
  SEND: 7,
  /** Receives a datagram into off/len, the sender written at arg0 (capacity arg1). */
  RECVFROM: 8,
  /** Sends off/len to the address at arg0 (length arg1). */
  SENDTO: 9,
  /** Shuts fd down: arg0 is how (sync). */
  SHUTDOWN: 10,
  /** Closes fd; operations parked on it complete with -EBADF. */
  CLOSE: 11,
  /** Completes with poll(2) revents once fd is readable. */
  POLL_IN: 12,
  /** Completes with poll(2) revents once fd is writable. */
  POLL_OUT: 13,
  /** Cancels the parked operation arg0 (token) / arg1 (gen): it completes with -ECANCELED. */
  CANCEL: 14,
  /** Reads option arg0 (level) / arg1 (optname) into off/len (sync). */
  GETSOCKOPT: 15,
  /** Sets option arg0 (level) / arg1 (optname) from off/len (sync). */
  SETSOCKOPT: 16,
  /** Writes fd's local address at off/len (sync). */
  GETSOCKNAME: 17,
  /** Writes fd's peer address at off/len (sync). */
  GETPEERNAME: 18,
  /** Makes off/len of the arena the receive pool (through sync() only; see {@link SQE_POOL}). */
  SET_POOL: 19,
  /** A new close-on-exec fd for fd's socket (sync). */
  DUP: 20,
  /** A connected pair: arg0 domain, arg1 type, len the protocol; the first fd, the second written as an int32 at off (sync). */
  SOCKETPAIR: 21,
  /** arg0 0: 1 when fd is inherited by child processes (FD_CLOEXEC clear), else 0; arg0 1: sets that from arg1 (0 or 1) (sync). */
  INHERITABLE: 22,
  /**
   * sendmsg(2) of off/len with the message block at arg0 (see {@link MSG_NAME_BYTES}); arg1 packs the
   * address length (bits 24..31) and the control length (bits 0..23): bytes sent.
   */
  SENDMSG: 23,
  /**
   * recvmsg(2) into off/len with the message block at arg0 (capacities packed in arg1 as for SENDMSG):
   * bytes; the completion's addrlen, flags (the kernel's msg_flags) and off (control bytes written).
   */
  RECVMSG: 24,
  /**
   * sendfile(2) from the regular file arg0, at the offset off * 2^32 + arg1, at most len bytes, to
   * fd: bytes sent (0 at the file's end); parks like SEND (native/backend.h, "Sendfile").
   */
  SENDFILE: 25,
} as const;

/**
 * SENDMSG/RECVMSG message block: this many bytes of address, then the
 * control buffer; the block is 8-byte aligned (native/backend.h, "Messages").
 */
export const MSG_NAME_BYTES = 128;

/** One of the {@link Op} codes. */
export type OpCode = (typeof Op)[keyof typeof Op];

/** Bytes per submission entry (struct sio_sqe). */
export const SQE_SIZE = 32;

/** Bytes per completion entry (struct sio_cqe). */
export const CQE_SIZE = 24;

/**
 * Submission flag, RECV only: no buffer of its own while it waits; the bytes
 * go to the receive pool (SET_POOL) once they are there, and the
 * completion's `off` says where. The pool starts afresh at every enter(), so
 * copy them out before the next one (native/backend.h, "The receive pool").
 */
export const SQE_POOL = 0x1;

/**
 * Submission flag: try the operation once and complete with -EAGAIN where
 * it would park (also when operations are parked ahead of it on the same fd
 * and direction). For ACCEPT, RECV, SEND, RECVFROM, SENDTO, SENDMSG, RECVMSG, SENDFILE and the polls
 * (native/backend.h, "Not waiting").
 */
export const SQE_NOWAIT = 0x2;

/** Bytes of the region header (struct sio_header). */
export const HEADER_SIZE = 128;

/** Completion flag: the datagram was longer than the buffer (MSG_TRUNC). */
export const CQE_TRUNC = 0x1;

/** How Node's event loop learns that the shim has work; see {@link Shim.watch}. */
export const WatchMode = {
  /** Node's libuv polls the epoll fd on the main thread: no extra thread. */
  UV_POLL: 1,
  /** A waiter thread blocks in poll(2) and wakes Node with uv_async_send. */
  THREAD: 2,
} as const;

/** One of the {@link WatchMode} values. */
export type WatchModeValue = (typeof WatchMode)[keyof typeof WatchMode];

/** Byte offsets of struct sio_header fields (all uint32 unless noted). */
export const Header = {
  /** SIO_MAGIC. */
  magic: 0,
  /** The library's ABI version. */
  abiVersion: 4,
  /** Bytes of the whole region. */
  regionLen: 8,
  /** Offset of the submission array. */
  sqOff: 12,
  /** Entries of the submission array. */
  sqEntries: 16,
  /** Offset of the completion array. */
  cqOff: 20,
  /** Entries of the completion array (maxOps + sqEntries). */
  cqEntries: 24,
  /** Offset of the IO buffer arena (page aligned). */
  arenaOff: 28,
  /** Bytes of the arena. */
  arenaLen: 32,
  /** Tokens: operations that may be parked at once. */
  maxOps: 36,
  /** Counter: operations waiting for readiness. */
  opsParked: 40,
  /** Counter: fds this handle created and has not closed. */
  fdsOpen: 44,
  /** Counter: of those, how many are registered with epoll. */
  fdsRegistered: 48,
  /** Counter: sockets whose pool receives wait for room (the next enter() runs them). */
  fdsDeferred: 52,
  /** struct sio_sqe, input of sync(). */
  syncSqe: 64,
  /** struct sio_cqe, output of sync(). */
  syncCqe: 96,
} as const;

/**
 * A submission. Fields left out are zero. `token` must be below the shim's
 * `maxOps` and not belong to a parked operation; `gen` comes back unchanged.
 */
export interface Submission {
  /** One of the {@link Op} codes. */
  op: number;
  /** Slot index below `maxOps`, echoed in the completion. */
  token: number;
  /** Opaque to the shim, echoed in the completion. */
  gen: number;
  /** The socket's fd (one this shim created). */
  fd?: number;
  /** Arena offset of the operation's buffer. */
  off?: number;
  /** Length of that buffer (the protocol, for SOCKET). */
  len?: number;
  /** First operation-specific argument (see {@link Op}). */
  arg0?: number;
  /** Second operation-specific argument (see {@link Op}). */
  arg1?: number;
  /** MSG_* flags for the send/recv family (16 bits). */
  msgFlags?: number;
  /** SQE_* flags. */
  flags?: number;
}

/** A completion, as read by {@link Shim.completion}. */
export interface Completion {
  /** The submission's token. */
  token: number;
  /** The submission's gen, unchanged. */
  gen: number;
  /** >= 0: bytes, new fd or length; < 0: -errno. */
  res: number;
  /** CQE_* flags. */
  flags: number;
  /** Bytes of address written (ACCEPT, RECVFROM). */
  addrlen: number;
  /** A pool receive with res > 0: the arena offset of its bytes. */
  off: number;
}
