/**
 * The IO backend contract: the one list of things every backend provides
 * (epoll, io_uring, IOCP, kqueue through native shims; libuv through Node's
 * own net/dgram). Everything else (parking tasklets, timeouts, cancellation
 * on kill, errors) is portable and lives in the runtime, written once.
 *
 * Shape
 * -----
 * - Sockets are named by integer handles the backend hands out (a file
 *   descriptor for the native backends, a table index for libuv). A handle
 *   is never reused while the caller may still hold it: after close() the
 *   backend answers EBADF for it until the same number is handed out again
 *   by a later socket() or accept(). A number that is no handle but is a
 *   descriptor the process opened elsewhere may get the kernel's answer
 *   from the setup calls on a socket (bind, listen, shutdown, names,
 *   options): ENOTSOCK for a file or pipe, where the handles are the
 *   process's descriptors (the native backends), as CPython's
 *   socket(fileno=fd) of a regular file gets it.
 * - Setup calls (socket, socketpair, dup, bind, listen, shutdown, options,
 *   inheritance, names) never block and answer at once: a value >= 0 (or
 *   an address), or `-errno`.
 * - Everything that may wait is an {@link IoRequest}: the caller fills it
 *   and {@link IoBackend.submit}s it; the backend finishes it later by
 *   setting `result` (>= 0, or `-errno`) and the output fields and calling
 *   `req.done(req)` exactly once, from inside {@link IoBackend.poll} (never
 *   from submit(), never from a Node callback directly), so completions reach
 *   tasklets in batches at the scheduler's pace.
 * - Completion-based kernels (IOCP, io_uring) start the operation at submit;
 *   readiness-based ones (epoll, kqueue) try the syscall first and wait for
 *   readiness only on EAGAIN, finishing the operation themselves (as Go's
 *   internal/poll does). Either way the caller sees a completion.
 * - Batching: submissions are queued in memory shared with the shim and
 *   cross the FFI in one call per scheduler round (poll()); so do
 *   completions. A backend never makes an FFI call per operation.
 * - Buffers: `buf` belongs to the backend from submit() until done() (or,
 *   after cancel(), until the backend has let go of it: the kernel never
 *   writes into memory the caller has reused). Native backends keep their
 *   IO buffers in their own arena and copy at the edges.
 * - Not waiting: a request with {@link MsgFlag.DONTWAIT} is made by a
 *   caller that will not wait (a non-blocking socket, or MSG_DONTWAIT). The
 *   backend tries the operation once, as the kernel's own non-blocking call
 *   would, and where the request would wait (for data, for room, for a
 *   connection, or behind earlier requests of the same socket and
 *   direction) it completes with -EAGAIN instead; it never parks. Such a
 *   request still completes from poll(), like every other. A SEND or SENDTO
 *   with it offers the kernel the whole buffer, with no per-transfer cap:
 *   the caller sees the count, so it must be the kernel's take, and a send
 *   larger than the socket can hold fills it, after which the next large
 *   send answers -EAGAIN until the peer reads (CPython's non-blocking send).
 *   A backend may cap transfers only for requests that may wait, where
 *   nobody sees the split. A backend that cannot see the kernel's take
 *   directly (libuv: Node queues what the kernel refuses) must still answer
 *   as the kernel would: about what the kernel took, then -EAGAIN while the
 *   socket stays full (io-libuv's stream-send.ts shows one way).
 * - Cancellation: cancel(req) asks the backend to stop the operation. The
 *   request still completes once, with -ECANCELED, or with its real result
 *   if it had already finished. close(h) completes every request pending on
 *   h with -EBADF (as CPython raises OSError(EBADF) in blocked threads).
 * - Wake-up: when the kernel has something while the scheduler is idle, the
 *   backend calls the `wake` function given to {@link IoBackendFactory}
 *   from Node's event loop; the scheduler then runs a round, whose poll()
 *   delivers the completions. A backend never blocks Node's event loop,
 *   except in {@link IoBackend.wait}, used only by the opt-in exclusive mode.
 * - Errors are `-errno` with Linux/POSIX numbering taken from Node's
 *   `os.constants.errno` of the running platform; the runtime turns them into
 *   typed errors in one place ({@link osError}). A backend never throws for a
 *   bad handle, a closed socket or a wrong length: it answers `-errno`.
 *
 * A new backend implements {@link IoBackend} and exports an
 * {@link IoBackendModule}; backend selection (backend-select.ts) does the
 * rest.
 */
