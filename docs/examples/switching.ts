// schedule(), run(), kill() and throw().
import { run, schedule, sleep, spawn } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<schedule>>
const log: string[] = [];
for (const name of ['a', 'b']) {
  spawn(function* () {
    for (let i = 0; i < 2; i++) {
      log.push(`${name}${i}`);
      yield* schedule(); // to the end of the run queue
    }
  });
}
run();
console.log(log.join(' '));
// <</schedule>>

// <<run>>
const order: string[] = [];
spawn(function* () {
  order.push('first');
  yield* later.run(); // later runs now; this tasklet stays runnable
  order.push('first again');
});
const later = spawn(function* () {
  order.push('later');
});
spawn(function* () {
  order.push('last');
});
run();
console.log(order.join(', '));
// <</run>>

// <<kill>>
const jobs = new Channel<string>();
const worker = spawn(function* () {
  try {
    for (;;) console.log('job', yield* jobs.receive());
  } finally {
    console.log('worker cleans up');
  }
});
run();
worker.kill(); // from outside tasklets it takes effect at once
console.log('alive:', worker.alive, '- balance:', jobs.balance);
// <</kill>>

// <<throw>>
const sleeper = spawn(function* () {
  try {
    yield* sleep(60);
    return 'slept';
  } catch (e) {
    return `woken by ${(e as Error).message}`;
  }
});
spawn(function* () {
  yield* sleeper.throw(new Error('an alarm')); // sleeper runs now
  console.log('the thrower goes on');
});
console.log(await sleeper.join());
// <</throw>>

// <<pending>>
const idle = spawn(function* () {
  yield* sleep(60);
});
spawn(function* () {
  idle.kill({ pending: true }); // no yield*: idle meets TaskletExit at its turn
  console.log('killer done; idle still alive:', idle.alive);
});
run();
console.log('idle alive after run():', idle.alive);
// <</pending>>
