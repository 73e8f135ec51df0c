// Test helpers: a tiny synchronous driver over the raw shim (token slots with
// generations, a bump allocator for the arena, sockaddr codecs) and the
// leak checks that end every test.
import { constants } from 'node:os';
import { expect } from 'chai';
import { type Completion, openEpollShim, type Shim, Op, type ShimOptions, type Submission } from '@stackless-io/io-epoll';
import { fdCount } from '@stackless-io/test-support';

export { fdCount };

export const E = constants.errno;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SHUT_WR = 1;
export const MSG_TRUNC = 0x20;
export const MSG_PEEK = 0x2;
export const POLLIN = 0x1;
export const POLLOUT = 0x4;

type Pending = Omit<Submission, 'token' | 'gen'>;

/**
 * Drives one shim synchronously: submit, then pump (exclusive-mode enter
 * with a short timeout) until the wanted tokens have completed.
 */
export class Driver {
  readonly shim: Shim;
  /** Completions received and not yet taken, by token. */
  readonly done = new Map<number, Completion>();
  private readonly gens: number[];
  private readonly free: number[] = [];
  private nextGen = 1;
  private top = 0;
  /** Arena bump pointer; reset() between phases. */
  private brk = 0;
  stale = 0;

  constructor(options: ShimOptions = {}) {
    this.shim = openEpollShim(options);
    this.gens = new Array<number>(this.shim.maxOps).fill(0);
  }

  /** Reserves len bytes of the arena (8-aligned) and returns the offset. */
  alloc(len: number): number {
    const off = this.brk;
    this.brk = (off + len + 7) & ~7;
    if (this.brk > this.shim.arena.length) throw new Error('test arena exhausted');
    return off;
  }

  bytes(off: number, len: number): Uint8Array {
    return this.shim.arena.subarray(off, off + len);
  }

  /** Queues an operation; returns its token. */
  submit(p: Pending): number {
    const token = this.free.pop() ?? this.top++;
    const gen = this.nextGen++;
    this.gens[token] = gen;
    if (!this.shim.submit({ ...p, token, gen })) throw new Error('submission array full');
    return token;
  }

  /** The generation the driver gave token (0 when free). */
  genOf(token: number): number {
    return this.gens[token]!;
  }

  /** One enter(); records completions, drops (and counts) stale ones. */
  pump(timeoutMs = 0): number {
    const n = this.shim.enter(timeoutMs);
    for (let i = 0; i < n; i++) {
      const c = this.shim.completion(i);
      if (this.gens[c.token] !== c.gen) {
        this.stale++;
        continue;
      }
      this.done.set(c.token, c);
    }
    return n;
  }

  /** Pumps until token completed (or throws after ms); frees the token. */
  wait(token: number, ms = 5000): Completion {
    const deadline = Date.now() + ms;
    while (!this.done.has(token)) {
      if (Date.now() > deadline) throw new Error(`token ${token} did not complete in ${ms} ms`);
      this.pump(20);
    }
    const c = this.done.get(token)!;
    this.done.delete(token);
    this.gens[token] = 0;
    this.free.push(token);
    return c;
  }

  /** Submits, waits and returns the result. */
  run(p: Pending, ms?: number): number {
    return this.wait(this.submit(p), ms).res;
  }

  /** True if the token has not completed after a non-blocking pump. */
  parked(token: number): boolean {
    this.pump(0);
    return !this.done.has(token);
  }

  socket(domain: number, type: number): number {
    const fd = this.run({ op: Op.SOCKET, arg0: domain, arg1: type });
    expect(fd, 'socket()').to.be.at.least(0);
    return fd;
  }

  close(fd: number): number {
    return this.run({ op: Op.CLOSE, fd });
  }

  /** A TCP listener on 127.0.0.1:<ephemeral>; returns [fd, port]. */
  listener(): [number, number] {
    const fd = this.socket(AF_INET, SOCK_STREAM);
    const addr = this.alloc(16);
    writeSockaddrIn(this.shim.arena, addr, '127.0.0.1', 0);
    expect(this.run({ op: Op.BIND, fd, off: addr, len: 16 })).to.equal(0);
    expect(this.run({ op: Op.LISTEN, fd, arg0: 16 })).to.equal(0);
    return [fd, this.localPort(fd)];
  }

  localPort(fd: number): number {
    const out = this.alloc(128);
    expect(this.shim.sync({ op: Op.GETSOCKNAME, token: 0, gen: 0, fd, off: out, len: 128 })).to.be.greaterThan(0);
    return readSockaddrIn(this.shim.arena, out).port;
  }

  /** A connected TCP pair over loopback: [client, server]. */
  tcpPair(): [number, number, number] {
    const [lfd, port] = this.listener();
    const c = this.socket(AF_INET, SOCK_STREAM);
    const addr = this.alloc(16);
    writeSockaddrIn(this.shim.arena, addr, '127.0.0.1', port);
    const ct = this.submit({ op: Op.CONNECT, fd: c, off: addr, len: 16 });
    const at = this.submit({ op: Op.ACCEPT, fd: lfd });
    const s = this.wait(at).res;
    expect(this.wait(ct).res, 'connect').to.equal(0);
    expect(s, 'accept').to.be.at.least(0);
    return [c, s, lfd];
  }

  /** Proves the test closed everything it opened, then frees the shim. */
  finish(): void {
    this.pump(0);
    expect(this.shim.stats(), 'shim counters').to.deep.equal({ opsParked: 0, fdsOpen: 0, fdsRegistered: 0, fdsDeferred: 0 });
    expect(this.done.size, 'completions nobody waited for').to.equal(0);
    expect(this.gens.filter((g) => g !== 0).length, 'operations never completed').to.equal(0);
    this.shim.close();
  }
}

export function writeSockaddrIn(buf: Uint8Array, off: number, ip: string, port: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset + off, 16);
  v.setUint16(0, AF_INET, true);
  v.setUint16(2, port, false);
  ip.split('.').forEach((b, i) => v.setUint8(4 + i, Number(b)));
  for (let i = 8; i < 16; i++) v.setUint8(i, 0);
}

export function readSockaddrIn(buf: Uint8Array, off: number): { family: number; ip: string; port: number } {
  const v = new DataView(buf.buffer, buf.byteOffset + off, 16);
  const ip = [4, 5, 6, 7].map((i) => v.getUint8(i)).join('.');
  return { family: v.getUint16(0, true), ip, port: v.getUint16(2, false) };
}

/**
 * Registers mocha hooks that give each test a fresh Driver and end it with
 * the leak checks: shim counters at zero, then the process fd count back to
 * what it was before the test.
 */
export function withDriver(options: ShimOptions = {}): { get d(): Driver } {
  let driver: Driver | undefined;
  let before = 0;
  beforeEach(() => {
    before = fdCount();
    driver = new Driver(options);
  });
  afterEach(function () {
    const d = driver!;
    driver = undefined;
    if (this.currentTest?.state === 'failed') {
      d.shim.close();
      return;
    }
    d.finish();
    expect(fdCount(), 'process fds after the test').to.equal(before);
  });
  return {
    get d() {
      return driver!;
    },
  };
}
