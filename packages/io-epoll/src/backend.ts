/**
 * The epoll backend: the runtime's IoBackend contract over the epoll shim.
 *
 * - Batched: submit() only writes an entry into the shared submission array
 *   (and, rarely, flushes it when it is full); poll() makes ONE sio_enter
 *   call that consumes the batch and returns every completion ready, which it
 *   then hands to the requests. One FFI call per scheduler round.
 * - Tokens are slot indices with a generation: a completion whose generation
 *   does not match its slot is stale and dropped. Two reserved tokens carry
 *   CLOSE and CANCEL, which never park and whose answers need no owner.
 * - Buffers: each transfer gets a block of the shim's arena (BuddyArena)
 *   from submission until its completion arrives, including the -ECANCELED
 *   completion of a cancelled request: only then has the shim promised never
 *   to touch the block again. Bytes are copied in at submission (SEND) and
 *   out at completion (RECV). A transfer moves at most `maxIoBytes` at once;
 *   the contract allows short sends and receives.
 * - When no slot or arena block is free, a request waits and starts as
 *   completions release resources: the caller never sees an error for it.
 *   Waiting keeps the order of requests on one socket and direction (as the
 *   shim does), but does not hold up other sockets: a receive waiting for
 *   memory must not stop the send that would let another receive finish.
 *   For the same reason a stream send or receive never takes more than half
 *   of the free arena (it moves fewer bytes instead), so a parked receive
 *   cannot starve every send of memory.
 * - Completions reach `req.done` only from poll()/wait(), never from
 *   submit(), cancel() or close(); what those find out at once (a closed
 *   handle, a bad address, a cancelled waiting request) is delivered by the
 *   next poll(). close() is the one call that runs the batch at once: the fd
 *   must be closed when it returns.
 * - Node's loop runs a round (the `wake` function) when the epoll fd is
 *   readable, through a libuv poll watch that keeps the process alive only
 *   while requests are pending.
 */
import { constants } from 'node:os';
import { IoOp, IoRequest, MsgFlag, SockOpt, recvBufferOk, recvLength, type Family, type IoBackend, type IoBackendStats, type SockAddr, type SocketKind, type SockOptCode } from '@stackless-io/runtime';
import { CQE_TRUNC, Op, SQE_POOL, WatchMode, type Submission } from './abi.js';
import { BuddyArena, MIN_BLOCK } from './arena.js';
import { FdTable } from './fd-table.js';
import { MSG_KNOWN, msgFlags, SO_LINGER, SOCK_STREAM, sockType, linuxOption } from './linux.js';
import { EpollShim, type ShimOptions } from './shim.js';
import { AF_INET, AF_INET6, AF_UNIX, decodeSockaddr, encodeSockaddr, SOCKADDR_MAX } from './sockaddr.js';

const { EBADF, ECANCELED, EINVAL, EAFNOSUPPORT, EMSGSIZE, ENOPROTOOPT, EOPNOTSUPP } = constants.errno;

/** Sizes of an epoll backend. */
export interface EpollBackendOptions extends ShimOptions {
  /**
   * Most bytes one send or receive moves (a power of two >= 4096). Larger
   * sends are short, larger receives return at most this much. Default 256 KiB.
   */
  maxIoBytes?: number;
  /**
   * Bytes of the receive pool (a multiple of 4096, 0 to turn it off), part
   * of the arena: stream receives wait without memory and take their bytes
   * from it once they arrive, so idle connections hold none. Default 1 MiB.
   */
  recvPoolBytes?: number;
}

/** Arena bytes kept for the synchronous calls (addresses, option values); page-sized so blocks stay page aligned. */
const SCRATCH = 4096;

/** The buffer of a receive that ends with nothing (EOF, an error) when the backend allocates. */
const EMPTY: Buffer = Buffer.alloc(0);

/** req.token of a request waiting for a slot or arena memory. */
const WAITING = -2;

/** The socket and direction of a request: requests with one key complete in order. */
function waitKey(req: IoRequest): number {
  const op = req.op;
  const read = op === IoOp.RECV || op === IoOp.RECVFROM || op === IoOp.ACCEPT || op === IoOp.POLL_IN;
  return req.handle * 2 + (read ? 0 : 1);
}

