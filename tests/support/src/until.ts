// Waiting for a state instead of sleeping for a while: "the tasklet is
// blocked", "the backend holds two requests", "the descriptors are closed".
// Only event loop turns pass between checks; the bound is a hang guard (it
// turns a state that never comes into a failure naming it), never a verdict
// on speed.

// The real clock, read even while a test's FakeClock stands in for
// performance.now(): the hang guard must not stop with the fake time.
const realNow = performance.now.bind(performance);

/** Resolves once `cond()` holds, checking after each event loop turn; rejects naming `what` after `limitMs`. */
export async function until(what: string, cond: () => boolean, limitMs = 10_000): Promise<void> {
  const end = realNow() + limitMs;
  for (let i = 0; !cond(); i++) {
    if (realNow() > end) throw new Error(`${what}: still not so after ${limitMs} ms`);
    // Immediate turns first (most states come within a few), then 2 ms
    // timers so that a long wait does not spin the CPU.
    await new Promise((r) => setTimeout(r, i < 50 ? 0 : 2));
  }
}
