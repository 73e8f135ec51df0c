// select over several channels, with a timeout.
import { spawn, sleep } from '@stackless-io/runtime';
import { Channel, select } from '@stackless-io/channel';

// <<select>>
const jobs = new Channel<string>();
const quit = new Channel<void>();

const worker = spawn(function* () {
  for (;;) {
    const r = yield* select([jobs.recvCase(), quit.recvCase()] as const, { timeout: 0.2 });
    if (r.index === 0) console.log('job', r.value); // r.value: string
    else if (r.index === 1) return 'quit';
    else console.log('idle'); // index -1: the timeout expired first
  }
});

spawn(function* () {
  yield* jobs.send('build');
  yield* sleep(0.3); // the worker's select times out once meanwhile
  yield* jobs.send('test');
  yield* quit.send(undefined);
});
console.log(await worker.join());
// <</select>>