/** What the backend's arena holds, for tests and diagnostics. */
export interface EpollMemoryStats {
  /** Bytes of arena blocks held by requests in flight. */
  inUse: number;
  /** Arena blocks held. */
  blocks: number;
  /** Bytes the allocator manages. */
  capacity: number;
  /** Requests waiting for a slot or memory. */
  waiting: number;
}

/**
 * An IO backend over one epoll shim instance. Made by backend selection
 * (`useBackend('epoll')`) or directly, e.g. with other sizes.
 *
 * @example
 * ```ts
 * import { installBackend } from '@stackless-io/runtime';
 * import { wakeFromLoop } from '@stackless-io/runtime/internal';
 * import { EpollBackend } from '@stackless-io/io-epoll';
 * installBackend(new EpollBackend(wakeFromLoop, { arenaBytes: 16 << 20 }));
 * ```
 */
export class EpollBackend implements IoBackend {
  readonly name = 'epoll';
  /** The shim (exposed for tests and diagnostics). */
  readonly shim: EpollShim;
  private readonly wake: () => void;
  private readonly arena: BuddyArena;
  private readonly u8: Uint8Array;
  private readonly dv: DataView;
  private readonly maxIo: number;

  /** Open handles (fds) and their SOCK_* type. */
  private readonly open = new FdTable();

  // Slots: one per request handed to the shim. Token = slot index.
  private readonly slotReq: (IoRequest | null)[];
  private readonly slotGen: Uint32Array;
  private readonly slotData: Int32Array;
  private readonly slotAddr: Int32Array;
  private readonly slotCancelled: Uint8Array;
  /** Bytes the slot's data block carries per operation. */
  private readonly slotLen: Int32Array;
  /** 1: a stream receive through the shim's receive pool (no arena block of its own). */
  private readonly slotPool: Uint8Array;
  /** The receive pool's range of the arena: [poolStart, poolEnd). */
  private readonly poolStart: number;
  private readonly poolEnd: number;
  /** 1: a receive whose buffer this backend allocates when the data arrives (IoRequest.size). */
  private readonly slotOwn: Uint8Array;
  /** MSG_WAITALL stream receives: bytes received so far (-1: not one). */
  private readonly slotAcc: Int32Array;
  /** Slots whose MSG_WAITALL receive goes on (found while reaping). */
  private readonly again: number[] = [];
  private readonly freeSlots: Int32Array;
  private freeTop: number;
  private readonly closeToken: number;
  private readonly cancelToken: number;

  /** Finished requests whose done() the next poll() calls. */
  private ready: (IoRequest | null)[] = [];
  private readyLen = 0;
  /** Requests waiting for a slot or arena memory, oldest first. */
  private waiting: IoRequest[] = [];
  /** How many of them wait per socket and direction (key: handle * 2 + side). */
  private readonly waitingOn = new Map<number, number>();

  /** Submitted and not yet delivered. */
  private inflight = 0;
  private refd = false;
  private settleQueued = false;
  private destroyed = false;
  /** Completions dropped because their generation was stale (should stay 0). */
  stale = 0;

  /** The one submission object, rewritten for every entry (no allocation per operation). */
  private readonly sqe: Required<Submission> = { op: 0, token: 0, gen: 0, fd: 0, off: 0, len: 0, arg0: 0, arg1: 0, msgFlags: 0, flags: 0 };

