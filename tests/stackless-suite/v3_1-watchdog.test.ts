// stackless-testsuite: stackless_testsuite/v3_1/test_watchdog.py (TestWatchdog,
// TestWatchdogSoft, TestDeadlock; TestNewWatchdog is in v3_1-nested-run.test.ts).
import { watchdogTests } from './watchdog-shared.js';

watchdogTests('v3_1');
