// Channels from async code: sendAsync and receiveAsync.
import { spawn } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<async>>
const requests = new Channel<number>();
const replies = new Channel<number>();
spawn(function* squarer() {
  for (;;) {
    const n = yield* requests.receive();
    yield* replies.send(n * n);
  }
});
for (const n of [2, 3]) {
  await requests.sendAsync(n); // resolves once a tasklet took the value
  console.log(n, '->', await replies.receiveAsync());
}
// <</async>>
