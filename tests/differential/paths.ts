/** Where the differential suite's source files live (the .scn scenarios and runner.py are not compiled). */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tests/differential in the source tree (this file runs from build/tests/differential). */
export const SOURCE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../tests/differential');

/** The written scenarios. */
export const SCENARIO_DIR = join(SOURCE_DIR, 'scenarios');

/** The CPython runner. */
export const PYTHON_RUNNER = join(SOURCE_DIR, 'runner.py');

/** The one file of intended differences. */
export const INTENDED_FILE = join(SOURCE_DIR, 'intended-differences.json');
