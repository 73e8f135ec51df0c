#!/usr/bin/env python3
"""The reference side of the differential tests: runs scenarios (the neutral
JSON of README.md) on CPython's own `socket` module and prints one trace per
scenario as a JSON line.

    python3 runner.py < batch.json > traces.jsonl    # batch: {"scenarios": [...]}
    python3 runner.py --features                      # {"ipv6": true, ...}

Each actor of a scenario is a thread; actors meet only at the scenario's
events. A watchdog bounds every scenario: when it fires, the runner shuts
down and closes the scenario's sockets, releases every event, drops what the
actors do after that moment and names the actors it stopped.

The normalisation here and in ts-runner.ts must stay the same: README.md,
"Trace".
"""
import enum
import errno as errno_mod
import functools
import operator
import random
import string
import subprocess
import io
import json
import math
import os
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time

DEFAULT_TIMEOUT = 5.0

# errno aliases: both runners print the first name of each pair.
ALIASES = {"EWOULDBLOCK": "EAGAIN", "ENOTSUP": "EOPNOTSUPP", "EDEADLOCK": "EDEADLK"}
EAI_NAMES = {getattr(socket, n): n for n in dir(socket) if n.startswith("EAI_")}


def features():
    out = {"unix": hasattr(socket, "AF_UNIX"), "linux": sys.platform.startswith("linux"), "ipv6": False, "dualstack": False}
    if socket.has_ipv6:
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
                s.bind(("::1", 0))
            out["ipv6"] = True
        except OSError:
            pass
    out["dualstack"] = out["ipv6"] and socket.has_dualstack_ipv6()
    return out


class Unbound(Exception):
    """A step used a variable that no earlier step set (its step failed)."""


class Unpack(Exception):
    """`a, b = ...` on a value of another length."""


class Stopped(BaseException):
    """The watchdog fired: the actor stops without recording the step."""


class Ctx:
    def __init__(self, tmp):
        self.vars = {}
        self.tmp = tmp
        self.events = {}
        self.lock = threading.Lock()
        self.owned = []  # sockets and files to close at the end
        self.stopping = False
        self.deadline = 0.0
        self.children = []  # processes started by child_uses_fd, reaped at the end

    def event(self, name):
        with self.lock:
            ev = self.events.get(name)
            if ev is None:
                ev = self.events[name] = threading.Event()
            return ev

    def own(self, v):
        if isinstance(v, (socket.socket, io.IOBase)):
            with self.lock:
                self.owned.append(v)
        elif isinstance(v, (tuple, list)):
            for x in v:
                if isinstance(x, (socket.socket, io.IOBase)):
                    self.own(x)


def builtin(ctx, name):
    if name == "bytearray":
        return bytearray
    if name == "bytes":
        return bytes
    if name == "tmp":
        return lambda leaf: os.path.join(ctx.tmp, leaf)
    if name == "pack_ii":
        return lambda a, b: struct.pack("ii", a, b)
    if name == "pack_i":
        return lambda a: struct.pack("i", a)
    if name == "unpack_i":
        return lambda b, off: struct.unpack_from("i", bytes(b), off)[0]
    if name == "cat":
        return lambda *bs: b"".join(bytes(b) for b in bs)
    if name == "float":
        return float
    if name == "len":
        return len
    if name == "repeat":
        return lambda b, n: bytes(b) * n
    if name == "bitor":
        # JavaScript's | makes a plain number of two enum members (it cannot
        # be overloaded), where Python's makes a MsgFlag or AddressInfo: the
        # scenarios spell the expression a TypeScript program can write.
        return lambda *xs: int(functools.reduce(operator.or_, xs, 0))
    if name == "name_of":
        return lambda x: x.__name__
    if name == "issubclass":
        return issubclass
    if name == "abstract":
        return lambda leaf: "\0" + os.path.join(ctx.tmp, leaf)
    if name == "tail":
        # The last n bytes: what a scenario checks when how many bytes came
        # before depends on the kernel's timing.
        return lambda b, n: bytes(b)[-n:] if n > 0 else b""
    if name == "open_file":
        return lambda path, data: open_file(path, data)
    if name == "child_uses_fd":
        return lambda path: start_child(ctx, path)
    return None


