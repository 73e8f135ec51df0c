// Measures how fast the epoll shim can get the JS side running again:
//  A. wake cycle: sio_wake -> (route) -> JS callback -> enter drains -> next wake
//  B. 1-byte TCP ping-pong with an echo peer in another process, per round trip
// for the routes of native/uv_watch.h (uv_poll, waiter thread) and the
// exclusive mode (enter blocking in epoll_wait), with Node's own net socket
// as the reference. Run: npm run bench:wake  (after building the package).
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { openEpollShim, Op, WatchMode } from '@stackless-io/io-epoll';

const here = new URL('.', import.meta.url).pathname;
const N = Number(process.argv[2] ?? 20000);

function stats(samples) {
  const s = Float64Array.from(samples).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { p50: q(0.5).toFixed(2), p90: q(0.9).toFixed(2), p99: q(0.99).toFixed(2), mean: mean.toFixed(2) };
}

/** N wake cycles, each started from inside the route's callback; µs per cycle. */
function wakeCycle(mode) {
  return new Promise((resolve) => {
    const shim = openEpollShim({ arenaBytes: 4096 });
    const samples = [];
    let t = 0;
    let i = 0;
    shim.watch(mode, () => {
      shim.enter();
      const now = performance.now();
      if (i++ > 100) samples.push((now - t) * 1000); // skip warm-up
      if (i < N + 100) {
        t = performance.now();
        shim.wake();
      } else {
        shim.unwatch();
        shim.close();
        resolve(stats(samples));
      }
    });
    t = performance.now();
    shim.wake();
  });
}

async function startPeer() {
  const src = `${here}echo_peer.cc`;
  const bin = `${here}../build/echo_peer`;
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) execFileSync('g++', ['-O2', '-o', bin, src]);
  const peer = spawn(bin, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(peer.stdout, 'data');
  return { peer, port: Number(String(line).trim()) };
}

/** Shim side of the ping-pong; `mode` is a WatchMode or 'exclusive'. */
async function pingPongShim(mode) {
  const { peer, port } = await startPeer();
  const shim = openEpollShim({ arenaBytes: 4096 });
  const a = shim.arena;
  const sync = (s) => shim.sync({ token: 0, gen: 0, ...s });
  const fd = sync({ op: Op.SOCKET, arg0: 2, arg1: 1 });
  const dv = new DataView(a.buffer, a.byteOffset);
  dv.setUint16(0, 2, true);
  dv.setUint16(2, port, false);
  dv.setUint32(4, 0x7f000001, false);
  dv.setInt32(16, 1, true);
  sync({ op: Op.SETSOCKOPT, fd, off: 16, len: 4, arg0: 6, arg1: 1 }); // TCP_NODELAY
  shim.submit({ op: Op.CONNECT, token: 1, gen: 1, fd, off: 0, len: 16 });
  while (shim.enter(-1) === 0);
  if (shim.res(0) !== 0) throw new Error(`connect: ${shim.res(0)}`);
  const samples = [];
  let t = 0;
  let i = 0;
  let gen = 1;
  // One round: queue SEND + RECV in one batch. Returns true when the RECV completed.
  const handle = (n) => {
    for (let k = 0; k < n; k++) if (shim.token(k) === 3 && shim.gen(k) === gen) return true;
    return false;
  };
  const start = () => {
    gen++;
    t = performance.now();
    shim.submit({ op: Op.SEND, token: 2, gen, fd, off: 32, len: 1 });
    shim.submit({ op: Op.RECV, token: 3, gen, fd, off: 40, len: 1 });
    return shim.enter();
  };
  const finishRound = () => {
    if (i++ > 100) samples.push((performance.now() - t) * 1000);
    return i < N + 100;
  };
  await new Promise((resolve) => {
    if (mode === 'exclusive') {
      let n = start();
      for (;;) {
        if (handle(n)) {
          if (!finishRound()) break;
          n = start();
        } else n = shim.enter(-1);
      }
      resolve();
      return;
    }
    // On two cores the peer sometimes echoes before the same enter() has
    // returned; such a round needed no wake-up and is counted as it is.
    const drive = (n) => {
      while (handle(n)) {
        if (!finishRound()) {
          shim.unwatch();
          resolve();
          return;
        }
        n = start();
      }
    };
    shim.watch(mode, () => drive(shim.enter()));
    drive(start());
  });
  shim.submit({ op: Op.CLOSE, token: 4, gen: 1, fd });
  shim.enter();
  shim.close();
  await once(peer, 'exit');
  return stats(samples);
}

async function pingPongNode() {
  const { peer, port } = await startPeer();
  const sock = connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await once(sock, 'connect');
  const samples = [];
  let t = 0;
  let i = 0;
  const one = Buffer.from([1]);
  await new Promise((resolve) => {
    sock.on('data', () => {
      if (i++ > 100) samples.push((performance.now() - t) * 1000);
      if (i < N + 100) {
        t = performance.now();
        sock.write(one);
      } else resolve();
    });
    t = performance.now();
    sock.write(one);
  });
  sock.destroy();
  await once(peer, 'exit');
  return stats(samples);
}

const rows = [];
rows.push({ test: 'wake cycle', route: 'uv_poll (no thread)', ...(await wakeCycle(WatchMode.UV_POLL)) });
rows.push({ test: 'wake cycle', route: 'waiter thread + uv_async_send', ...(await wakeCycle(WatchMode.THREAD)) });
rows.push({ test: 'TCP 1-byte RTT', route: 'uv_poll (no thread)', ...(await pingPongShim(WatchMode.UV_POLL)) });
rows.push({ test: 'TCP 1-byte RTT', route: 'waiter thread + uv_async_send', ...(await pingPongShim(WatchMode.THREAD)) });
rows.push({ test: 'TCP 1-byte RTT', route: 'exclusive (enter blocks)', ...(await pingPongShim('exclusive')) });
rows.push({ test: 'TCP 1-byte RTT', route: "Node's net.Socket (reference)", ...(await pingPongNode()) });
console.log(`µs per cycle, ${N} cycles each, node ${process.version}`);
console.table(rows);
