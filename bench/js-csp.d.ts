// Minimal typings for the parts of js-csp 1.x that the benchmarks use.
declare module 'js-csp' {
  export interface Chan {
    close(): void;
  }
  export interface Instruction {
    readonly __cspInstruction: true;
  }
  interface Csp {
    chan(buffer?: number): Chan;
    go<A extends unknown[]>(fn: (...args: A) => Generator<Instruction, unknown, any>, args?: A): Chan;
    put(ch: Chan, value: unknown): Instruction;
    take(ch: Chan): Instruction;
    takeAsync(ch: Chan, callback: (value: any) => void): void;
    putAsync(ch: Chan, value: unknown, callback?: () => void): void;
    readonly CLOSED: unknown;
  }
  const csp: Csp;
  export default csp;
}
