/** Python's socket.sethostname: the kernel's answer, through the backend. */
import { constants } from 'node:os';
import { currentBackend, ValueError } from '@stackless-io/runtime';
import { cExact } from './arity.js';
import { check } from './check.js';
import { errorFor } from './errors.js';
import { fsencode } from './fsencode.js';
import { pytype } from './pyargs.js';

const { ENOSYS } = constants.errno;

/**
 * Sets the machine's host name, as sethostname(2): `name` is a str
 * (encoded as os.fsencode does: UTF-8 with surrogate escapes) or bytes. Raises
 * the kernel's OSError (PermissionError without the privilege); a backend
 * that cannot ask the kernel raises OSError(ENOSYS).
 */
export function sethostname(name: string | Uint8Array): void {
  cExact('sethostname', arguments.length, 1);
  let bytes: Uint8Array;
  if (typeof name === 'string') {
    // A str goes through PyUnicode_FSConverter (os.fsencode), which refuses
    // NUL; bytes go to the kernel as they are, with their length (a NUL cuts
    // the name there).
    bytes = fsencode(name);
    if (bytes.includes(0)) throw new ValueError('embedded null byte');
  } else if (name instanceof Uint8Array) {
    bytes = name;
  } else {
    throw new TypeError(`expected str, bytes or os.PathLike object, not ${pytype(name)}`);
  }
  const b = currentBackend();
  if (b.sethostname === undefined) throw errorFor(ENOSYS);
  check(b.sethostname(bytes));
}
