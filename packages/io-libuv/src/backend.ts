/**
 * The libuv backend: the IO backend contract over Node's own `net` and
 * `dgram`, on every platform Node runs on, and the reference the native
 * backends are compared with. Handles index a table of socket records
 * (stream.ts, dgram.ts); requests wait in their record's queues, Node's
 * events finish them into a completion queue (completions.ts), and poll()
 * delivers that queue in one batch.
 */
import { getGeneric, setGeneric } from './sockopt.js';
import { IoOp, type Family, type IoBackend, type IoBackendStats, type IoRequest, type SockAddr, type SockOptCode, type SocketKind } from '@stackless-io/runtime';
import { Completions, EMPTY } from './completions.js';
import { DgramSock } from './dgram.js';
import { EAFNOSUPPORT, EBADF, EINVAL, ENOSYS, EPROTONOSUPPORT, ESOCKTNOSUPPORT } from './errno.js';
import { HandleTable } from './handle-table.js';
import type { Host, Sock } from './sock.js';
import { StreamSock } from './stream.js';

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** One shared word for Atomics.wait, the only way to sleep without spinning on the main thread. */
let sleepCell: Int32Array | null = null;

/**
 * The IO backend over Node's `net` and `dgram`. Made by backend selection
 * (`useBackend('libuv')`, or `STACKLESS_IO_BACKEND=libuv`); `wake` is the
 * runtime's `wakeFromLoop`, called from Node's callbacks when requests
 * have completed.
 */
export class LibuvBackend implements IoBackend, Host {
  /** Always `'libuv'`. */
  readonly name = 'libuv';
  /** @internal The completion queue the socket records finish requests into. */
  readonly completions: Completions;
  private readonly table = new HandleTable<Sock>();

  constructor(wake: () => void) {
    this.completions = new Completions(wake);
  }

  socket(family: Family, kind: SocketKind, protocol: number): number {
    if (family !== 'inet' && family !== 'inet6' && family !== 'unix') return EAFNOSUPPORT;
    // Node has no seqpacket or raw sockets: as a kernel without the kind answers.
    if (kind === 'seqpacket' || kind === 'raw' || kind === 'rdm') return ESOCKTNOSUPPORT;
    if (kind !== 'stream' && kind !== 'dgram') return EINVAL;
    const own = kind === 'stream' ? IPPROTO_TCP : IPPROTO_UDP;
    if (protocol !== 0 && !(family !== 'unix' && protocol === own)) return EPROTONOSUPPORT;
    // Node has no Unix-domain datagram sockets.
    if (kind === 'dgram' && family === 'unix') return EAFNOSUPPORT;
    const sock: Sock = kind === 'stream' ? new StreamSock(this, family) : new DgramSock(this, family);
    return this.adopt(sock);
  }

  /** @internal Gives a socket record (an accepted connection) its handle. */
  adopt(sock: Sock): number {
    sock.handle = this.table.add(sock);
    return sock.handle;
  }

  bind(handle: number, addr: SockAddr): number {
    return this.table.get(handle)?.bind(addr) ?? EBADF;
  }

  listen(handle: number, backlog: number): number {
    return this.table.get(handle)?.listen(backlog) ?? EBADF;
  }

  shutdown(handle: number, how: 0 | 1 | 2): number {
    const r = this.table.get(handle)?.shutdown(how) ?? EBADF;
    this.completions.kick();
    return r;
  }

  getsockname(handle: number): SockAddr | number {
    return this.table.get(handle)?.getsockname() ?? EBADF;
  }

  getpeername(handle: number): SockAddr | number {
    return this.table.get(handle)?.getpeername() ?? EBADF;
  }

  /** Node's sockets cannot be duplicated: callers keep their emulation. */
  dup(handle: number): number {
    return this.table.get(handle) === undefined ? EBADF : ENOSYS;
  }

  /** Node cannot make a kernel pair: callers keep their emulation. */
  socketpair(_family: Family, _kind: SocketKind, _protocol: number): [number, number] | number {
    return ENOSYS;
  }

