// Stackless/unittests/test_outside.py: tests of the C-API helpers
// test_outside, test_cframe, test_cframe_nr and test_cstate of the
// Stackless C extension, which drive the scheduler from C code outside any
// Python frame, or switch C stacks.
import { notExpressible } from './suite.js';

describe('stackless-suite unittests: test_outside.py', () => {
  const reason = "C-API test helpers of Stackless' C extension (C frames and C-stack switching)";
  for (const name of [
    'TestOutside.test_outside1',
    'TestOutside.test_outside2',
    'TestOutside.test_outside3',
    'TestOutside.test_outside4',
    'TestOutside.test_outside5',
    'TestOutside.test_main_exit_with_serial_mismatch',
    'TestCframe.test_cframe',
    'TestCframe.test_cframe_nr',
  ]) {
    notExpressible(name, reason);
  }
});
