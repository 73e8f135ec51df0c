/**
 * The neutral scenario format: plain JSON that both runners (runner.py on
 * CPython's `socket`, ts-runner.ts on socket-compat) interpret the same way.
 * README.md describes it in full; the .scn text files are a shorthand that
 * dsl.ts compiles to it.
 */

/** An expression: what a step evaluates. JSON scalars stand for themselves. */
export type Expr =
  | number
  | string
  | boolean
  | null
  | { bytes: string } // hex
  | { bigint: string } // decimal digits of an integer outside JavaScript's safe range
  | { tuple: Expr[] }
  | { list: Expr[] }
  | { const: string } // an attribute of the socket module (AF_INET, has_ipv6, ...)
  | { var: string }
  | { index: Expr; at: number }
  | { attr: Expr; name: string }
  | { call: string; args: Expr[]; kw?: Record<string, Expr> } // a builtin or a socket module function
  | { method: Expr; name: string; args: Expr[]; kw?: Record<string, Expr> };

/** One step of an actor. */
export type Step =
  | { do: Expr; as?: string[]; filter?: Filter; src?: string }
  | { set: string; src?: string }
  | { wait: string; src?: string }
  | { sleep: number; src?: string };

/** What a step records instead of its full result. */
export type Filter = 'ignore' | 'type' | 'len' | 'nonneg' | 'bool';

export const FILTERS: readonly Filter[] = ['ignore', 'type', 'len', 'nonneg', 'bool'];

/** A scenario: named actors that run concurrently (threads in Python, tasklets in TS). */
export interface Scenario {
  name: string;
  /** Features both runners must have, else both record a skip: ipv6, unix, linux, dualstack. */
  requires?: string[];
  /** Watchdog, seconds (default 5). */
  timeout?: number;
  actors: Record<string, Step[]>;
}

/** A normalised value in a trace. */
export type Value =
  | null
  | boolean
  | number
  | string
  | Value[]
  | { b: string }
  | { addr: Value[] }
  | { socket: Value[] }
  | { enum: string }
  | { file: string }
  | { type: string };

/** One trace entry: step `i` of actor `a`, and what it gave. */
export interface Entry {
  a: string;
  i: number;
  ok?: Value;
  err?: string;
  errno?: string | number | null;
  /** The exception's message, shown in reports, never compared. */
  msg?: string;
}

/** A runner's answer for one scenario. */
export interface Trace {
  name: string;
  /** Why the scenario did not run (a missing feature), else absent. */
  skip?: string;
  entries: Entry[];
  /** Actors the watchdog had to stop. */
  watchdog?: string[];
  /** TS only: what the scenario left behind (tasklets, timers, IO, backend handles). */
  leak?: string;
  /**
   * TS only: the step where the runner stopped the scenario because its
   * answer is an intended difference marked `stop` (what follows depends on
   * it), and that difference's id.
   */
  cut?: { a: string; i: number; id: string };
}

/** The step's text, for reports: its src, else its JSON. */
export function stepText(s: Step): string {
  return s.src ?? JSON.stringify(s);
}
