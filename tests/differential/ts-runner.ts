/**
 * The side under test: runs scenarios on socket-compat, each actor a
 * tasklet, and records traces normalised exactly as runner.py does
 * (README.md, "Traces"). A watchdog bounds each scenario; afterwards
 * everything the scenario made is closed and the runtime must be back to
 * where it was (no tasklet, timer, IO, backend handle or file descriptor
 * left).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  currentBackend,
  getcurrent,
  liveTasklets,
  sleep,
  spawn,
  stats,
  TaskletExit,
  type Tasklet,
  type TaskletGenerator,
} from '@stackless-io/runtime';
import { FdBaseline, warmUpNode } from '@stackless-io/test-support';
import { stopsAt, type Intended } from './compare.js';
import { stepText, type Entry, type Scenario, type Step, type Trace } from './scenario.js';
import { reapChildren, warmUpChildren } from './ts-children.js';
import { Ctx, isIterator, Unpack, type SocketModule } from './ts-context.js';
import { evaluate } from './ts-eval.js';
import { applyFilter, className, errnoName } from './ts-values.js';

export { loadSocketCompat, type SocketModule } from './ts-context.js';

const DEFAULT_TIMEOUT = 5;

function* actor(name: string, steps: Step[], ctx: Ctx, trace: Entry[]): TaskletGenerator<void> {
  for (let i = 0; i < steps.length; i++) {
    if (ctx.stopping) return;
    const step = steps[i]!;
    if ('set' in step) {
      yield* ctx.event(step.set).set();
      continue;
    }
    if ('wait' in step) {
      yield* ctx.event(step.wait).wait();
      continue;
    }
    if ('sleep' in step) {
      yield* sleep(step.sleep);
      continue;
    }
    const entry: Entry = { a: name, i };
    try {
      const v = yield* evaluate(step.do, ctx);
      const targets = step.as;
      if (targets !== undefined && targets.length > 0) {
        if (targets.length === 1) {
          ctx.vars.set(targets[0]!, v);
        } else {
          const vals = isIterator(v) || v === null || typeof v !== 'object' ? null : [...(v as Iterable<unknown>)];
          if (vals === null || vals.length !== targets.length) throw new Unpack(String(vals?.length));
          targets.forEach((t, k) => ctx.vars.set(t, vals[k]));
        }
      }
      entry.ok = applyFilter(step.filter, v, ctx);
    } catch (e) {
      if (e instanceof TaskletExit) throw e;
      entry.err = className(e);
      entry.errno = errnoName(e, ctx.mod);
      entry.msg = String((e as Error)?.message ?? e).split(ctx.tmp).join('$TMP');
    }
    if (ctx.stopping) return;
    trace.push(entry);
    const rule = stopsAt(ctx.stops, ctx.scenario, stepText(step), entry);
    if (rule !== undefined) {
      // What follows depends on an intended difference: stop here.
      ctx.cut = { a: name, i, id: rule.id };
      ctx.stop();
      return;
    }
  }
}

/**
 * Closes what the scenario made, newest first (files before their sockets),
 * in a tasklet: closing a file may flush, which is an operation.
 */
