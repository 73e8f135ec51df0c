/**
 * Argument-count checks with CPython's messages. Python checks the count
 * before anything else, and its wording depends on how the function is
 * written (in Python, or in C with one of several calling conventions);
 * each helper here is one of those wordings.
 */

const s = (n: number): string => (n === 1 ? '' : 's');

function names(list: string[]): string {
  const q = list.map((n) => `'${n}'`);
  if (q.length <= 1) return q.join('');
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/**
 * A function written in Python: `params` its positional parameters, the
 * first `required` without default; `self` for a method (Python counts it).
 * `extra` allows that many trailing JS-only arguments (an options object
 * standing for keyword arguments).
 */
export function pyArity(name: string, argc: number, params: string[], required: number, self = false, extra = 0): void {
  if (argc < required) {
    const missing = params.slice(argc, required);
    throw new TypeError(`${name}() missing ${missing.length} required positional argument${s(missing.length)}: ${names(missing)}`);
  }
  if (argc > params.length + extra) {
    const k = self ? 1 : 0;
    const total = params.length + k;
    const given = argc + k;
    const takes = required === params.length ? `${total} positional argument${s(total)}` : `from ${required + k} to ${total} positional arguments`;
    throw new TypeError(`${name}() takes ${takes} but ${given} ${given === 1 ? 'was' : 'were'} given`);
  }
}

/** A C function that takes exactly `n` arguments (METH_VARARGS, or METH_NOARGS when n is 0). */
export function cExact(name: string, argc: number, n: number): void {
  if (argc === n) return;
  if (n === 0) throw new TypeError(`${name}() takes no arguments (${argc} given)`);
  throw new TypeError(`${name}() takes exactly ${n} argument${s(n)} (${argc} given)`);
}

/** A C function of one argument (METH_O). */
export function cOne(name: string, argc: number): void {
  if (argc !== 1) throw new TypeError(`${name}() takes exactly one argument (${argc} given)`);
}

/** A C function taking `min` to `max` arguments. */
export function cRange(name: string, argc: number, min: number, max: number): void {
  if (argc < min) throw new TypeError(`${name}() takes at least ${min} argument${s(min)} (${argc} given)`);
  if (argc > max) throw new TypeError(`${name}() takes at most ${max} argument${s(max)} (${argc} given)`);
}