import type { Poller } from './poller.js';

/**
 * Address families the contract knows: IPv4, IPv6, Unix, and Linux's
 * AF_NETLINK, AF_PACKET, AF_VSOCK, AF_ALG, AF_CAN and AF_TIPC. socket() passes the
 * family to the kernel, so where the kernel (or a module it lacks) refuses
 * one, the answer is the kernel's errno (EAFNOSUPPORT for AF_ALG, AF_CAN and
 * AF_TIPC on a machine without those modules), as in CPython; a backend
 * that cannot make sockets of a family at all answers -EAFNOSUPPORT (libuv
 * for all but inet, inet6 and unix). Addresses exist for netlink, packet and vsock;
 * the others' sockets are made but their addresses answer -EAFNOSUPPORT.
 */
export type Family = 'inet' | 'inet6' | 'unix' | 'netlink' | 'packet' | 'vsock' | 'alg' | 'can' | 'tipc';

/**
 * Socket kinds the contract knows: SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET
 * (connection-based, message boundaries kept: it listens and accepts like a
 * stream and receives like a datagram socket) and SOCK_RAW. Where the
 * kernel refuses a kind for a family (seqpacket over inet, raw without
 * privilege or without a protocol) socket() answers the kernel's errno; a
 * backend without the kind at all answers -ESOCKTNOSUPPORT. 'rdm' is
 * SOCK_RDM (reliably delivered messages: AF_TIPC's), passed to the kernel
 * like the others.
 */
export type SocketKind = 'stream' | 'dgram' | 'seqpacket' | 'raw' | 'rdm';

/** An IPv4 or IPv6 address and port. `host` is numeric ("127.0.0.1", "::1"). */
export interface InetAddress {
  /** 'inet' (IPv4) or 'inet6' (IPv6). */
  family: 'inet' | 'inet6';
  /** The numeric host: "127.0.0.1", "::1". */
  host: string;
  /** The port, 0 to 65535 (0 in bind(): any free port). */
  port: number;
  /** IPv6 flow information (0 when absent). */
  flowinfo?: number;
  /** IPv6 scope id (0 when absent). */
  scopeId?: number;
}

/** A Unix-domain socket address ("" for an unnamed one). */
export interface UnixAddress {
  /** Always 'unix'. */
  family: 'unix';
  /** The socket's path ("" for an unnamed socket). */
  path: string;
}

/** An AF_NETLINK address (struct sockaddr_nl; CPython's `(pid, groups)`). */
export interface NetlinkAddress {
  /** Always 'netlink'. */
  family: 'netlink';
  /** nl_pid, 0 to 2^32 - 1: the port id (0 binds one the kernel picks; 0 as a destination is the kernel). */
  pid: number;
  /** nl_groups, 0 to 2^32 - 1: the multicast groups mask. */
  groups: number;
}

/**
 * An AF_PACKET address (struct sockaddr_ll). CPython's `(ifname, proto,
 * pkttype, hatype, addr)` names the interface; the contract carries its
 * index (socket-compat looks names up above the backend).
 */
export interface PacketAddress {
  /** Always 'packet'. */
  family: 'packet';
  /** sll_protocol, 0 to 65535, in host order (an ETH_P_* number). */
  protocol: number;
  /** sll_ifindex: the interface's index (0: any). */
  ifindex: number;
  /** sll_pkttype, 0 to 255 (PACKET_HOST, PACKET_OUTGOING...). */
  pkttype: number;
  /** sll_hatype, 0 to 65535 (ARPHRD_*). */
  hatype: number;
  /** sll_addr: the hardware address, at most 8 bytes. */
  addr: Uint8Array;
}

