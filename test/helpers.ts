/**
 * Shared test vocabulary — the notation of SCENARIOS.md:
 *   P(g) = program(g), WH = withHandler, H(E1, E2)(g) = g with handles for those classes,
 *   Num/Emit carry .v; Tag, E1, E2, Abort, Ping are plain effects;
 *   echo / tailEcho / abandon / body(n); note(x) + rec (records into `notes`).
 */
import {
  Effect,
  type Handler,
  type Program,
  program,
  pure,
  resume,
  transfer,
  withHandler,
} from "../src/index.js";

export const P = program;
export const WH = withHandler;

export class Num extends Effect<any> {
  constructor(readonly v: any) {
    super();
  }
}
export class Emit extends Effect<any> {
  constructor(readonly v: any) {
    super();
  }
}
export class Tag extends Effect<any> {}
export class E1 extends Effect<any> {}
export class E2 extends Effect<any> {}
export class Abort extends Effect<any> {}
export class Ping extends Effect<any> {}
export class Note extends Effect<undefined> {
  constructor(readonly x: unknown) {
    super();
  }
}

type Ctor = abstract new (...args: any[]) => object;

/** H(E1, E2)(g): g with `handles = e => e instanceof E1 || e instanceof E2`. */
export function H(...classes: Ctor[]) {
  return (g: (e: any, k: any) => any): Handler => {
    const h = ((e: any, k: any) => g(e, k)) as Handler;
    h.handles = (e: unknown) => classes.some((c) => e instanceof c);
    return h;
  };
}

export const body = (n: any): Program<any> =>
  P(function* () {
    return yield* new Num(n);
  });

export const echo = H(Num)((e, k) => resume(k, e.v));
export const tailEcho = H(Num)((e, k) => transfer(k, e.v));
export const abandon = H(Num)(() => pure("A"));

/** Recorded notes; reset with resetNotes() at the start of each test. */
export const notes: unknown[] = [];
export function resetNotes(): void {
  notes.length = 0;
}
export const note = (x: unknown) => new Note(x);
export const rec = H(Note)((e: Note, k) => {
  notes.push(e.x);
  return transfer(k, undefined);
});