  constructor(wake: () => void, options: EpollBackendOptions = {}) {
    const maxIo = options.maxIoBytes ?? 256 << 10;
    if (!Number.isInteger(maxIo) || maxIo < 4096 || (maxIo & (maxIo - 1)) !== 0 || maxIo > 1 << 24) {
      throw new RangeError('maxIoBytes must be a power of two in [4096, 16 MiB]');
    }
    const pool = options.recvPoolBytes ?? 1 << 20;
    if (!Number.isInteger(pool) || pool < 0 || pool % 4096 !== 0 || pool > 1 << 28) {
      throw new RangeError('recvPoolBytes must be a multiple of 4096 in [0, 256 MiB]');
    }
    this.shim = EpollShim.open({
      sqEntries: options.sqEntries ?? 1024,
      maxOps: options.maxOps ?? 1 << 16,
      arenaBytes: options.arenaBytes ?? SCRATCH + pool + (64 << 20),
    });
    try {
      const arena = this.shim.arena;
      this.u8 = arena;
      this.dv = new DataView(arena.buffer, arena.byteOffset, arena.byteLength);
      if (SCRATCH + pool > arena.length) throw new RangeError('arenaBytes leaves no room for the receive pool');
      this.arena = new BuddyArena(arena, SCRATCH + pool, maxIo);
      this.maxIo = maxIo;
      this.poolStart = SCRATCH;
      this.poolEnd = SCRATCH + pool;
      if (pool > 0 && this.sync(Op.SET_POOL, 0, SCRATCH, pool, 0, 0) !== 0) throw new Error('epoll backend: the shim refused the receive pool');
      const slots = this.shim.maxOps - 2;
      if (slots < 1) throw new RangeError('maxOps must be at least 3');
      this.closeToken = slots;
      this.cancelToken = slots + 1;
      this.slotReq = new Array<IoRequest | null>(slots).fill(null);
      this.slotGen = new Uint32Array(slots);
      this.slotData = new Int32Array(slots).fill(-1);
      this.slotAddr = new Int32Array(slots).fill(-1);
      this.slotCancelled = new Uint8Array(slots);
      this.slotLen = new Int32Array(slots);
      this.slotOwn = new Uint8Array(slots);
      this.slotPool = new Uint8Array(slots);
      this.slotAcc = new Int32Array(slots).fill(-1);
      this.freeSlots = new Int32Array(slots);
      // Low tokens first: the shim's per-token state stays in few cache lines.
      for (let i = 0; i < slots; i++) this.freeSlots[i] = slots - 1 - i;
      this.freeTop = slots;
      this.wake = wake;
      this.shim.watch(WatchMode.UV_POLL, () => {
        try {
          this.wake();
        } catch (e) {
          // The caller is native code, which must not see our errors; they
          // still reach Node.
          process.nextTick(() => {
            throw e;
          });
        }
      });
      // Idle until a request is pending: an idle backend keeps no process alive.
      this.shim.ref(false);
    } catch (e) {
      this.shim.close();
      throw e;
    }
  }

  // ---- setup calls: at once, through sio_sync ---------------------------

  socket(family: Family, kind: SocketKind, protocol: number): number {
    if (this.destroyed) return -EBADF;
    const af = family === 'inet' ? AF_INET : family === 'inet6' ? AF_INET6 : family === 'unix' ? AF_UNIX : 0;
    if (af === 0) return -EAFNOSUPPORT;
    const type = sockType(kind);
    if (type === 0 || !Number.isInteger(protocol) || protocol < 0 || protocol > 0x7fffffff) return -EINVAL;
    const fd = this.sync(Op.SOCKET, 0, 0, protocol, af, type);
    if (fd >= 0) this.open.set(fd, type);
    return fd;
  }

  bind(handle: number, addr: SockAddr): number {
    if (!this.open.has(handle)) return -EBADF;
    const len = encodeSockaddr(addr, this.u8, this.dv, 0);
    if (len < 0) return len;
    return this.sync(Op.BIND, handle, 0, len, 0, 0);
  }

  listen(handle: number, backlog: number): number {
    if (!this.open.has(handle)) return -EBADF;
    if (typeof backlog !== 'number' || Number.isNaN(backlog)) return -EINVAL;
    // As CPython: a negative backlog means 0; the kernel caps large ones.
    return this.sync(Op.LISTEN, handle, 0, 0, Math.min(Math.max(0, Math.trunc(backlog)), 0x7fffffff), 0);
  }

  shutdown(handle: number, how: 0 | 1 | 2): number {
    if (!this.open.has(handle)) return -EBADF;
    if (how !== 0 && how !== 1 && how !== 2) return -EINVAL;
    return this.sync(Op.SHUTDOWN, handle, 0, 0, how, 0);
  }

  getsockname(handle: number): SockAddr | number {
    return this.name_(Op.GETSOCKNAME, handle);
  }

  getpeername(handle: number): SockAddr | number {
    return this.name_(Op.GETPEERNAME, handle);
  }

