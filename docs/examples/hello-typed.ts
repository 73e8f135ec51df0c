import { spawn, sleep } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

const words = new Channel<string | null>();

// A producer tasklet: each send blocks it until a receiver takes the word.
spawn(function* producer() {
  for (const word of ['hello', 'from', 'two', 'tasklets']) {
    yield* words.send(word);
    yield* sleep(0.01); // blocks this tasklet only
  }
  yield* words.send(null); // no more words
});

// A consumer tasklet: it prints the words and returns how many it got.
const consumer = spawn(function* consumer() {
  let count = 0;
  for (let word = yield* words.receive(); word !== null; word = yield* words.receive()) {
    console.log(word);
    count++;
  }
  return count;
});

// Async code awaits a tasklet's result; Node's event loop never blocks.
console.log('received', await consumer.join(), 'words');
