// Stackless/unittests/test_exception.py
import { expect } from 'chai';
import { TaskletExit } from '@stackless-io/runtime';
import { notExpressible, test } from './suite.js';

describe('stackless-suite unittests: TestException', () => {
  test('testTaskletExitCode', () => {
    // TaskletExit is a SystemExit in Python, whose code defaults to None.
    const exc = new TaskletExit();
    expect(exc.code).to.equal(undefined);
  });
});

describe('stackless-suite unittests: TestExcStatePickling', () => {
  notExpressible('test_tasklet_reduce_wo_exc', 'pickling (tasklet.__reduce__)');
  notExpressible('test_tasklet_pickle_with_exc', 'pickling');
  notExpressible('test_generator_pickle_with_exc', 'pickling');
});
