// Main blocks as in Stackless: block(op) runs the scheduler inside the call.
import { block, schedule, sleep, tasklet } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<main-block>>
const ch = new Channel<string>();
tasklet(function* producer() {
  yield* sleep(0.01); // main waits meanwhile: the thread waits on the timer
  yield* ch.send('hello');
  console.log('producer: sent');
})();
console.log('main: receiving');
console.log('main: got', block(ch.receive())); // Stackless: ch.receive()
block(schedule()); // let the producer finish its turn
// <</main-block>>

// <<main-deadlock>>
try {
  block(ch.receive()); // nobody can ever send
} catch (e) {
  console.log(`${(e as Error).name}: ${(e as Error).message}`);
}
tasklet(function* quitter() {})();
try {
  block(ch.receive()); // the last tasklet ends without sending
} catch (e) {
  console.log(`${(e as Error).name}: ${(e as Error).message}`);
}
// <</main-deadlock>>
