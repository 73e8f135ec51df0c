// Creating, binding, scheduling and unscheduling tasklets, and the
// read-only state they report (Stackless' tasklet class and its life cycle).
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import {
  getcurrent,
  getmain,
  liveTasklets,
  run,
  RuntimeError,
  schedule,
  scheduleRemove,
  stats,
  Tasklet,
  tasklet,
} from '@stackless-io/runtime';

/** Kills whatever a failed assertion left alive, so one failure does not cascade. */
function reap(...ts: Tasklet<any[], any>[]): void {
  for (const t of ts) if (!t.isMain && t.alive) t.kill();
}

describe('runtime: creating and starting tasklets', () => {
  it('tasklet(fn)(...args) binds the arguments, inserts the tasklet and returns that same tasklet', () => {
    const seen: unknown[] = [];
    const t = tasklet(function* (a: number, b: string) {
      seen.push(a, b);
    });
    expect(t.alive).to.equal(false);
    const same = t(7, 'x');
    expect(same).to.equal(t);
    expect(t.alive).to.equal(true);
    expect(t.scheduled).to.equal(true);
    expect(seen).to.deep.equal([]); // inserting does not run it
    run();
    expect(seen).to.deep.equal([7, 'x']);
    expect(t.alive).to.equal(false);
    expect(t.scheduled).to.equal(false);
  });

  it('a tasklet is a callable Tasklet instance, and new Tasklet() makes an unbound one', () => {
    const t = tasklet(function* () {});
    expect(t).to.be.instanceOf(Tasklet);
    expect(typeof t).to.equal('function');
    const u = new Tasklet();
    expect(u).to.be.instanceOf(Tasklet);
    expect(u.alive).to.equal(false);
    expect(() => u.setup()).to.throw(RuntimeError);
  });

  it('setup(...args) binds and inserts like a call, and returns the tasklet', () => {
    const seen: number[] = [];
    const t = new Tasklet<[number], void>();
    t.bind(function* (n: number) {
      seen.push(n);
    });
    expect(t.alive).to.equal(false); // a function without arguments is not alive
    expect(t.setup(5)).to.equal(t);
    expect(t.alive).to.equal(true);
    expect(t.scheduled).to.equal(true);
    run();
    expect(seen).to.deep.equal([5]);
  });

  it('setup() on a tasklet that is already bound raises RuntimeError', () => {
    const t = tasklet(function* (_n: number) {})(1);
    try {
      expect(() => t.setup(2)).to.throw(RuntimeError);
      run();
      expect(t.alive).to.equal(false);
    } finally {
      reap(t);
    }
  });
});

describe('runtime: bind()', () => {
  it('bind(fn, args) makes the tasklet alive but paused: it is not inserted', () => {
    const seen: number[] = [];
    const t = new Tasklet<[number], void>();
    try {
      t.bind(function* (n: number) {
        seen.push(n);
      }, [3]);
      expect(t.alive).to.equal(true);
      expect(t.paused).to.equal(true);
      expect(t.scheduled).to.equal(false);
      run();
      expect(seen).to.deep.equal([]);
      t.insert();
      run();
      expect(seen).to.deep.equal([3]);
    } finally {
      reap(t);
    }
  });

  it('bind(undefined, args) keeps the function bound earlier and supplies the arguments', () => {
    const seen: number[] = [];
    const t = tasklet(function* (n: number) {
      seen.push(n);
    });
    t.bind(undefined, [9]);
    expect(t.paused).to.equal(true);
    t.insert();
    run();
    expect(seen).to.deep.equal([9]);
  });

  it('bind() with neither function nor arguments unbinds: the tasklet is no longer alive', () => {
    const t = tasklet(function* (_n: number) {});
    t.bind(undefined, [1]);
    expect(t.alive).to.equal(true);
    expect(liveTasklets()).to.include(t);
    t.bind();
    expect(t.alive).to.equal(false);
    expect(liveTasklets()).to.not.include(t);
    expect(() => t.insert()).to.throw(RuntimeError);
  });

  it('a dead tasklet can be bound again and reused, with a fresh result', async () => {
    const t = tasklet(function* (n: number) {
      return n + 1;
    })(1);
    run();
    expect(t.alive).to.equal(false);
    expect(await t.join()).to.equal(2);
    t.bind(function* (n: number) {
      return n * 10;
    }, [4]);
    expect(t.alive).to.equal(true);
    const joined = t.join();
    t.insert();
    run();
    expect(await joined).to.equal(40);
  });

  it('bind() raises RuntimeError on a scheduled tasklet, on a started one, and on the current one', () => {
    const ch = new Channel<number>();
    let selfBind: unknown = null;
    const scheduled = tasklet(function* () {})();
    const started = tasklet(function* () {
      yield* ch.receive();
    })();
    const selfBinder = tasklet(function* () {
      try {
        getcurrent().bind(function* () {});
      } catch (e) {
        selfBind = e;
      }
    });
    try {
      expect(() => scheduled.bind(function* () {})).to.throw(RuntimeError);
      expect(() => scheduled.bind()).to.throw(RuntimeError);
      run(); // scheduled finishes, started blocks on the channel
      expect(started.blocked).to.equal(true);
      expect(() => started.bind(function* () {}, [])).to.throw(RuntimeError);
      expect(() => started.bind()).to.throw(RuntimeError);
      selfBinder();
      run();
      expect(selfBind).to.be.instanceOf(RuntimeError);
    } finally {
      reap(scheduled, started, selfBinder);
    }
  });

  it('bind() on the main tasklet raises RuntimeError', () => {
    expect(() => getmain().bind(function* () {})).to.throw(RuntimeError);
  });
});