  /** libuv makes every descriptor close-on-exec: none is inherited. */
  getInheritable(handle: number): number {
    return this.table.get(handle) === undefined ? EBADF : 0;
  }

  /** Node cannot hand a socket's descriptor to a child process this way. */
  setInheritable(handle: number, inheritable: boolean): number {
    if (this.table.get(handle) === undefined) return EBADF;
    return inheritable ? ENOSYS : 0;
  }

  setOption(handle: number, option: SockOptCode, value: number): number {
    const r = this.table.get(handle)?.setsockopt(option, value) ?? EBADF;
    this.completions.kick();
    return r;
  }

  getOption(handle: number, option: SockOptCode): ReturnType<IoBackend['getOption']> {
    return this.table.get(handle)?.getsockopt(option) ?? { errno: EBADF };
  }

  setsockopt(handle: number, level: number, name: number, value: number | Uint8Array): number {
    const sock = this.table.get(handle);
    if (sock === undefined) return EBADF;
    const r = setGeneric(sock, level, name, value);
    this.completions.kick();
    return r;
  }

  getsockopt(handle: number, level: number, name: number, buflen: number): ReturnType<IoBackend['getsockopt']> {
    const sock = this.table.get(handle);
    return sock === undefined ? { errno: EBADF } : getGeneric(sock, level, name, buflen);
  }

  close(handle: number): number {
    const sock = this.table.get(handle);
    if (sock === undefined) return EBADF;
    this.table.remove(handle);
    sock.close();
    this.completions.kick();
    return 0;
  }

  submit(req: IoRequest): void {
    this.completions.started(req);
    const sock = this.table.get(req.handle);
    if (sock === undefined) this.completions.complete(req, EBADF);
    else sock.submit(req);
  }

  /**
   * IoBackend.tryNow: on a stream socket, an ACCEPT that finds a connection
   * Node accepted already, a RECV or RECVFROM that finds bytes read ahead,
   * and a SEND that finds room finish at once, in the caller's step: a
   * listener's whole queue is taken in one step rather than one per round,
   * and an echo's send (and a receive whose bytes are here) costs no park,
   * no completion and no scheduler round. False, with nothing done, for
   * everything else (StreamSock.now).
   */
  tryNow(req: IoRequest): boolean {
    const sock = this.table.get(req.handle);
    if (!(sock instanceof StreamSock)) return false;
    const alloc = req.buf === null;
    const r = sock.now(req);
    if (r === null) return false;
    // An allocating receive always has a buffer on completion (see IoRequest.size).
    if (alloc && req.op !== IoOp.ACCEPT && r <= 0) req.buf = EMPTY;
    req.result = r;
    if (req.op === IoOp.ACCEPT) req.truncated = false;
    return true;
  }

  cancel(req: IoRequest): void {
    const r = this.table.get(req.handle)?.withdraw(req) ?? null;
    if (r === null) return;
    this.completions.complete(req, r);
    this.completions.kick();
  }

  poll(): number {
    return this.completions.deliver();
  }

  pending(): number {
    return this.completions.inflight;
  }

  /**
   * Exclusive mode cannot work here: this backend's IO arrives through
   * Node's event loop, which does not turn while the thread blocks. wait()
   * delivers what is already finished; otherwise it sleeps for the timeout
   * (so timers, and the timeouts of waiting requests, still fire), and it
   * refuses to sleep forever while requests wait, since nothing could wake it.
   */
  wait(timeoutMs: number): number {
    const n = this.completions.deliver();
    if (n > 0) return n;
    if (timeoutMs < 0) {
      if (this.completions.inflight === 0) return 0;
      throw new Error(
        'the libuv backend cannot run in exclusive mode: its IO completes through Node\'s event loop, which is blocked; use the default mode or a native backend',
      );
    }
    if (timeoutMs > 0) {
      sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(sleepCell, 0, 0, timeoutMs);
    }
    return this.completions.deliver();
  }

  stats(): IoBackendStats {
    return { handles: this.table.size, pending: this.completions.inflight };
  }

  destroy(): void {
    for (const sock of this.table.values()) {
      this.table.remove(sock.handle);
      sock.close();
    }
    this.completions.drop();
  }
}
