// Every public name of CPython's socket module on this machine, and every
// public attribute of its socket object, against socket-compat's: the same
// names, of the same kind (int, bool, enum member, enum, class, exception,
// function), with the same value, and for enum members the same name, repr
// and str. CPython is asked here (python3 -c "dir(socket)..."), never
// copied; the few names JavaScript cannot have are listed below with why.
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { needPython, pythonJson } from './helpers.js';
import { useDefaultBackend } from './helpers.js';

/**
 * Names of CPython's socket module that socket-compat does not provide,
 * because they are no part of the socket API a JavaScript program can use.
 */
const NOT_IN_JS: Record<string, string> = {
  array: "a Python module that socket.py imports for its own use (socket.array is the array module); JavaScript programs import their own modules",
  errno: 'a Python module that socket.py imports for its own use; the errno numbers socket re-exports (EAGAIN, EBADF, EWOULDBLOCK) are provided',
  io: 'a Python module that socket.py imports for its own use (makefile() is provided)',
  os: 'a Python module that socket.py imports for its own use',
  selectors: 'a Python module that socket.py imports for its own use (sendfile() is provided)',
  sys: 'a Python module that socket.py imports for its own use',
  CAPI: 'the PyCapsule through which C extension modules call _socket; JavaScript loads no CPython C extensions',
};

/** How a value looks from outside: its kind and what identifies it, in the same shape as the Python side's. */
type Shape = Record<string, unknown>;

const PY_DESCRIBE = `
import enum, json, socket, types
def shapeOf(v):
    if v is None:
        return {"kind": "NoneType"}
    if isinstance(v, bool):
        return {"kind": "bool", "value": v}
    if isinstance(v, enum.Enum):
        return {"kind": "member", "enum": type(v).__name__, "name": v.name, "value": int(v), "repr": repr(v), "str": str(v)}
    if isinstance(v, int):
        return {"kind": "int", "value": v}
    if v in (enum.IntEnum, enum.IntFlag):
        return {"kind": "enumbase", "name": v.__name__}
    if isinstance(v, enum.EnumType):
        return {"kind": "enum", "name": v.__name__, "flag": issubclass(v, enum.Flag),
                "members": [[k, int(m), repr(m)] for k, m in v.__members__.items()]}
    if isinstance(v, type):
        if issubclass(v, BaseException):
            return {"kind": "exception", "name": v.__name__, "oserror": issubclass(v, OSError)}
        return {"kind": "class", "name": v.__name__}
    if isinstance(v, types.ModuleType):
        return {"kind": "module"}
    if callable(v):
        return {"kind": "function"}
    return {"kind": type(v).__name__}
`;

