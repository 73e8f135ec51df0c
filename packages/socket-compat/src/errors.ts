/**
 * The exceptions of Python's `socket` module. OSError and its errno
 * subclasses are the runtime's own classes (so `instanceof` holds across
 * packages); the classes the runtime lacks are added here on top of them.
 * {@link errorFor} picks the class from the errno the way CPython does
 * (PEP 3151) and uses the platform's strerror text, as CPython prints it.
 */
import { constants } from 'node:os';
import {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileExistsError,
  FileNotFoundError,
  InterruptedError,
  OSError,
  PermissionError,
  TimeoutError,
} from '@stackless-io/runtime';
import { ValueError } from '@stackless-io/runtime';
import { EXTRA_ERRNO, gaiStrerror, hStrerror, strerror } from './platform-text.js';

export {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileExistsError,
  FileNotFoundError,
  InterruptedError,
  OSError,
  PermissionError,
  TimeoutError,
};

/** ECHILD (CPython's errno subclass; the runtime has none). */
export class ChildProcessError extends OSError {
  /** Always `'ChildProcessError'`. */
  override name = 'ChildProcessError';
}
/** EISDIR: an AF_UNIX path names a directory. */
export class IsADirectoryError extends OSError {
  /** Always `'IsADirectoryError'`. */
  override name = 'IsADirectoryError';
}
/** ENOTDIR: a component of an AF_UNIX path is not a directory. */
export class NotADirectoryError extends OSError {
  /** Always `'NotADirectoryError'`. */
  override name = 'NotADirectoryError';
}
/** ESRCH. */
export class ProcessLookupError extends OSError {
  /** Always `'ProcessLookupError'`. */
  override name = 'ProcessLookupError';
}

/** A getaddrinfo()/getnameinfo() failure; `errno` is an EAI_* code (negative on Linux). */
export class gaierror extends OSError {
  /** Always `'gaierror'`. */
  override name = 'gaierror';
}

/** A host-database failure (gethostbyaddr); `errno` is an h_errno value. */
export class herror extends OSError {
  /** Always `'herror'`. */
  override name = 'herror';
}

/** Python's OverflowError: an integer out of the range a C type can hold. */
export class OverflowError extends Error {
  /** Always `'OverflowError'`. */
  override name = 'OverflowError';
}

/** Python's MemoryError: a buffer too large to allocate. */
export class MemoryError extends Error {
  /** Always `'MemoryError'`. */
  override name = 'MemoryError';
}

/** Python's LookupError (makefile() with an unknown encoding). */
export class LookupError extends Error {
  /** Always `'LookupError'`. */
  override name = 'LookupError';
}

/** Python's AttributeError (getfqdn() of something that is not a string). */
export class AttributeError extends Error {
  /** Always `'AttributeError'`. */
  override name = 'AttributeError';
}

/** Bytes that are not valid in the file's encoding (text makefile()). */
export class UnicodeDecodeError extends ValueError {
  /** Always `'UnicodeDecodeError'`. */
  override name = 'UnicodeDecodeError';
}

/** Text the file's encoding cannot represent (text makefile()). */
export class UnicodeEncodeError extends ValueError {
  /** Always `'UnicodeEncodeError'`. */
  override name = 'UnicodeEncodeError';
}

/** io.UnsupportedOperation: reading a write-only file, and the like. */
export class UnsupportedOperation extends OSError {
  /** Always `'UnsupportedOperation'`. */
  override name = 'UnsupportedOperation';
}

/** `socket.error` is OSError, as in Python 3.3+. */
export const error = OSError;
/** `socket.timeout` is TimeoutError, as in Python 3.10+. */
export const timeout = TimeoutError;

type OSErrorClass = new (errno: number, strerror?: string) => OSError;

const E: Record<string, number | undefined> = { ...EXTRA_ERRNO, ...constants.errno };
const CODES = new Map<number, string>();
for (const [name, n] of Object.entries(E)) if (n !== undefined && !CODES.has(n)) CODES.set(n, name);

/** errno → class, as CPython's OSError.__new__ chooses it (Objects/exceptions.c). */
const CLASSES = new Map<number, OSErrorClass>();
for (const [cls, names] of [
  [BlockingIOError, ['EAGAIN', 'EWOULDBLOCK', 'EALREADY', 'EINPROGRESS']],
  [ChildProcessError, ['ECHILD']],
  [BrokenPipeError, ['EPIPE', 'ESHUTDOWN']],
  [ConnectionAbortedError, ['ECONNABORTED']],
  [ConnectionRefusedError, ['ECONNREFUSED']],
  [ConnectionResetError, ['ECONNRESET']],
  [FileExistsError, ['EEXIST']],
  [FileNotFoundError, ['ENOENT']],
  [IsADirectoryError, ['EISDIR']],
  [NotADirectoryError, ['ENOTDIR']],
  [InterruptedError, ['EINTR']],
  [PermissionError, ['EACCES', 'EPERM']],
  [ProcessLookupError, ['ESRCH']],
  [TimeoutError, ['ETIMEDOUT']],
] as const) {
  for (const name of names) {
    const n = E[name];
    if (n !== undefined) CLASSES.set(n, cls);
  }
}

type Writable = { -readonly [K in 'errno' | 'code' | 'strerror']: unknown } & { message: string; stack?: string };

function retitle(e: Error, message: string): void {
  const old = e.message;
  e.message = message;
  if (typeof e.stack === 'string' && e.stack.includes(old)) e.stack = e.stack.replace(old, message);
}

/**
 * The OSError (subclass) CPython raises for a positive errno, or for a
 * backend's -errno: `[Errno 111] Connection refused`.
 */
export function errorFor(errno: number, text?: string): OSError {
  const n = Math.abs(errno);
  const cls = CLASSES.get(n) ?? OSError;
  const e = new cls(n, text ?? strerror(n));
  if (e.code === '') (e as unknown as Writable).code = CODES.get(n) ?? '';
  return e;
}

/**
 * An OSError built from a message alone, as `OSError('...')` is in Python:
 * `errno` and `strerror` are null (the runtime's class types them as
 * numbers and strings; socket-compat sets them to null at run time).
 */
export function messageError<T extends OSError>(cls: new (errno: number, strerror?: string) => T, message: string): T {
  const e = new cls(0, message);
  const w = e as unknown as Writable;
  w.errno = null;
  w.strerror = null;
  w.code = '';
  retitle(e, message);
  return e;
}

/** `socket.timeout('timed out')`: a TimeoutError with errno null, as CPython 3.10+ raises it. */
export function timeoutError(): TimeoutError {
  return messageError(TimeoutError, 'timed out');
}

/** A gaierror for an EAI_* code, with gai_strerror's text. */
export function gaiError(code: number): gaierror {
  const e = new gaierror(code, gaiStrerror(code));
  (e as unknown as Writable).code = '';
  return e;
}

/** An herror for an h_errno value, with hstrerror's text. */
export function hError(code: number): herror {
  const e = new herror(code, hStrerror(code));
  (e as unknown as Writable).code = '';
  return e;
}

/** The platform's number for an errno name. */
export function errno(name: string): number {
  const n = E[name];
  if (n === undefined) throw new Error(`no errno ${name} on this platform`);
  return n;
}