/** An AF_VSOCK address (struct sockaddr_vm; CPython's `(cid, port)`). */
export interface VsockAddress {
  /** Always 'vsock'. */
  family: 'vsock';
  /** svm_cid, 0 to 2^32 - 1 (VMADDR_CID_ANY is 2^32 - 1). */
  cid: number;
  /** svm_port, 0 to 2^32 - 1 (VMADDR_PORT_ANY is 2^32 - 1). */
  port: number;
}

/** A socket address, as the contract passes them. */
export type SockAddr = InetAddress | UnixAddress | NetlinkAddress | PacketAddress | VsockAddress;

/** The operations that may wait, completed through {@link IoRequest}. */
export const IoOp = {
  /** result: the new handle; `addr`: the peer. */
  ACCEPT: 4,
  /** in `addr`; result 0 once connected. */
  CONNECT: 5,
  /** into `buf`; result: bytes (0 at EOF); `truncated` for datagrams. */
  RECV: 6,
  /** from `buf`; result: bytes sent, possibly fewer than buf.length. */
  SEND: 7,
  /** into `buf`; result: bytes; `addr`: the sender; `truncated`. */
  RECVFROM: 8,
  /** from `buf` to `addr`; result: bytes. */
  SENDTO: 9,
  /**
   * sendmsg(2): from `buf` (the caller joins several buffers into one:
   * they make one message either way), with `ancillary` as control data
   * (or null), to `addr` (or null: the connected peer); result: bytes sent.
   */
  SENDMSG: 23,
  /**
   * recvmsg(2): into `buf` (or null with {@link IoRequest.size}, as RECV),
   * with room for `ancSize` bytes of control data; result: bytes (0 at EOF);
   * `ancillary`: the items received; `msgFlags`: the kernel's msg_flags;
   * `addr`: the sender, or null when the kernel names none. A backend that
   * cannot carry messages answers -ENOSYS to both (as a platform without
   * sendmsg/recvmsg; libuv does).
   */
  RECVMSG: 24,
  /**
   * sendfile(2): up to {@link IoRequest.size} bytes of the file
   * {@link IoRequest.fileFd} from {@link IoRequest.offset} to the socket;
   * result: bytes sent (possibly fewer; 0 at the file's end). The file's own
   * position does not move. Like SEND it waits for room (and takes
   * {@link MsgFlag.DONTWAIT}). A backend that cannot do it answers -ENOSYS
   * (libuv does), and one that can may refuse a file it cannot send from
   * without blocking (a pipe, a terminal: -EINVAL): the caller then reads
   * and sends itself, as CPython's socket.sendfile falls back on send().
   */
  SENDFILE: 25,
  /** result: poll(2) revents once the handle is readable. */
  POLL_IN: 12,
  /** result: poll(2) revents once the handle is writable. */
  POLL_OUT: 13,
} as const;

/**
 * One ancillary data item of SENDMSG/RECVMSG (a struct cmsghdr and its
 * data; CPython's `(level, type, data)`). Levels and types are Linux's
 * numbers (SOL_SOCKET 1 with SCM_RIGHTS 1 and SCM_CREDENTIALS 2,
 * IPPROTO_IP with IP_PKTINFO...), as for {@link IoBackend.setsockopt}.
 *
 * SCM_RIGHTS data are C ints (4 bytes, native byte order) naming handles:
 * a SENDMSG may pass only handles of the same backend (else -EBADF), and
 * every handle a RECVMSG receives is a new handle of the backend, as an
 * accepted socket's, that the caller closes.
 */
export interface AncillaryItem {
  /** cmsg_level. */
  level: number;
  /** cmsg_type. */
  type: number;
  /** cmsg data (on receipt, cut short where the control room ran out). */
  data: Uint8Array;
}

