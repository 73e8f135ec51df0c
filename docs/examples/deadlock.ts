// A tasklet that can never wake: join() rejects with DeadlockError.
import { DeadlockError, spawn } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<deadlock>>
const replies = new Channel<string>();
const client = spawn(function* client() {
  return yield* replies.receive(); // nobody will ever send
});
try {
  await client.join();
} catch (e) {
  if (!(e instanceof DeadlockError)) throw e;
  console.log(e.message);
  client.kill(); // it is still blocked: end it
}
// <</deadlock>>
