// The port of Stackless' own tests: one `test` per Python test, written anew
// in TypeScript. A test that JavaScript itself cannot express (pickling,
// C-stack switching, threads, interrupting a loop that never switches,
// keyword arguments) is listed with `notExpressible` and its reason. At the
// end of the run one line sums it up:
//   stackless-suite: N passed, M failed, K not expressible
let passed = 0;
let failed = 0;
let inexpressible = 0;

/** One ported Python test. */
export function test(name: string, fn: () => void | Promise<void>): void {
  it(name, async function () {
    try {
      await fn();
    } catch (e) {
      failed++;
      throw e;
    }
    passed++;
  });
}

/** A Python test that JavaScript cannot express; the title gives the reason. */
export function notExpressible(name: string, reason: string): void {
  inexpressible++;
  it(`${name} (not expressible: ${reason})`, function () {
    this.skip();
  });
}

after(() => {
  console.log(`stackless-suite: ${passed} passed, ${failed} failed, ${inexpressible} not expressible`);
});
