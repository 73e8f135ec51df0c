/**
 * The backend's setup calls (socket, bind, listen, shutdown, the names and
 * the options of a socket): each runs at once through sio_sync, outside the
 * batch, with its address or option value in the arena's scratch bytes at
 * offset 0 (see SCRATCH). A socket call on a handle that is not open here
 * answers as the kernel for that descriptor of the process (the shim's sio_foreign_errno:
 * ENOTSOCK for a file, EBADF otherwise).
 */
import { constants } from 'node:os';
import { SOCKOPT_MAX, type Family, type IoBackend, type SockAddr, type SocketKind } from '@stackless-io/runtime';
import { Op, type Submission } from './abi.js';
import type { FdTable } from './fd-table.js';
import { sockType } from './linux.js';
import type { Shim } from './shim.js';
import { decodeSockaddr, encodeSockaddr, familyNumber, SOCKADDR_MAX } from './sockaddr.js';

const { EBADF, EINVAL, EAFNOSUPPORT } = constants.errno;
const SOL_SOCKET = 1;
const SO_TYPE = 3;
const SOCK_STREAM_TYPE = 1;

/** The synchronous calls of one backend, over its shim, arena views and table of open handles. */
export class SyncCalls {
  private readonly shim: Shim;
  private readonly open: FdTable;
  private readonly u8: Uint8Array;
  private readonly dv: DataView;
  /** The one submission object of these calls, rewritten for every call. */
  private readonly sqe: Required<Submission> = { op: 0, token: 0, gen: 0, fd: 0, off: 0, len: 0, arg0: 0, arg1: 0, msgFlags: 0, flags: 0 };

  constructor(shim: Shim, open: FdTable, u8: Uint8Array, dv: DataView) {
    this.shim = shim;
    this.open = open;
    this.u8 = u8;
    this.dv = dv;
  }

  /** IoBackend.socket() of a live backend: records the new fd in the table of open handles. */
  socket(family: Family, kind: SocketKind, protocol: number): number {
    const af = familyNumber(family);
    if (af === 0) return -EAFNOSUPPORT;
    const type = sockType(kind);
    if (type === 0 || !Number.isInteger(protocol) || protocol < 0 || protocol > 0x7fffffff) return -EINVAL;
    const fd = this.sync(Op.SOCKET, 0, 0, protocol, af, type);
    if (fd >= 0) this.open.set(fd, type);
    return fd;
  }

  /** IoBackend.dup(): the new fd shares the socket, and its type. */
  dup(handle: number): number {
    const type = this.open.get(handle);
    if (type === 0) return -EBADF;
    const fd = this.sync(Op.DUP, handle, 0, 0, 0, 0);
    if (fd >= 0) this.open.set(fd, type);
    return fd;
  }

  /** IoBackend.socketpair(): the shim writes the second fd into the scratch bytes. */
  socketpair(family: Family, kind: SocketKind, protocol: number): [number, number] | number {
    const af = familyNumber(family);
    if (af === 0) return -EAFNOSUPPORT;
    const type = sockType(kind);
    if (type === 0 || !Number.isInteger(protocol) || protocol < 0 || protocol > 0x7fffffff) return -EINVAL;
    const a = this.sync(Op.SOCKETPAIR, 0, 0, protocol, af, type);
    if (a < 0) return a;
    const b = this.dv.getInt32(0, true);
    this.open.set(a, type);
    this.open.set(b, type);
    return [a, b];
  }

  /** IoBackend.getInheritable(). */
  getInheritable(handle: number): number {
    if (!this.open.has(handle)) return -EBADF;
    return this.sync(Op.INHERITABLE, handle, 0, 0, 0, 0);
  }

  /** IoBackend.setInheritable(). */
  setInheritable(handle: number, inheritable: boolean): number {
    if (!this.open.has(handle)) return -EBADF;
    return this.sync(Op.INHERITABLE, handle, 0, 0, 1, inheritable ? 1 : 0);
  }

  /** IoBackend.bind(). */
  bind(handle: number, addr: SockAddr): number {
    if (!this.open.has(handle)) return this.shim.foreignErrno(handle);
    const len = encodeSockaddr(addr, this.u8, this.dv, 0);
    if (len < 0) return len;
    return this.sync(Op.BIND, handle, 0, len, 0, 0);
  }

  /** IoBackend.listen(). */
  listen(handle: number, backlog: number): number {
    if (!this.open.has(handle)) return this.shim.foreignErrno(handle);
    if (typeof backlog !== 'number' || Number.isNaN(backlog)) return -EINVAL;
    // As CPython: a negative backlog means 0; the kernel caps large ones.
    return this.sync(Op.LISTEN, handle, 0, 0, Math.min(Math.max(0, Math.trunc(backlog)), 0x7fffffff), 0);
  }