describe('runtime: insert() and remove()', () => {
  it('remove() takes a scheduled tasklet out of the run queue; it stays alive and paused until insert()', () => {
    const seen: string[] = [];
    const t = tasklet(function* () {
      seen.push('ran');
    })();
    try {
      expect(t.remove()).to.equal(t);
      expect(t.alive).to.equal(true);
      expect(t.scheduled).to.equal(false);
      expect(t.paused).to.equal(true);
      expect(stats().runnable).to.equal(0);
      run();
      expect(seen).to.deep.equal([]);
      expect(t.insert()).to.equal(t);
      expect(t.paused).to.equal(false);
      run();
      expect(seen).to.deep.equal(['ran']);
    } finally {
      reap(t);
    }
  });

  it('insert() puts a tasklet at the end of the run queue, and is a no-op when it is already there', () => {
    const order: string[] = [];
    const a = tasklet(function* () {
      order.push('a');
    })();
    const b = tasklet(function* () {
      order.push('b');
    })();
    a.remove();
    a.insert(); // now behind b
    a.insert(); // already scheduled: no second entry
    expect(stats().runnable).to.equal(2);
    run();
    expect(order).to.deep.equal(['b', 'a']);
    expect(a.alive || b.alive).to.equal(false);
  });

  it('a tasklet paused by scheduleRemove() resumes when inserted again', () => {
    const order: string[] = [];
    const t = tasklet(function* () {
      order.push('before');
      yield* scheduleRemove();
      order.push('after');
    })();
    try {
      run();
      expect(order).to.deep.equal(['before']);
      expect(t.paused).to.equal(true);
      t.insert();
      run();
      expect(order).to.deep.equal(['before', 'after']);
      expect(t.alive).to.equal(false);
    } finally {
      reap(t);
    }
  });

  it('remove() of the current tasklet raises RuntimeError', () => {
    let caught: unknown = null;
    tasklet(function* () {
      try {
        getcurrent().remove();
      } catch (e) {
        caught = e;
      }
    })();
    run();
    expect(caught).to.be.instanceOf(RuntimeError);
  });

  it('insert() raises RuntimeError on a dead tasklet and on a blocked one', () => {
    const ch = new Channel<number>();
    const dead = tasklet(function* () {})();
    const blocked = tasklet(function* () {
      yield* ch.receive();
    })();
    try {
      run();
      expect(() => dead.insert()).to.throw(RuntimeError);
      expect(() => blocked.insert()).to.throw(RuntimeError);
      expect(blocked.blocked).to.equal(true);
    } finally {
      reap(blocked);
    }
  });

  // Stackless: "You cannot remove a blocked tasklet." (tasklet.remove raises
  // RuntimeError). Silently ignoring it hides a logic error in the caller.
  it('remove() of a tasklet blocked on a channel raises RuntimeError (Stackless)', () => {
    const ch = new Channel<number>();
    const t = tasklet(function* () {
      yield* ch.receive();
    })();
    try {
      run();
      expect(t.blocked).to.equal(true);
      expect(() => t.remove()).to.throw(RuntimeError);
      expect(t.blocked).to.equal(true);
    } finally {
      reap(t);
    }
  });
});

