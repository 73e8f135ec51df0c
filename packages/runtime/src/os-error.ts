/**
 * Operating-system errors, translated in one place. Backends answer -errno;
 * {@link osError} makes the typed error, choosing the class from the errno
 * the way CPython does (PEP 3151), so `catch (e) { if (e instanceof
 * ConnectionRefusedError) ... }` reads as it does in Python.
 */
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/** An error the operating system reported: `errno` (positive) and its symbolic `code`. */
export class OSError extends Error {
  /** Always `'OSError'`. */
  override name = 'OSError';
  /** The error number, positive (ECONNREFUSED...), as the platform numbers it. */
  readonly errno: number;
  /** The symbolic name: 'ECONNREFUSED', 'EBADF'... ('' when the number is unknown). */
  readonly code: string;
  /** The system's description of the error. */
  readonly strerror: string;
  constructor(errno: number, strerror?: string, options?: { cause?: unknown }) {
    const info = describeErrno(errno);
    const text = strerror ?? info.message;
    super(`[Errno ${errno}] ${text}`, options);
    this.errno = errno;
    this.code = info.code;
    this.strerror = text;
  }
}

/** EAGAIN, EWOULDBLOCK, EALREADY, EINPROGRESS: the operation would block. */
export class BlockingIOError extends OSError {
  /** Always `'BlockingIOError'`. */
  override name = 'BlockingIOError';
}
/** The base of the connection errors. */
export class ConnectionError extends OSError {
  /** Always `'ConnectionError'`. */
  override name = 'ConnectionError';
}
/** EPIPE, ESHUTDOWN: writing to a closed connection. */
export class BrokenPipeError extends ConnectionError {
  /** Always `'BrokenPipeError'`. */
  override name = 'BrokenPipeError';
}
/** ECONNABORTED. */
export class ConnectionAbortedError extends ConnectionError {
  /** Always `'ConnectionAbortedError'`. */
  override name = 'ConnectionAbortedError';
}
/** ECONNREFUSED. */
export class ConnectionRefusedError extends ConnectionError {
  /** Always `'ConnectionRefusedError'`. */
  override name = 'ConnectionRefusedError';
}
/** ECONNRESET. */
export class ConnectionResetError extends ConnectionError {
  /** Always `'ConnectionResetError'`. */
  override name = 'ConnectionResetError';
}
/** ETIMEDOUT, and the timeouts of the socket layer. */
export class TimeoutError extends OSError {
  /** Always `'TimeoutError'`. */
  override name = 'TimeoutError';
}
/** EINTR. */
export class InterruptedError extends OSError {
  /** Always `'InterruptedError'`. */
  override name = 'InterruptedError';
}
/** EACCES, EPERM. */
export class PermissionError extends OSError {
  /** Always `'PermissionError'`. */
  override name = 'PermissionError';
}
/** ENOENT. */
export class FileNotFoundError extends OSError {
  /** Always `'FileNotFoundError'`. */
  override name = 'FileNotFoundError';
}
/** EEXIST. */
export class FileExistsError extends OSError {
  /** Always `'FileExistsError'`. */
  override name = 'FileExistsError';
}

const E = constants.errno as Record<string, number | undefined>;

function byErrno(...names: string[]): number[] {
  return names.map((n) => E[n]).filter((v): v is number => v !== undefined);
}

type OSErrorClass = new (errno: number, strerror?: string) => OSError;

/** errno → class, built once from the platform's own numbers. */
const classes = new Map<number, OSErrorClass>();
for (const [cls, names] of [
  [BlockingIOError, ['EAGAIN', 'EWOULDBLOCK', 'EALREADY', 'EINPROGRESS']],
  [BrokenPipeError, ['EPIPE', 'ESHUTDOWN']],
  [ConnectionAbortedError, ['ECONNABORTED']],
  [ConnectionRefusedError, ['ECONNREFUSED']],
  [ConnectionResetError, ['ECONNRESET']],
  [TimeoutError, ['ETIMEDOUT']],
  [InterruptedError, ['EINTR']],
  [PermissionError, ['EACCES', 'EPERM']],
  [FileNotFoundError, ['ENOENT']],
  [FileExistsError, ['EEXIST']],
] as const) {
  for (const n of byErrno(...names)) classes.set(n, cls);
}

let systemErrors: Map<number, [string, string]> | null = null;
/** errno number → name, from os.constants.errno (the first name of a number wins). */
let errnoNames: Map<number, string> | null = null;
/** libuv's description of each error, by name. */
let messages: Map<string, string> | null = null;

/**
 * The name and description of an errno that libuv's map does not key by
 * -errno: on Windows libuv numbers its errors apart from the C runtime's
 * errno values, so the name comes from os.constants.errno and the text from
 * libuv's map by that name.
 */
function byConstants(errno: number): [string, string] | undefined {
  if (errnoNames === null) {
    errnoNames = new Map();
    for (const [name, n] of Object.entries(E)) if (n !== undefined && !errnoNames.has(n)) errnoNames.set(n, name);
  }
  const code = errnoNames.get(errno);
  if (code === undefined) return undefined;
  if (messages === null) {
    messages = new Map();
    for (const [name, message] of systemErrors!.values()) messages.set(name, message);
  }
  return [code, messages.get(code) ?? code];
}

/** The symbolic name and description of a positive errno. */
export function describeErrno(errno: number): {
  /** The symbolic name ('ECONNREFUSED'), or '' when the number is unknown. */
  code: string;
  /** The system's description, capitalised as CPython prints it. */
  message: string;
} {
  // libuv numbers its errors as -errno on POSIX systems; its map has the names.
  systemErrors ??= getSystemErrorMap();
  let entry = systemErrors.get(-errno);
  // An entry whose name the platform numbers otherwise is not this errno
  // (Windows' libuv numbers its errors apart from the C runtime's).
  if (entry !== undefined && E[entry[0]] !== undefined && E[entry[0]] !== errno) entry = undefined;
  entry ??= byConstants(errno);
  if (entry === undefined) return { code: '', message: `Unknown error ${errno}` };
  const [code, message] = entry;
  return { code, message: message.charAt(0).toUpperCase() + message.slice(1) };
}

/**
 * Makes the typed error for a backend's answer `-errno` (or a positive
 * errno): the OSError subclass CPython would raise for it.
 */
export function osError(errno: number): OSError {
  const n = Math.abs(errno);
  const cls = classes.get(n) ?? OSError;
  return new cls(n);
}

/** The platform's number for an errno name (os.constants.errno). */
export function errnoOf(name: string): number {
  const n = E[name];
  if (n === undefined) throw new Error(`no errno ${name} on this platform`);
  return n;
}
