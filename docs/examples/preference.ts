// Who runs after a hand-off: preference -1, 0, 1 and scheduleAll.
import { run, spawn } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<preference>>
function handOff(setup: (ch: Channel<string>) => void): string {
  const log: string[] = [];
  const ch = new Channel<string>();
  setup(ch);
  spawn(function* () {
    const v = yield* ch.receive(); // blocks first
    log.push(`R got ${v}`);
  });
  spawn(function* () {
    yield* ch.send('x'); // finds the receiver waiting
    log.push('S goes on');
  });
  spawn(function* () {
    log.push('T runs');
  });
  run();
  return log.join(', ');
}
console.log('preference -1:', handOff((ch) => (ch.preference = -1)));
console.log('preference  0:', handOff((ch) => (ch.preference = 0)));
console.log('preference  1:', handOff((ch) => (ch.preference = 1)));
console.log('scheduleAll  :', handOff((ch) => (ch.scheduleAll = true)));
// <</preference>>
