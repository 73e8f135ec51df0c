// The socket-compat echo server example (examples/echo-server), run as a
// user would run it: a child process on port 0, which prints its port; Node
// `net` clients echo data through it; SIGTERM (and SIGINT) stop it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MAIN = path.join(ROOT, 'build', 'examples', 'echo-server', 'main.js');

interface Server {
  child: ChildProcess;
  port: number;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<ChildProcess>();

function startServer(args: string[] = []): Promise<Server> {
  // --max-seconds: the server stops by itself should this test die first.
  const child = spawn(process.execPath, [MAIN, '--port', '0', '--max-seconds', '60', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    }),
  );
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 10 s: ${err}`)), 10_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening: ${err}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening (\d+) /m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), out: () => out, exited });
      }
    });
  });
}

/** Connects, writes `data` (in chunks), and resolves with every byte echoed back once `data.length` arrived. */
function echo(port: number, data: Buffer, chunk = 1000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const parts: Buffer[] = [];
    let got = 0;
    sock.setTimeout(10_000, () => sock.destroy(new Error('no echo within 10 s')));
    sock.on('error', reject);
    sock.on('connect', () => {
      for (let off = 0; off < data.length; off += chunk) sock.write(data.subarray(off, off + chunk));
    });
    sock.on('data', (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= data.length) {
        sock.end();
        resolve(Buffer.concat(parts));
      }
    });
  });
}

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

describe('examples/echo-server', function () {
  this.timeout(30_000);

  afterEach(() => {
    for (const c of started) c.kill('SIGKILL');
    started.clear();
  });

  it('echoes data from Node net clients and stops cleanly on SIGTERM', async () => {
    const srv = await startServer();
    expect(srv.port).to.be.greaterThan(0);
    const small = await echo(srv.port, Buffer.from('hello, tasklets'));
    expect(small.toString()).to.equal('hello, tasklets');
    // Larger than one recv() and than the socket buffers: many recv/sendall turns.
    const big = pattern(1 << 20, 3);
    expect((await echo(srv.port, big, 65536)).equals(big)).to.equal(true);
    // Many connections at once, each served by its own tasklet.
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => echo(srv.port, pattern(5000 + i, i), 700)));
    many.forEach((b, i) => expect(b.equals(pattern(5000 + i, i))).to.equal(true));
    srv.child.kill('SIGTERM');
    const { code } = await srv.exited;
    expect(code).to.equal(0);
    expect(srv.out()).to.match(/stopped \(SIGTERM\): 52 connections served/);
  });

  it('--recv-into --bufsize 100 echoes the same bytes (many recv_into per message)', async () => {
    const srv = await startServer(['--recv-into', '--bufsize', '100']);
    const data = pattern(300_000, 9);
    const got = await Promise.all([echo(srv.port, data, 4096), echo(srv.port, Buffer.from('x'))]);
    expect(got[0]!.equals(data)).to.equal(true);
    expect(got[1]!.toString()).to.equal('x');
    srv.child.kill('SIGTERM');
    expect((await srv.exited).code).to.equal(0);
  });

  it('closes open connections on SIGINT, and the clients see the end of stream', async () => {
    const srv = await startServer();
    const clients = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect({ port: srv.port, host: '127.0.0.1' }, () => {
              // One echo, so that the server has accepted this connection.
              s.once('data', () => resolve(s));
              s.write('x');
            });
            s.on('error', reject);
          }),
      ),
    );
    // An orderly end of stream is 'end' (the server's FIN) before 'close',
    // with no error; a reset would be an 'error' (ECONNRESET) and no 'end'.
    const ended = clients.map(
      (s) =>
        new Promise<{ end: boolean; error: string | null; hadError: boolean }>((resolve) => {
          let end = false;
          let error: string | null = null;
          s.on('end', () => (end = true));
          s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
          s.on('close', (hadError) => resolve({ end, error, hadError }));
        }),
    );
    srv.child.kill('SIGINT');
    const { code } = await srv.exited;
    expect(code).to.equal(0);
    expect(srv.out()).to.match(/stopped \(SIGINT\): 5 connections served, 5 were open/);
    const seen = await Promise.all(ended);
    expect(seen, 'each client saw an orderly end of stream').to.deep.equal(Array(5).fill({ end: true, error: null, hadError: false }));
  });
});
