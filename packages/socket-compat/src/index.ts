/**
 * Python's `socket` module for Stackless IO tasklets: the same functions,
 * methods, constants, timeouts and exceptions, under Python's names. A call
 * that may wait (connect, accept, recv, sendall, getaddrinfo...) is an
 * operation: run it with `yield*` inside a tasklet, and only that tasklet
 * waits. Addresses are Python's tuples as arrays (`['127.0.0.1', 8080]`),
 * bytes are Uint8Array (Buffer when returned). It runs on whichever IO
 * backend the runtime selected (`await useBackend()`).
 *
 * @example
 * ```ts
 * import { spawn, useBackend } from '@stackless-io/runtime';
 * import * as socket from '@stackless-io/socket-compat';
 *
 * await useBackend();
 * await spawn(function* () {
 *   const server = yield* socket.create_server(['127.0.0.1', 0]);
 *   const client = yield* socket.create_connection(server.getsockname() as [string, number]);
 *   const [conn] = yield* server.accept();
 *   yield* client.sendall(Buffer.from('hello'));
 *   console.log(String(yield* conn.recv(5))); // hello
 *   for (const s of [client, conn, server]) s.close();
 * }).join();
 * ```
 *
 * @packageDocumentation
 */
export * from './module-constants.js';
export { IntEnum, IntFlag, type EnumType } from './intenum.js';
export type { Int } from './pyargs.js';
export {
  OSError,
  error,
  timeout,
  gaierror,
  herror,
  BlockingIOError,
  ChildProcessError,
  ConnectionError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileExistsError,
  FileNotFoundError,
  InterruptedError,
  IsADirectoryError,
  NotADirectoryError,
  PermissionError,
  ProcessLookupError,
  TimeoutError,
  OverflowError,
  MemoryError,
  LookupError,
  AttributeError,
  UnicodeDecodeError,
  UnicodeEncodeError,
  UnsupportedOperation,
  errorFor,
} from './errors.js';
export { socket, SocketType } from './socket.js';
export type { Address, AddressLike, Inet4Address, Inet6Address, NetlinkAddress, PacketAddress, VsockAddress } from './address.js';
export { SocketIO, SocketFile, type MakefileOptions, type SocketFileLike } from './socket-file.js';
export { TextSocketFile } from './text-file.js';
export type { SendfileSource, ReadableFileLike } from './sendfile.js';
export {
  create_connection,
  create_server,
  has_dualstack_ipv6,
  socketpair,
  fromfd,
  dup,
  close,
  _GLOBAL_DEFAULT_TIMEOUT,
  type CreateConnectionOptions,
  type CreateServerOptions,
} from './functions.js';
export { CMSG_LEN, CMSG_SPACE, send_fds, recv_fds, type Ancillary } from './messages.js';
export type { AfalgOptions } from './afalg.js';
export { getaddrinfo, getnameinfo, gethostbyname, gethostbyname_ex, gethostbyaddr, gethostname, getfqdn, type AddrInfo } from './netdb.js';
export { getservbyname, getservbyport, getprotobyname } from './services.js';
export { sethostname } from './sethostname.js';
export { if_nameindex, if_nametoindex, if_indextoname } from './interfaces.js';
export { inet_pton, inet_ntop, inet_aton, inet_ntoa, htons, ntohs, htonl, ntohl } from './inet.js';
export { getdefaulttimeout, setdefaulttimeout } from './timeouts.js';
export { withSocket, type Closeable } from './with-socket.js';
export {
  createConnection,
  createServer,
  hasDualstackIpv6,
  gethostbynameEx,
} from './aliases.js';
