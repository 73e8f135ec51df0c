/**
 * Python's IntEnum and IntFlag, as far as the socket module uses them.
 *
 * CPython's AF_INET is a member of the enum AddressFamily: an int that also
 * knows its name, so `repr(AF_INET)` is `<AddressFamily.AF_INET: 2>` while
 * arithmetic, comparison and `str()` (in 3.11) see the int 2. JavaScript has
 * no int subclass, so a member is a Number object: arithmetic (`+AF_INET`,
 * `MSG_PEEK | 0`), `==`, `String()`, template strings and JSON see its
 * value, and it carries `name`, `value` and Python's `repr()`. Members are
 * unique, so `sock.family === AF_INET` holds as in Python; what no Number
 * object can do is equal a primitive under `===` (`sock.family === 2` is
 * false, and TypeScript says so): compare with members, or with
 * `Number(x)`. Every function of socket-compat takes members and plain
 * numbers alike.
 */
import { inspect } from 'node:util';
import { ValueError } from '@stackless-io/runtime';

/** A member of an IntEnum (AddressFamily, SocketKind): an int with a name. */
export class IntEnum<E extends string = string> extends Number {
  /** The member's name (`'AF_INET'`), as Python's `.name`. */
  declare readonly name: string;
  /** The member's int (`2`), as Python's `.value`. */
  declare readonly value: number;
  /** The name of the enum it belongs to (`'AddressFamily'`), as `type(m).__name__`. */
  declare readonly enumName: E;

  /** Python's repr(): `<AddressFamily.AF_INET: 2>`. */
  repr(): string {
    return this.name === '' ? `<${this.enumName}: ${this.value}>` : `<${this.enumName}.${this.name}: ${this.value}>`;
  }

  /** What Node's console.log and util.inspect print: the repr. */
  [inspect.custom](): string {
    return this.repr();
  }
}

/** A member of an IntFlag (MsgFlag, AddressInfo): an IntEnum whose members combine as bits. */
export class IntFlag<E extends string = string> extends IntEnum<E> {}

/**
 * An enum as Python exposes it: callable with an int to get its member
 * (`AddressFamily(2) === AF_INET`), with each member as a property.
 */
export type EnumType<K extends string, M> = ((value: number | IntEnum) => M) & { readonly [P in K]: M } & {
  /** The enum's name, as Python's `__name__`. */
  readonly enumName: string;
  /** Every name, aliases included, with its member, in definition order (Python's `__members__`). */
  readonly __members__: ReadonlyMap<K, M>;
};

function makeMember<M extends IntEnum>(ctor: Function, enumName: string, name: string, value: number): M {
  // Reflect.construct gives a real Number object (arithmetic and JSON see the
  // value) whose prototype is the enum's own, so `m instanceof AddressFamily` holds.
  const m = Reflect.construct(Number, [value], ctor) as M;
  Object.defineProperties(m, {
    name: { value: name, enumerable: true },
    value: { value, enumerable: true },
    enumName: { value: enumName },
  });
  return Object.freeze(m);
}

/**
 * Builds an enum from the module's constants whose names start with `prefix`,
 * as CPython's `IntEnum._convert_` does: members in order of value, and a
 * name whose value an earlier name already has is an alias of that member
 * (AF_ROUTE is AF_NETLINK).
 */
function build<K extends string, M extends IntEnum>(
  base: typeof IntEnum,
  enumName: string,
  values: Readonly<Record<K, number>>,
): EnumType<K, M> {
  const byValue = new Map<number, M>();
  const members = new Map<K, M>();
  // Python keeps the combinations it made, so MsgFlag(3) is MsgFlag(3).
  const pseudo = new Map<number, M>();
  const isFlag = base === IntFlag;
  const lookup = function (this: unknown, v: number | IntEnum): M {
    if (v instanceof IntEnum && v instanceof (lookup as unknown as Function)) return v as M;
    const n = Number(v);
    const hit = byValue.get(n);
    if (hit !== undefined) return hit;
    if (isFlag && Number.isInteger(n)) {
      let f = pseudo.get(n);
      if (f === undefined) pseudo.set(n, (f = flagOf(n)));
      return f;
    }
    throw new ValueError(`${String(v)} is not a valid ${enumName}`);
  } as unknown as EnumType<K, M>;
  Object.defineProperty(lookup, 'name', { value: enumName });
  (lookup as unknown as { prototype: object }).prototype = Object.create(base.prototype, { constructor: { value: lookup } });
  Object.defineProperty(lookup, 'enumName', { value: enumName, enumerable: false });

  // A combination of flags is a new pseudo-member named after its bits
  // (`<MsgFlag.MSG_OOB|MSG_PEEK: 3>`), unknown bits spelled as a number, as 3.11's IntFlag does.
  const flagOf = (n: number): M => {
    const names: string[] = [];
    let rest = n;
    for (const m of byValue.values()) {
      if (m.value !== 0 && (n & m.value) === m.value && (rest & m.value) !== 0) {
        names.push(m.name);
        rest &= ~m.value;
      }
    }
    if (rest !== 0 && names.length > 0) names.push(String(rest >>> 0));
    return makeMember<M>(lookup, enumName, names.join('|'), n);
  };

  // _convert_ orders the names by value, then by name: the first name of a value is its member.
  const sorted = (Object.entries(values) as [K, number][]).map(([k, v]) => ({ k, v }));
  sorted.sort((a, b) => a.v - b.v || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  for (const { k, v } of sorted) {
    let m = byValue.get(v);
    if (m === undefined) {
      m = makeMember<M>(lookup, enumName, k, v);
      byValue.set(v, m);
    }
  }
  for (const { k } of sorted) {
    const m = byValue.get(values[k])!;
    members.set(k, m);
    Object.defineProperty(lookup, k, { value: m, enumerable: true });
  }
  Object.defineProperty(lookup, '__members__', { value: members });
  Object.defineProperty(lookup, '_byValue', { value: byValue });
  return Object.freeze(lookup);
}

/** An IntEnum named `enumName` whose members are `values`. */
export function intEnum<K extends string, E extends string>(enumName: E, values: Readonly<Record<K, number>>): EnumType<K, IntEnum<E>> {
  return build<K, IntEnum<E>>(IntEnum, enumName, values);
}

/** An IntFlag named `enumName` whose members are `values`. */
export function intFlag<K extends string, E extends string>(enumName: E, values: Readonly<Record<K, number>>): EnumType<K, IntFlag<E>> {
  return build<K, IntFlag<E>>(IntFlag, enumName, values);
}

/**
 * The member of `e` for `n`, or `n` itself when `e` has none: what CPython's
 * `_intenum_converter` answers for `sock.family` and `sock.type`.
 */
export function toMember<K extends string, M extends IntEnum>(e: EnumType<K, M>, n: number): M | number {
  return (e as unknown as { _byValue: Map<number, M> })._byValue.get(n) ?? n;
}

/** A member's int, and any other value as it is: the first step at the public edge. */
export function plainInt<T>(v: T): T | number {
  return v instanceof IntEnum ? v.value : v;
}
