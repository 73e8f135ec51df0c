/**
 * The `stackless-io` command (npx stackless-io …; bin/stackless-io.js runs
 * this), shipped with the runtime because every project using Stackless IO
 * has it installed:
 *
 * - `doctor`: prints the platform, each backend and why it is or is not
 *   available, the native shims' paths and ABI versions, and the default.
 * - `build-native [backend…]`: builds the native shims of the installed
 *   backend packages from source (for platforms with no prebuilt package;
 *   needs a C++17 compiler) by running each package's
 *   scripts/build-native.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { doctor } from './doctor.js';
import { KNOWN_BACKENDS } from './known-backends.js';

const USAGE = 'usage: stackless-io doctor | stackless-io build-native [backend...]';

/** Runs the build script of each installed native backend package (or of those named). */
function buildNative(names: string[]): number {
  const unknown = names.filter((n) => !KNOWN_BACKENDS.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`stackless-io: no backend named ${unknown.join(', ')} (known: ${KNOWN_BACKENDS.map((b) => b.name).join(', ')})`);
    return 2;
  }
  const require = createRequire(import.meta.url);
  let built = 0;
  for (const b of KNOWN_BACKENDS) {
    if (names.length > 0 && !names.includes(b.name)) continue;
    let dir: string;
    try {
      dir = dirname(require.resolve(`${b.package}/package.json`));
    } catch {
      if (names.includes(b.name)) {
        console.error(`stackless-io: ${b.package} is not installed`);
        return 1;
      }
      continue;
    }
    const script = join(dir, 'scripts', 'build-native.mjs');
    if (!existsSync(script)) continue; // not a native backend
    console.log(`$ node ${script}`);
    const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
    if (r.status !== 0) return 1;
    built++;
  }
  if (built === 0) console.log('stackless-io: no installed backend has a native part to build');
  return 0;
}

async function main(args: string[]): Promise<number> {
  switch (args[0]) {
    case 'doctor': {
      const { text, ok } = await doctor();
      console.log(text);
      return ok ? 0 : 1;
    }
    case 'build-native':
      return buildNative(args.slice(1));
    default:
      console.error(USAGE);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
