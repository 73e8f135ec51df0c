// The channel tests that Stackless keeps in two files with the same
// bodies: stackless_testsuite/v3_1/channel/test_channel.py and
// Stackless/unittests/test_channel.py. Each file's port registers them
// under its own name; the few tests that differ are passed in.
import { expect } from 'chai';
import { Channel } from '@stackless-io/channel';
import { block, getcurrent, getruncount, run, RuntimeError, tasklet, ValueError } from '@stackless-io/runtime';
import { notExpressible, test } from './suite.js';

/** Runs `body` with the current tasklet's block trap set (Python's block_trap() context manager). */
function withBlockTrap<T>(body: () => T): T {
  const c = getcurrent();
  const old = c.blockTrap;
  c.blockTrap = true;
  try {
    return body();
  } finally {
    c.blockTrap = old;
  }
}

class ArgsError extends Error {
  readonly args: unknown[];
  constructor(...args: unknown[]) {
    super(args.join(', '));
    this.args = args;
  }
}

/** Registers the shared channel tests for `source`; `sequenceTests` registers that file's own testSequence variants. */
export function channelTests(source: string, sequenceTests: () => void): void {
  describe(`stackless-suite ${source}: TestChannels`, () => {
  test('testBlockingSend', () => {
    const channel = new Channel<number>();
    const t = tasklet(function* (c: Channel<number>) {
      yield* c.send(1);
    })(channel);
    block(t.run());
    expect(t.blocked).to.equal(true);
    expect(channel.balance).to.equal(1);
    t.kill();
  });

  test('testBlockingReceive', () => {
    const channel = new Channel<number>();
    const t = tasklet(function* (c: Channel<number>) {
      yield* c.receive();
    })(channel);
    block(t.run());
    expect(t.blocked).to.equal(true);
    expect(channel.balance).to.equal(-1);
    t.kill();
  });

  test('testNonBlockingSend', () => {
    const received: number[] = [];
    const channel = new Channel<number>();
    const t = tasklet(function* (c: Channel<number>) {
      received.push(yield* c.receive());
    })(channel);
    block(t.run());
    withBlockTrap(() => block(channel.send(1)));
    expect(received).to.deep.equal([1]);
  });

  test('testNonBlockingReceive', () => {
    const channel = new Channel<number>();
    const t = tasklet(function* (c: Channel<number>, v: number) {
      yield* c.send(v);
    })(channel, 1);
    block(t.run());
    const value = withBlockTrap(() => block(channel.receive()));
    t.kill();
    expect(value).to.equal(1);
  });

  test('testMainTaskletBlockingWithoutASender', () => {
    expect(getruncount()).to.equal(1);
    const c = new Channel<number>();
    expect(() => block(c.receive())).to.throw(RuntimeError);
  });

  notExpressible('testInterthreadCommunication', 'threads: a JavaScript realm has one thread of tasklets');

  test('testSendException', () => {
    const channel = new Channel<number>();
    const f = function* (c: Channel<number>) {
      yield* c.sendException(ArgsError, 1, 2, 3);
    };
    block(tasklet(f)(channel).run());
    expect(() => block(channel.receive())).to.throw(ArgsError);
    block(tasklet(f)(channel).run());
    let args: unknown[] = [];
    try {
      block(channel.receive());
    } catch (e) {
      args = (e as ArgsError).args;
    }
    expect(args).to.deep.equal([1, 2, 3]);
    run();
  });

  test('testSendThrow', () => {
    function bar(): never {
      throw new ArgsError(1, 2, 3);
    }
    const channel = new Channel<number>();
    const f = function* (c: Channel<number>) {
      try {
        bar();
      } catch (e) {
        yield* c.sendThrow(e);
      }
    };
    block(tasklet(f)(channel).run());
    expect(() => block(channel.receive())).to.throw(ArgsError);
    block(tasklet(f)(channel).run());
    let err: ArgsError | null = null;
    try {
      block(channel.receive());
    } catch (e) {
      err = e as ArgsError;
    }
    expect(err?.args).to.deep.equal([1, 2, 3]);
    // The traceback names the function that raised (Python's extract_tb(tb)[-1][2]).
    expect(err?.stack?.split('\n')[1]).to.match(/\bbar\b/);
    run();
  });

  test('testBlockTrapSend', () => {
    const channel = new Channel<null>();
    let count = 0;
    withBlockTrap(() => expect(() => block(channel.send(null))).to.throw(RuntimeError));
    count++;
    tasklet(function* () {
      getcurrent().blockTrap = true;
      try {
        yield* channel.send(null);
      } catch (e) {
        expect(e).to.be.instanceOf(RuntimeError);
        count++;
      }
    })();
    run();
    expect(count).to.equal(2);
  });

  test('testBlockTrapRecv', () => {
    const channel = new Channel<null>();
    let count = 0;
    withBlockTrap(() => expect(() => block(channel.receive())).to.throw(RuntimeError));
    count++;
    tasklet(function* () {
      getcurrent().blockTrap = true;
      try {
        yield* channel.receive();
      } catch (e) {
        expect(e).to.be.instanceOf(RuntimeError);
        count++;
      }
    })();
    run();
    expect(count).to.equal(2);
  });
});

  describe(`stackless-suite ${source}: TestClose`, () => {
  sequenceTests();
  test('testSender', () => {
    const c = new Channel<null>();
    c.close();
    expect(() => block(c.send(null))).to.throw(ValueError);
  });

  test('testReceiver', () => {
    const c = new Channel<null>();
    c.close();
    expect(() => block(c.receive())).to.throw(ValueError);
  });

  test('testIterator', () => {
    const c = new Channel<null>();
    c.close();
    expect(c[Symbol.iterator]().next().done).to.equal(true);
  });
});

  describe(`stackless-suite ${source}: Subclassing`, () => {
  test('test_init', () => {
    class MyChannel extends Channel<number> {
      constructor(readonly name: string) {
        super();
      }
    }
    expect(new MyChannel('bong').name).to.equal('bong');
  });
});
}
