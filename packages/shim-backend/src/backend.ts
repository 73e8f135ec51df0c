/**
 * The runtime's IoBackend contract over any native shim that speaks the ABI
 * of native/backend.h (epoll today; kqueue, io_uring and IOCP shims speak the
 * same ABI, so this one class serves them all).
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
 * - A request that does not wait (MsgFlag.DONTWAIT) never waits here
 *   either: the shim tries it once (SQE_NOWAIT) and where it would park, or
 *   where it would have to wait for a slot or memory, it completes with
 *   -EAGAIN. Its send goes at once from the caller's buffer (sendNow): the
 *   kernel is offered every byte, not a transfer's worth, and no arena
 *   block is needed.
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
 * - Node's loop runs a round (the `wake` function) when the shim says it
 *   has work (for epoll: its fd is readable, through a libuv poll watch),
 *   and is kept alive by the shim's watch only while requests are pending.
 */
import { constants } from 'node:os';
import { getOptionVia, IoOp, IoRequest, MsgFlag, recvLength, rightsHandles, setOptionVia, type Family, type IoBackend, type IoBackendStats, type SockAddr, type SocketKind, type SockOptCode } from '@stackless-io/runtime';
import { CQE_TRUNC, MSG_NAME_BYTES, Op, SQE_NOWAIT, SQE_POOL, type Submission } from './abi.js';
import { copyIn, copyOut } from './arena-copy.js';
import { BuddyArena, MIN_BLOCK } from './arena.js';
import { controlLength, decodeControl, encodeControl } from './cmsg.js';
import { Deliveries } from './deliveries.js';
import { FdTable } from './fd-table.js';
import { msgFlags, SOCK_STREAM } from './linux.js';
import { LoopWatch } from './loop-watch.js';
import { shimSizes, SCRATCH, type ShimBackendOptions } from './options.js';
import { checkRequest, MESSAGE, VALID } from './request-check.js';
import { Shim } from './shim.js';
import { SlotTable } from './slot-table.js';
import { decodeSockaddr, encodeSockaddr, SOCKADDR_MAX } from './sockaddr.js';
import { SyncCalls } from './sync-calls.js';
import { WAITING, WaitQueue } from './wait-queue.js';

/** The backend's options, from options.ts: exported here too, as they always were (index.ts takes them from here). */
export type { ShimBackendOptions } from './options.js';

const { EAGAIN, EBADF, ECANCELED, ENOBUFS } = constants.errno;

/** MSG_TRUNC in the kernel's msg_flags (a RECVMSG completion carries them). */
const MSG_TRUNC = 0x20;
/** The most control room a RECVMSG block gets: far above what Linux sends (SCM_MAX_FD is 253 descriptors). */
const RECVMSG_CONTROL_MAX = 0x10000;

/** The buffer of a receive that ends with nothing (EOF, an error) when the backend allocates. */
const EMPTY: Buffer = Buffer.alloc(0);

