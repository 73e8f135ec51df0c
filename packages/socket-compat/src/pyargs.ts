/**
 * Argument conversion at the public edge, the way CPython's argument parser
 * does it, so that bad input raises the same class with the same message.
 * JS values stand for Python ones: a number with no fraction (or a bigint,
 * or a boolean) is an `int`, another number a `float`, a string a `str`, a
 * Uint8Array (or any other ArrayBufferView, or an ArrayBuffer) a bytes-like
 * object, an array a `tuple`, null or undefined `None`. A member of an
 * enum (AF_INET, MSG_PEEK: Number objects, intenum.ts) is the int it holds.
 */
import { ValueError } from '@stackless-io/runtime';
import { OverflowError } from './errors.js';
import { IntEnum } from './intenum.js';

/** A Python int argument: a number, or a member of one of the module's enums (AF_INET...). */
export type Int = number | IntEnum;

/** The Python type name CPython's messages would use for `v`. */
export function pytype(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  switch (typeof v) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'function':
      return 'function';
    case 'symbol':
      return 'symbol';
  }
  if (v instanceof IntEnum) return v.enumName;
  if (Array.isArray(v)) return 'tuple';
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return 'bytes';
  if (ArrayBuffer.isView(v)) return 'memoryview';
  return 'dict';
}

/** True for a value that stands for a Python int. */
export function isInt(v: unknown): v is number | bigint | boolean | IntEnum {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof IntEnum;
}

/** An int argument of any size (`PyNumber_Index`), as a JS number. */
export function toIndex(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof IntEnum) return v.value;
  throw new TypeError(`'${pytype(v)}' object cannot be interpreted as an integer`);
}

/** A Py_ssize_t argument ("n" format): any int a signed 64-bit C type holds. */
export function toSsize(v: unknown): number {
  const n = toIndex(v);
  if (n >= 2 ** 63 || n < -(2 ** 63)) throw new OverflowError('Python int too large to convert to C ssize_t');
  return n;
}

const INT_MAX = 0x7fffffff;
const INT_MIN = -0x80000000;

/** A C `int` parsed with the "i" format (listen, recv flags, ports...). */
export function toCInt(v: unknown): number {
  const n = toIndex(v);
  if (n > INT_MAX) throw new OverflowError('signed integer is greater than maximum');
  if (n < INT_MIN) throw new OverflowError('signed integer is less than minimum');
  return n;
}

/** A C `int` converted with _PyLong_AsInt (socket(), shutdown()...). */
export function toCIntStrict(v: unknown): number {
  const n = toIndex(v);
  if (n > INT_MAX || n < INT_MIN) throw new OverflowError('Python int too large to convert to C int');
  return n;
}

/** A C `unsigned int` parsed with the "I" format: any int, wrapped modulo 2**32 as C does. */
export function toCUIntWrapped(v: unknown): number {
  const n = toIndex(v);
  return Number(BigInt.asUintN(32, BigInt(n)));
}

/** A read-only bytes-like argument as a Uint8Array over the same memory. */
export function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new TypeError(`a bytes-like object is required, not '${pytype(v)}'`);
}

/** A writable buffer argument (recv_into): any ArrayBufferView or ArrayBuffer. */
export function toWritableBytes(v: unknown, fn: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new TypeError(`${fn}() argument 1 must be read-write bytes-like object, not ${pytype(v)}`);
}

/** A `str` argument ("s" format). */
export function toStr(v: unknown, fn: string, pos: number): string {
  if (typeof v === 'string') return v;
  throw new TypeError(`${fn}() argument ${pos} must be str, not ${pytype(v)}`);
}

/** A host name argument that may be str, bytes or bytearray. */
export function toHostArg(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
  throw new TypeError(`${fn}() argument 1 must be str, bytes or bytearray, not ${pytype(v)}`);
}

/** Rejects strings with NUL characters where C would cut them short. */
export function noNul(s: string): string {
  if (s.includes('\0')) throw new ValueError('embedded null character');
  return s;
}

/**
 * A timeout in seconds as CPython converts it (_PyTime_FromSecondsObject,
 * rounded up to a nanosecond): null for None, else a number >= 0.
 */
export function toTimeout(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  let d: number;
  if (typeof v === 'number') d = v;
  else if (typeof v === 'boolean') d = v ? 1 : 0;
  else if (typeof v === 'bigint') d = Number(v);
  else if (v instanceof IntEnum) d = v.value;
  else throw new TypeError(`'${pytype(v)}' object cannot be interpreted as an integer`);
  if (Number.isNaN(d)) throw new ValueError('Invalid value NaN (not a number)');
  // _PyTime_ROUND_TIMEOUT rounds away from zero.
  const ns = d < 0 ? Math.floor(d * 1e9) : Math.ceil(d * 1e9);
  // _PyTime_t is a signed 64-bit count of nanoseconds.
  if (!(Math.abs(ns) < 2 ** 63)) throw new OverflowError('timestamp out of range for platform time_t');
  if (ns < 0) throw new ValueError('Timeout value out of range');
  return ns / 1e9 + 0; // + 0 turns -0 into 0, as Python's 0.0
}
