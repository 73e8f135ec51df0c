// stackless-testsuite: stackless_testsuite/v3_1/tasklet/test_thread.py.
// Every test here moves tasklets between Python threads, which a
// JavaScript realm does not have (one scheduler per process or worker
// thread, and no tasklet crosses between them).
import { notExpressible } from './suite.js';

describe('stackless-suite v3_1: tasklet/test_thread.py', () => {
  const tests = [
    'TestRemoteSchedule.testFoo',
    'TestRemoteSchedule.testRun',
    'TestRemoteSchedule.testInsert',
    'TestRemoteSchedule.testRunOrder',
    'TestRebind.test_no_rebind',
    'TestRebind.test_rebind',
    'TestRebind.test_rebind_nontrivial',
    'TestRemove.test_remove_balance',
    'TestRemove.test_insert_balance',
    'DeadThreadTest.test_tasklet_from_dead_thread',
    'DeadThreadTest.test_removed_tasklet_from_dead_thread',
    'DeadThreadTest.test_rebound_tasklet_from_dead_thread',
    'DeadThreadTest.test_bind_runnable',
    'DeadThreadTest.test_death',
    'DeadThreadTest.test_rebind_from_dead',
    'DeadThreadTest.test_methods_on_dead',
    'BindThreadTest.testForeignThread_scheduled',
    'BindThreadTest.test_bind_to_current_tid',
    'BindThreadTest.test_bind_to_bogus_tid',
    'SchedulingBindThreadTests.test_bind_to_other_tid',
    'SchedulingBindThreadTests.test_rebind_runnable',
    'SwitchTest.test_switch',
    'SetupFromDifferentThreadTest.test_setup_from_other_thread',
  ];
  for (const name of tests) notExpressible(name, 'threads: tasklets of other Python threads');
});
