/** How differences and scenarios are shown to people: side by side, as neutral JSON, as .scn. */
import { canonicalPair, render } from './compare.js';
import type { Scenario, Trace } from './scenario.js';

/** Both traces of a scenario, step by step, side by side. */
export function sideBySide(s: Scenario, py: Trace, ts: Trace): string {
  const [cp, ct] = canonicalPair(py, ts);
  const out = [`scenario ${s.name}${py.watchdog ? ` (CPython watchdog: ${py.watchdog.join(',')})` : ''}${ts.watchdog ? ` (TS watchdog: ${ts.watchdog.join(',')})` : ''}${ts.leak ? ` (TS leak: ${ts.leak})` : ''}`];
  for (const [a, steps] of Object.entries(s.actors)) {
    steps.forEach((st, i) => {
      const p = cp.entries.find((e) => e.a === a && e.i === i);
      const t = ct.entries.find((e) => e.a === a && e.i === i);
      const same = render(p) === render(t);
      const text = `${a}:${i} ${st.src ?? JSON.stringify(st)}`;
      if (p === undefined && t === undefined) out.push(`    ${text}`);
      else if (same) out.push(`    ${text.padEnd(60)} ${render(p)}`);
      else out.push(`  ≠ ${text.padEnd(60)} CPython ${render(p)}\n${' '.repeat(65)} TS      ${render(t)}`);
    });
  }
  return out.join('\n');
}

/** A scenario as neutral JSON, one step per line, for a reproduction people can read and rerun. */
export function scenarioJson(s: Scenario): string {
  const lines: string[] = ['{'];
  lines.push(`  "name": ${JSON.stringify(s.name)},`);
  if (s.requires !== undefined) lines.push(`  "requires": ${JSON.stringify(s.requires)},`);
  if (s.timeout !== undefined) lines.push(`  "timeout": ${s.timeout},`);
  lines.push('  "actors": {');
  const actors = Object.entries(s.actors);
  actors.forEach(([a, steps], k) => {
    lines.push(`    ${JSON.stringify(a)}: [`);
    steps.forEach((st, i) => lines.push(`      ${JSON.stringify(st)}${i < steps.length - 1 ? ',' : ''}`));
    lines.push(`    ]${k < actors.length - 1 ? ',' : ''}`);
  });
  lines.push('  }', '}');
  return lines.join('\n');
}

/** The same scenario in the .scn shorthand. */
export function scenarioScn(s: Scenario): string {
  const lines = [`scenario ${s.name}${s.requires ? ` requires=${s.requires.join(',')}` : ''}`];
  for (const [a, steps] of Object.entries(s.actors)) {
    lines.push(`  actor ${a}`);
    for (const st of steps) lines.push(`    ${st.src ?? JSON.stringify(st)}`);
  }
  return lines.join('\n');
}
