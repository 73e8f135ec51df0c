// makefile(): line-oriented protocols over a socket, in binary and text mode.
import { spawn, useBackend, waitFor, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';

await useBackend();

// <<makefile>>
// The server answers each line with its length in bytes, through a binary file.
function* server(listener: socket.socket): TaskletGenerator<void> {
  const [conn] = yield* listener.accept();
  const f = conn.makefile('rwb') as socket.SocketFile; // bytes in, bytes out
  for (let line = yield* f.readline(); line.length > 0; line = yield* f.readline()) {
    // Written bytes wait in the file's buffer until flush().
    if (line.toString() === 'half\n') yield* f.write(Buffer.from('half a li')); // no newline
    else yield* f.write(Buffer.from(`${line.length - 1} bytes\n`));
    yield* f.flush();
  }
  yield* f.close(); // close() flushes, so it is an operation too
  conn.close(); // the socket closes once it and all its files are closed
}

// The client talks through a text file: strings in, strings out (UTF-8).
function* client(address: [string, number]): TaskletGenerator<void> {
  const s = yield* socket.create_connection(address);
  const f = s.makefile('rw', null, { encoding: 'utf-8' }) as socket.TextSocketFile;
  for (const word of ['hello', 'größer']) {
    yield* f.write(`${word}\n`);
    yield* f.flush();
    console.log(JSON.stringify(word), '->', JSON.stringify(yield* f.readline()));
  }
  // As in CPython, a read that times out loses the part of the line it had
  // received, and the file then refuses to read from the socket again.
  yield* f.write('half\n');
  yield* f.flush();
  s.settimeout(0.05);
  try {
    yield* f.readline();
  } catch (e) {
    if (e instanceof socket.timeout) console.log('readline ->', e.message);
  }
  try {
    yield* f.read(9);
  } catch (e) {
    if (e instanceof socket.OSError) console.log('read(9) ->', e.message);
  }
  yield* f.close();
  s.close();
}

const main = spawn(function* (): TaskletGenerator<void> {
  const listener = yield* socket.create_server(['127.0.0.1', 0]);
  const done = spawn(server, listener);
  yield* client(listener.getsockname() as [string, number]);
  yield* waitFor(done.join());
  listener.close();
});
await main.join();
// <</makefile>>