/**
 * Bytes of control room one ancillary item of `length` data bytes takes, as
 * Linux's (and CPython's) CMSG_SPACE on 64-bit platforms: a 16-byte header
 * and the data padded to 8 bytes. RECVMSG's {@link IoRequest.ancSize}
 * counts in these units, as CPython's `ancbufsize`.
 */
export function cmsgSpace(length: number): number {
  return 16 + ((length + 7) & ~7);
}

/** CMSG_LEN: the header and `length` data bytes, unpadded (64-bit Linux). */
export function cmsgLen(length: number): number {
  return 16 + length;
}

/**
 * The handles SCM_RIGHTS items carry (level SOL_SOCKET 1, type SCM_RIGHTS
 * 1; C ints, native byte order), as a RECVMSG received them: each is a
 * handle of the backend that someone must close (-1 marks one the backend
 * could not keep, already closed).
 */
export function rightsHandles(items: readonly AncillaryItem[] | null): number[] {
  const out: number[] = [];
  for (const item of items ?? []) {
    if (item.level !== 1 || item.type !== 1) continue;
    const dv = new DataView(item.data.buffer, item.data.byteOffset, item.data.byteLength);
    for (let i = 0; i + 4 <= item.data.length; i += 4) out.push(dv.getInt32(i, true));
  }
  return out;
}

/** One of the {@link IoOp} codes. */
export type IoOpCode = (typeof IoOp)[keyof typeof IoOp];

/**
 * Portable names for the socket options every backend, libuv included,
 * carries, with values already decoded (LINGER in seconds or -1, TYPE as
 * Linux's SOCK_* number): {@link IoBackend.setOption} and
 * {@link IoBackend.getOption}. They stay next to the generic
 * {@link IoBackend.setsockopt}/{@link IoBackend.getsockopt} because the
 * runtime's own `io.setsockopt` and a backend without descriptors of its
 * own (libuv) speak in these terms; on a native backend they are a thin
 * layer over the generic call (sockopt-layer.ts).
 */
export const SockOpt = {
  /** SO_REUSEADDR: bind to an address still in TIME_WAIT. */
  REUSEADDR: 1,
  /** SO_REUSEPORT: several sockets may bind the same port. */
  REUSEPORT: 2,
  /** SO_KEEPALIVE: send keep-alive probes on an idle connection. */
  KEEPALIVE: 3,
  /** SO_BROADCAST: a datagram socket may send to a broadcast address. */
  BROADCAST: 4,
  /** SO_RCVBUF: receive buffer size, bytes. */
  RCVBUF: 5,
  /** SO_SNDBUF: send buffer size, bytes. */
  SNDBUF: 6,
  /** Read-only: the pending error, cleared by reading it (as getsockopt(SO_ERROR)). */
  ERROR: 7,
  /** Read-only: the kind as Linux numbers it: 'stream' 1, 'dgram' 2, 'raw' 3, 'seqpacket' 5. */
  TYPE: 8,
  /** TCP_NODELAY: send small segments at once (no Nagle delay). */
  NODELAY: 9,
  /** IPV6_V6ONLY: an inet6 socket takes IPv6 only (no IPv4-mapped addresses). */
  V6ONLY: 10,
  /** Seconds of SO_LINGER, or -1 when off. */
  LINGER: 11,
  /**
   * Read-only: 1 while the socket listens (SO_ACCEPTCONN), else 0. It is
   * the kernel's state, not a memory of listen(): shutting a TCP listener
   * down for reading stops it listening, and a duplicate of a socket shares
   * it.
   */
  ACCEPTCONN: 12,
} as const;

/**
 * The longest option value the generic {@link IoBackend.setsockopt} and
 * {@link IoBackend.getsockopt} must carry: CPython's getsockopt() buflen
 * limit is 1024; 4096 leaves room for the longest Linux option structures.
 */
export const SOCKOPT_MAX = 4096;

