/**
 * The state of a socket that only some sockets ever have: a connect left
 * running in the background, a bind by host name not yet run, a failed
 * connect that CPython would leave "connecting", socketpair()'s unnamed
 * ends, calls made while more than two tasklets waited on the socket. A
 * socket makes this object the first time it needs one of them; the many
 * that never do (every connection a server accepts) keep one empty field
 * instead of six. 10,000 idle connections each hold a socket, and each
 * field is 8 bytes of every one of them.
 */
import type { IoRequest } from '@stackless-io/runtime';
import type { BackgroundConnect } from './connect.js';
import type { SockCall } from './sock-call.js';

export class SocketRare {
  /** A non-blocking connect left running (connect.ts), until a connect() collects its result. */
  background: BackgroundConnect | null = null;
  /** A non-blocking connect's request, until it ends. */
  bgReq: IoRequest | null = null;
  /** Calls made while both reusable ones were busy (call-pool.ts). */
  more: Set<SockCall> | null = null;
  /** One end of socketpair(): unnamed, as the kernel's pairs are. */
  unnamed = false;
  /** A connect with a timeout failed after EINPROGRESS (see socket._abortedConnect). */
  abortedConnect = false;
  /** A bind() with a host name was made and not yet run with yield* (bind.ts). */
  unstartedBind = false;
}