function isClass(f: unknown): f is new (...a: never[]) => unknown {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/** The same description of a socket-compat value. */
function shapeOf(v: unknown): Shape {
  if (v === null || v === undefined) return { kind: 'NoneType' };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (v instanceof socket.IntEnum) return { kind: 'member', enum: v.enumName, name: v.name, value: v.value, repr: v.repr(), str: String(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float' };
  if (v === socket.IntEnum || v === socket.IntFlag) return { kind: 'enumbase', name: (v as { name: string }).name };
  if (typeof v === 'function' && '__members__' in v) {
    const e = v as unknown as socket.EnumType<string, socket.IntEnum> & { prototype: object };
    return {
      kind: 'enum',
      name: e.enumName,
      flag: e.prototype instanceof socket.IntFlag,
      members: [...e.__members__].map(([k, m]) => [k, m.value, m.repr()]),
    };
  }
  if (isClass(v)) {
    const isError = v === Error || v.prototype instanceof Error;
    if (isError) return { kind: 'exception', name: v.name, oserror: (v as unknown) === socket.OSError || v.prototype instanceof socket.OSError };
    return { kind: 'class', name: v.name };
  }
  if (typeof v === 'function') return { kind: 'function' };
  return { kind: typeof v };
}

/** Every name where the two sides differ, with both descriptions. */
function differences(py: Record<string, Shape>, ours: (name: string) => Shape | undefined): string[] {
  const out: string[] = [];
  for (const [name, want] of Object.entries(py)) {
    if (name in NOT_IN_JS) continue;
    const got = ours(name);
    if (got === undefined) out.push(`${name}: missing (CPython: ${JSON.stringify(want)})`);
    else if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${name}: ${JSON.stringify(got)}, CPython: ${JSON.stringify(want)}`);
  }
  return out;
}

const mod = socket as unknown as Record<string, unknown>;

describe('socket-compat: the module surface, name by name against CPython', function () {
  useDefaultBackend();

  it("every public name of CPython's socket module exists with CPython's kind and value (enum members with its repr and str)", function () {
    needPython(this);
    const py = pythonJson<Record<string, Shape>>(
      `${PY_DESCRIBE}\nprint(json.dumps({n: shapeOf(getattr(socket, n)) for n in dir(socket) if not n.startswith("_")}))`,
    );
    expect(Object.keys(py), 'CPython lists its names').to.include.members(['AF_INET', 'socket', 'getaddrinfo']);
    expect(differences(py, (n) => (n in mod ? shapeOf(mod[n]) : undefined))).to.deep.equal([]);
  });

  let pyNames: string[] | null = null;
  for (const [name, reason] of Object.entries(NOT_IN_JS)) {
    it(`${name} is CPython's and not provided: ${reason}`, function () {
      needPython(this);
      pyNames ??= pythonJson<string[]>('import json, socket; print(json.dumps(dir(socket)))');
      expect(pyNames, 'CPython has the name, so the list stays true').to.include(name);
      expect(mod, 'socket-compat does not pretend to have it').not.to.have.property(name);
    });
  }

  it("the enums' members (aliases included, in CPython's order), and what calling an enum with an int gives", function () {
    needPython(this);
    const values: Record<string, number[]> = {
      AddressFamily: [0, 2, 10, 16, 9999, -1],
      SocketKind: [1, 5, 2048, 2049, 0],
      MsgFlag: [0, 1, 3, 0x10000000, 0x10000003, 0x40 | 0x100],
      AddressInfo: [0, 1, 3, 0x40, 0x400 | 0x4],
    };
    const py = pythonJson<Record<string, string[]>>(`
import json, socket
def call(e, v):
    try:
        return repr(e(v))
    except Exception as x:
        return type(x).__name__ + ": " + str(x)
print(json.dumps({e: [call(getattr(socket, e), v) for v in vs] for e, vs in ${JSON.stringify(values)}.items()}))`);
    const ours: Record<string, string[]> = {};
    for (const [e, vs] of Object.entries(values)) {
      const en = mod[e] as (v: number) => socket.IntEnum;
      ours[e] = vs.map((v) => {
        try {
          return en(v).repr();
        } catch (x) {
          return `${(x as Error).constructor.name}: ${(x as Error).message}`;
        }
      });
    }
    expect(ours).to.deep.equal(py);
    // Members are unique, so identity comparison holds as Python's `is` and `==` do.
    expect(socket.AddressFamily(2)).to.equal(socket.AF_INET);
    expect(socket.AF_ROUTE).to.equal(socket.AF_NETLINK);
    expect(socket.MsgFlag(3)).to.equal(socket.MsgFlag(3));
  });

  it("a socket object's public attributes: the same names, methods as methods, and family/type/proto as CPython gives them", function () {
    needPython(this);
    const py = pythonJson<Record<string, Shape>>(
      `${PY_DESCRIBE}
s = socket.socket()
try:
    print(json.dumps({n: ({"kind": "method"} if callable(getattr(s, n)) else shapeOf(getattr(s, n))) for n in dir(s) if not n.startswith("_")}))
finally:
    s.close()`,
    );
    const s = new socket.socket();
    try {
      const names = new Set<string>(Object.keys(s));
      for (let p: object | null = Object.getPrototypeOf(s); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
        for (const n of Object.getOwnPropertyNames(p)) names.add(n);
      }
      const obj = s as unknown as Record<string, unknown>;
      expect(
        differences(py, (n) => {
          if (!names.has(n)) return undefined;
          return typeof obj[n] === 'function' ? { kind: 'method' } : shapeOf(obj[n]);
        }),
      ).to.deep.equal([]);
    } finally {
      s.close();
    }
  });

  it('family, type and proto of sockets of other families and types, SOCK_NONBLOCK taken out of type, as CPython reports them', function () {
    needPython(this);
    const kinds: [string, string, string[]][] = [
      ['AF_INET', 'SOCK_STREAM', []],
      ['AF_INET6', 'SOCK_DGRAM', []],
      ['AF_UNIX', 'SOCK_STREAM', ['SOCK_NONBLOCK']],
      ['AF_INET', 'SOCK_DGRAM', ['SOCK_CLOEXEC', 'SOCK_NONBLOCK']],
    ];
    const py = pythonJson<Shape[][]>(
      `${PY_DESCRIBE}
out = []
for f, t, flags in ${JSON.stringify(kinds)}:
    ty = getattr(socket, t)
    for fl in flags:
        ty |= getattr(socket, fl)
    s = socket.socket(getattr(socket, f), ty)
    out.append([shapeOf(s.family), shapeOf(s.type), shapeOf(s.proto)])
    s.close()
print(json.dumps(out))`,
    );
    const ours = kinds.map(([f, t, flags]) => {
      const ty = flags.reduce((a, fl) => a | Number(mod[fl]), Number(mod[t]));
      const s = new socket.socket(mod[f] as socket.IntEnum, ty);
      try {
        return [shapeOf(s.family), shapeOf(s.type), shapeOf(s.proto)];
      } finally {
        s.close();
      }
    });
    expect(ours).to.deep.equal(py);
  });

  it('a family and a type the enums lack (given with a descriptor) stay plain ints, as CPython gives them', function () {
    needPython(this);
    const py = pythonJson<Shape[]>(
      `${PY_DESCRIBE}
s = socket.socket()
t = socket.socket(99, 77, 0, s.detach())
print(json.dumps([shapeOf(t.family), shapeOf(t.type)]))
t.close()`,
    );
    const s = new socket.socket();
    const t = new socket.socket(99, 77, 0, s.detach());
    try {
      expect([shapeOf(t.family), shapeOf(t.type)]).to.deep.equal(py);
    } finally {
      t.close();
    }
  });
});
