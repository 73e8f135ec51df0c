// A rendezvous: whoever comes first waits in the channel's queue.
import { run, spawn } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<basics>>
const ch = new Channel<number>();
const receiver = spawn(function* receiver() {
  const value = yield* ch.receive(); // value: number
  console.log('received', value);
});
run(); // the receiver blocks: nobody sends yet
console.log('balance', ch.balance, '- queue', String(ch.queue), '- blocked', receiver.blocked);

spawn(function* sender() {
  yield* ch.send(42); // a receiver waits: the value crosses at once
  console.log('sent');
});
run();
console.log('balance', ch.balance);
// <</basics>>
