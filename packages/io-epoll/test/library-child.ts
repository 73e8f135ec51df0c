// Run by library.test.ts in a child process, so that a library that crashed
// the loader would kill this process, not mocha: for each path in argv, with
// $SIO_EPOLL_LIBRARY pointing at it, prints what the backend says
// (unavailableReason) and what opening the shim throws, as JSON lines.
import { backend, openEpollShim } from '@stackless-io/io-epoll';

for (const path of process.argv.slice(2)) {
  process.env.SIO_EPOLL_LIBRARY = path;
  let thrown: string | null = null;
  let name = '';
  try {
    const shim = openEpollShim();
    shim.close();
  } catch (e) {
    thrown = (e as Error).message;
    name = (e as Error).name;
  }
  console.log(JSON.stringify({ path, reason: backend.unavailableReason(), thrown, name }));
}