/** One of the {@link SockOpt} codes. */
export type SockOptCode = (typeof SockOpt)[keyof typeof SockOpt];

/** send/recv flags the contract carries (a backend answers -EOPNOTSUPP for one it cannot do; every backend does DONTWAIT). */
export const MsgFlag = {
  /** MSG_PEEK: receive without removing the data from the queue. */
  PEEK: 0x1,
  /** MSG_OOB: out-of-band data. */
  OOB: 0x2,
  /** MSG_WAITALL: a receive completes only when the buffer is full, at EOF or on an error. */
  WAITALL: 0x4,
  /**
   * The caller will not wait (see "Not waiting" at the top of this file):
   * the request completes with -EAGAIN where it would wait, and a SEND or
   * SENDTO offers the kernel the whole buffer. For RECV, RECVFROM, RECVMSG,
   * SEND, SENDTO, SENDMSG, ACCEPT, POLL_IN and POLL_OUT; a CONNECT with it completes with
   * -EINVAL (a connect cannot be tried once and taken back: submit it
   * without this flag and do not wait for its completion). With WAITALL, a
   * receive returns what is there, as the kernel's MSG_DONTWAIT does.
   */
  DONTWAIT: 0x8,
} as const;

/** The fields of an {@link IoRequest} that only some operations use (see its `rare`). */
class IoRequestRare {
  ancillary: AncillaryItem[] | null = null;
  ancSize = 0;
  msgFlags = 0;
  fileFd = -1;
  offset = 0;
}

/**
 * One operation that may wait. The caller owns the object and may reuse it
 * once `done` has been called (set the fields again before each submit);
 * the backend fills in the result fields and calls `done` once, from poll().
 */
export class IoRequest {
  /** -errno or the result; valid in done(). */
  result = 0;
  /** The datagram did not fit in `buf` (RECV, RECVFROM). */
  truncated = false;
  /** Backend's bookkeeping (its token); -1 while not submitted. */
  token = -1;
  /**
   * RECV and RECVFROM with `buf` null: the most bytes to receive. The backend
   * then allocates the buffer once the data is there, at the size received:
   * on completion `buf` is a new Node Buffer of exactly `result` bytes (empty
   * at EOF or on an error). This is Python's `recv(n)`, which must not pay
   * for (nor hold, while it waits) n bytes it may never fill. SENDFILE: the
   * most bytes to send.
   */
  size = 0;
  /**
   * The fields only RECVMSG, SENDMSG and SENDFILE use, in one object made
   * when one of them is first set to something other than its default: a
   * request that only receives and sends (every request of an idle
   * connection) pays one field for them instead of five (issue #15 item 5).
   */
  private rare: IoRequestRare | null = null;

