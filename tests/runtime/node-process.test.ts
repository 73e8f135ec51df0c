// Behaviour that only a whole Node process can show: what happens to an
// error nobody awaits once the background pump runs the tasklet, and the
// deadlock check that runs when Node's event loop is about to go idle
// ('beforeExit'). Each scenario runs in a child `node` that imports the
// built packages by their package names, as an application would.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from build/tests/runtime/). */
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface ChildResult {
  status: number | null;
  /** The signal that ended the child: SIGTERM when the hang guard killed it. */
  signal: NodeJS.Signals | null;
  stdout: string[];
  stderr: string;
}

/** Runs `source` in a child node; the timeout is a hang guard (a child it kills has `signal` set). */
function runNode(source: string): ChildResult {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd: root,
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr };
}

describe('runtime: in a Node process of its own', function () {
  this.timeout(30_000);

  it('an error in a tasklet that nobody awaits, run by the background pump, crashes Node as an uncaught exception', () => {
    // A listening server would keep the process alive for good: only the
    // crash ends it (else the hang guard kills it, and the test fails).
    const r = runNode(`
      import { createServer } from 'node:net';
      import { spawn } from '@stackless-io/runtime';
      createServer().listen(0, '127.0.0.1');
      spawn(function* () { throw new Error('tasklet-boom'); });
    `);
    expect({ status: r.status, signal: r.signal }, 'the child crashed').to.deep.equal({ status: 1, signal: null });
    expect(r.stderr).to.contain('tasklet-boom');
  });

  it('such errors arrive as uncaughtException (not unhandledRejection), whether the tasklet was woken by the pump, a timer or a promise', () => {
    const r = runNode(`
      import { spawn, sleep, waitFor } from '@stackless-io/runtime';
      process.on('uncaughtException', (e) => console.log('uncaught ' + e.message));
      process.on('unhandledRejection', (e) => console.log('rejection ' + (e && e.message)));
      // The promise settles only after the sleeper's error is out, so the
      // order of the lines does not hang on two timers' lengths.
      let settle;
      const later = new Promise((r) => (settle = r));
      spawn(function* () { throw new Error('first-step'); });
      spawn(function* () { yield* sleep(0.01); setImmediate(settle); throw new Error('after-sleep'); });
      spawn(function* () { yield* waitFor(later); throw new Error('after-promise'); });
      process.on('exit', (code) => console.log('exit ' + code));
    `);
    expect(r.stdout).to.deep.equal(['uncaught first-step', 'uncaught after-sleep', 'uncaught after-promise', 'exit 0']);
  });

  it('an error that someone awaits does not reach Node: the process ends normally', () => {
    const r = runNode(`
      import { spawn, sleep } from '@stackless-io/runtime';
      const t = spawn(function* () { yield* sleep(0.005); throw new Error('awaited-boom'); });
      t.join().then(() => console.log('resolved'), (e) => console.log('rejected ' + e.message));
    `);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.deep.equal(['rejected awaited-boom']);
    expect(r.stderr).to.equal('');
  });

  it('awaiting tasklets that can never wake rejects their join() with a DeadlockError naming each blocked tasklet', () => {
    const r = runNode(`
      import { spawn, sleep, waitFor, DeadlockError } from '@stackless-io/runtime';
      import { Channel } from '@stackless-io/channel';
      const ch = new Channel();
      const consumer = spawn(function* consumer() { return yield* ch.receive(); });
      const hopeless = spawn(function* hopeless() { return yield* waitFor(new Promise(() => {})); });
      const sleeper = spawn(function* sleeper() { yield* sleep(0.02); return 'slept'; });
      sleeper.join().then((v) => console.log('sleeper ' + v));
      const report = (who, t) => t.join().then(
        (v) => console.log(who + ' resolved ' + v),
        (e) => {
          console.log(who + ' ' + JSON.stringify({ name: e.name, deadlock: e instanceof DeadlockError, blocked: e.blocked }));
          t.kill();
        });
      report('consumer', consumer);
      report('hopeless', hopeless);
      process.on('exit', (code) => console.log('exit ' + code + ' alive ' + consumer.alive + ' ' + hopeless.alive));
    `);
    expect(r.stderr).to.equal('');
    expect(r.stdout[0]).to.equal('sleeper slept');
    expect(r.stdout).to.have.length(4);
    expect(r.stdout[3]).to.equal('exit 0 alive false false');
    for (const [i, who] of [
      [1, 'consumer'],
      [2, 'hopeless'],
    ] as const) {
      const line = r.stdout[i] as string;
      expect(line.startsWith(`${who} `), line).to.equal(true);
      const info = JSON.parse(line.slice(who.length + 1)) as { name: string; deadlock: boolean; blocked: string[] };
      expect(info.name).to.equal('DeadlockError');
      expect(info.deadlock).to.equal(true);
      expect(info.blocked).to.have.length(2);
      expect(info.blocked[0]).to.match(/consumer/).and.match(/receive on channel/);
      expect(info.blocked[1]).to.match(/hopeless/).and.match(/waitFor/);
    }
  });

  it('a tasklet that nobody awaits may stay blocked forever without a deadlock report: the process just ends', () => {
    const r = runNode(`
      import { spawn } from '@stackless-io/runtime';
      import { Channel } from '@stackless-io/channel';
      const ch = new Channel();
      const t = spawn(function* lonely() { yield* ch.receive(); });
      process.on('exit', (code) => console.log('exit ' + code + ' blocked ' + t.blocked));
    `);
    expect(r.stdout).to.deep.equal(['exit 0 blocked true']);
    expect(r.stderr).to.equal('');
  });

  // Stackless: main waits in run() as the watchdog, paused; a tasklet that
  // runs main (main.run(), or main.switch()) makes it current again, and
  // run() returns with the caller still runnable. Here this throws
  // "TypeError: fn is not a function" out of run() and marks main's core as
  // finished, so it is tested in a process of its own.
  it('yield* getmain().run() from a tasklet under run() hands control back: run() returns, the tasklet stays scheduled', () => {
    const r = runNode(`
      import { tasklet, run, getmain, getcurrent } from '@stackless-io/runtime';
      const log = [];
      const t = tasklet(function* worker() { log.push('t1'); yield* getmain().run(); log.push('t2'); })();
      let threw = null;
      try { run(); } catch (e) { threw = e.name + ': ' + e.message; }
      const first = { log: [...log], threw, alive: t.alive, scheduled: t.scheduled, mainCurrent: getcurrent() === getmain() };
      run();
      console.log(JSON.stringify({ first, log, alive: t.alive }));
    `);
    expect(r.stderr).to.equal('');
    expect(JSON.parse(r.stdout[0] ?? 'null')).to.deep.equal({
      first: { log: ['t1'], threw: null, alive: true, scheduled: true, mainCurrent: true },
      log: ['t1', 't2'],
      alive: false,
    });
  });
});
