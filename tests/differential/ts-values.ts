/**
 * Normalises what socket-compat returned or raised into trace values, by
 * the same rules as runner.py (README.md, "Traces").
 */
import { constants } from 'node:os';
import type { Filter, Value } from './scenario.js';
import { Unbound, Unpack, type Ctx, type SocketModule } from './ts-context.js';

const ALIASES: Record<string, string> = { EWOULDBLOCK: 'EAGAIN', ENOTSUP: 'EOPNOTSUPP', EDEADLOCK: 'EDEADLK' };
const ERRNO_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.errno)) {
  if (!ERRNO_NAMES.has(n)) ERRNO_NAMES.set(n, ALIASES[name] ?? name);
}

function kind(v: unknown, ctx: Ctx): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint' || ctx.isEnumMember(v)) return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'sequence';
  if (ctx.isSocket(v)) return 'socket';
  if (ctx.isFile(v)) return 'file';
  return (v as object).constructor?.name ?? typeof v;
}

/** The bytes with every occurrence of the scenario's directory replaced by "$TMP" (abstract Unix addresses). */
function replaceBytes(b: Buffer, tmp: string): Buffer {
  const needle = Buffer.from(tmp);
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = b.indexOf(needle); at >= 0; at = b.indexOf(needle, from)) {
    parts.push(b.subarray(from, at), Buffer.from('$TMP'));
    from = at + needle.length;
  }
  parts.push(b.subarray(from));
  return Buffer.concat(parts);
}

function norm(v: unknown, ctx: Ctx): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (ctx.isEnumMember(v)) return { enum: v.repr() };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { type: 'float:nan' };
    if (v === Infinity) return { type: 'float:inf' };
    if (v === -Infinity) return { type: 'float:-inf' };
    return v;
  }
  if (typeof v === 'string') return v.split(ctx.tmp).join('$TMP');
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
    return { b: replaceBytes(v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength), ctx.tmp).toString('hex') };
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => norm(x, ctx));
    const isAddr = (v.length === 2 || v.length === 4) && typeof v[0] === 'string' && typeof v[1] === 'number' && Number.isInteger(v[1]);
    return isAddr ? { addr: items } : items;
  }
  if (ctx.isSocket(v)) {
    const s = v as { family: unknown; type: unknown; proto: unknown };
    return { socket: [norm(s.family, ctx), norm(s.type, ctx), norm(s.proto, ctx)] };
  }
  if (ctx.isFile(v)) return { file: '' };
  return { type: kind(v, ctx) };
}

function truthy(v: unknown, ctx: Ctx): boolean {
  if (ctx.isEnumMember(v)) return v.value !== 0;
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (v instanceof Uint8Array || Array.isArray(v)) return v.length > 0;
  return true;
}

/** What a step records: the normalised value, or the property its filter asks for. */
export function applyFilter(f: Filter | undefined, v: unknown, ctx: Ctx): Value {
  switch (f) {
    case undefined:
      return norm(v, ctx);
    case 'ignore':
      return null;
    case 'type':
      return { type: kind(v, ctx) };
    case 'len':
      // As Python's len(): only sized values have one.
      if (typeof v === 'string' || v instanceof Uint8Array || Array.isArray(v)) return v.length;
      throw new TypeError(`object of type '${kind(v, ctx)}' has no len()`);
    case 'nonneg':
      if (typeof v === 'number' || typeof v === 'bigint') return v >= 0;
      if (ctx.isEnumMember(v)) return v.value >= 0;
      throw new TypeError(`'>=' not supported between instances of '${kind(v, ctx)}' and 'int'`);
    case 'bool':
      return truthy(v, ctx);
  }
}

/** The exception's class name, as Python would print it. */
export function className(e: unknown): string {
  if (e instanceof Unbound) return 'Unbound';
  if (e instanceof Unpack) return 'Unpack';
  if (typeof e === 'object' && e !== null) return (e as object).constructor?.name ?? String((e as Error).name);
  return typeof e;
}

/** The errno of an OSError as a symbolic name (EAI_* for gaierror); null for other errors. */
export function errnoName(e: unknown, mod: SocketModule): string | number | null {
  if (typeof e !== 'object' || e === null) return null;
  const n = (e as { errno?: unknown }).errno;
  if (typeof n !== 'number') return null;
  // Only OSError and its subclasses carry an errno in Python.
  if (typeof mod.OSError === 'function' && !(e instanceof mod.OSError)) return null;
  if (typeof mod.gaierror === 'function' && e instanceof mod.gaierror) {
    for (const [k, v] of Object.entries(mod)) if (k.startsWith('EAI_') && v === n) return k;
    return n;
  }
  if (typeof mod.herror === 'function' && e instanceof mod.herror) return n;
  const known = ERRNO_NAMES.get(n);
  if (known !== undefined) return known;
  // Names Node's table lacks (ESOCKTNOSUPPORT...): socket-compat names them in `code`.
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : n;
}
