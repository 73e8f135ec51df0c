// Root hooks for every suite: each test must end with nothing left behind
// (no tasklet, timer, promise wait or IO operation), as libuv's tests end
// with MAKE_VALGRIND_HAPPY. A failure here names what leaked; the cleanup
// that follows keeps one leaking test from failing the next ones.
import './test-env.js';
import { expectNoLeaks, killAll } from './leaks.js';

export const mochaHooks = {
  afterEach(this: Mocha.Context): void {
    try {
      expectNoLeaks();
    } finally {
      killAll();
    }
  },
};
