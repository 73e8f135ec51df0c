// stackless-testsuite: stackless_testsuite/v3_1/test_watchdog.py, class TestNewWatchdog.
import { nestedRunTests } from './nested-run-shared.js';

nestedRunTests('v3_1');