  /** IoBackend.shutdown(). */
  shutdown(handle: number, how: 0 | 1 | 2): number {
    if (!this.open.has(handle)) return this.shim.foreignErrno(handle);
    if (how !== 0 && how !== 1 && how !== 2) return -EINVAL;
    return this.sync(Op.SHUTDOWN, handle, 0, 0, how, 0);
  }

  /** IoBackend.getsockname() (op GETSOCKNAME) or getpeername() (op GETPEERNAME). */
  name(op: number, handle: number): SockAddr | number {
    if (!this.open.has(handle)) return this.shim.foreignErrno(handle);
    const r = this.sync(op, handle, 0, SOCKADDR_MAX, 0, 0);
    if (r < 0) return r;
    const a = decodeSockaddr(this.u8, this.dv, 0, r);
    // A family whose addresses the contract does not carry (AF_ALG, AF_CAN, AF_TIPC).
    if (a === null && r >= 2 && ![1, 2, 10, 16, 17, 40].includes(this.dv.getUint16(0, true))) return -EAFNOSUPPORT;
    // Other answers are a broken kernel or shim.
    if (a === null) throw new Error(`${this.shim.backendName} backend: ${op === Op.GETSOCKNAME ? 'getsockname' : 'getpeername'} gave no address we know (${r} bytes)`);
    return a;
  }

  /** IoBackend.setsockopt(): the value goes to the kernel through the scratch bytes. */
  setsockopt(handle: number, level: number, name: number, value: number | Uint8Array): number {
    if (!this.open.has(handle)) return this.shim.foreignErrno(handle);
    if (!isCInt(level) || !isCInt(name)) return -EINVAL;
    let len: number;
    if (typeof value === 'number') {
      if (!isCInt(value)) return -EINVAL;
      this.dv.setInt32(0, value, true);
      len = 4;
    } else if (value instanceof Uint8Array && value.length <= SOCKOPT_MAX) {
      this.u8.set(value, 0);
      len = value.length;
    } else {
      return -EINVAL;
    }
    return this.sync(Op.SETSOCKOPT, handle, 0, len, level, name);
  }

  /** IoBackend.getsockopt(): buflen 0 reads a C int, else up to buflen bytes. */
  getsockopt(handle: number, level: number, name: number, buflen: number): ReturnType<IoBackend['getsockopt']> {
    if (!this.open.has(handle)) return { errno: this.shim.foreignErrno(handle) };
    if (!isCInt(level) || !isCInt(name) || !Number.isInteger(buflen) || buflen < 0 || buflen > SOCKOPT_MAX) return { errno: -EINVAL };
    const len = buflen === 0 ? 4 : buflen;
    // As CPython's int flag = 0 and its zeroed bytes object: an option shorter than asked leaves zeros.
    this.u8.fill(0, 0, len);
    const r = this.sync(Op.GETSOCKOPT, handle, 0, len, level, name);
    if (r < 0) return { errno: r };
    if (buflen === 0) return this.dv.getInt32(0, true);
    return this.u8.slice(0, r);
  }

  /**
   * Records a descriptor a RECVMSG received (the shim has adopted it) with
   * its SOCK_* type, so that it is a handle like an accepted socket's.
   */
  adoptReceived(fd: number): void {
    const r = this.sync(Op.GETSOCKOPT, fd, 0, 4, SOL_SOCKET, SO_TYPE);
    this.open.set(fd, r >= 0 ? this.dv.getInt32(0, true) : SOCK_STREAM_TYPE);
  }

  /**
   * Whether the shim accepts at once (ACCEPT through sio_sync, backend.h
   * "Accepting at once"): asked once, with fd -1, which such a shim answers
   * -EBADF and one without it -EINVAL.
   */
  acceptsAtOnce(): boolean {
    return this.sync(Op.ACCEPT, -1, 0, 0, 0, 0) !== -EINVAL;
  }

  /**
   * One accept at once on listener `handle` (the peer's address into the
   * scratch bytes): the new fd, recorded with the listener's `type`, or
   * -errno (-EAGAIN: nothing queued, or ACCEPTs parked on it go first).
   */
  acceptNow(handle: number, type: number): number {
    const fd = this.sync(Op.ACCEPT, handle, 0, SOCKADDR_MAX, 0, 0);
    if (fd >= 0) this.open.set(fd, type);
    return fd;
  }

  /** The peer's address of the last acceptNow() that succeeded. */
  acceptedPeer(): SockAddr | null {
    return decodeSockaddr(this.u8, this.dv, 0, this.shim.syncAddrlen);
  }

  /** One sio_sync call: its result, or -errno. */
  sync(op: number, fd: number, off: number, len: number, arg0: number, arg1: number): number {
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
}

/** A C int: what the kernel's level, option name and int value are. */
function isCInt(v: number): boolean {
  return Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
}
