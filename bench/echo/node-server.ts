/**
 * Node `net` echo server, for comparison.
 * usage: node build/bench/echo/node-server.js [--port N] [--max-seconds S]
 * Prints "listening <port> node default" once it accepts connections.
 */
import net from 'node:net';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(argValue('--port') ?? 0);
const maxSeconds = Number(argValue('--max-seconds') ?? 600);

const server = net.createServer({ noDelay: true }, (sock) => {
  sock.setNoDelay(true);
  sock.on('data', (d) => sock.write(d));
  sock.on('error', () => sock.destroy());
});
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  const a = server.address() as net.AddressInfo;
  process.stdout.write(`listening ${a.port} node default\n`);
});
setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
