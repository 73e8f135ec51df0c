// Blocking operations compose with yield*, and their types survive.
import { spawn, sleep, type Operation, type TaskletGenerator } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<compose>>
// A helper that blocks is itself a generator function; a tasklet runs it
// with yield*, and its return type comes back intact.
function* receivePair<T>(ch: Channel<T>): TaskletGenerator<[T, T]> {
  const first = yield* ch.receive();
  const second = yield* ch.receive();
  return [first, second];
}

// An Operation<T> is anything iterable that follows the protocol; a
// generator method is the easy way to write one that can be reused.
function after<T>(seconds: number, value: T): Operation<T> {
  return {
    *[Symbol.iterator]() {
      yield* sleep(seconds);
      return value;
    },
  };
}

const ch = new Channel<number>();
spawn(function* () {
  yield* ch.sendSequence([1, 2]);
});
const t = spawn(function* () {
  const [a, b] = yield* receivePair(ch); // a, b: number
  const c = yield* after(0.01, 3);        // c: number
  return a + b + c;
});
console.log(await t.join()); // 6
// <</compose>>