/** What the backend's arena holds, for tests and diagnostics. */
export interface ShimMemoryStats {
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
 * An IO backend over one instance of a native shim, given the path of its
 * shared library. Backend packages subclass it with their library (e.g.
 * io-epoll's EpollBackend); its name is the one the shim reports.
 *
 * @example
 * ```ts
 * import { installBackend } from '@stackless-io/runtime';
 * import { wakeFromLoop } from '@stackless-io/runtime/internal';
 * import { ShimBackend } from '@stackless-io/shim-backend';
 * installBackend(new ShimBackend(wakeFromLoop, '/path/to/sio_epoll.so', { arenaBytes: 16 << 20 }));
 * ```
 */
export class ShimBackend implements IoBackend {
  /** The shim's own name ("epoll", "kqueue", ...). */
  readonly name: string;
  /** The shim (exposed for tests and diagnostics). */
  readonly shim: Shim;
  private readonly wake: () => void;
  /** The watch through which Node's loop calls `wake`. */
  private readonly watch: LoopWatch;
  private readonly arena: BuddyArena;
  private readonly u8: Uint8Array;
  private readonly dv: DataView;
  private readonly maxIo: number;
  /** The receive pool's range of the arena: [poolStart, poolEnd). */
  private readonly poolStart: number;
  private readonly poolEnd: number;

  /** Open handles (fds) and their SOCK_* type. */
  private readonly open = new FdTable();
  /** The setup calls, made at once through sio_sync. */
  private readonly setup: SyncCalls;
  /** One slot per request handed to the shim. Token = slot index. */
  private readonly slots: SlotTable;
  /** Slots whose MSG_WAITALL receive goes on (found while reaping). */
  private readonly again: number[] = [];
  /** Requests waiting for a slot or arena memory. */
  private readonly waiting = new WaitQueue();
  /** Pending requests, and the finished ones the next poll() delivers. */
  private readonly deliveries = new Deliveries();

  private destroyed = false;
  /** The shim accepts at once through sio_sync (optional in backend.h; asked once). */
  private readonly acceptAtOnce: boolean;
  /**
   * The number of the batch being written (the entries enter() has not yet
   * handed to the shim); FdTable.markQueued records it per socket, so a
   * request made at once (a send that does not wait, tryNow's accept)
   * knows whether a send or connect of its socket, or an accept of its
   * listener, still sits in the batch. Never 0 (the table's "none").
   */
  private batch = 1;
  /** Completions dropped because their generation was stale (should stay 0). */
  stale = 0;
  /**
   * IoBackend.sethostname: the kernel's answer through the shim's
   * sio_sethostname; left undefined (the contract's "not provided") where
   * the library does not export it.
   */
  readonly sethostname?: (name: Uint8Array) => number;

  /** The one submission object, rewritten for every entry (no allocation per operation). */
  private readonly sqe: Required<Submission> = { op: 0, token: 0, gen: 0, fd: 0, off: 0, len: 0, arg0: 0, arg1: 0, msgFlags: 0, flags: 0 };

  constructor(wake: () => void, library: string, options: ShimBackendOptions = {}) {
    const sizes = shimSizes(options);
    const pool = sizes.pool;
    this.shim = Shim.open(library, sizes.shim);
    this.name = this.shim.backendName;
    try {
      const arena = this.shim.arena;
      this.u8 = arena;
      this.dv = new DataView(arena.buffer, arena.byteOffset, arena.byteLength);
      if (SCRATCH + pool > arena.length) throw new RangeError('arenaBytes leaves no room for the receive pool');
      this.arena = new BuddyArena(arena, SCRATCH + pool, sizes.maxIo);
      this.maxIo = sizes.maxIo;
      this.poolStart = SCRATCH;
      this.poolEnd = SCRATCH + pool;
      this.setup = new SyncCalls(this.shim, this.open, this.u8, this.dv);
      this.acceptAtOnce = this.setup.acceptsAtOnce();
      if (this.shim.hasSethostname) {
        const shim = this.shim;
        this.sethostname = (name: Uint8Array): number => shim.sethostname(name);
      }
      if (pool > 0 && this.setup.sync(Op.SET_POOL, 0, SCRATCH, pool, 0, 0) !== 0) throw new Error(`${this.name} backend: the shim refused the receive pool`);
      this.slots = new SlotTable(this.shim.maxOps);
      this.wake = wake;
      this.watch = new LoopWatch(this.shim, wake, this.settle);
    } catch (e) {
      this.shim.close();
      throw e;
    }
  }

  // ---- setup calls: at once, through sio_sync (sync-calls.ts) ------------

  socket(family: Family, kind: SocketKind, protocol: number): number {
    return this.destroyed ? -EBADF : this.setup.socket(family, kind, protocol);
  }

  bind(handle: number, addr: SockAddr): number {
    return this.setup.bind(handle, addr);
  }

  listen(handle: number, backlog: number): number {
    return this.setup.listen(handle, backlog);
  }

  shutdown(handle: number, how: 0 | 1 | 2): number {
    return this.setup.shutdown(handle, how);
  }

  getsockname(handle: number): SockAddr | number {
    return this.setup.name(Op.GETSOCKNAME, handle);
  }

  getpeername(handle: number): SockAddr | number {
    return this.setup.name(Op.GETPEERNAME, handle);
  }

  dup(handle: number): number {
    return this.setup.dup(handle);
  }

  socketpair(family: Family, kind: SocketKind, protocol: number): [number, number] | number {
    return this.setup.socketpair(family, kind, protocol);
  }

  getInheritable(handle: number): number {
    return this.setup.getInheritable(handle);
  }

  setInheritable(handle: number, inheritable: boolean): number {
    return this.setup.setInheritable(handle, inheritable);
  }

  setOption(handle: number, option: SockOptCode, value: number): number {
    return setOptionVia(this, handle, option, value);
  }

  getOption(handle: number, option: SockOptCode): ReturnType<IoBackend['getOption']> {
    return getOptionVia(this, handle, option);
  }

  setsockopt(handle: number, level: number, name: number, value: number | Uint8Array): number {
    return this.setup.setsockopt(handle, level, name, value);
  }

  getsockopt(handle: number, level: number, name: number, buflen: number): ReturnType<IoBackend['getsockopt']> {
    return this.setup.getsockopt(handle, level, name, buflen);
  }

  close(handle: number): number {
    if (!this.open.delete(handle)) return -EBADF;
    // Requests still waiting for memory never reached the shim: they end
    // here, so that none of them starts later on a reused fd number.
    if (this.waiting.length > 0) for (const r of this.waiting.removeHandle(handle)) this.fail(r, -EBADF);
    // CLOSE is not a sync operation (it completes what is parked on the fd),
    // so the batch runs now, with the entries queued before it: the fd must
    // be gone when close() returns (a bind to the same port right after it
    // must work, a peer must see the FIN). Its completions (-EBADF for what
    // was parked on the fd) are delivered by the next poll(), as always.
    this.control(Op.CLOSE, handle, this.slots.closeToken, 0, 0);
    this.flush();
    return 0;
  }

  // ---- operations that may wait -----------------------------------------

  submit(req: IoRequest): void {
    if (this.destroyed) return;
    this.deliveries.pending++;
    this.watch.note();
    req.result = 0;
    req.truncated = false;
    const type = this.open.get(req.handle);
    if (type === 0) return this.fail(req, -EBADF);
    const check = checkRequest(req, type, this.maxIo);
    if (check !== VALID) return check === MESSAGE ? this.submitMessage(req) : this.fail(req, check);
    if ((req.flags & MsgFlag.DONTWAIT) !== 0) return this.tryOnce(req, type);
    if (this.waiting.mustWait(req) || !this.start(req, type)) this.waiting.add(req);
  }

  /**
   * A request that does not wait: -EAGAIN where it would wait behind a
   * request of its socket and direction, or for a slot or memory; a send
   * at once through sendNow(); anything else through the shim with
   * SQE_NOWAIT. Its completion, as always, comes with the next poll().
   */
  private tryOnce(req: IoRequest, type: number): void {
    if (this.waiting.mustWait(req)) return this.fail(req, -EAGAIN);
    const op = req.op;
    if (op === IoOp.SEND || op === IoOp.SENDTO) return this.fail(req, this.sendNow(req));
    if (!this.start(req, type)) this.fail(req, -EAGAIN);
  }

  /** A SEND or SENDTO made at once from the caller's buffer: the kernel's take, or -errno. */
  private sendNow(req: IoRequest): number {
    // A send or connect of the same socket still in this round's batch
    // goes first (the shim keeps their order): the batch is handed over
    // now, and only then (other sockets' entries wait for the round).
    if (this.open.queuedIn(req.handle, this.batch)) this.flush();
    let addrLen = 0;
    if (req.op === IoOp.SENDTO) {
      // The address goes in the scratch bytes, as for the setup calls (the
      // call is synchronous too, so nothing else uses them meanwhile).
      addrLen = encodeSockaddr(req.addr, this.u8, this.dv, 0);
      if (addrLen < 0) return addrLen;
    }
    return this.shim.sendNow(req.handle, req.buf as Uint8Array, msgFlags(req.flags), 0, addrLen);
  }

  /**
   * IoBackend.tryNow: an ACCEPT is tried at once through sio_sync (one FFI
   * call, the accept4 itself; no ring round), so a tasklet accepting in a
   * loop drains the listener's queue in one step. False (nothing done) for
   * every other operation, when the shim cannot accept at once, when a
   * request of the listener waits here or sits in this round's batch (it
   * goes first), and when no connection is queued for a request that may
   * wait (it is submitted and waits; one that does not wait gets -EAGAIN).
   *
   * Sends are not tried at once, on purpose: at 1,000 echo connections a
   * send made in the tasklet's own step (one FFI call and one system call
   * between pieces of JS, though it saves a completion and a wake-up)
   * served fewer requests per second and cost more CPU per request than
   * the same send made in the round's batch, where the system calls run
   * back to back in sio_enter and the JS runs back to back between them
   * (measured in two sessions: bench/RESULTS.md, "Sends at once").
   */
  tryNow(req: IoRequest): boolean {
    if (req.op !== IoOp.ACCEPT || !this.acceptAtOnce || this.destroyed) return false;
    const type = this.open.get(req.handle);
    if (type === 0 || this.waiting.mustWait(req)) return false;
    // An ACCEPT of this listener in the batch not yet handed over: the
    // shim must see it first. Only then: the batch of a busy round holds
    // receives and sends, which the round's own enter carries.
    if (this.open.queuedIn(req.handle, this.batch)) this.flush();
    const fd = this.setup.acceptNow(req.handle, type);
    // Nothing queued: a request that may wait is submitted to wait; one that
    // does not wait has its answer (submit() would give the same -EAGAIN).
    if (fd === -EAGAIN && (req.flags & MsgFlag.DONTWAIT) === 0) return false;
    req.result = fd;
    req.truncated = false;
    req.addr = fd >= 0 ? this.setup.acceptedPeer() : null;
    return true;
  }

  cancel(req: IoRequest): void {
    const t = req.token;
    if (t >= 0) {
      const slots = this.slots;
      if (slots.req[t] !== req || slots.cancelled[t] !== 0) return;
      slots.cancelled[t] = 1;
      this.control(Op.CANCEL, 0, slots.cancelToken, t, slots.gen[t]!);
    } else if (t === WAITING) {
      if (this.waiting.remove(req)) this.fail(req, -ECANCELED);
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
    if (this.deliveries.readyLen > 0 || this.shim.queuedCount > 0 || this.shim.deferredCount > 0) t = 0;
    return this.round(t);
  }

  pending(): number {
    return this.deliveries.pending;
  }

  stats(): IoBackendStats {
    return { handles: this.open.size, pending: this.deliveries.pending };
  }

  /** The arena's state: `inUse` is 0 when no transfer holds memory. */
  memory(): ShimMemoryStats {
    return { inUse: this.arena.inUse, blocks: this.arena.blocks, capacity: this.arena.capacity, waiting: this.waiting.length };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    // Unwatches, closes every fd and unmaps the region: nothing the kernel
    // still does can reach memory after this.
    this.shim.close();
    this.open.clear();
    this.slots.req.fill(null);
    this.deliveries.clear();
    this.waiting.clear();
  }

  // ---- internals ----------------------------------------------------------

  /** One batch: flush the submissions, reap completions, deliver. */
  private round(timeoutMs: number): number {
    if (this.destroyed) return 0;
    this.reap(this.enter(timeoutMs));
    // Completions released memory and slots: start what waited for them
    // (and reap again, as those may finish at once and free more).
    for (let i = 0; i < 4 && this.waiting.length > 0 && this.waiting.admit(this.open, this.startWaiting); i++) this.reap(this.enter(0));
    const delivered = this.deliveries.deliver();
    if (this.destroyed) return delivered;
    if (this.deliveries.pending > 0) {
      this.watch.ref(true);
    } else if (this.watch.refd) {
      // Dropping the ref waits until the round's tasklets have run: most of
      // the time one of them submits again at once, and unref-then-ref would
      // cost two FFI calls per message for nothing.
      this.watch.note();
    }
    // Receives waiting for pool room are run by the next enter: come back.
    if (this.shim.queuedCount > 0 || this.deliveries.readyLen > 0 || this.shim.deferredCount > 0) this.watch.note();
    return delivered;
  }

  /** Reads n completions: fills in their requests and releases their resources. */
  private reap(n: number): void {
    const shim = this.shim;
    const slots = this.slots;
    const size = slots.size;
    for (let i = 0; i < n; i++) {
      const t = shim.token(i);
      // CLOSE and CANCEL answers: close() already answered its caller, and a
      // cancel's effect is its target's own completion.
      if (t >= size) continue;
      const req = slots.req[t];
      if (req === null || req === undefined || slots.gen[t] !== shim.gen(i)) {
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
    const slots = this.slots;
    const req = slots.req[t]!;
    const left = recvLength(req) - slots.acc[t]!;
    const s = this.sqe;
    s.op = Op.RECV;
    s.fd = req.handle;
    s.token = t;
    s.gen = slots.renew(t);
    s.off = slots.data[t]!;
    s.len = left < slots.len[t]! ? left : slots.len[t]!;
    s.arg0 = 0;
    s.arg1 = 0;
    s.msgFlags = msgFlags(req.flags);
    s.flags = 0;
    this.shim.submit(s);
  }

  private complete(t: number, req: IoRequest, res: number, flags: number, addrlen: number, off: number): void {
    const slots = this.slots;
    const data = slots.data[t]!;
    const addr = slots.addr[t]!;
    switch (req.op) {
      case IoOp.RECV:
      case IoOp.RECVFROM: {
        const acc = slots.acc[t]!;
        const own = slots.own[t] !== 0;
        const pool = slots.pool[t] !== 0;
        if (res > 0) {
          // The bytes are in the request's arena block, or in the receive pool at `off`.
          const src = pool ? off : data;
          const bad = pool ? off < this.poolStart || off + res > this.poolEnd : data < 0;
          if (bad || res > slots.len[t]!) throw new Error(`${this.name} backend: recv returned ${res} bytes for a buffer of ${slots.len[t]} (at ${src})`);
          // An allocating receive gets its buffer now, at the size that
          // arrived (a MSG_WAITALL one at its full size, at its first data).
          const buf = req.buf ?? (req.buf = Buffer.allocUnsafe(acc >= 0 ? req.size : res));
          copyOut(this.u8, src, buf, acc > 0 ? acc : 0, res);
          if (acc >= 0) {
            const total = acc + res;
            if (total < buf.length && slots.cancelled[t] === 0) {
              slots.acc[t] = total;
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
        // Nothing arrived, or a MSG_WAITALL receive ended short.
        if (own && (req.buf === null || res <= 0)) req.buf = EMPTY;
        else if (own && req.buf!.length !== res) req.buf = req.buf!.subarray(0, res);
        break;
      }
      case IoOp.RECVMSG:
        this.messageReceived(t, req, res, flags, addrlen, off);
        break;
      case IoOp.ACCEPT:
        if (res >= 0) {
          // The accepted socket is of the listener's kind (stream or seqpacket);
          // a listener closed meanwhile leaves no record, and stream is the usual one.
          this.open.set(res, this.open.get(req.handle) || SOCK_STREAM);
          req.addr = decodeSockaddr(this.u8, this.dv, addr, addrlen);
        }
        break;
    }
    req.result = res;
    if (data >= 0) this.arena.free(data);
    if (addr >= 0) this.arena.free(addr);
    slots.release(t);
    req.token = -1;
    this.deliveries.push(req);
  }

  /**
   * Hands a request to the shim: a slot, arena blocks, one submission entry.
   * False when a slot or memory is missing (the request waits); true when it
   * was submitted or failed at once.
   */
  private start(req: IoRequest, type: number): boolean {
    const slots = this.slots;
    if (slots.full) return false;
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
    if (data >= 0 && (op === IoOp.SEND || op === IoOp.SENDTO)) copyIn(this.u8, req.buf as Uint8Array, len, data);
    const t = slots.take(req);
    slots.data[t] = data;
    slots.addr[t] = addr;
    slots.len[t] = len;
    slots.own[t] = req.buf === null && (op === IoOp.RECV || op === IoOp.RECVFROM) ? 1 : 0;
    slots.pool[t] = pool ? 1 : 0;
    // MSG_WAITALL goes on until the buffer is full, unless the caller does
    // not wait: then, as the kernel's MSG_DONTWAIT, what is there.
    const nowait = (req.flags & MsgFlag.DONTWAIT) !== 0;
    slots.acc[t] = op === IoOp.RECV && type === SOCK_STREAM && (req.flags & MsgFlag.WAITALL) !== 0 && !nowait && len > 0 ? 0 : -1;
    req.token = t;
    const s = this.sqe;
    // IoOp codes are the shim's Op codes (backend.ts mirrors backend.h).
    s.op = op;
    s.fd = req.handle;
    s.token = t;
    s.gen = slots.gen[t]!;
    s.msgFlags = 0;
    s.arg0 = 0;
    s.arg1 = 0;
    s.flags = (pool ? SQE_POOL : 0) | (nowait ? SQE_NOWAIT : 0);
    if (op === IoOp.ACCEPT || op === IoOp.CONNECT) {
      s.off = addr;
      s.len = addrLen;
    } else if (op === IoOp.SENDFILE) {
      // No arena memory: the file descriptor, and the 64-bit offset split
      // over off (high word) and arg1 (low word) (native/backend.h, "Sendfile").
      s.off = Math.floor(req.offset / 0x100000000);
      s.len = req.size < this.maxIo ? req.size : this.maxIo;
      s.arg0 = req.fileFd >>> 0;
      s.arg1 = req.offset >>> 0;
    } else {
      s.off = data < 0 ? 0 : data;
      s.len = len;
      if (op !== IoOp.POLL_IN && op !== IoOp.POLL_OUT) s.msgFlags = msgFlags(req.flags);
      if (addr >= 0) {
        s.arg0 = addr;
        s.arg1 = addrLen;
      }
    }
    if (op === IoOp.ACCEPT || op === IoOp.SEND || op === IoOp.SENDTO || op === IoOp.CONNECT || op === IoOp.SENDFILE) this.open.markQueued(req.handle, this.batch);
    this.shim.submit(s);
    return true;
  }

  /**
   * submit() for SENDMSG and RECVMSG, apart from the other requests so that
   * their path is the same as before messages existed: it waits (or, not
   * waiting, answers -EAGAIN) behind requests of its socket and direction,
   * and for a slot or memory.
   */
  private submitMessage(req: IoRequest): void {
    const nowait = (req.flags & MsgFlag.DONTWAIT) !== 0;
    if (this.waiting.mustWait(req) || !this.startMessage(req)) {
      if (nowait) this.fail(req, -EAGAIN);
      else this.waiting.add(req);
    }
  }

  /**
   * start() for SENDMSG and RECVMSG: a data block, and a message block of
   * the address and the control buffer (built here, read back in
   * messageReceived(); the shim passes it through). False when a slot or
   * memory is missing.
   */
  private startMessage(req: IoRequest): boolean {
    if (this.slots.full) return false;
    if (this.shim.queuedCount >= this.shim.sqEntries) this.flush();
    const arena = this.arena;
    const send = req.op === IoOp.SENDMSG;
    const items = send ? (req.ancillary ?? []) : null;
    const ctl = items !== null ? controlLength(items) : Math.min(req.ancSize, RECVMSG_CONTROL_MAX);
    // More than the kernel's option memory (optmem_max) takes: its ENOBUFS,
    // said before a block that might never come is awaited.
    if (MSG_NAME_BYTES + ctl > this.maxIo || ctl > 0xffffff) {
      this.fail(req, -ENOBUFS);
      return true;
    }
    const want = req.buf === null ? req.size : req.buf.length;
    const len = want < this.maxIo ? want : this.maxIo;
    let data = -1;
    if (len > 0) {
      data = arena.alloc(len);
      if (data < 0) return false;
    }
    const block = arena.alloc(MSG_NAME_BYTES + ctl);
    if (block < 0) {
      if (data >= 0) arena.free(data);
      return false;
    }
    let nameLen = 0;
    if (send) {
      if (req.addr !== null) {
        nameLen = encodeSockaddr(req.addr, this.u8, this.dv, block);
        if (nameLen < 0) {
          if (data >= 0) arena.free(data);
          arena.free(block);
          this.fail(req, nameLen);
          return true;
        }
      }
      encodeControl(items!, this.u8, this.dv, block + MSG_NAME_BYTES);
      if (data >= 0) copyIn(this.u8, req.buf as Uint8Array, len, data);
    }
    const slots = this.slots;
    const t = slots.take(req);
    slots.data[t] = data;
    slots.addr[t] = block;
    slots.len[t] = len;
    slots.own[t] = req.buf === null && !send ? 1 : 0;
    slots.pool[t] = 0;
    slots.acc[t] = -1;
    req.token = t;
    const s = this.sqe;
    s.op = req.op;
    s.fd = req.handle;
    s.token = t;
    s.gen = slots.gen[t]!;
    s.off = data < 0 ? 0 : data;
    s.len = len;
    s.msgFlags = msgFlags(req.flags);
    s.arg0 = block;
    s.arg1 = ((send ? nameLen : MSG_NAME_BYTES) << 24 | ctl) >>> 0;
    s.flags = (req.flags & MsgFlag.DONTWAIT) !== 0 ? SQE_NOWAIT : 0;
    if (send) this.open.markQueued(req.handle, this.batch);
    this.shim.submit(s);
    return true;
  }

  /**
   * A RECVMSG's results: the bytes (into the caller's buffer, or a new one
   * of the size received), the kernel's flags, the sender and the ancillary
   * items; descriptors received are handles of this backend
   * from now on (the shim has adopted them).
   */
  private messageReceived(t: number, req: IoRequest, res: number, flags: number, addrlen: number, ctl: number): void {
    const slots = this.slots;
    const data = slots.data[t]!;
    const block = slots.addr[t]!;
    const own = slots.own[t] !== 0;
    if (res > 0) {
      if (data < 0 || res > slots.len[t]!) throw new Error(`${this.name} backend: recvmsg returned ${res} bytes for a buffer of ${slots.len[t]} (at ${data})`);
      copyOut(this.u8, data, req.buf ?? (req.buf = Buffer.allocUnsafe(res)), 0, res);
    }
    if (own && (req.buf === null || res <= 0)) req.buf = EMPTY;
    if (res < 0) {
      req.msgFlags = 0;
      req.truncated = false;
      req.ancillary = [];
      req.addr = null;
      return;
    }
    req.msgFlags = flags;
    req.truncated = (flags & MSG_TRUNC) !== 0;
    req.addr = decodeSockaddr(this.u8, this.dv, block, addrlen);
    req.ancillary = decodeControl(this.u8, this.dv, block + MSG_NAME_BYTES, ctl);
    for (const fd of rightsHandles(req.ancillary)) if (fd >= 0) this.setup.adoptReceived(fd);
  }

  /** start() for WaitQueue.admit(), made once. */
  private readonly startWaiting = (req: IoRequest, type: number): boolean =>
    req.op === IoOp.SENDMSG || req.op === IoOp.RECVMSG ? this.startMessage(req) : this.start(req, type);

  /** Queues CLOSE or CANCEL under a reserved token. */
  private control(op: number, fd: number, token: number, arg0: number, arg1: number): void {
    if (this.destroyed) return;
    this.watch.note();
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
    this.reap(this.enter(0));
  }

  /** Hands the batch to the shim (sio_enter). */
  private enter(timeoutMs: number): number {
    // The entries written so far are the shim's from now on.
    this.batch = this.batch === 0xffffffff ? 1 : this.batch + 1;
    return this.shim.enter(timeoutMs);
  }

  /** Completes a request that never reached the shim (an error, a zero-length recv, a send made at once); delivered by the next poll(). */
  private fail(req: IoRequest, res: number): void {
    if (req.buf === null && (req.op === IoOp.RECV || req.op === IoOp.RECVFROM || req.op === IoOp.RECVMSG)) req.buf = EMPTY;
    req.result = res;
    req.token = -1;
    this.deliveries.push(req);
  }

  /**
   * After the current run of JS (the scheduler's rounds) is over: start a
   * round if submissions were left unflushed (a round that main's turn cut
   * short, a call made outside the scheduler), and keep the watch ref'd
   * exactly while requests are pending. One microtask per scheduler turn.
   */
  private readonly settle = (): void => {
    if (this.destroyed) return;
    if (this.shim.queuedCount > 0 || this.deliveries.readyLen > 0 || this.shim.deferredCount > 0) this.wake();
    if (this.destroyed) return;
    this.watch.ref(this.deliveries.pending > 0);
  };
}
