// Stackless/unittests/test_watchdog.py: the same tests as v3_1's, plus
// TestNewWatchdog.test_schedule_deeper_*.
import { nestedRunTests } from './nested-run-shared.js';
import { notExpressible } from './suite.js';
import { watchdogTests } from './watchdog-shared.js';

watchdogTests('unittests');
nestedRunTests('unittests', () => {
  const reason = "it reads the C watchdog list through _teststackless and expects a loop that never switches to be interrupted";
  notExpressible('test_schedule_deeper_soft', reason);
  notExpressible('test_schedule_deeper_hard', reason);
});
