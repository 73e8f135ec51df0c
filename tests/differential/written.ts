/** Loads the written scenarios: every scenarios/*.scn file, in name order. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenarios } from './dsl.js';
import { SCENARIO_DIR } from './paths.js';
import type { Scenario } from './scenario.js';

export function writtenScenarios(dir = SCENARIO_DIR): Scenario[] {
  const out: Scenario[] = [];
  const names = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.scn')).sort()) {
    for (const s of parseScenarios(readFileSync(join(dir, f), 'utf8'), f)) {
      if (names.has(s.name)) throw new Error(`${f}: scenario ${s.name} also appears in another file`);
      names.add(s.name);
      out.push(s);
    }
  }
  return out;
}