def open_file(path, data):
    """Writes data to path and opens it for reading (binary), as ts-file.ts does."""
    with open(path, "wb") as f:
        f.write(bytes(data))
    return open(path, "rb")


CHILD_FD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child_fd.py")


def start_child(ctx, path):
    """Starts child_fd.py (a second process that receives a descriptor over
    the Unix socket at `path` and uses it); returns None, as ts-eval.ts's
    builtin does. The process is reaped when the scenario ends."""
    p = subprocess.Popen([sys.executable, CHILD_FD, path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    with ctx.lock:
        ctx.children.append(p)
    return None


def ev(e, ctx):
    if e is None or isinstance(e, (bool, int, float, str)):
        return e
    if "bytes" in e:
        return bytes.fromhex(e["bytes"])
    if "bigint" in e:
        return int(e["bigint"])
    if "tuple" in e:
        return tuple(ev(x, ctx) for x in e["tuple"])
    if "list" in e:
        return [ev(x, ctx) for x in e["list"]]
    if "const" in e:
        return getattr(socket, e["const"])
    if "var" in e:
        try:
            return ctx.vars[e["var"]]
        except KeyError:
            raise Unbound(e["var"]) from None
    if "index" in e:
        return ev(e["index"], ctx)[e["at"]]
    if "attr" in e:
        return getattr(ev(e["attr"], ctx), e["name"])
    if "call" in e:
        f = builtin(ctx, e["call"]) or getattr(socket, e["call"])
        args = [ev(x, ctx) for x in e["args"]]
        kw = {k: ev(x, ctx) for k, x in e.get("kw", {}).items()}
        r = f(*args, **kw)
        ctx.own(r)
        return r
    if "method" in e:
        obj = ev(e["method"], ctx)
        f = getattr(obj, e["name"])
        args = [ev(x, ctx) for x in e["args"]]
        kw = {k: ev(x, ctx) for k, x in e.get("kw", {}).items()}
        r = f(*args, **kw)
        ctx.own(r)
        return r
    raise ValueError("unknown expression %r" % (e,))


def kind(v):
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(v, (tuple, list)):
        return "sequence"
    if isinstance(v, socket.socket):
        return "socket"
    if isinstance(v, io.IOBase):
        return "file"
    return type(v).__name__


def norm(v, ctx):
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, enum.Enum):
        # AF_INET, sock.family, getaddrinfo()'s family and type: an int that
        # prints as <AddressFamily.AF_INET: 2>; socket-compat's must too.
        return {"enum": repr(v)}
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return {"type": "float:nan"}
        if math.isinf(v):
            return {"type": "float:inf" if v > 0 else "float:-inf"}
        return v
    if isinstance(v, str):
        return v.replace(ctx.tmp, "$TMP")
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"b": bytes(v).replace(ctx.tmp.encode(), b"$TMP").hex()}
    if isinstance(v, tuple) and len(v) in (2, 4) and isinstance(v[0], str) and isinstance(v[1], int) and not isinstance(v[1], bool):
        return {"addr": [norm(x, ctx) for x in v]}
    if isinstance(v, (tuple, list)):
        return [norm(x, ctx) for x in v]
    if isinstance(v, socket.socket):
        return {"socket": [norm(v.family, ctx), norm(v.type, ctx), norm(v.proto, ctx)]}
    if isinstance(v, io.IOBase):
        return {"file": ""}
    return {"type": type(v).__name__}


def apply_filter(f, v, ctx):
    if f is None:
        return norm(v, ctx)
    if f == "ignore":
        return None
    if f == "type":
        return {"type": kind(v)}
    if f == "len":
        return len(v)
    if f == "nonneg":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError("'>=' not supported between instances of '%s' and 'int'" % kind(v))
        return v >= 0
    if f == "bool":
        return bool(v)
    raise ValueError("unknown filter " + f)


