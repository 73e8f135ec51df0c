/**
 * Loads a native shim (a shared library speaking native/backend.h's ABI,
 * such as io-epoll's sio_epoll.so) with koffi and gives typed access
 * to its shared memory: the submission array, the completion array and the
 * IO buffer arena, all views of one region the shim owns (koffi.view), so
 * nothing is copied or marshalled per operation. No scheduler here: this is
 * the raw, batched contract of native/backend.h.
 */
import { existsSync } from 'node:fs';
import { constants, endianness } from 'node:os';
import koffi, { type TypeObject } from 'koffi';
import {
  ABI_VERSION,
  CQE_SIZE,
  type Completion,
  HEADER_SIZE,
  Header,
  MAGIC,
  SQE_SIZE,
  type Submission,
  type WatchModeValue,
} from './abi.js';
import { libraryFileProblem } from './library-file.js';

/** Sizes of a shim instance. */
export interface ShimOptions {
  /** Submissions per enter() (1..65536). Default 256. */
  sqEntries?: number;
  /** Operations that may be parked at once; tokens are below this (1..2^20). Default 4096. */
  maxOps?: number;
  /** Bytes of IO buffer arena (0..2^30). Default 4 MiB. */
  arenaBytes?: number;
}

/** Counters the shim publishes after every call, for leak checks. */
export interface ShimStats {
  /** Operations waiting for readiness. */
  opsParked: number;
  /** fds the shim created and has not closed. */
  fdsOpen: number;
  /** Registrations with the kernel's poller: fds in the epoll set; for io_uring, readiness polls alive in the ring. */
  fdsRegistered: number;
  /** Sockets whose pool receives wait for room in the pool. */
  fdsDeferred: number;
}

/** An error of the shim's setup or of a misuse of this wrapper. */
export class ShimError extends Error {
  constructor(
    message: string,
    /** The errno, positive, when there is one. */
    readonly errno?: number,
  ) {
    super(message);
    this.name = 'ShimError';
  }
}

interface Native {
  abiVersion(): number;
  backendName(): string;
  create(sq: number, maxOps: number, arena: number): number;
  destroy(h: number): number;
  region(h: number, len: number[]): unknown;
  enter(h: number, n: number, timeoutMs: number): number;
  sync(h: number): number;
  send(h: number, fd: number, buf: Uint8Array, len: number, msgFlags: number, addrOff: number, addrLen: number): number;
  wake(h: number): number;
  watch(h: number, mode: number, cb: unknown): number;
  unwatch(h: number): number;
  watchRef(h: number, ref: number): number;
  /** sio_sethostname, or null where the library leaves it out (optional in backend.h). */
  sethostname: ((name: Uint8Array, len: number) => number) | null;
  /** sio_foreign_errno, or null where the shim's handles are not descriptors (optional in backend.h). */
  foreignErrno: ((fd: number) => number) | null;
  readyCb: TypeObject;
}

/** Libraries loaded so far, by path (koffi loads each once per process). */
const loaded = new Map<string, Native>();

/**
 * Loads the library at `path` once per process and checks it is a shim of
 * this ABI. Every way it can be wrong (missing, empty, truncated, built for
 * another CPU, not a library, not a shim, another ABI version) is a
 * ShimError saying which; nothing reaches the dynamic loader that could
 * crash the process instead (see library-file.ts).
 */
function loadNative(path: string): Native {
  const known = loaded.get(path);
  if (known !== undefined) return known;
  // The shared structs are read through native-endian typed arrays.
  if (endianness() !== 'LE') throw new ShimError('the shim ABI assumes a little-endian machine');
  if (!existsSync(path)) throw new ShimError(`${path} is missing`, 2);
  const bad = libraryFileProblem(path);
  if (bad !== null) throw new ShimError(bad);
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(path);
  } catch (e) {
    throw new ShimError(`${path} could not be loaded: ${(e as Error).message}`);
  }
  // Only the version is asked first: a library of another ABI may lack (or
  // have other signatures for) the rest.
  let abiVersion: () => number;
  try {
    abiVersion = lib.func('uint32_t sio_abi_version(void)');
  } catch {
    throw new ShimError(`${path} is not a Stackless IO shim (it exports no sio_abi_version)`);
  }
  const v = abiVersion();
  if (v !== ABI_VERSION) throw new ShimError(`${path} speaks shim ABI ${v}, this @stackless-io/shim-backend speaks ABI ${ABI_VERSION}`);
  try {
    const native = bind(lib, abiVersion);
    loaded.set(path, native);
    return native;
  } catch (e) {
    throw new ShimError(`${path} is an incomplete shim: ${(e as Error).message}`);
  }
}

