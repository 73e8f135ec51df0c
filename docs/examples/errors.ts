// Errors are never swallowed.
import { getcurrent, run, setErrorHandler, sleep, spawn } from '@stackless-io/runtime';

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

// <<error-handler>>
const failing = spawn(function* () {
  throw new RangeError('handled');
});
const old = setErrorHandler((type, value) => {
  // Called as the tasklet ends, with the tasklet still current.
  console.log('handler:', type?.name, (value as Error).message, getcurrent() === failing);
});
try {
  console.log('run() returned', run());
} finally {
  setErrorHandler(old);
}
// <</error-handler>>

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
