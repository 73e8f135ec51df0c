// CPython's three timeout modes, per socket: null, 0 and seconds.
import { sleep, spawn, useBackend, type TaskletGenerator } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';

await useBackend();

// <<timeouts>>
const main = spawn(function* (): TaskletGenerator<void> {
  const [a, b] = yield* socket.socketpair(); // two connected sockets

  // null (the default): recv blocks this tasklet until data comes.
  console.log('timeout', a.gettimeout(), 'blocking', a.getblocking());
  spawn(function* () {
    yield* sleep(0.05); // meanwhile the other tasklet waits in recv
    yield* b.sendall(Buffer.from('late data'));
  });
  console.log('recv ->', String(yield* a.recv(100)));

  // 0 (setblocking(false)): a call that would wait raises BlockingIOError.
  a.setblocking(false);
  console.log('timeout', a.gettimeout(), 'blocking', a.getblocking());
  try {
    yield* a.recv(100);
  } catch (e) {
    if (e instanceof socket.BlockingIOError) console.log('recv ->', e.name, e.code);
  }

  // seconds: a call that waits longer raises socket.timeout ("timed out").
  a.settimeout(0.05);
  console.log('timeout', a.gettimeout(), 'blocking', a.getblocking());
  const started = performance.now();
  try {
    yield* a.recv(100);
  } catch (e) {
    if (e instanceof socket.timeout) console.log('recv ->', e.name, JSON.stringify(e.message), 'errno', e.errno);
  }
  console.log('waited at least 50 ms:', performance.now() - started >= 49);

  // MSG_DONTWAIT makes one call of a blocking socket non-blocking (with a
  // timeout set, CPython waits for the socket first all the same).
  a.settimeout(null);
  try {
    yield* a.recv(100, socket.MSG_DONTWAIT);
  } catch (e) {
    if (e instanceof socket.BlockingIOError) console.log('recv(MSG_DONTWAIT) ->', e.name, e.code);
  }

  // setdefaulttimeout() sets the timeout of sockets made afterwards.
  socket.setdefaulttimeout(2.5);
  const c = new socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  console.log('new socket timeout', c.gettimeout());
  socket.setdefaulttimeout(null);
  for (const s of [a, b, c]) s.close();
});
await main.join();
// <</timeouts>>
