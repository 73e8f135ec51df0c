// A skip that says why. mocha prints a skipped test as a bare pending line;
// this puts the reason into that line (the test's title), or, for a hook
// that skips a whole suite, prints it just before.

/** Skips the running test (or, from a hook, its suite), naming `reason` in mocha's output. */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  const test = ctx.test;
  if (test !== undefined && (test as { type?: string }).type === 'test') test.title += ` (skipped: ${reason})`;
  else console.log(`      skipped ${test?.parent?.fullTitle() || 'the suite'}: ${reason}`);
  ctx.skip();
}
