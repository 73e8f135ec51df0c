// stackless-testsuite: stackless_testsuite/v3_1/test_content.py,
// channel/test_content.py and tasklet/test_content.py: the declared API and
// the type of each attribute (the tests create_type_tests_for_module and
// create_type_tests_for_class generate, one per name). Python names map to
// their JavaScript spelling (schedule_remove -> scheduleRemove).
import { expect } from 'chai';
import * as stackless from '@stackless-io/runtime';
import { Channel } from '@stackless-io/channel';
import { getcurrent, Tasklet } from '@stackless-io/runtime';
import { notExpressible, test } from './suite.js';

const THREADS = 'threads: a JavaScript realm has one thread of tasklets';
const FRAMES = 'frames: a generator exposes no frame object';
const PICKLING = 'pickling (restorable)';
const MODULE_GETTER = 'a module attribute computed on access: an ES module namespace has no getters (getcurrent(), getmain(), getruncount() instead)';

type Kind = 'function' | 'class' | 'module';
const moduleApi: [py: string, js: string | null, kind: Kind, reason?: string][] = [
  ['atomic', 'atomic', 'function'], // a context manager class in Python; a generator function to yield* here
  ['getmain', 'getmain', 'function'],
  ['get_thread_info', null, 'function', THREADS],
  ['tasklet', 'Tasklet', 'class'],
  ['stackless', null, 'module', 'the module referring to itself (stackless.stackless)'],
  ['run', 'run', 'function'],
  ['schedule', 'schedule', 'function'],
  ['getruncount', 'getruncount', 'function'],
  ['schedule_remove', 'scheduleRemove', 'function'],
  ['getcurrent', 'getcurrent', 'function'],
];
const moduleAdditional: [string, string][] = [
  ['current', MODULE_GETTER],
  ['main', MODULE_GETTER],
  ['runcount', MODULE_GETTER],
  ['threads', THREADS],
];

describe('stackless-suite v3_1: TestModuleContent', () => {
  test('testDeclaredNames', () => {
    const mod = stackless as unknown as Record<string, unknown>;
    const missing = moduleApi.filter(([, js, , reason]) => reason === undefined && typeof mod[js as string] !== 'function');
    expect(missing.map(([py]) => py)).to.deep.equal([]);
    // The channel class lives in the channel package.
    expect(typeof Channel).to.equal('function');
  });
  notExpressible('testAdditionalNames', MODULE_GETTER);
  notExpressible('testTaskletExit', 'TaskletExit is a builtin subclass of SystemExit; JavaScript has neither builtins to add to nor SystemExit');
  for (const [py, js, kind, reason] of moduleApi) {
    if (reason !== undefined) {
      notExpressible(`testAttributeType_${py}`, reason);
      continue;
    }
    test(`testAttributeType_${py}`, () => {
      const v = (stackless as unknown as Record<string, unknown>)[js as string];
      expect(typeof v).to.equal('function');
      if (kind === 'class') expect((v as { prototype?: unknown }).prototype).to.be.an('object');
    });
  }
  test('testAttributeType_channel', () => {
    expect(new Channel()).to.be.instanceOf(Channel);
  });
  for (const [py, reason] of moduleAdditional) notExpressible(`testAttributeType_${py}`, reason);
});

type Expect = 'routine' | 'number' | 'boolean' | 'tasklet-or-null' | 'tasklet' | 'any';

function classTests(cls: string, proto: object, instance: () => object, api: [py: string, js: string | null, what: Expect, reason?: string][]): void {
  describe(`stackless-suite v3_1: ${cls} content`, () => {
    test('testDeclaredNames', () => {
      const missing = api.filter(([, js, , reason]) => reason === undefined && !(js as string in proto));
      expect(missing.map(([py]) => py)).to.deep.equal([]);
    });
    for (const [py, js, what, reason] of api) {
      if (reason !== undefined) {
        notExpressible(`testAttributeTypeOnClass_${py}`, reason);
        notExpressible(`testAttributeTypeOnInstance_${py}`, reason);
        continue;
      }
      const name = js as string;
      test(`testAttributeTypeOnClass_${py}`, () => {
        if (what === 'routine') {
          expect(typeof (proto as Record<string, unknown>)[name]).to.equal('function');
        } else {
          // A property: a getter on the class.
          let d: PropertyDescriptor | undefined;
          for (let p: object | null = proto; p !== null && d === undefined; p = Object.getPrototypeOf(p)) d = Object.getOwnPropertyDescriptor(p, name);
          expect(d?.get).to.be.a('function');
        }
      });
      test(`testAttributeTypeOnInstance_${py}`, () => {
        const v = (instance() as Record<string, unknown>)[name];
        if (what === 'routine') expect(typeof v).to.equal('function');
        else if (what === 'number' || what === 'boolean') expect(typeof v).to.equal(what);
        else if (what === 'tasklet') expect(v).to.be.instanceOf(Tasklet);
        else if (what === 'tasklet-or-null') expect(v === null || v instanceof Tasklet).to.equal(true);
      });
    }
  });
}

classTests('TestChannelContent (channel/test_content.py)', Channel.prototype, () => new Channel(), [
  ['__iter__', null, 'routine', 'a special method name; Symbol.iterator here, tested by testSig___iter__'],
  ['balance', 'balance', 'number'],
  ['close', 'close', 'routine'],
  ['closed', 'closed', 'boolean'],
  ['closing', 'closing', 'boolean'],
  ['__next__', 'next', 'routine'],
  ['open', 'open', 'routine'],
  ['preference', 'preference', 'number'],
  ['queue', 'queue', 'tasklet-or-null'],
  ['receive', 'receive', 'routine'],
  // schedule_all reads 0 or 1 in Python, a boolean here (see the differences in docs/channels.rst).
  ['schedule_all', 'scheduleAll', 'boolean'],
  ['send', 'send', 'routine'],
  ['send_exception', 'sendException', 'routine'],
  ['send_sequence', 'sendSequence', 'routine'],
  ['send_throw', 'sendThrow', 'routine'],
]);

classTests('TestTaskletContent (tasklet/test_content.py)', Tasklet.prototype, () => getcurrent(), [
  ['alive', 'alive', 'boolean'],
  ['atomic', 'atomic', 'boolean'],
  ['bind', 'bind', 'routine'],
  ['bind_thread', null, 'routine', THREADS],
  ['blocked', 'blocked', 'boolean'],
  ['frame', null, 'any', FRAMES],
  ['insert', 'insert', 'routine'],
  ['is_current', 'isCurrent', 'boolean'],
  ['is_main', 'isMain', 'boolean'],
  ['kill', 'kill', 'routine'],
  ['next', 'next', 'tasklet'],
  ['paused', 'paused', 'boolean'],
  ['prev', 'prev', 'tasklet'],
  ['raise_exception', 'raiseException', 'routine'],
  ['remove', 'remove', 'routine'],
  ['restorable', null, 'boolean', PICKLING],
  ['run', 'run', 'routine'],
  ['scheduled', 'scheduled', 'boolean'],
  ['set_atomic', 'setAtomic', 'routine'],
  ['setup', 'setup', 'routine'],
  ['switch', 'switch', 'routine'],
  ['tempval', 'tempval', 'any'],
  ['thread_id', null, 'number', THREADS],
  ['throw', 'throw', 'routine'],
]);