function bind(lib: ReturnType<typeof koffi.load>, abiVersion: () => number): Native {
  // Anonymous prototype: a named one would clash with other shims' packages.
  const readyCb = koffi.proto('void', ['int32_t']);
  return {
    abiVersion,
    backendName: lib.func('const char *sio_backend_name(void)'),
    create: lib.func('int32_t sio_create(uint32_t sq, uint32_t max_ops, uint32_t arena)'),
    destroy: lib.func('int32_t sio_destroy(int32_t h)'),
    region: lib.func('void *sio_region(int32_t h, _Out_ uint32_t *len)'),
    enter: lib.func('int32_t sio_enter(int32_t h, uint32_t n, int32_t timeout_ms)'),
    sync: lib.func('int32_t sio_sync(int32_t h)'),
    // koffi passes a Uint8Array as a pointer to its bytes (no copy), valid
    // for the duration of the call (sendNow).
    send: lib.func('int32_t sio_send(int32_t h, int32_t fd, const uint8_t *buf, uint32_t len, uint32_t msg_flags, uint32_t addr_off, uint32_t addr_len)'),
    wake: lib.func('int32_t sio_wake(int32_t h)'),
    watch: lib.func('sio_watch', 'int32_t', ['int32_t', 'uint32_t', koffi.pointer(readyCb)]),
    unwatch: lib.func('int32_t sio_unwatch(int32_t h)'),
    watchRef: lib.func('int32_t sio_watch_ref(int32_t h, int32_t ref)'),
    sethostname: optional(() => lib.func('int32_t sio_sethostname(const uint8_t *name, uint32_t len)')),
    foreignErrno: optional(() => lib.func('int32_t sio_foreign_errno(int32_t fd)')),
    readyCb,
  };
}

/** An optional entry point: koffi throws for a symbol the library does not export. */
function optional<F>(bindIt: () => F): F | null {
  try {
    return bindIt();
  } catch {
    return null;
  }
}

/** What a shim library says about itself. */
export interface ShimInfo {
  /** sio_abi_version(): equal to ABI_VERSION once loaded. */
  abiVersion: number;
  /** sio_backend_name(): "epoll", "kqueue", ... */
  backendName: string;
}

/**
 * Loads the shim library at `path` (once per process) and says what it is;
 * throws a ShimError saying what is wrong when it is not a whole shim of
 * this ABI. Creates no instance.
 */
export function probeLibrary(path: string): ShimInfo {
  const native = loadNative(path);
  return { abiVersion: native.abiVersion(), backendName: native.backendName() };
}

/**
 * One instance of a shim: its kernel object (an epoll fd, a kqueue, a
 * ring, a completion port), the sockets it created, and its shared region. Queue submissions with {@link submit}, run one batch with
 * {@link enter}, then read completions 0..n-1 with {@link res} and friends.
 *
 * @example
 * ```ts
 * import { Shim, Op } from '@stackless-io/shim-backend';
 * import { libraryPath } from '@stackless-io/io-epoll';
 * const shim = Shim.open(libraryPath());
 * shim.submit({ op: Op.SOCKET, token: 0, gen: 1, arg0: 2, arg1: 1 }); // AF_INET, SOCK_STREAM
 * const n = shim.enter();
 * const fd = shim.res(0); // >= 0: the new socket
 * shim.submit({ op: Op.CLOSE, token: 0, gen: 2, fd });
 * shim.enter();
 * shim.close();
 * ```
 */
export class Shim {
  /** The shim's integer handle. */
  readonly handle: number;
  /** Capacity of the submission array. */
  readonly sqEntries: number;
  /** Capacity of the completion array (maxOps + sqEntries). */
  readonly cqEntries: number;
  /** Tokens are in [0, maxOps). */
  readonly maxOps: number;
  /** The IO buffer arena; offsets in submissions are offsets into this. */
  arena: Uint8Array;

  private readonly native: Native;
  private hdr: Uint32Array;
  private sq: Uint32Array;
  private cq: Uint32Array;
  private cqRes: Int32Array;
  private queued = 0;
  private callback: unknown = null;

  private constructor(native: Native, handle: number) {
    this.native = native;
    this.handle = handle;
    const len = [0];
    const ptr = native.region(handle, len);
    const region = koffi.view(ptr, len[0]!);
    this.hdr = new Uint32Array(region, 0, HEADER_SIZE / 4);
    if (this.hdr[Header.magic / 4] !== MAGIC) throw new ShimError('shim region has no SIO magic');
    const u32 = (off: number) => this.hdr[off / 4]!;
    this.sqEntries = u32(Header.sqEntries);
    this.cqEntries = u32(Header.cqEntries);
    this.maxOps = u32(Header.maxOps);
    this.sq = new Uint32Array(region, u32(Header.sqOff), (this.sqEntries * SQE_SIZE) / 4);
    this.cq = new Uint32Array(region, u32(Header.cqOff), (this.cqEntries * CQE_SIZE) / 4);
    this.cqRes = new Int32Array(region, u32(Header.cqOff), (this.cqEntries * CQE_SIZE) / 4);
    this.arena = new Uint8Array(region, u32(Header.arenaOff), u32(Header.arenaLen));
  }

