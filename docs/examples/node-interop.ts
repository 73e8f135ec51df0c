// Tasklets next to Node's event loop: spawn, join, waitFor and the pump.
import { setTimeout as delay } from 'node:timers/promises';
import { schedule, spawn, waitFor, type TaskletGenerator } from '@stackless-io/runtime';

// <<join>>
const t = spawn(function* (label: string) {
  const value = yield* waitFor(delay(10, 42)); // blocks this tasklet only
  return `${label}: ${value}`;
}, 'answer');
console.log(await t.join()); // the event loop kept running meanwhile
// <</join>>

// <<pump>>
let ticks = 0;
const timer = setInterval(() => ticks++, 1);
function* spin(ms: number): TaskletGenerator<number> {
  const until = performance.now() + ms;
  let switches = 0;
  while (performance.now() < until) {
    yield* schedule();
    switches++;
  }
  return switches;
}
const a = spawn(spin, 100);
const b = spawn(spin, 100);
await Promise.all([a.join(), b.join()]);
clearInterval(timer);
console.log(ticks > 0 ? 'Node timers kept firing while tasklets were busy' : 'the event loop starved');
// <</pump>>
