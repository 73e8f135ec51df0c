// Errors are never swallowed.
import { run, sleep, spawn } from '@stackless-io/runtime';

// <<run-error>>
spawn(function* () {
  throw new Error('boom');
});
try {
  run();
} catch (e) {
  console.log('run() raised:', (e as Error).message);
}
// <</run-error>>

// <<join-error>>
const t = spawn(function* () {
  yield* sleep(0.01);
  throw new Error('late boom');
});
try {
  await t.join();
} catch (e) {
  console.log('join() rejected:', (e as Error).message);
}
// <</join-error>>

// <<uncaught>>
process.once('uncaughtException', (e) => {
  console.log('uncaughtException:', e.message);
});
spawn(function* () {
  yield* sleep(0.01); // now the background pump runs this tasklet
  throw new Error('nobody awaits me');
});
// <</uncaught>>