  /** Loads the library (once per process) and creates an instance. */
  static open(library: string, options: ShimOptions = {}): Shim {
    const native = loadNative(library);
    const h = native.create(options.sqEntries ?? 256, options.maxOps ?? 4096, options.arenaBytes ?? 4 << 20);
    if (h < 0) throw new ShimError(`sio_create failed: errno ${-h}`, -h);
    return new Shim(native, h);
  }

  /** The shim's name: "epoll", "kqueue", ... */
  get backendName(): string {
    return this.native.backendName();
  }

  /** Submissions queued for the next {@link enter}. */
  get queuedCount(): number {
    return this.queued;
  }

  /** Queues a submission; false when the submission array is full. */
  submit(s: Submission): boolean {
    if (this.queued >= this.sqEntries) return false;
    writeSqe(this.sq, this.queued * (SQE_SIZE / 4), s);
    this.queued++;
    return true;
  }

  /** Queues a submission given as its 8 raw 32-bit words (tests, fuzzing). */
  submitRaw(words: ArrayLike<number>): boolean {
    if (this.queued >= this.sqEntries) return false;
    const w = this.queued * (SQE_SIZE / 4);
    for (let i = 0; i < SQE_SIZE / 4; i++) this.sq[w + i] = (words[i] ?? 0) >>> 0;
    this.queued++;
    return true;
  }

  /**
   * Hands the queued submissions to the shim and collects completions: one
   * FFI call. With timeoutMs != 0 it may block in epoll_wait when nothing
   * completed at once (exclusive mode; -1 waits without limit). Returns the
   * number of completions, readable until the next call.
   */
  enter(timeoutMs = 0): number {
    const n = this.native.enter(this.handle, this.queued, timeoutMs);
    if (n < 0) throw new ShimError(`sio_enter failed: errno ${-n}`, -n);
    this.queued = 0;
    return n;
  }

  /** Token of completion i. */
  token(i: number): number {
    return this.cq[i * CQE_WORDS]!;
  }

  /** Generation of completion i. */
  gen(i: number): number {
    return this.cq[i * CQE_WORDS + 1]!;
  }

  /** Result of completion i: >= 0 value, < 0 -errno. */
  res(i: number): number {
    return this.cqRes[i * CQE_WORDS + 2]!;
  }

  /** CQE_* flags of completion i. */
  flags(i: number): number {
    return this.cq[i * CQE_WORDS + 3]! & 0xffff;
  }

  /** Address bytes written by completion i (ACCEPT, RECVFROM). */
  addrlen(i: number): number {
    return this.cq[i * CQE_WORDS + 3]! >>> 16;
  }

  /** Arena offset of the bytes of completion i, a pool receive (SQE_POOL) with res > 0. */
  off(i: number): number {
    return this.cq[i * CQE_WORDS + 4]!;
  }

  /** Sockets whose pool receives wait for pool room: the next enter() runs them, so call it soon. */
  get deferredCount(): number {
    return this.hdr[Header.fdsDeferred / 4]!;
  }

  /** Completion i as an object (convenient, allocates). */
  completion(i: number): Completion {
    return { token: this.token(i), gen: this.gen(i), res: this.res(i), flags: this.flags(i), addrlen: this.addrlen(i), off: this.off(i) };
  }

  /**
   * Runs a non-parking operation (SOCKET, BIND, LISTEN, SHUTDOWN, GET/SETSOCKOPT,
   * GETSOCKNAME, GETPEERNAME, NOP) at once, outside the batch. Returns res.
   */
  sync(s: Submission): number {
    writeSqe(this.hdr, Header.syncSqe / 4, s);
    return this.native.sync(this.handle);
  }

  /** The address length the last sync() wrote (sync_cqe.addrlen: an ACCEPT at once). */
  get syncAddrlen(): number {
    return this.hdr[Header.syncCqe / 4 + 3]! >>> 16;
  }

