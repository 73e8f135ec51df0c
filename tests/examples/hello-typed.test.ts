// The README's TypeScript hello program, run with the commands the README
// gives for it, as a reader from a fresh clone would after `npm install`:
// the shell block that follows the README's mention of hello-typed.ts is run
// as it stands, from the repository's root, and must print what hello.mjs
// prints (docs/examples/hello.out, which `npm run docs` checks hello.mjs
// against). The compiled output is plain ESM, so the same commands serve
// Node 20, 22 and 24 (no type stripping, which Node 20 lacks).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The first ```sh block after the README's first mention of `marker`. */
function readmeCommands(marker: string): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(marker);
  expect(at, `README.md mentions ${marker}`).to.be.greaterThan(-1);
  const block = /```sh\n([\s\S]*?)\n```/.exec(readme.slice(at));
  expect(block, `a sh block after ${marker} in README.md`).to.not.equal(null);
  return block![1]!;
}

describe('examples: the TypeScript hello program, run as the README says', function () {
  this.timeout(120_000);

  it('the README names a command for docs/examples/hello-typed.ts, and it prints what hello.mjs prints', () => {
    const commands = readmeCommands('docs/examples/hello-typed.ts');
    expect(commands, 'the block runs the TypeScript program').to.match(/hello-typed/);
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', commands], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, `the README's commands failed:\n${commands}\n${run.stderr}`).to.equal(0);
    expect(run.stdout).to.equal(readFileSync(path.join(ROOT, 'docs/examples/hello.out'), 'utf8'));
  });
});
