/**
 * sendmsg_afalg(): sendmsg() on an AF_ALG socket (the kernel's crypto API)
 * with the operation, IV and AEAD associated-data length as ancillary data
 * at SOL_ALG, as CPython builds them.
 */
import type { TaskletGenerator } from '@stackless-io/runtime';
import * as C from './constants.js';
import { ALG_SET_AEAD_ASSOCLEN, ALG_SET_IV, ALG_SET_OP, SOL_ALG } from './constants-families.js';
import { cRange } from './arity.js';
import { messageError, OSError, OverflowError } from './errors.js';
import { plainInt } from './intenum.js';
import { sendmsg } from './messages.js';
import { pytype, toBytes, toCIntStrict, type Int } from './pyargs.js';
import type { socket } from './socket.js';
import { packInts } from './sockopt.js';

/** The keyword-only arguments of sendmsg_afalg() (Python's `op=`, `iv=`, `assoclen=`, `flags=`). */
export interface AfalgOptions {
  /** ALG_OP_ENCRYPT or ALG_OP_DECRYPT (required). */
  op?: Int;
  /** The initialisation vector, if the algorithm takes one. */
  iv?: Uint8Array | null;
  /** The length of the associated data, for AEAD ciphers. */
  assoclen?: Int | null;
  /** sendmsg() flags. */
  flags?: Int;
}

/** An int argument that must be a Python int (CPython's "O!" with PyLong_Type). */
function intArg(v: unknown, name: string): number {
  const n = plainInt(v);
  if (typeof n !== 'number' && typeof n !== 'bigint') throw new TypeError(`sendmsg_afalg() argument '${name}' must be int, not ${pytype(v)}`);
  return Number(n);
}

/** sendmsg_afalg(msg = [], { op, iv, assoclen, flags }): the byte count. */
export function sendmsgAfalg(sock: socket, argc: number, msg: unknown, options: AfalgOptions): TaskletGenerator<number> {
  // CPython refuses every other family before it looks at the arguments.
  if (sock._family !== C.AF_ALG) throw messageError(OSError, 'algset is only supported for AF_ALG');
  cRange('sendmsg_afalg', argc, 0, 2);
  if (options.op === undefined) throw new TypeError("Invalid or missing argument 'op'");
  const op = intArg(options.op, 'op');
  if (op < 0 || op > 0xffffffff) throw new OverflowError('Python int too large to convert to C unsigned long');
  const anc: [number, number, Uint8Array][] = [[SOL_ALG, ALG_SET_OP, packInts([op | 0], 4)]];
  if (options.iv !== undefined && options.iv !== null) {
    const iv = toBytes(options.iv);
    // struct af_alg_iv: a 32-bit length, then the bytes.
    anc.push([SOL_ALG, ALG_SET_IV, Buffer.concat([packInts([iv.length], 4), iv])]);
  }
  if (options.assoclen !== undefined && options.assoclen !== null) {
    const assoclen = toCIntStrict(intArg(options.assoclen, 'assoclen'));
    if (assoclen < 0) throw new TypeError('assoclen must be positive');
    anc.push([SOL_ALG, ALG_SET_AEAD_ASSOCLEN, packInts([assoclen], 4)]);
  }
  const flags = options.flags === undefined ? 0 : options.flags;
  return sendmsg(sock, 3, msg ?? [], anc, flags, null);
}