  /**
   * SENDMSG: the control data to send (null: none). RECVMSG: set on
   * success to the items received (an empty list when none); left
   * unspecified by an error.
   */
  get ancillary(): AncillaryItem[] | null {
    return this.rare === null ? null : this.rare.ancillary;
  }
  /** Sets {@link IoRequest.ancillary}; the side object is made only for a value other than the default. */
  set ancillary(v: AncillaryItem[] | null) {
    if (this.rare !== null) this.rare.ancillary = v;
    else if (v !== null) (this.rare = new IoRequestRare()).ancillary = v;
  }
  /** RECVMSG: bytes of control room (CPython's ancbufsize; see {@link cmsgSpace}). */
  get ancSize(): number {
    return this.rare === null ? 0 : this.rare.ancSize;
  }
  /** Sets {@link IoRequest.ancSize}; the side object is made only for a value other than the default. */
  set ancSize(v: number) {
    if (this.rare !== null) this.rare.ancSize = v;
    else if (v !== 0) (this.rare = new IoRequestRare()).ancSize = v;
  }
  /** RECVMSG: the kernel's msg_flags on completion (MSG_TRUNC 0x20, MSG_CTRUNC 0x8, MSG_EOR 0x80...). */
  get msgFlags(): number {
    return this.rare === null ? 0 : this.rare.msgFlags;
  }
  /** Sets {@link IoRequest.msgFlags}; the side object is made only for a value other than the default. */
  set msgFlags(v: number) {
    if (this.rare !== null) this.rare.msgFlags = v;
    else if (v !== 0) (this.rare = new IoRequestRare()).msgFlags = v;
  }
  /**
   * SENDFILE: the file, as a descriptor of the process (what Node's fs.open
   * gives, a FileHandle's `fd`): not a handle of the backend, and the
   * caller's to close.
   */
  get fileFd(): number {
    return this.rare === null ? -1 : this.rare.fileFd;
  }
  /** Sets {@link IoRequest.fileFd}; the side object is made only for a value other than the default. */
  set fileFd(v: number) {
    if (this.rare !== null) this.rare.fileFd = v;
    else if (v !== -1) (this.rare = new IoRequestRare()).fileFd = v;
  }
  /** SENDFILE: the file offset to send from (an integer, 0 to 2^53 - 1). */
  get offset(): number {
    return this.rare === null ? 0 : this.rare.offset;
  }
  /** Sets {@link IoRequest.offset}; the side object is made only for a value other than the default. */
  set offset(v: number) {
    if (this.rare !== null) this.rare.offset = v;
    else if (v !== 0) (this.rare = new IoRequestRare()).offset = v;
  }

  constructor(
    /** What to do: one of the {@link IoOp} codes. */
    public op: IoOpCode,
    /** The socket's handle, as socket() or ACCEPT returned it. */
    public handle: number,
    /**
     * RECV and RECVFROM: where the data goes (or null: see {@link size});
     * SEND and SENDTO: what to send. A RECV of length 0 completes with 0 at
     * once (the kernel would answer EAGAIN on a non-blocking socket), and
     * MsgFlag.WAITALL is the backend's job: it completes only when `buf` is
     * full, at EOF or on an error.
     */
    public buf: Uint8Array | null,
    /** CONNECT/SENDTO/SENDMSG: the destination. ACCEPT/RECVFROM/RECVMSG: set to the peer on completion. */
    public addr: SockAddr | null,
    /** {@link MsgFlag} bits. */
    public flags: number,
    /** Called once, from the backend's poll(), when the request has finished. */
    public done: (req: IoRequest) => void,
  ) {}
}

/** The length a RECV, RECVFROM or RECVMSG asks for: its buffer's, or {@link IoRequest.size} when the backend allocates. */
export function recvLength(req: IoRequest): number {
  return req.buf === null ? req.size : req.buf.length;
}

/**
 * Checks a RECV/RECVFROM/RECVMSG request's buffer: a Uint8Array, or null with a
 * valid {@link IoRequest.size}. Backends call it at submit.
 */
export function recvBufferOk(req: IoRequest): boolean {
  if (req.buf === null) return Number.isInteger(req.size) && req.size >= 0 && req.size <= 0x7fffffff;
  return req.buf instanceof Uint8Array;
}

/** What the backend counts, for leak checks: nothing may remain at the end of a test. */
export interface IoBackendStats {
  /** Sockets open (created by socket() or accept() and not closed). */
  handles: number;
  /** Requests submitted and not yet completed. */
  pending: number;
}

/**
 * An IO backend. Setup calls answer at once; operations that may wait go
 * through submit(). {@link Poller.poll} (from the scheduler, once a round)
 * flushes submissions and delivers completions; it never blocks.
 */
export interface IoBackend extends Poller {
  /** "epoll", "io_uring", "iocp", "kqueue", "libuv". */
  readonly name: string;

