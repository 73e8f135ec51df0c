// sendSequence, close and iteration.
import { spawn } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<iterate>>
const ch = new Channel<string>();
ch.preference = 1; // the sender goes on after each hand-off, so it closes first
const consumer = spawn(function* () {
  const got: string[] = [];
  for (const item of ch) got.push(yield* item); // ends once closed and drained
  return got;
});
spawn(function* () {
  const n = yield* ch.sendSequence(['a', 'b', 'c']);
  ch.close();
  console.log('sent', n, '- closing', ch.closing, '- closed', ch.closed);
});
console.log(await consumer.join());
// <</iterate>>

// <<next>>
const numbers = new Channel<number>();
numbers.preference = 1;
const sum = spawn(function* () {
  let total = 0;
  for (let r = yield* numbers.next(); !r.done; r = yield* numbers.next()) total += r.value;
  return total;
});
spawn(function* () {
  yield* numbers.sendSequence([1, 2, 3]);
  numbers.close();
  try {
    yield* numbers.send(4); // no receiver waits, and a closed channel refuses to wait
  } catch (e) {
    console.log((e as Error).name, '-', (e as Error).message);
  }
});
console.log('sum', await sum.join());
// <</next>>
