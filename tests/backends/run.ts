// `npm run test:backends`: runs the conformance suite with mocha's
// programmatic API and prints one line per backend,
//   backend <name>: <N> passed, <M> failed, <K> skipped
// then every skip with its reason and the answers each backend gave to the
// bad inputs. Exits non-zero when a test failed. `--grep <text>` runs only
// the tests whose title contains the text; $SIO_TEST_BACKENDS limits the
// backends (see conformance.test.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { mochaHooks } from '../helpers/hooks.js';
import { answers, skips } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));
const grepAt = process.argv.indexOf('--grep');
const grep = grepAt > 0 ? process.argv[grepAt + 1] : undefined;
const mocha = new Mocha({ reporter: 'spec', timeout: 20000, rootHooks: mochaHooks, ...(grep === undefined ? {} : { grep }) });
mocha.addFile(join(here, 'conformance.test.js'));
await mocha.loadFilesAsync();

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}
const tallies = new Map<string, Tally>();

/** What a test (or hook) belongs to: its `backend <name>` describe, else its top describe. */
function groupOf(r: Mocha.Runnable): string {
  let top = '(root)';
  for (let s: Mocha.Suite | undefined = r.parent; s !== undefined && !s.root; s = s.parent) {
    if (/^backend /.test(s.title)) return s.title;
    top = s.title;
  }
  return top;
}

function bump(r: Mocha.Runnable, k: keyof Tally): void {
  const g = groupOf(r);
  let t = tallies.get(g);
  if (t === undefined) tallies.set(g, (t = { passed: 0, failed: 0, skipped: 0 }));
  t[k]++;
}

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
const runner = mocha.run();
runner.on(EVENT_TEST_PASS, (t) => bump(t, 'passed'));
runner.on(EVENT_TEST_FAIL, (t) => bump(t, 'failed'));
runner.on(EVENT_TEST_PENDING, (t) => bump(t, 'skipped'));
await new Promise<void>((resolve) => runner.once(EVENT_RUN_END, () => resolve()));

console.log('\nBackend conformance');
for (const [group, t] of tallies) console.log(`${group}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
if (skips.length > 0) {
  console.log('\nSkipped, and why:');
  for (const s of skips) console.log(`  [${s.backend}] ${s.test}\n      ${s.reason}`);
}
if (answers.size > 0) {
  console.log('\nAnswers to bad input, per backend:');
  for (const [kase, byBackend] of answers) {
    const values = new Set(byBackend.values());
    const mark = values.size > 1 ? '  DIFFER' : '';
    console.log(`  ${kase}: ${[...byBackend].map(([b, c]) => `${b}=${c}`).join(' ')}${mark}`);
  }
}
const failed = runner.failures;
process.exitCode = failed > 0 ? 1 : 0;
// Nothing should keep the event loop alive now; if something does, say so
// rather than hang.
setTimeout(() => {
  console.error('test:backends: something kept the event loop alive after the run');
  process.exit(process.exitCode === 0 ? 1 : process.exitCode);
}, 10_000).unref();