  /**
   * A new socket (non-blocking, close-on-exec); the handle, or -errno (the
   * kernel's, for a kind or protocol it refuses for the family).
   */
  socket(family: Family, kind: SocketKind, protocol: number): number;
  /** 0 or -errno. Port 0 picks a free port (read it with getsockname). */
  bind(handle: number, addr: SockAddr): number;
  /** 0 or -errno. */
  listen(handle: number, backlog: number): number;
  /** how: 0 read, 1 write, 2 both. 0 or -errno. */
  shutdown(handle: number, how: 0 | 1 | 2): number;
  /** The local address, or -errno. */
  getsockname(handle: number): SockAddr | number;
  /** The peer's address, or -errno (ENOTCONN when not connected). */
  getpeername(handle: number): SockAddr | number;
  /**
   * Sets a portable option (see {@link SockOpt}): 0 or -errno (ENOPROTOOPT
   * for an option the platform lacks). A native backend whose kernel uses
   * Linux's option numbers implements this and {@link getOption} as one line
   * each over {@link setsockopt}/{@link getsockopt}: the runtime's
   * `setOptionVia` and `getOptionVia` (sockopt-layer.ts) do it.
   */
  setOption(handle: number, option: SockOptCode, value: number): number;
  /** A portable option's value (>= 0, or -1 for LINGER off), or -errno as `{ errno }`. */
  getOption(
    handle: number,
    option: SockOptCode,
  ): number | {
    /** -errno: why the option could not be read. */
    errno: number;
  };
  /**
   * setsockopt(2) with any level and option name, as CPython's
   * `sock.setsockopt(level, name, value)`: a number is passed as a 4-byte C
   * int, a Uint8Array as it is (its length is optlen). Levels and names are
   * Linux's numbers (those CPython on Linux exposes, and socket-compat's
   * constants); a backend on another kernel translates those it has and
   * answers -ENOPROTOOPT for the rest. The kernel's answer is passed on: 0
   * or -errno. A number outside the C int range answers -EINVAL; a native
   * backend may refuse values longer than {@link SOCKOPT_MAX} bytes with
   * -EINVAL (CPython passes longer ones, which no Linux option needs).
   */
  setsockopt(handle: number, level: number, name: number, value: number | Uint8Array): number;
  /**
   * getsockopt(2) with any level and option name, as CPython's
   * `sock.getsockopt(level, name, buflen)`: with buflen 0 the option is read
   * into a zeroed 4-byte C int and that int is the answer (a number); with
   * buflen 1 to {@link SOCKOPT_MAX} the answer is a new Uint8Array of the
   * bytes the kernel wrote (its optlen, at most buflen). Any other buflen
   * answers -EINVAL (socket-compat raises CPython's "getsockopt buflen out
   * of range" before asking). Errors are -errno as `{ errno }`.
   */
  getsockopt(
    handle: number,
    level: number,
    name: number,
    buflen: number,
  ): number | Uint8Array | {
    /** -errno: why the option could not be read. */
    errno: number;
  };
  /**
   * dup(2): a new handle for the same socket (the same kernel socket, its
   * own handle to close; close-on-exec), or -errno (EBADF for a handle not
   * open, EMFILE...). A backend that cannot make one answers -ENOSYS, and
   * callers keep their own emulation (socket-compat's handles.ts does).
   */
  dup(handle: number): number;
  /**
   * socketpair(2): two connected sockets (non-blocking, close-on-exec) as
   * `[handle, handle]`, or -errno: the kernel's answer for a family or kind
   * it cannot pair (EOPNOTSUPP for inet), or -ENOSYS from a backend that
   * cannot make kernel pairs (callers then emulate them, as socket-compat's
   * socketpair() does over a Unix-domain listener).
   */
  socketpair(family: Family, kind: SocketKind, protocol: number): [number, number] | number;
  /**
   * Whether child processes inherit the handle's descriptor (FD_CLOEXEC
   * clear; os.get_inheritable): 1 or 0, or -errno. Sockets start not
   * inheritable.
   */
  getInheritable(handle: number): number;
  /**
   * Sets whether child processes inherit the handle's descriptor
   * (os.set_inheritable): 0 or -errno. A backend without descriptors of its
   * own answers -ENOSYS to make one inheritable.
   */
  setInheritable(handle: number, inheritable: boolean): number;
  /**
   * Optional. sethostname(2): sets the host name to `name` (bytes, no NUL
   * terminator): 0 or -errno, the kernel's answer (EPERM without the
   * privilege, EINVAL for a name too long). Python's socket.sethostname
   * calls it; a backend without it leaves it out, and socket-compat answers
   * ENOSYS, as on a platform without sethostname(2).
   */
  sethostname?(name: Uint8Array): number;
  /**
   * Closes the handle at once: the descriptor is released before close()
   * returns (a batched backend flushes its queue here, so that re-binding
   * the same port right after works), and every request pending on it
   * completes with -EBADF at the next poll(). 0, or -EBADF for a handle not
   * open.
   */
  close(handle: number): number;

