/**
 * Network interface names and indexes: if_nameindex, if_nametoindex,
 * if_indextoname. Node has no if_nametoindex(3); the kernel lists its
 * interfaces in sysfs (/sys/class/net/<name>/ifindex), read here on each
 * call. Where that directory does not exist, no interface is known.
 */
import type { Int } from './pyargs.js';
import { readdirSync, readFileSync } from 'node:fs';
import { cExact, cOne } from './arity.js';
import { errno, errorFor, messageError, OSError, OverflowError } from './errors.js';
import { pytype } from './pyargs.js';
import { plainInt } from './intenum.js';

const SYSFS = '/sys/class/net';

function interfaces(): [number, string][] {
  let names: string[];
  try {
    names = readdirSync(SYSFS);
  } catch {
    return [];
  }
  const out: [number, string][] = [];
  for (const name of names) {
    try {
      out.push([Number(readFileSync(`${SYSFS}/${name}/ifindex`, 'latin1').trim()), name]);
    } catch {
      // The interface went away while we listed them.
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The index of the interface named `name`, or 0 when there is none (if_nametoindex(3)). */
export function indexOfInterface(name: string): number {
  return interfaces().find(([, n]) => n === name)?.[0] ?? 0;
}

/** The name of the interface with index `index`, or null (if_indextoname(3)). */
export function nameOfInterface(index: number): string | null {
  return interfaces().find(([i]) => i === index)?.[1] ?? null;
}

/** Every network interface as `[index, name]`. */
export function if_nameindex(): [number, string][] {
  cExact('_socket.if_nameindex', arguments.length, 0);
  return interfaces();
}

/** The index of the interface named `if_name`. */
export function if_nametoindex(if_name: string | Uint8Array): number {
  cExact('if_nametoindex', arguments.length, 1);
  let name: string;
  if (typeof if_name === 'string') name = if_name;
  else if (if_name instanceof Uint8Array) name = Buffer.from(if_name).toString('latin1');
  else throw new TypeError(`expected str, bytes or os.PathLike object, not ${pytype(if_name)}`);
  const hit = interfaces().find(([, n]) => n === name);
  if (hit === undefined) throw messageError(OSError, 'no interface with this name');
  return hit[0];
}

/** The name of the interface with index `if_index`. */
export function if_indextoname(if_index: Int): string {
  cOne('_socket.if_indextoname', arguments.length);
  if_index = plainInt(if_index);
  if (!(typeof if_index === 'number' && Number.isInteger(if_index)) && typeof if_index !== 'bigint' && typeof if_index !== 'boolean') {
    throw new TypeError('an integer is required');
  }
  const n = Number(if_index);
  if (n < 0) throw new OverflowError("can't convert negative value to unsigned int");
  const hit = interfaces().find(([i]) => i === n);
  if (hit === undefined) throw errorFor(errno('ENXIO'));
  return hit[1];
}
