/**
 * Node's own `net` echo server, for comparison in the c10k demo
 * (`--server node`). Prints "listening <port> node" once it accepts
 * connections; SIGINT/SIGTERM stop it.
 *
 * usage: node build/examples/c10k/node-server.js [--port N] [--max-seconds S]
 */
import net from 'node:net';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const server = net.createServer({ noDelay: true }, (sock) => {
  sock.on('data', (d) => sock.write(d));
  sock.on('error', () => sock.destroy());
});
server.listen({ port: Number(option('--port', '0')), host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`listening ${(server.address() as net.AddressInfo).port} node\n`);
});
const stop = (): void => process.exit(0);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const maxSeconds = Number(option('--max-seconds', '0'));
if (maxSeconds > 0) setTimeout(stop, maxSeconds * 1000).unref();
