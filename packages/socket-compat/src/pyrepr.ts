/** Python's repr() of the values socket-compat prints (addresses in messages and in a socket's toString()). */
import { IntEnum } from './intenum.js';

function reprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

function reprBytes(b: Uint8Array): string {
  let out = "b'";
  for (const c of b) {
    if (c === 0x27 || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += String.fromCharCode(c);
  }
  return out + "'";
}

/** repr(v) for str, int, enum members (`<AddressFamily.AF_INET: 2>`), bytes, None and tuples (JS arrays) of them. */
export function pyrepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v instanceof IntEnum) return v.repr();
  if (typeof v === 'string') return reprStr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return reprBytes(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${pyrepr(v[0])},)` : `(${v.map(pyrepr).join(', ')})`;
  return String(v);
}
