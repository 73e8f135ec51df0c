/**
 * Evaluates the expressions of the neutral format on socket-compat: values
 * become their JS stand-ins (tuples and lists arrays, bytes Uint8Array, big
 * ints bigint), calls go to the builtins or to socket-compat by name, and a
 * call that returns an operation is run with `yield*`.
 */
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { TaskletGenerator } from '@stackless-io/runtime';
import type { Expr } from './scenario.js';
import { startChild } from './ts-children.js';
import { BinaryFile } from './ts-file.js';
import { AttributeError, isIterator, Unbound, type Ctx } from './ts-context.js';

function isClass(f: unknown): boolean {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function pyFloat(s: unknown): number {
  if (typeof s === 'number') return s;
  const t = String(s).trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw new Error(`could not convert string to float: ${String(s)}`);
  return v;
}

function builtin(ctx: Ctx, name: string): ((...a: any[]) => unknown) | undefined {
  switch (name) {
    case 'bytearray':
    case 'bytes':
      return (x: unknown = 0) => (typeof x === 'number' ? new Uint8Array(x) : new Uint8Array(x as Uint8Array));
    case 'tmp':
      return (leaf: string) => join(ctx.tmp, leaf);
    case 'pack_ii':
      return (a: number, b: number) => {
        const buf = Buffer.alloc(8);
        if (endianness() === 'LE') {
          buf.writeInt32LE(a, 0);
          buf.writeInt32LE(b, 4);
        } else {
          buf.writeInt32BE(a, 0);
          buf.writeInt32BE(b, 4);
        }
        return new Uint8Array(buf);
      };
    case 'pack_i':
      return (a: number) => {
        const buf = Buffer.alloc(4);
        if (endianness() === 'LE') buf.writeInt32LE(a, 0);
        else buf.writeInt32BE(a, 0);
        return new Uint8Array(buf);
      };
    case 'unpack_i':
      return (b: Uint8Array, off: number) => {
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        return dv.getInt32(off, endianness() === 'LE');
      };
    case 'cat':
      return (...bs: Uint8Array[]) => new Uint8Array(Buffer.concat(bs));
    case 'float':
      return pyFloat;
    case 'len':
      return (x: { length: number }) => x.length;
    case 'bitor':
      return (...xs: number[]) => xs.reduce((a, b) => a | b, 0);
    case 'name_of':
      return (x: { name: string }) => x.name;
    case 'issubclass':
      return (a: new () => unknown, b: new () => unknown) => a === b || a.prototype instanceof b;
    case 'abstract':
      return (leaf: string) => `\0${join(ctx.tmp, leaf)}`;
    case 'open_file':
      return (path: string, data: Uint8Array) => new BinaryFile(path, data);
    case 'child_uses_fd':
      return (path: string) => startChild(ctx.children, path);
    case 'repeat':
      return (b: Uint8Array, n: number) => {
        const out = new Uint8Array(b.length * n);
        for (let i = 0; i < n; i++) out.set(b, i * b.length);
        return out;
      };
    case 'tail':
      // The last n bytes (Python's b[-n:]): what a scenario checks when how
      // many bytes came before depends on the kernel's timing.
      return (b: Uint8Array, n: number) => b.subarray(Math.max(0, b.length - n));
    default:
      return undefined;
  }
}

/**
 * How Python keyword arguments reach socket-compat: the positional
 * arguments, then one options object holding the keywords (the TS idiom for
 * Python's keyword-only parameters).
 */
function callArgs(args: unknown[], kw: Record<string, unknown> | undefined): unknown[] {
  return kw === undefined ? args : [...args, kw];
}

function* evalAll(es: Expr[], ctx: Ctx): TaskletGenerator<unknown[]> {
  const out: unknown[] = [];
  for (const e of es) out.push(yield* evaluate(e, ctx));
  return out;
}

function* evalKw(kw: Record<string, Expr> | undefined, ctx: Ctx): TaskletGenerator<Record<string, unknown> | undefined> {
  if (kw === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(kw)) out[k] = yield* evaluate(e, ctx);
  return out;
}

function* finish(r: unknown, ctx: Ctx): TaskletGenerator<unknown> {
  const v = isIterator(r) ? yield* r : r;
  ctx.own(v);
  return v;
}

/** The value of an expression (a generator: calls may block the actor). */
export function* evaluate(e: Expr, ctx: Ctx): TaskletGenerator<unknown> {
  if (e === null || typeof e !== 'object') return e;
  if ('bytes' in e) return fromHex(e.bytes);
  // Python ints beyond 2**53 stay exact as bigints, which socket-compat takes as ints.
  if ('bigint' in e) return BigInt(e.bigint);
  if ('tuple' in e) return yield* evalAll(e.tuple, ctx);
  if ('list' in e) return yield* evalAll(e.list, ctx);
  if ('const' in e) {
    if (!(e.const in ctx.mod)) throw new AttributeError(`module 'socket' has no attribute '${e.const}'`);
    return ctx.mod[e.const];
  }
  if ('var' in e) {
    if (!ctx.vars.has(e.var)) throw new Unbound(e.var);
    return ctx.vars.get(e.var);
  }
  if ('index' in e) {
    const v = (yield* evaluate(e.index, ctx)) as Record<number, unknown>;
    return v[e.at];
  }
  if ('attr' in e) {
    const obj = yield* evaluate(e.attr, ctx);
    if (obj === null || obj === undefined || !(e.name in Object(obj))) throw new AttributeError(`no attribute '${e.name}'`);
    return (obj as Record<string, unknown>)[e.name];
  }
  if ('call' in e) {
    const f = builtin(ctx, e.call) ?? ctx.mod[e.call];
    if (typeof f !== 'function') throw new AttributeError(`module 'socket' has no attribute '${e.call}'`);
    const args = callArgs(yield* evalAll(e.args, ctx), yield* evalKw(e.kw, ctx));
    const r: unknown = isClass(f) ? new (f as new (...a: unknown[]) => unknown)(...args) : (f as (...a: unknown[]) => unknown)(...args);
    return yield* finish(r, ctx);
  }
  if ('method' in e) {
    const obj = yield* evaluate(e.method, ctx);
    const f = obj === null || obj === undefined ? undefined : (obj as Record<string, unknown>)[e.name];
    if (typeof f !== 'function') throw new AttributeError(`object has no attribute '${e.name}'`);
    const args = callArgs(yield* evalAll(e.args, ctx), yield* evalKw(e.kw, ctx));
    return yield* finish((f as (...a: unknown[]) => unknown).apply(obj, args), ctx);
  }
  throw new Error(`unknown expression ${JSON.stringify(e)}`);
}