  /** Queues a request; it completes from a later poll(). */
  submit(req: IoRequest): void;
  /** Asks the backend to stop a submitted request (it still completes once). */
  cancel(req: IoRequest): void;

  /**
   * Optional: the synchronous-completion path. Tries `req` (filled in as for
   * submit()) at once, from the caller's own step, instead of through a
   * scheduler round. Either
   * - it returns true: the request has finished, its `result` and output
   *   fields are set exactly as a completion would set them (ACCEPT: the new
   *   handle, counted in stats().handles, and `addr`), and it was never
   *   submitted: `done` is not called, nothing is pending, and the caller
   *   owns what it brought (an accepted handle nobody takes must be closed);
   * - or it returns false: nothing happened (no syscall's effect is
   *   visible, the request is untouched) and the caller submit()s it as
   *   usual.
   * A backend answers true only where submit() would have finished the
   * request without waiting: never ahead of a request of the same socket
   * and direction that is pending (those go first). It chooses which
   * operations it tries; returning false costs the caller nothing, so a
   * backend answers false at once for the rest (epoll tries ACCEPT only: a
   * listener's queue is then drained in one step, one connection per call,
   * where a round per connection would make a storm of clients wait; libuv
   * also tries a stream's RECV, RECVFROM and SEND, whose data is already in
   * its own queues, so an echo's send costs no park and no round). A
   * backend without this method is simply always submitted to.
   * Callers: the runtime's IoCall (and so ioWait, io.accept, socket-compat).
   */
  tryNow?(req: IoRequest): boolean;

  /**
   * Exclusive mode only: blocks the thread until the kernel has something or
   * `timeoutMs` pass (-1: no limit), then delivers like poll(). Returns the
   * completions delivered.
   */
  wait(timeoutMs: number): number;
  /** Counters for leak checks. */
  stats(): IoBackendStats;
  /** Closes every handle and frees the backend's memory; pending requests are dropped. */
  destroy(): void;
}

/** What a backend package exports, for backend selection. */
export interface IoBackendModule {
  /** The backend's name, as STACKLESS_IO_BACKEND names it. */
  readonly name: string;
  /**
   * Why this backend cannot run here (wrong platform, missing or broken
   * native library), as one line that says how to fix it, or null when it
   * can. Cheap, creates nothing and never throws; a native backend may load
   * its library to check it (once per process).
   */
  unavailableReason(): string | null;
  /**
   * Optional: one line about the backend's native part for
   * `stackless-io doctor` (the shim library's path, where it came from, its
   * name and ABI version).
   */
  describe?(): string;
  /**
   * How results name this backend here, when that is more than its name: a
   * build that is not the real thing says so (io-kqueue on Linux: "kqueue
   * (emulated)"). Test reports print it. Absent: the name.
   */
  label?(): string;
  /**
   * False when this backend, though available, is used only when asked for
   * by name (useBackend(name), STACKLESS_IO_BACKEND): a build for tests,
   * such as io-kqueue's emulated one on Linux. Absent: true.
   */
  byDefault?(): boolean;
  /** Creates the backend. `wake` makes the scheduler run a round soon. */
  create(wake: () => void): IoBackend;
}
