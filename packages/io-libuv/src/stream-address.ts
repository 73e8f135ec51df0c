/**
 * A stream record's addresses: bind() (through stream-bind.ts), the local
 * address kept in step with the process-wide port registry (ports.ts), the
 * names getsockname() and getpeername() report, and what becomes of a
 * connection's address once the connection is over (TIME_WAIT).
 */
import type { NodeSockAddr as SockAddr } from './addr.js';
import { anyAddr, checkAddr } from './addr.js';
import { EADDRINUSE, EINVAL, ENOTCONN } from './errno.js';
import { removeTcpEnd } from './mates.js';
import { claim, conflicts, enterTimeWait, release as releasePort, type PortUser } from './ports.js';
import { impliesV6Only } from './sock.js';
import { bindTcp, bindUnix, type BoundHandle } from './stream-bind.js';
import { StreamMate } from './stream-mate.js';
import { CONNECTED, CONNECTING, FRESH } from './stream-state.js';

/** Binding and naming a stream record, and the ports it holds. */
export abstract class StreamAddress extends StreamMate implements PortUser {
  /** Sets the local address, keeping the process-wide port registry in step. */
  protected setLocal(addr: SockAddr | null): void {
    if (this.local !== null && this.local.family !== 'unix') releasePort(this, this.local);
    this.local = addr;
    this.portLost = false;
    if (addr !== null && addr.family !== 'unix') claim(this, addr);
  }

  /**
   * A TCP socket that is not connected nor listening any more lets go of
   * the port the kernel chose for it (Linux's inet_put_port); one bind()
   * chose stays.
   */
  protected losePort(): void {
    if (this.local === null || this.local.family === 'unix' || this.portChosen) return;
    releasePort(this, this.local);
    this.portLost = true;
  }

  bind(addr: SockAddr): number {
    const bad = checkAddr(this.family, addr);
    if (bad !== 0) return bad;
    if (this.connectionOver()) {
      // Linux: a TCP connection that is over (both FINs, or a reset) leaves
      // the socket CLOSED and, unless a bind chose its port, without one
      // (the kernel releases an automatic port then), so it may bind again;
      // its listen and connect still fail (the socket is not "unconnected").
      if (this.portChosen) return EINVAL;
      this.leaveConnectionAddress();
    } else if (this.state !== FRESH || (this.local !== null && !this.portLost)) {
      return EINVAL;
    }
    if (addr.family === 'unix') {
      const h = bindUnix(addr);
      if (typeof h === 'number') return h;
      this.bound = h;
      this.setLocal({ family: 'unix', path: addr.path });
      return 0;
    }
    if (addr.port !== 0 && conflicts(this, addr)) return EADDRINUSE;
    if (addr.port !== 0) this.portChosen = true;
    let r = bindTcp(addr, this.v6Only);
    // The kernel chose the port seeing only libuv's SO_REUSEADDR; one that
    // this process still holds (in TIME_WAIT, say) it would not have given
    // without it. Ask again, keeping the refused ones bound meanwhile so that
    // they are not given twice.
    const refused: BoundHandle[] = [];
    while (addr.port === 0 && typeof r !== 'number' && conflicts(this, r.local) && refused.length < 64) {
      refused.push(r.handle);
      r = bindTcp(addr, this.v6Only);
    }
    for (const h of refused) h.close();
    if (typeof r === 'number') return r;
    this.bound = r.handle;
    this.setLocal(r.local);
    if (impliesV6Only(addr)) this.v6Only = true;
    return 0;
  }

  getsockname(): SockAddr {
    if (this.local !== null) return { ...this.local };
    // A stream record's family is inet, inet6 or unix (socket() refuses the others).
    return this.family === 'unix' ? { family: 'unix', path: '' } : anyAddr(this.family as 'inet' | 'inet6');
  }

  getpeername(): SockAddr | number {
    if (this.state === CONNECTING) return this.kernelPeer() ?? ENOTCONN;
    // A Unix socket keeps its peer after the peer closed; TCP forgets it once the connection is gone.
    if (this.state !== CONNECTED || this.peer === null) return ENOTCONN;
    if (this.family !== 'unix' && (this.dead || this.closedBoth())) return ENOTCONN;
    return { ...this.peer };
  }

  /** A TCP connection that is over: both FINs went, or it was reset. */
  private connectionOver(): boolean {
    return this.family !== 'unix' && this.state === CONNECTED && (this.dead || this.closedBoth());
  }

  /**
   * Lets go of the address of a connection that is over (before a new
   * bind): the side that closed first keeps it in TIME_WAIT, as its close
   * would have.
   */
  private leaveConnectionAddress(): void {
    if (this.finFirst === true && !this.failed) this.enterTimeWait();
    this.timeWaitDone = true;
    removeTcpEnd(this, this.local, this.peer);
    this.setLocal(null);
  }

  protected enterTimeWait(): void {
    if (this.local !== null && this.local.family !== 'unix') enterTimeWait(this.local, this.reuseAddr);
  }
}