  setsockopt(handle: number, option: SockOptCode, value: number): number {
    if (!this.open.has(handle)) return -EBADF;
    const opt = linuxOption(option);
    if (opt === 0) return -ENOPROTOOPT;
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) return -EINVAL;
    let len = 4;
    if ((opt & 0xffff) === SO_LINGER && opt >>> 16 === 1) {
      // LINGER: seconds, or -1 for off.
      if (value < -1) return -EINVAL;
      this.dv.setInt32(0, value >= 0 ? 1 : 0, true);
      this.dv.setInt32(4, value >= 0 ? value : 0, true);
      len = 8;
    } else {
      this.dv.setInt32(0, value, true);
    }
    return this.sync(Op.SETSOCKOPT, handle, 0, len, opt >>> 16, opt & 0xffff);
  }

  getsockopt(
    handle: number,
    option: SockOptCode,
  ): number | {
    /** -errno: why the option could not be read. */
    errno: number;
  } {
    if (!this.open.has(handle)) return { errno: -EBADF };
    const opt = linuxOption(option);
    if (opt === 0) return { errno: -ENOPROTOOPT };
    const linger = option === SockOpt.LINGER;
    this.dv.setInt32(0, 0, true);
    this.dv.setInt32(4, 0, true);
    const r = this.sync(Op.GETSOCKOPT, handle, 0, linger ? 8 : 4, opt >>> 16, opt & 0xffff);
    if (r < 0) return { errno: r };
    if (linger) return this.dv.getInt32(0, true) !== 0 ? this.dv.getInt32(4, true) : -1;
    return this.dv.getInt32(0, true);
  }

  close(handle: number): number {
    if (!this.open.delete(handle)) return -EBADF;
    // Requests still waiting for memory never reached the shim: they end
    // here, so that none of them starts later on a reused fd number.
    if (this.waiting.length > 0) {
      const keep: IoRequest[] = [];
      for (const r of this.waiting) {
        if (r.handle === handle) this.fail(r, -EBADF);
        else keep.push(r);
      }
      this.waiting = keep;
      this.waitingOn.delete(handle * 2);
      this.waitingOn.delete(handle * 2 + 1);
    }
    // CLOSE is not a sync operation (it completes what is parked on the fd),
    // so the batch runs now, with the entries queued before it: the fd must
    // be gone when close() returns (a bind to the same port right after it
    // must work, a peer must see the FIN). Its completions (-EBADF for what
    // was parked on the fd) are delivered by the next poll(), as always.
    this.control(Op.CLOSE, handle, this.closeToken, 0, 0);
    this.flush();
    return 0;
  }

  // ---- operations that may wait -----------------------------------------

  submit(req: IoRequest): void {
    if (this.destroyed) return;
    this.inflight++;
    this.noteActivity();
    req.result = 0;
    req.truncated = false;
    const type = this.open.get(req.handle);
    if (type === 0) return this.fail(req, -EBADF);
    switch (req.op) {
      case IoOp.RECV:
      case IoOp.RECVFROM:
        if (!recvBufferOk(req)) return this.fail(req, -EINVAL);
        if ((req.flags & ~MSG_KNOWN) !== 0) return this.fail(req, -EOPNOTSUPP);
        // As CPython's recv(0): nothing to wait for (the kernel would wait
        // for data it then could not hand over).
        if (req.op === IoOp.RECV && recvLength(req) === 0) return this.fail(req, 0);
        break;
      case IoOp.SEND:
      case IoOp.SENDTO:
        if (!(req.buf instanceof Uint8Array)) return this.fail(req, -EINVAL);
        if ((req.flags & ~MSG_KNOWN) !== 0) return this.fail(req, -EOPNOTSUPP);
        // A datagram cannot be split: one larger than a transfer fails as
        // the kernel fails one larger than its limit.
        if ((req.op === IoOp.SENDTO || type !== SOCK_STREAM) && req.buf.length > this.maxIo) {
          return this.fail(req, -EMSGSIZE);
        }
        break;
      case IoOp.ACCEPT:
      case IoOp.CONNECT:
      case IoOp.POLL_IN:
      case IoOp.POLL_OUT:
        break;
      default:
        return this.fail(req, -EINVAL);
    }
    if ((this.waiting.length > 0 && this.waitingOn.has(waitKey(req))) || !this.start(req, type)) {
      req.token = WAITING;
      this.waiting.push(req);
      const key = waitKey(req);
      this.waitingOn.set(key, (this.waitingOn.get(key) ?? 0) + 1);
    }
  }

  cancel(req: IoRequest): void {
    const t = req.token;
    if (t >= 0) {
      if (this.slotReq[t] !== req || this.slotCancelled[t] !== 0) return;
      this.slotCancelled[t] = 1;
      this.control(Op.CANCEL, 0, this.cancelToken, t, this.slotGen[t]!);
    } else if (t === WAITING) {
      const i = this.waiting.indexOf(req);
      if (i >= 0) {
        this.waiting.splice(i, 1);
        this.unwait(req);
        this.fail(req, -ECANCELED);
      }
    }
    // Otherwise it has completed already (its done() may still be due).
  }

  // ---- rounds ---------------------------------------------------------------

  poll(): number {
    return this.round(0);
  }

  wait(timeoutMs: number): number {
    let t = Number.isFinite(timeoutMs) ? Math.ceil(timeoutMs) : -1;
    if (t < 0) t = -1;
    if (t > 0x7fffffff) t = 0x7fffffff;
    // Completions already known must not wait for the kernel.
    if (this.readyLen > 0 || this.shim.queuedCount > 0 || this.shim.deferredCount > 0) t = 0;
    return this.round(t);
  }

  pending(): number {
    return this.inflight;
  }

  stats(): IoBackendStats {
    return { handles: this.open.size, pending: this.inflight };
  }

  /** The arena's state: `inUse` is 0 when no transfer holds memory. */
  memory(): EpollMemoryStats {
    return { inUse: this.arena.inUse, blocks: this.arena.blocks, capacity: this.arena.capacity, waiting: this.waiting.length };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    // Unwatches, closes every fd and unmaps the region: nothing the kernel
    // still does can reach memory after this.
    this.shim.close();
    this.open.clear();
    this.slotReq.fill(null);
    this.ready = [];
    this.readyLen = 0;
    this.waiting = [];
    this.waitingOn.clear();
    this.inflight = 0;
  }

  // ---- internals ----------------------------------------------------------

  /** One batch: flush the submissions, reap completions, deliver. */
  private round(timeoutMs: number): number {
    if (this.destroyed) return 0;
    this.reap(this.shim.enter(timeoutMs));
    // Completions released memory and slots: start what waited for them
    // (and reap again, as those may finish at once and free more).
    for (let i = 0; i < 4 && this.waiting.length > 0 && this.admit(); i++) this.reap(this.shim.enter(0));
    const delivered = this.deliver();
    if (this.destroyed) return delivered;
    if (this.inflight > 0) {
      if (!this.refd) {
        this.refd = true;
        this.shim.ref(true);
      }
    } else if (this.refd) {
      // Dropping the ref waits until the round's tasklets have run: most of
      // the time one of them submits again at once, and unref-then-ref would
      // cost two FFI calls per message for nothing.
      this.noteActivity();
    }
    // Receives waiting for pool room are run by the next enter: come back.
    if (this.shim.queuedCount > 0 || this.readyLen > 0 || this.shim.deferredCount > 0) this.noteActivity();
    return delivered;
  }

  /** Reads n completions: fills in their requests and releases their resources. */
  private reap(n: number): void {
    const shim = this.shim;
    const slots = this.slotReq.length;
    for (let i = 0; i < n; i++) {
      const t = shim.token(i);
      // CLOSE and CANCEL answers: close() already answered its caller, and a
      // cancel's effect is its target's own completion.
      if (t >= slots) continue;
      const req = this.slotReq[t];
      if (req === null || req === undefined || this.slotGen[t] !== shim.gen(i)) {
        this.stale++;
        continue;
      }
      this.complete(t, req, shim.res(i), shim.flags(i), shim.addrlen(i), shim.off(i));
    }
    // Submitted only now: a full submission array would be flushed, and that
    // would overwrite the completions read above.
    while (this.again.length > 0) this.receiveMore(this.again.pop()!);
  }

  /**
   * MSG_WAITALL on a stream: a non-blocking socket returns what it has, so
   * the receive goes on in the same slot and block until the buffer is full,
   * EOF, an error or a cancel (as a blocking recv(2) with MSG_WAITALL does).
   */
  private receiveMore(t: number): void {
    if (this.shim.queuedCount >= this.shim.sqEntries) this.flush();
    const req = this.slotReq[t]!;
    const left = recvLength(req) - this.slotAcc[t]!;
    const gen = (this.slotGen[t]! + 1) >>> 0;
    this.slotGen[t] = gen;
    const s = this.sqe;
    s.op = Op.RECV;
    s.fd = req.handle;
    s.token = t;
    s.gen = gen;
    s.off = this.slotData[t]!;
    s.len = left < this.slotLen[t]! ? left : this.slotLen[t]!;
    s.arg0 = 0;
    s.arg1 = 0;
    s.msgFlags = msgFlags(req.flags);
    s.flags = 0;
    this.shim.submit(s);
  }

  private complete(t: number, req: IoRequest, res: number, flags: number, addrlen: number, off: number): void {
    const data = this.slotData[t]!;
    const addr = this.slotAddr[t]!;
    switch (req.op) {
      case IoOp.RECV:
      case IoOp.RECVFROM: {
        const acc = this.slotAcc[t]!;
        const own = this.slotOwn[t] !== 0;
        const pool = this.slotPool[t] !== 0;
        if (res > 0) {
          // The bytes are in the request's arena block, or in the receive pool at `off`.
          const src = pool ? off : data;
          const bad = pool ? off < this.poolStart || off + res > this.poolEnd : data < 0;
          if (bad || res > this.slotLen[t]!) throw new Error(`epoll backend: recv returned ${res} bytes for a buffer of ${this.slotLen[t]} (at ${src})`);
          // An allocating receive gets its buffer now, at the size that
          // arrived (a MSG_WAITALL one at its full size, at its first data).
          const buf = req.buf ?? (req.buf = Buffer.allocUnsafe(acc >= 0 ? req.size : res));
          this.copyOut(src, buf, acc > 0 ? acc : 0, res);
          if (acc >= 0) {
            const total = acc + res;
            if (total < buf.length && this.slotCancelled[t] === 0) {
              this.slotAcc[t] = total;
              this.again.push(t);
              return;
            }
            res = total;
          }
        } else if (acc > 0) {
          // EOF, an error or a cancel after some data: the data counts (the
          // kernel, too, reports an error only to the next call).
          res = acc;
        }
        req.truncated = res >= 0 && (flags & CQE_TRUNC) !== 0;
        if (req.op === IoOp.RECVFROM) req.addr = res >= 0 ? decodeSockaddr(this.u8, this.dv, addr, addrlen) : null;
        if (own) this.slotOwn[t] = 0;
        // Nothing arrived, or a MSG_WAITALL receive ended short.
        if (own && (req.buf === null || res <= 0)) req.buf = EMPTY;
        else if (own && req.buf!.length !== res) req.buf = req.buf!.subarray(0, res);
        break;
      }
      case IoOp.ACCEPT:
        if (res >= 0) {
          this.open.set(res, SOCK_STREAM);
          req.addr = decodeSockaddr(this.u8, this.dv, addr, addrlen);
        }
        break;
    }
    req.result = res;
    if (data >= 0) this.arena.free(data);
    if (addr >= 0) this.arena.free(addr);
    this.slotData[t] = -1;
    this.slotAddr[t] = -1;
    this.slotReq[t] = null;
    this.freeSlots[this.freeTop++] = t;
    req.token = -1;
    this.pushReady(req);
  }

  /**
   * Hands a request to the shim: a slot, arena blocks, one submission entry.
   * False when a slot or memory is missing (the request waits); true when it
   * was submitted or failed at once.
   */
  private start(req: IoRequest, type: number): boolean {
    if (this.freeTop === 0) return false;
    if (this.shim.queuedCount >= this.shim.sqEntries) this.flush();
    const arena = this.arena;
    let data = -1;
    let len = 0;
    let addr = -1;
    let addrLen = 0;
    const op = req.op;
    // A stream receive (not MSG_WAITALL, which goes on in its own block)
    // takes its bytes from the receive pool: no memory while it waits.
    const pool = op === IoOp.RECV && type === SOCK_STREAM && this.poolEnd > this.poolStart && (req.flags & MsgFlag.WAITALL) === 0;
    if (op === IoOp.RECV || op === IoOp.SEND || op === IoOp.RECVFROM || op === IoOp.SENDTO) {
      const want = req.buf === null ? req.size : req.buf.length;
      len = want < this.maxIo ? want : this.maxIo;
      if (pool) {
        const room = this.poolEnd - this.poolStart;
        if (len > room) len = room;
      } else if (len > 0) {
        // A stream transfer may move fewer bytes: it takes at most half of
        // the free memory (see the top of the file), and a smaller block
        // rather than none.
        const stream = type === SOCK_STREAM && (op === IoOp.RECV || op === IoOp.SEND);
        if (stream) {
          const half = arena.available >>> 1;
          if (half < MIN_BLOCK) return false;
          const limit = 1 << (31 - Math.clz32(half));
          if (len > limit) len = limit;
        }
        data = arena.alloc(len, stream);
        if (data < 0) return false;
        if (arena.lastSize < len) len = arena.lastSize;
      }
    }
    if (op === IoOp.ACCEPT || op === IoOp.CONNECT || op === IoOp.RECVFROM || op === IoOp.SENDTO) {
      addr = arena.alloc(SOCKADDR_MAX);
      if (addr < 0) {
        if (data >= 0) arena.free(data);
        return false;
      }
      addrLen = SOCKADDR_MAX;
      if (op === IoOp.CONNECT || op === IoOp.SENDTO) {
        addrLen = encodeSockaddr(req.addr, this.u8, this.dv, addr);
        if (addrLen < 0) {
          if (data >= 0) arena.free(data);
          arena.free(addr);
          this.fail(req, addrLen);
          return true;
        }
      }
    }
    if (data >= 0 && (op === IoOp.SEND || op === IoOp.SENDTO)) this.copyIn(req.buf as Uint8Array, len, data);
    const t = this.freeSlots[--this.freeTop]!;
    const gen = (this.slotGen[t]! + 1) >>> 0;
    this.slotGen[t] = gen;
    this.slotReq[t] = req;
    this.slotData[t] = data;
    this.slotAddr[t] = addr;
    this.slotCancelled[t] = 0;
    this.slotLen[t] = len;
    this.slotOwn[t] = req.buf === null && (op === IoOp.RECV || op === IoOp.RECVFROM) ? 1 : 0;
    this.slotPool[t] = pool ? 1 : 0;
    this.slotAcc[t] = op === IoOp.RECV && type === SOCK_STREAM && (req.flags & MsgFlag.WAITALL) !== 0 && len > 0 ? 0 : -1;
    req.token = t;
    const s = this.sqe;
    // IoOp codes are the shim's Op codes (backend.ts mirrors backend.h).
    s.op = op;
    s.fd = req.handle;
    s.token = t;
    s.gen = gen;
    s.msgFlags = 0;
    s.arg0 = 0;
    s.arg1 = 0;
    s.flags = pool ? SQE_POOL : 0;
    if (op === IoOp.ACCEPT || op === IoOp.CONNECT) {
      s.off = addr;
      s.len = addrLen;
    } else {
      s.off = data < 0 ? 0 : data;
      s.len = len;
      if (op !== IoOp.POLL_IN && op !== IoOp.POLL_OUT) s.msgFlags = msgFlags(req.flags);
      if (addr >= 0) {
        s.arg0 = addr;
        s.arg1 = addrLen;
      }
    }
    this.shim.submit(s);
    return true;
  }

  /**
   * Starts waiting requests, oldest first, while resources allow, skipping
   * those behind a request of the same socket and direction that could not
   * start. Says whether any started.
   */
  private admit(): boolean {
    let any = false;
    const keep: IoRequest[] = [];
    const stuck = new Set<number>();
    for (const req of this.waiting) {
      const key = waitKey(req);
      const type = this.open.get(req.handle);
      // close() takes the requests of its handle out of the queue.
      if (type === 0) throw new Error('epoll backend: a waiting request outlived its handle');
      if (this.freeTop === 0 || stuck.has(key) || !this.start(req, type)) {
        stuck.add(key);
        keep.push(req);
      } else {
        this.unwait(req);
        any = true;
      }
    }
    this.waiting = keep;
    return any;
  }

  private unwait(req: IoRequest): void {
    const key = waitKey(req);
    const n = this.waitingOn.get(key)!;
    if (n > 1) this.waitingOn.set(key, n - 1);
    else this.waitingOn.delete(key);
  }

  /** Queues CLOSE or CANCEL under a reserved token. */
  private control(op: number, fd: number, token: number, arg0: number, arg1: number): void {
    if (this.destroyed) return;
    this.noteActivity();
    if (this.shim.queuedCount >= this.shim.sqEntries) this.flush();
    const s = this.sqe;
    s.op = op;
    s.fd = fd;
    s.token = token;
    s.gen = 0;
    s.off = 0;
    s.len = 0;
    s.arg0 = arg0;
    s.arg1 = arg1;
    s.msgFlags = 0;
    s.flags = 0;
    this.shim.submit(s);
  }

  /**
   * Runs the batch now: when the submission array is full (rare: more than
   * sqEntries operations in one round) and for close(). Its completions are
   * delivered by the next poll(), like every other.
   */
  private flush(): void {
    this.reap(this.shim.enter(0));
  }

  /** Completes a request that never reached the shim (an error, or a zero-length recv); delivered by the next poll(). */
  private fail(req: IoRequest, res: number): void {
    if (req.buf === null && (req.op === IoOp.RECV || req.op === IoOp.RECVFROM)) req.buf = EMPTY;
    req.result = res;
    req.token = -1;
    this.pushReady(req);
  }

  private pushReady(req: IoRequest): void {
    if (this.readyLen === this.ready.length) this.ready.push(req);
    else this.ready[this.readyLen] = req;
    this.readyLen++;
  }

  /** Calls done() of every finished request (including any finished meanwhile by a done() that submits). */
  private deliver(): number {
    let i = 0;
    for (; i < this.readyLen; i++) {
      const req = this.ready[i]!;
      this.ready[i] = null;
      this.inflight--;
      req.done(req);
    }
    this.readyLen = 0;
    return i;
  }

  /**
   * After the current run of JS (the scheduler's rounds) is over: start a
   * round if submissions were left unflushed (a round that main's turn cut
   * short, a call made outside the scheduler), and keep the watch ref'd
   * exactly while requests are pending. One microtask per scheduler turn.
   */
  private noteActivity(): void {
    if (this.settleQueued) return;
    this.settleQueued = true;
    queueMicrotask(this.settle);
  }

  private readonly settle = (): void => {
    this.settleQueued = false;
    if (this.destroyed) return;
    if (this.shim.queuedCount > 0 || this.readyLen > 0 || this.shim.deferredCount > 0) this.wake();
    if (this.destroyed) return;
    const want = this.inflight > 0;
    if (want !== this.refd) {
      this.refd = want;
      this.shim.ref(want);
    }
  };

  private sync(op: number, fd: number, off: number, len: number, arg0: number, arg1: number): number {
    const s = this.sqe;
    s.op = op;
    s.fd = fd;
    s.token = 0;
    s.gen = 0;
    s.off = off;
    s.len = len;
    s.arg0 = arg0;
    s.arg1 = arg1;
    s.msgFlags = 0;
    s.flags = 0;
    return this.shim.sync(s);
  }

  private name_(op: number, handle: number): SockAddr | number {
    if (!this.open.has(handle)) return -EBADF;
    const r = this.sync(op, handle, 0, SOCKADDR_MAX, 0, 0);
    if (r < 0) return r;
    const a = decodeSockaddr(this.u8, this.dv, 0, r);
    // Our sockets are inet, inet6 or unix: any other answer is a broken kernel or shim.
    if (a === null) throw new Error(`epoll backend: ${op === Op.GETSOCKNAME ? 'getsockname' : 'getpeername'} gave no address we know (${r} bytes)`);
    return a;
  }

  private copyIn(src: Uint8Array, len: number, off: number): void {
    if (len <= 32) {
      const u8 = this.u8;
      for (let i = 0; i < len; i++) u8[off + i] = src[i]!;
    } else {
      this.u8.set(len === src.length ? src : src.subarray(0, len), off);
    }
  }

  private copyOut(off: number, dst: Uint8Array, at: number, len: number): void {
    if (len <= 32) {
      const u8 = this.u8;
      for (let i = 0; i < len; i++) dst[at + i] = u8[off + i]!;
    } else {
      dst.set(this.u8.subarray(off, off + len), at);
    }
  }
}