async function closeAll(owned: unknown[]): Promise<void> {
  const t = spawn(function* (): TaskletGenerator<void> {
    for (const o of [...owned].reverse()) {
      try {
        const r = (o as { close(): unknown }).close();
        if (isIterator(r)) yield* r;
      } catch {
        // Cleanup of a socket or file in any state.
      }
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = await Promise.race([
    t.join().then(() => false, () => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 2000))),
  ]);
  clearTimeout(timer);
  if (gaveUp && t.alive) {
    try {
      t.kill();
    } catch {
      // Reported as a leak below if it stays.
    }
  }
}

/** Waits (event loop turns) until nothing of the scenario is left running and its descriptors are closed; bounded. */
async function settle(handles0: number, fds: FdBaseline, limitMs: number): Promise<string | null> {
  const end = performance.now() + limitMs;
  for (let i = 0; ; i++) {
    const s = stats();
    const b = currentBackend().stats();
    const fdsLeft = fds.leaked();
    if (s.alive === 0 && s.runnable === 0 && s.timers === 0 && s.promises === 0 && s.io === 0 && b.handles <= handles0 && b.pending === 0 && fdsLeft <= 0) return null;
    if (performance.now() > end) {
      const names = liveTasklets().map(String).join(', ');
      return `left behind: tasklets ${s.alive} (${names}), runnable ${s.runnable}, timers ${s.timers}, promises ${s.promises}, io ${s.io}, backend handles ${b.handles} (${handles0} before), pending ${b.pending}, file descriptors: ${fdsLeft <= 0 ? 'none' : fds.report()}`;
    }
    await new Promise((r) => setTimeout(r, i < 20 ? 0 : 2));
  }
}

/** Runs one scenario on socket-compat with the backend in use. */
export async function runTs(sc: Scenario, mod: SocketModule, features: Record<string, boolean>, stops: Intended[] = []): Promise<Trace> {
  const missing = (sc.requires ?? []).filter((r) => features[r] !== true);
  if (missing.length > 0) return { name: sc.name, skip: `needs ${missing.join(',')}`, entries: [] };
  const tmp = mkdtempSync(join(tmpdir(), 'sdiff-'));
  const handles0 = currentBackend().stats().handles;
  const fds = new FdBaseline();
  const ctx = new Ctx(mod, tmp, sc.name, stops);
  const actors = Object.keys(sc.actors).sort();
  const traces = new Map<string, Entry[]>(actors.map((a) => [a, []]));
  const runnerErrors: Entry[] = [];
  const tasklets: [string, Tasklet<any[], any>][] = actors.map((a) => [a, spawn(actor, a, sc.actors[a]!, ctx, traces.get(a)!)]);
  let stuck: string[] = [];
  const killAll = (): void => {
    ctx.stopping = true;
    for (const [, t] of tasklets) {
      if (!t.alive || t === getcurrent()) continue;
      try {
        t.kill();
      } catch {
        // A tasklet dying with an error is reported through its join below.
      }
    }
  };
  ctx.stop = killAll;
  const timer = setTimeout(() => {
    stuck = tasklets.filter(([, t]) => t.alive).map(([a]) => a);
    killAll();
  }, (sc.timeout ?? DEFAULT_TIMEOUT) * 1000);
  const results = await Promise.allSettled(tasklets.map(([, t]) => t.join()));
  clearTimeout(timer);
  results.forEach((r, k) => {
    if (r.status === 'rejected' && !(r.reason instanceof TaskletExit)) {
      runnerErrors.push({ a: tasklets[k]![0], i: -1, err: 'RunnerError', errno: null, msg: String((r.reason as Error)?.stack ?? r.reason) });
    }
  });
  await closeAll(ctx.owned);
  await reapChildren(ctx.children);
  try {
    mod.setdefaulttimeout?.(null);
  } catch {
    // A socket-compat without setdefaulttimeout has nothing to reset.
  }
  const leak = await settle(handles0, fds, 2000);
  rmSync(tmp, { recursive: true, force: true });
  const entries = [...actors.flatMap((a) => traces.get(a)!), ...runnerErrors];
  const out: Trace = { name: sc.name, entries };
  if (stuck.length > 0) out.watchdog = stuck;
  if (ctx.cut !== undefined) out.cut = ctx.cut;
  if (leak !== null) out.leak = leak;
  return out;
}

/** Runs scenarios one after another on socket-compat with the backend in use. */
export async function runTsAll(scenarios: Scenario[], mod: SocketModule, features: Record<string, boolean>, stops: Intended[] = []): Promise<Trace[]> {
  // Node opens some descriptors once per process, on first use (one on
  // /dev/null at the first listen): open them now, before any baseline.
  await warmUpNode();
  if (scenarios.some((s) => JSON.stringify(s).includes('"child_uses_fd"'))) await warmUpChildren();
  const out: Trace[] = [];
  for (const s of scenarios) out.push(await runTs(s, mod, features, stops));
  return out;
}
