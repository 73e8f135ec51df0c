/**
 * What the TS runner works with: socket-compat loaded by name (the scenarios
 * name Python's functions, so the runner needs no compile-time view of its
 * types), a scenario's variables, events and owned sockets, and the errors
 * the runner itself raises (named as runner.py names them).
 */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Channel } from '@stackless-io/channel';
import type { Suspend, TaskletGenerator } from '@stackless-io/runtime';
import type { Intended } from './compare.js';

/** socket-compat, seen by name. */
export type SocketModule = Record<string, any>;

const SOCKET_COMPAT = '@stackless-io/socket-compat';

/**
 * Loads socket-compat (or the module file $DIFF_SOCKET_COMPAT names, to try
 * a build that is not installed), or says why it cannot.
 */
export async function loadSocketCompat(): Promise<SocketModule | string> {
  const override = process.env.DIFF_SOCKET_COMPAT;
  const spec: string = override !== undefined && override !== '' ? pathToFileURL(resolve(override)).href : SOCKET_COMPAT;
  try {
    return (await import(spec)) as SocketModule;
  } catch (e) {
    return `${SOCKET_COMPAT} cannot be loaded: ${(e as Error).message}`;
  }
}

/** Raised for a variable no earlier step set (as runner.py's Unbound). */
export class Unbound extends Error {}
/** `a, b = v` on a value of another length (as runner.py's Unpack). */
export class Unpack extends Error {}
/** Python's AttributeError: a missing module attribute or method. */
export class AttributeError extends Error {}

/** A one-shot event that tasklets wait for (threading.Event in runner.py). */
export class Event {
  private flag = false;
  private readonly ch = new Channel<void>();

  *wait(): TaskletGenerator<void> {
    if (!this.flag) yield* this.ch.receive();
  }

  *set(): TaskletGenerator<void> {
    this.flag = true;
    while (this.ch.balance < 0) yield* this.ch.send(undefined);
  }
}

/** One scenario's state on the TS side. */
export class Ctx {
  readonly vars = new Map<string, unknown>();
  readonly events = new Map<string, Event>();
  readonly owned: unknown[] = [];
  /** Processes started by the builtin child_uses_fd, reaped when the scenario ends. */
  readonly children: ChildProcess[] = [];
  stopping = false;
  /** Set when a stop rule ended the scenario (see Trace.cut). */
  cut: { a: string; i: number; id: string } | undefined = undefined;
  /** Stops every other actor (set by the runner). */
  stop: () => void = () => undefined;
  constructor(
    readonly mod: SocketModule,
    readonly tmp: string,
    readonly scenario: string = '',
    /** The intended differences that stop a scenario on this backend. */
    readonly stops: Intended[] = [],
  ) {}

  event(name: string): Event {
    let e = this.events.get(name);
    if (e === undefined) this.events.set(name, (e = new Event()));
    return e;
  }

  isSocket(v: unknown): boolean {
    return typeof this.mod.socket === 'function' && v instanceof this.mod.socket;
  }

  /** A member of one of the module's enums (AF_INET...): an int that prints as `<AddressFamily.AF_INET: 2>`. */
  isEnumMember(v: unknown): v is { value: number; repr(): string } {
    return typeof this.mod.IntEnum === 'function' && v instanceof this.mod.IntEnum;
  }

  isFile(v: unknown): boolean {
    if (typeof v !== 'object' || v === null || this.isSocket(v) || v instanceof Uint8Array || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    return typeof o.close === 'function' && (typeof o.read === 'function' || typeof o.write === 'function');
  }

  own(v: unknown): void {
    if (this.isSocket(v) || this.isFile(v)) this.owned.push(v);
    else if (Array.isArray(v)) for (const x of v) if (this.isSocket(x) || this.isFile(x)) this.owned.push(x);
  }
}

/** An operation (or any iterator) that a tasklet runs with `yield*`. */
export function isIterator(v: unknown): v is Iterator<Suspend, unknown, unknown> & Iterable<Suspend> {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { next?: unknown }).next === 'function' &&
    typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}