  /**
   * A non-blocking send made at once, outside the batch, straight from
   * `data` (no copy, no arena block, no cap but Linux's own): the bytes the
   * kernel took, or -errno (-EAGAIN: no room, or a SEND/SENDTO of fd is
   * parked and goes first). `msgFlags` are MSG_* bits; `addrLen` > 0 sends
   * to the address at arena offset `addrOff`. Submissions still queued for
   * enter() are not seen: flush them first when their order matters.
   */
  sendNow(fd: number, data: Uint8Array, msgFlags = 0, addrOff = 0, addrLen = 0): number {
    // The length passed is the view's own: the shim cannot check it.
    if (!(data instanceof Uint8Array)) throw new TypeError('sendNow() takes a Uint8Array');
    return this.native.send(this.handle, fd, data, data.length, msgFlags, addrOff, addrLen);
  }

  /**
   * What a socket call answers for `fd`, a number that is none of this
   * shim's handles: -ENOTSOCK for an open descriptor that is no socket,
   * else -EBADF (sio_foreign_errno; -EBADF from a shim whose handles are not
   * descriptors, which leaves it out).
   */
  foreignErrno(fd: number): number {
    if (this.native.foreignErrno === null || !Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) return -constants.errno.EBADF;
    return this.native.foreignErrno(fd);
  }

  /** Whether the library exports sio_sethostname (optional in backend.h). */
  get hasSethostname(): boolean {
    return this.native.sethostname !== null;
  }

  /**
   * sethostname(2) of `name`'s bytes, through sio_sethostname: 0 or -errno,
   * the kernel's answer; -ENOSYS where the library leaves it out.
   */
  sethostname(name: Uint8Array): number {
    if (!(name instanceof Uint8Array)) throw new TypeError('sethostname() takes a Uint8Array');
    if (this.native.sethostname === null) return -constants.errno.ENOSYS;
    // The length passed is the view's own: the shim cannot check it.
    return this.native.sethostname(name, name.length);
  }

  /** Makes a blocked or next enter() return, and a watch fire. */
  wake(): void {
    const r = this.native.wake(this.handle);
    if (r < 0) throw new ShimError(`sio_wake failed: errno ${-r}`, -r);
  }

  /**
   * Has Node's event loop call `onReady` (on the main thread) whenever enter()
   * has something to do. onReady should call enter(). Errors thrown by
   * onReady are not propagated by the native caller: catch them inside.
   */
  watch(mode: WatchModeValue, onReady: () => void): void {
    if (this.callback !== null) throw new ShimError('already watching', 16);
    const cb = koffi.register(() => onReady(), koffi.pointer(this.native.readyCb));
    const r = this.native.watch(this.handle, mode, cb);
    if (r < 0) {
      koffi.unregister(cb);
      throw new ShimError(`sio_watch failed: errno ${-r}`, -r);
    }
    this.callback = cb;
  }

  /** Stops the watch; onReady is not called afterwards. */
  unwatch(): void {
    if (this.callback === null) return;
    this.native.unwatch(this.handle);
    // Safe now: the shim guarantees no call after sio_unwatch returns.
    koffi.unregister(this.callback as bigint);
    this.callback = null;
  }

  /** Whether the watch keeps Node's process alive. */
  ref(on: boolean): void {
    this.native.watchRef(this.handle, on ? 1 : 0);
  }

  /** The shim's counters, as of its last call. */
  stats(): ShimStats {
    return {
      opsParked: this.hdr[Header.opsParked / 4]!,
      fdsOpen: this.hdr[Header.fdsOpen / 4]!,
      fdsRegistered: this.hdr[Header.fdsRegistered / 4]!,
      fdsDeferred: this.hdr[Header.fdsDeferred / 4]!,
    };
  }

  /**
   * Closes every fd of the instance and frees its memory. The views of this
   * object are detached first; any other view of the region kept by the
   * caller (e.g. a subarray of `arena`) must not be used afterwards.
   */
  close(): void {
    this.unwatch();
    const empty = new ArrayBuffer(0);
    this.hdr = new Uint32Array(empty);
    this.sq = new Uint32Array(empty);
    this.cq = new Uint32Array(empty);
    this.cqRes = new Int32Array(empty);
    this.arena = new Uint8Array(empty);
    this.native.destroy(this.handle);
  }
}

/** 32-bit words per completion entry. */
const CQE_WORDS = CQE_SIZE / 4;

function writeSqe(words: Uint32Array, w: number, s: Submission): void {
  words[w] = (s.op & 0xff) | (((s.flags ?? 0) & 0xff) << 8) | ((s.msgFlags ?? 0) << 16);
  words[w + 1] = (s.fd ?? 0) >>> 0;
  words[w + 2] = s.token >>> 0;
  words[w + 3] = s.gen >>> 0;
  words[w + 4] = (s.off ?? 0) >>> 0;
  words[w + 5] = (s.len ?? 0) >>> 0;
  words[w + 6] = (s.arg0 ?? 0) >>> 0;
  words[w + 7] = (s.arg1 ?? 0) >>> 0;
}
