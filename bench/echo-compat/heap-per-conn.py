#!/usr/bin/env python3
"""Live heap bytes per idle connection of an echo server, by object kind.

Heap snapshots are exact and not noisy, unlike RSS on a shared machine:
this runs the server twice (with 0 and with N idle connections), takes a
heap snapshot of each (node --heapsnapshot-signal, then SIGUSR2), and
prints what grew, in bytes per connection, largest first.

  npm run build
  python3 bench/echo-compat/heap-per-conn.py [ROOT] [--conns N]

ROOT is a built checkout (default: this one); its
build/examples/echo-server/main.js is run on a free loopback port. JIT code
(type "code") grows with what V8 happened to optimise, not with the
connections; it is listed but left out of the "objects" total.
"""
import collections, glob, json, os, signal, socket, subprocess, sys, tempfile, time

def option(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default

args = [a for i, a in enumerate(sys.argv[1:], 1) if not a.startswith('--') and sys.argv[i - 1] != '--conns']
root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), '..', '..'))
conns = int(option('--conns', '2000'))

def snapshot(n):
    """Heap statistics of the server with n idle connections: {(type, name): [count, bytes]}."""
    d = tempfile.mkdtemp()
    server = subprocess.Popen(['node', '--heapsnapshot-signal=SIGUSR2', os.path.join(root, 'build/examples/echo-server/main.js'), '--port', '0'],
                              cwd=d, stdout=subprocess.PIPE, text=True)
    socks = []
    try:
        line = server.stdout.readline()
        if not line.startswith('listening'):
            sys.exit(f'the server printed {line!r}, not its listening line')
        port = int(line.split()[1])
        socks = [socket.create_connection(('127.0.0.1', port)) for _ in range(n)]
        time.sleep(1)  # every connection accepted and its tasklet parked in recv
        server.send_signal(signal.SIGUSR2)
        path, size = None, -1
        for _ in range(200):  # up to 60 s: written once its size stops changing
            time.sleep(0.3)
            found = glob.glob(os.path.join(d, '*.heapsnapshot'))
            if found:
                now = os.path.getsize(found[0])
                if now > 0 and now == size:
                    path = found[0]
                    break
                size = now
        if path is None:
            sys.exit('no heap snapshot came')
    finally:
        for s in socks:
            s.close()
        server.kill()
        server.wait()
    snap = json.load(open(path))
    for f in glob.glob(os.path.join(d, '*')):
        os.remove(f)
    os.rmdir(d)
    meta = snap['snapshot']['meta']
    fields = meta['node_fields']
    width, ti, ni, si = len(fields), fields.index('type'), fields.index('name'), fields.index('self_size')
    types, strings, nodes = meta['node_types'][0], snap['strings'], snap['nodes']
    stats = collections.defaultdict(lambda: [0, 0])
    for i in range(0, len(nodes), width):
        entry = stats[(types[nodes[i + ti]], strings[nodes[i + ni]][:40])]
        entry[0] += 1
        entry[1] += nodes[i + si]
    return stats

base, loaded = snapshot(0), snapshot(conns)
rows = []
for key in set(base) | set(loaded):
    b, l = base.get(key, [0, 0]), loaded.get(key, [0, 0])
    rows.append(((l[1] - b[1]) / conns, (l[0] - b[0]) / conns, key))
rows.sort(reverse=True)
print(f'{root}: heap growth per idle connection ({conns} connections)')
for per, count, (kind, name) in rows:
    if per >= 4:
        print(f'{per:8.1f} B  {count:5.2f} objects  {kind:8} {name or "(no name)"}')
objects = sum(per for per, _, (kind, _) in rows if kind != 'code')
print(f'objects_bytes_per_conn={objects:.0f}')
