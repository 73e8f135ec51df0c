// `npm run test:backends`: runs the conformance suite with mocha's
// programmatic API and prints one line per backend,
//   backend <name>: <N> passed, <M> failed, <K> skipped
// then every skip with its reason, every failure in full and the answers
// each backend gave to the bad inputs. Exits non-zero when a test failed.
// Mocha's own line per test is shown with `--spec`, or written to a file
// with `--log FILE`. `--grep <text>` runs only the tests whose title
// contains the text; $SIO_TEST_BACKENDS limits the backends (see
// conformance.test.ts).
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { mochaHooks } from '../helpers/hooks.js';
import { answers, noteOptions, notes, skips } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A reporter that writes one line per test (ok, FAIL, skip and the full title) to `path`. */
function lineReporter(path: string): typeof Mocha.reporters.Base {
  const out = createWriteStream(path);
  return class Lines extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
      super(runner, options);
      const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
      runner.on(EVENT_TEST_PASS, (t) => out.write(`ok    ${t.fullTitle()}\n`));
      runner.on(EVENT_TEST_FAIL, (t) => out.write(`FAIL  ${t.fullTitle()}\n`));
      runner.on(EVENT_TEST_PENDING, (t) => out.write(`skip  ${t.fullTitle()}\n`));
      runner.once(EVENT_RUN_END, () => out.end());
    }
  };
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}
const grep = option('--grep');
const log = option('--log');
const spec = process.argv.includes('--spec');
// Without --spec, mocha's lines go nowhere (or to the --log file): the
// summary below is the output. Failures are printed in full either way.
noteOptions.inline = spec;
const mocha = new Mocha({
  reporter: spec ? 'spec' : log === undefined ? Mocha.reporters.Base : lineReporter(log),
  timeout: 20000,
  rootHooks: mochaHooks,
  ...(grep === undefined ? {} : { grep }),
});
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
const failedTests: { title: string; err: unknown }[] = [];
runner.on(EVENT_TEST_FAIL, (t, err) => {
  bump(t, 'failed');
  failedTests.push({ title: t.fullTitle(), err });
});
runner.on(EVENT_TEST_PENDING, (t) => bump(t, 'skipped'));
await new Promise<void>((resolve) => runner.once(EVENT_RUN_END, () => resolve()));

console.log('\nBackend conformance');
for (const [group, t] of tallies) console.log(`${group}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
if (skips.length > 0) {
  console.log('\nSkipped, and why:');
  for (const s of skips) console.log(`  [${s.backend}] ${s.test}\n      ${s.reason}`);
}
if (!spec && notes.length > 0) {
  console.log('\nNotes:');
  for (const n of notes) console.log(`  ${n}`);
}
if (answers.size > 0) {
  console.log('\nAnswers to bad input, per backend:');
  for (const [kase, byBackend] of answers) {
    const values = new Set(byBackend.values());
    const mark = values.size > 1 ? '  DIFFER' : '';
    console.log(`  ${kase}: ${[...byBackend].map(([b, c]) => `${b}=${c}`).join(' ')}${mark}`);
  }
}
if (!spec) {
  // The spec reporter prints failures itself; the quiet ones leave it to us.
  if (failedTests.length > 0) console.log('\nFailed:');
  for (const [i, f] of failedTests.entries()) {
    const e = f.err as { stack?: string; message?: string };
    console.log(`\n  ${i + 1}) ${f.title}\n${String(e.stack ?? e.message ?? e).replace(/^/gm, '      ')}`);
  }
}
const failed = runner.failures;
process.exitCode = failed > 0 ? 1 : 0;
// On Linux the Windows build of Node runs the suite too, under Wine, on the
// iocp and libuv backends (tests/wine/test-wine.sh prints
// `backend iocp (wine): ...`, or one line saying why it could not run).
// SIO_TEST_WINE=0 leaves it out; a run under Wine never starts another.
const wineScript = join(here, '../../../tests/wine/test-wine.sh');
if (process.platform === 'linux' && process.env.SIO_TEST_WINE !== '0' && grep === undefined && existsSync(wineScript)) {
  console.log('\nBackend conformance under Wine (Windows Node 22)');
  const r = spawnSync('bash', [wineScript, 'backends'], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
// Nothing should keep the event loop alive now; if something does, say so
// rather than hang.
setTimeout(() => {
  console.error('test:backends: something kept the event loop alive after the run');
  process.exit(process.exitCode === 0 ? 1 : process.exitCode);
}, 10_000).unref();