describe('runtime: tasklet state properties', () => {
  it('alive, scheduled, paused and blocked follow the life cycle: new, bound, scheduled, running, blocked, dead', () => {
    const ch = new Channel<number>();
    const inside: Record<string, boolean>[] = [];
    const t = tasklet(function* () {
      const me = getcurrent();
      inside.push({ alive: me.alive, scheduled: me.scheduled, paused: me.paused, blocked: me.blocked, isCurrent: me.isCurrent });
      yield* ch.receive();
    });
    const snapshot = () => ({ alive: t.alive, scheduled: t.scheduled, paused: t.paused, blocked: t.blocked });
    try {
      expect(snapshot()).to.deep.equal({ alive: false, scheduled: false, paused: false, blocked: false });
      t();
      expect(snapshot()).to.deep.equal({ alive: true, scheduled: true, paused: false, blocked: false });
      run();
      expect(inside).to.deep.equal([{ alive: true, scheduled: true, paused: false, blocked: false, isCurrent: true }]);
      expect(t.alive).to.equal(true);
      expect(t.blocked).to.equal(true);
      expect(t.paused).to.equal(false);
      expect(t.isCurrent).to.equal(false);
      t.kill();
      expect(snapshot()).to.deep.equal({ alive: false, scheduled: false, paused: false, blocked: false });
    } finally {
      reap(t);
    }
  });

  // Stackless documents tasklet.scheduled as "True when the tasklet is either
  // in the runnables list or blocked on a channel" (its C code tests
  // `next != NULL`, and a blocked tasklet is linked into the channel's chain).
  it('scheduled is true for a tasklet blocked on a channel (Stackless)', () => {
    const ch = new Channel<number>();
    const t = tasklet(function* () {
      yield* ch.receive();
    })();
    try {
      run();
      expect(t.blocked).to.equal(true);
      expect(t.scheduled).to.equal(true);
      expect(t.paused).to.equal(false);
    } finally {
      reap(t);
    }
  });

  it('isMain is true only for the main tasklet; isCurrent only for the running one', () => {
    const main = getmain();
    expect(main.isMain).to.equal(true);
    expect(main.isCurrent).to.equal(true);
    expect(main.alive).to.equal(true);
    let inside: { mainCurrent: boolean; selfCurrent: boolean; selfMain: boolean } | null = null;
    const t = tasklet(function* () {
      inside = { mainCurrent: main.isCurrent, selfCurrent: getcurrent().isCurrent, selfMain: getcurrent().isMain };
    })();
    expect(t.isMain).to.equal(false);
    expect(t.isCurrent).to.equal(false);
    run();
    expect(inside).to.deep.equal({ mainCurrent: false, selfCurrent: true, selfMain: false });
  });

  it('id is unique per tasklet and 0 for main; label defaults to the function name and can be set', () => {
    const a = tasklet(function* worker() {});
    const b = tasklet(function* () {}, 'given');
    expect(getmain().id).to.equal(0);
    expect(a.id).to.be.a('number').and.above(0);
    expect(b.id).to.not.equal(a.id);
    expect(a.label).to.equal('worker');
    expect(b.label).to.equal('given');
    a.label = 'renamed';
    expect(a.label).to.equal('renamed');
    expect(String(a)).to.contain('renamed').and.contain(String(a.id));
    expect(() => {
      (a as unknown as { label: unknown }).label = 5;
    }).to.throw(TypeError);
  });

  it('next and prev walk the ring of runnable tasklets, current first; null when not scheduled', () => {
    const a = tasklet(function* () {})();
    const b = tasklet(function* () {})();
    const c = tasklet(function* () {})();
    const idle = tasklet(function* () {});
    const main = getmain();
    try {
      expect(main.next).to.equal(a);
      expect(a.next).to.equal(b);
      expect(b.next).to.equal(c);
      expect(c.next).to.equal(main);
      expect(main.prev).to.equal(c);
      expect(a.prev).to.equal(main);
      expect(idle.next).to.equal(null);
      expect(idle.prev).to.equal(null);
      b.remove();
      expect(a.next).to.equal(c);
      expect(b.next).to.equal(null);
      b.insert();
      expect(c.next).to.equal(b);
      run();
      expect(main.next).to.equal(main); // alone in the ring
    } finally {
      reap(a, b, c);
    }
  });

  it('tempval is the value a paused tasklet receives when it resumes, and can be replaced before that', () => {
    const got: unknown[] = [];
    const t = tasklet(function* () {
      got.push(yield* scheduleRemove('offered'));
      got.push(yield* schedule());
    })();
    try {
      run();
      expect(t.paused).to.equal(true);
      expect(t.tempval).to.equal('offered');
      t.tempval = 42;
      expect(t.tempval).to.equal(42);
      t.insert();
      run();
      expect(got).to.deep.equal([42, t]);
      expect(t.tempval).to.equal(undefined);
    } finally {
      reap(t);
    }
  });

  it('atomic is a plain flag; setAtomic sets it and returns the old value', () => {
    const t = tasklet(function* () {});
    expect(t.atomic).to.equal(false);
    expect(t.setAtomic(true)).to.equal(false);
    expect(t.atomic).to.equal(true);
    expect(t.setAtomic(true)).to.equal(true);
    expect(t.setAtomic(false)).to.equal(true);
    expect(t.atomic).to.equal(false);
    t.atomic = true;
    expect(t.atomic).to.equal(true);
    let inside: boolean[] = [];
    t.setup();
    run();
    expect(t.alive).to.equal(false);
    // The running tasklet can flip its own flag.
    tasklet(function* () {
      const me = getcurrent();
      inside = [me.setAtomic(true), me.atomic, me.setAtomic(false), me.atomic];
    })();
    run();
    expect(inside).to.deep.equal([false, true, true, false]);
  });
});