def errno_name(e):
    if not isinstance(e, OSError):
        return None
    n = e.errno
    if n is None:
        return None
    if isinstance(e, socket.gaierror):
        return EAI_NAMES.get(n, n)
    if isinstance(e, socket.herror):
        return n
    name = errno_mod.errorcode.get(n)
    if name is None:
        return n
    return ALIASES.get(name, name)


def class_name(e):
    name = type(e).__name__
    return "TimeoutError" if name == "timeout" else name


def run_actor(name, steps, ctx, trace):
    for i, step in enumerate(steps):
        if ctx.stopping:
            return
        try:
            if "set" in step:
                ctx.event(step["set"]).set()
                continue
            if "wait" in step:
                ev_ = ctx.event(step["wait"])
                ev_.wait(max(0.0, ctx.deadline - time.monotonic()))
                if ctx.stopping or not ev_.is_set():
                    return
                continue
            if "sleep" in step:
                time.sleep(step["sleep"])
                continue
            entry = {"a": name, "i": i}
            try:
                v = ev(step["do"], ctx)
                targets = step.get("as")
                if targets:
                    if len(targets) == 1:
                        ctx.vars[targets[0]] = v
                    else:
                        vals = list(v)
                        if len(vals) != len(targets):
                            raise Unpack(len(vals))
                        for t, x in zip(targets, vals):
                            ctx.vars[t] = x
                entry["ok"] = apply_filter(step.get("filter"), v, ctx)
            except Exception as e:  # noqa: BLE001 - every failure is part of the trace
                entry["err"] = class_name(e)
                entry["errno"] = errno_name(e)
                entry["msg"] = str(e).replace(ctx.tmp, "$TMP")
            if ctx.stopping:
                return
            trace.append(entry)
        except Stopped:
            return


def close_quietly(obj, shut):
    try:
        if shut and isinstance(obj, socket.socket):
            try:
                obj.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        obj.close()
    except Exception:  # noqa: BLE001 - cleanup of a socket in any state
        pass


def make_tmp():
    """A private directory named as Node's mkdtemp names them (six random
    characters), so that paths have the same length on both sides."""
    base = tempfile.gettempdir()
    chars = string.ascii_letters + string.digits
    for _ in range(100):
        path = os.path.join(base, "sdiff-" + "".join(random.choice(chars) for _ in range(6)))
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue
    raise RuntimeError("cannot make a temporary directory")


def run_scenario(sc, feats):
    name = sc["name"]
    missing = [r for r in sc.get("requires", []) if not feats.get(r, False)]
    if missing:
        return {"name": name, "skip": "needs " + ",".join(missing), "entries": []}
    tmp = make_tmp()
    ctx = Ctx(tmp)
    timeout = sc.get("timeout", DEFAULT_TIMEOUT)
    ctx.deadline = time.monotonic() + timeout
    actors = sorted(sc["actors"].keys())
    traces = {a: [] for a in actors}
    threads = []
    for a in actors:
        t = threading.Thread(target=run_actor, args=(a, sc["actors"][a], ctx, traces[a]), daemon=True)
        threads.append((a, t))
        t.start()
    stuck = []
    for a, t in threads:
        t.join(max(0.0, ctx.deadline - time.monotonic()))
        if t.is_alive():
            stuck.append(a)
    if stuck:
        ctx.stopping = True
        with ctx.lock:
            for e in ctx.events.values():
                e.set()
            owned = list(ctx.owned)
        for o in owned:
            close_quietly(o, True)
        for a, t in threads:
            t.join(1.0)
    with ctx.lock:
        owned = list(ctx.owned)
    for o in reversed(owned):
        close_quietly(o, False)
    for p in ctx.children:
        try:
            p.wait(2.0)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    socket.setdefaulttimeout(None)
    shutil.rmtree(tmp, ignore_errors=True)
    entries = [e for a in actors for e in traces[a]]
    out = {"name": name, "entries": entries}
    if stuck:
        out["watchdog"] = stuck
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--features":
        print(json.dumps(features()))
        return
    batch = json.load(sys.stdin)
    feats = batch.get("features") or features()
    out = sys.stdout
    for sc in batch["scenarios"]:
        trace = run_scenario(sc, feats)
        out.write(json.dumps(trace, allow_nan=False) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
