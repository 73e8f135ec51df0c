// The states of a tasklet, printed as it moves through them.
import { Tasklet, run, scheduleRemove } from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';

// <<state>>
function state(t: Tasklet): string {
  if (!t.alive) return 'not alive (new or dead)';
  if (t.blocked) return 'blocked';
  if (t.scheduled) return 'scheduled';
  return 'paused'; // alive, neither scheduled nor blocked
}
// <</state>>

// <<lifecycle>>
const ch = new Channel<string>();
const t = new Tasklet(function* worker(greeting: string) {
  const name = yield* ch.receive(); // blocked until someone sends
  console.log(`${greeting}, ${name}`);
  yield* scheduleRemove(); // paused until someone inserts it again
  return 'done';
});
console.log('created:', state(t));
t.bind(undefined, ['hello']);
console.log('bound:', state(t));
t.insert();
console.log('inserted:', state(t));
run(); // runs worker until it blocks on the channel
console.log('receiving:', state(t), '- balance', ch.balance);

const sender = new Tasklet(function* () {
  yield* ch.send('world');
});
sender(); // calling a tasklet binds its arguments and schedules it
run();
console.log('after scheduleRemove:', state(t));
t.insert();
run();
console.log('returned:', state(t));
console.log('result:', await t.join());
// <</lifecycle>>
