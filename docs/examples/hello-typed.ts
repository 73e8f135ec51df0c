import { spawn, sleep } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

const words = new Channel<string | null>();

spawn(function* producer() {
  for (const word of ['hello', 'from', 'two', 'tasklets']) {
    yield* words.send(word);
    yield* sleep(0.01);
  }
  yield* words.send(null);
});

const consumer = spawn(function* consumer() {
  let count = 0;
  for (let word = yield* words.receive(); word !== null; word = yield* words.receive()) {
    console.log(word.toUpperCase()); // word: string here
    count++;
  }
  return count;
});

const count: number = await consumer.join();
console.log('received', count, 'words');
