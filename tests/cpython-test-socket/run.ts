// `npm run test:cpython-socket`: runs the port of CPython's test_socket with
// mocha's programmatic API and prints, per backend,
//   cpython-test_socket <backend>: <N> passed, <M> failed, <K> skipped
// then the counts per Python class, every skip with its reason and every
// failure in full. Exits non-zero when a test failed. `--spec` shows mocha's
// line per test; `--grep <text>` runs only the tests whose title contains
// the text; $SIO_TEST_BACKENDS limits the backends.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { mochaHooks } from '../helpers/hooks.js';
import { skips, summaryOptions } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}
const grep = option('--grep');
summaryOptions.printAtEnd = false;
const spec = process.argv.includes('--spec');
const mocha = new Mocha({
  reporter: spec ? 'spec' : Mocha.reporters.Base,
  timeout: 40000,
  rootHooks: mochaHooks,
  ...(grep === undefined ? {} : { grep }),
});
for (const f of readdirSync(here).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(join(here, f));
await mocha.loadFilesAsync();

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}
const byBackend = new Map<string, Tally>();
const byClass = new Map<string, Map<string, Tally>>();

/** The backend describe (`cpython-test_socket <name>`) and the class describe a test sits in. */
function groupsOf(r: Mocha.Runnable): [string, string] {
  let backend = '(root)';
  let cls = '(none)';
  for (let s: Mocha.Suite | undefined = r.parent; s !== undefined && !s.root; s = s.parent) {
    if (/^cpython-test_socket /.test(s.title)) backend = s.title;
    else cls = s.title;
  }
  return [backend, cls];
}

function tally(m: Map<string, Tally>, key: string): Tally {
  let t = m.get(key);
  if (t === undefined) m.set(key, (t = { passed: 0, failed: 0, skipped: 0 }));
  return t;
}

function bump(r: Mocha.Runnable, k: keyof Tally): void {
  const [backend, cls] = groupsOf(r);
  tally(byBackend, backend)[k]++;
  let classes = byClass.get(cls);
  if (classes === undefined) byClass.set(cls, (classes = new Map()));
  tally(classes, backend.replace(/^cpython-test_socket /, ''))[k]++;
}

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
const runner = mocha.run();
const failedTests: { title: string; err: unknown }[] = [];
runner.on(EVENT_TEST_PASS, (t) => bump(t, 'passed'));
runner.on(EVENT_TEST_FAIL, (t, err) => {
  bump(t, 'failed');
  failedTests.push({ title: t.fullTitle(), err });
});
runner.on(EVENT_TEST_PENDING, (t) => bump(t, 'skipped'));
await new Promise<void>((resolve) => runner.once(EVENT_RUN_END, () => resolve()));

const fmt = (t: Tally): string => `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
console.log('\nPer class (passed/failed/skipped):');
// "(none)" holds the one line of each backend that does not run here.
for (const [cls, m] of [...byClass].filter(([c]) => c !== '(none)').sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`  ${cls}: ${[...m].map(([b, t]) => `${b} ${t.passed}/${t.failed}/${t.skipped}`).join(', ')}`);
}
if (skips.length > 0) {
  console.log('\nSkipped, and why:');
  for (const s of skips) console.log(`  [${s.backend}] ${s.test}\n      ${s.reason}`);
}
if (!spec) {
  if (failedTests.length > 0) console.log('\nFailed:');
  for (const [i, f] of failedTests.entries()) {
    const e = f.err as { stack?: string; message?: string };
    console.log(`\n  ${i + 1}) ${f.title}\n${String(e.stack ?? e.message ?? e).replace(/^/gm, '      ')}`);
  }
}
console.log('');
for (const [group, t] of byBackend) console.log(`${group}: ${fmt(t)}`);
process.exitCode = runner.failures > 0 ? 1 : 0;
// Nothing should keep the event loop alive now; if something does, say so rather than hang.
setTimeout(() => {
  console.error('test:cpython-socket: something kept the event loop alive after the run');
  process.exit(process.exitCode === 0 ? 1 : process.exitCode);
}, 10_000).unref();
