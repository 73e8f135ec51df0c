// switchTrap(): Stackless' switch_trap.
import { run, spawn, switchTrap } from '@stackless-io/runtime';

// <<switch-trap>>
spawn(function* () {
  console.log('the other tasklet runs');
});
switchTrap(1); // no switch from here...
try {
  run();
} catch (e) {
  console.log('inside the trap, run() raised', (e as Error).message);
} finally {
  switchTrap(-1); // ...to here
}
run();
// <</switch-trap>>
