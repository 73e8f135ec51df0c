/**
 * The shim ABI of native/backend.h, mirrored for TypeScript: operation codes,
 * entry layouts and flags. Keep in step with that header (SIO_ABI_VERSION).
 */

/** The ABI version this package speaks; the library must report the same. */
export const ABI_VERSION = 1;

/** First word of the shared region ("SIO1" in little-endian memory). */
export const MAGIC = 0x314f4953;

/**
 * Operation codes of a submission. See the table in native/backend.h for the
 * fields each one reads and what its result means.
 */
export const Op = {
  NOP: 0,
  SOCKET: 1,
  BIND: 2,
  LISTEN: 3,
  ACCEPT: 4,
  CONNECT: 5,
  RECV: 6,
  SEND: 7,
  RECVFROM: 8,
  SENDTO: 9,
  SHUTDOWN: 10,
  CLOSE: 11,
  POLL_IN: 12,
  POLL_OUT: 13,
  CANCEL: 14,
  GETSOCKOPT: 15,
  SETSOCKOPT: 16,
  GETSOCKNAME: 17,
  GETPEERNAME: 18,
} as const;

/** One of the {@link Op} codes. */
export type OpCode = (typeof Op)[keyof typeof Op];

/** Bytes per submission entry (struct sio_sqe). */
export const SQE_SIZE = 32;

/** Bytes per completion entry (struct sio_cqe). */
export const CQE_SIZE = 16;

/** Bytes of the region header (struct sio_header). */
export const HEADER_SIZE = 128;

/** Completion flag: the datagram was longer than the buffer (MSG_TRUNC). */
export const CQE_TRUNC = 0x1;

/** How Node's event loop learns that the shim has work; see {@link EpollShim.watch}. */
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
  magic: 0,
  abiVersion: 4,
  regionLen: 8,
  sqOff: 12,
  sqEntries: 16,
  cqOff: 20,
  cqEntries: 24,
  arenaOff: 28,
  arenaLen: 32,
  maxOps: 36,
  opsParked: 40,
  fdsOpen: 44,
  fdsRegistered: 48,
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
  op: number;
  token: number;
  gen: number;
  fd?: number;
  /** Arena offset of the operation's buffer. */
  off?: number;
  /** Length of that buffer (the protocol, for SOCKET). */
  len?: number;
  arg0?: number;
  arg1?: number;
  /** MSG_* flags for the send/recv family (16 bits). */
  msgFlags?: number;
}

/** A completion, as read by {@link EpollShim.completion}. */
export interface Completion {
  token: number;
  gen: number;
  /** >= 0: bytes, new fd or length; < 0: -errno. */
  res: number;
  /** CQE_* flags. */
  flags: number;
  /** Bytes of address written (ACCEPT, RECVFROM). */
  addrlen: number;
}
