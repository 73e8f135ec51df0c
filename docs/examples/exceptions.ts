// sendException and sendThrow: the receiver raises.
import { ValueError, spawn } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<exceptions>>
const ch = new Channel<number>();
const receiver = spawn(function* () {
  const seen: string[] = [];
  for (let i = 0; i < 2; i++) {
    try {
      seen.push(String(yield* ch.receive()));
    } catch (e) {
      seen.push(`${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  return seen;
});
spawn(function* () {
  yield* ch.sendException(ValueError, 'bad input'); // new ValueError('bad input')
  yield* ch.sendThrow(new RangeError('out of range')); // this very error
});
console.log(await receiver.join());
// <</exceptions>>
