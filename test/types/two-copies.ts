/**
 * Two copies of doeff (a library that brings its own, two versions in node_modules): TypeScript sees
 * two declarations of each class, as here — `OtherEffect` and `OtherProgram` are what the other
 * copy's dist/effects/effect.d.ts and dist/vm/program.d.ts declare, classes of the same shape
 * declared elsewhere. Their protected brands keep them apart from this copy's classes; yielded in a
 * program, they were taken for structurally typed programs, which opened the row: `run` checked
 * nothing, and the run failed at run time (test/two-copies.test.ts). They are named in the row now,
 * and `run` reports AnotherCopyError. Never executed.
 */
import {
  type AnotherCopyHandlerError,
  type CoverageOf,
  type FromAnotherCopy,
  type Get,
  get,
  type Handler,
  type MissingHandlerError,
  type NotAnEffect,
  program,
  run,
  runAsync,
  scheduler,
  state,
  withHandler,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

declare abstract class OtherEffect<A = unknown> {
  readonly __answer: A;
  protected readonly __effect: true;
  [Symbol.iterator](): Iterator<this, A, unknown>;
}
declare class OtherProgram<A = unknown, E = unknown> {
  readonly __result: A;
  readonly __effects: E;
  protected readonly __program: true;
  readonly name: string;
  [Symbol.iterator](): Iterator<OtherProgram<A, E>, A, unknown>;
}
declare class OtherPrimitive<A = unknown, E = never> {
  readonly __answer: A;
  readonly __effects: E;
  protected readonly __primitive: true;
  [Symbol.iterator](): Iterator<OtherPrimitive<A, E>, A, unknown>;
}
declare class Ping extends OtherEffect<number> {
  readonly _tag: "Ping";
}
declare const theirs: OtherProgram<string, Ping>;
declare const theirPrimitive: OtherPrimitive<boolean, Ping>;

// a program of the library's copy, called from the application's
const calls = program(function* () {
  const n = yield* get<number>("n");
  const s = yield* theirs; // string: what yield* gives is typed still
  expectType<Equal<typeof s, string>>();
  return s.length + n;
});
expectType<
  Equal<(typeof calls)["__effects"], Get<number> | NotAnEffect<FromAnotherCopy<OtherProgram<string, Ping>>>>
>();
// @ts-expect-error -- AnotherCopyError<OtherProgram<string, Ping>> (it was an open row: no error)
run(calls, { handlers: [state], store: { n: 1 } });
// @ts-expect-error -- the same through runAsync, and with the row wrapped by a handler
void runAsync(withHandler(state, calls), { handlers: [scheduler] });

// an effect of the other copy, performed by the application's program
const performs = program(function* () {
  return (
    (yield* new (class extends OtherEffect<number> {
      readonly _tag = "Pong" as const;
    })()) + 1
  );
});
// @ts-expect-error -- AnotherCopyError<…>: no handler of this copy can take it
run(performs);

// a primitive of the other copy
const primitive = program(function* () {
  return yield* theirPrimitive;
});
// @ts-expect-error -- AnotherCopyError<OtherPrimitive<boolean, Ping>>
run(primitive);

// a handler of the other copy (a library's layer: its copy's `state`) listed for this copy's `get`:
// it takes only its own copy's Get, so the run lacks one, and the error says why
declare class TheirGet extends OtherEffect<unknown> {
  readonly key: string;
}
declare const theirState: Handler<TheirGet>;
const reads = program(function* () {
  return yield* get<number>("n");
});
// @ts-expect-error -- AnotherCopyHandlerError<TheirGet> (it was MissingHandlerError<Get<number>>)
run(reads, { handlers: [theirState], store: { n: 1 } });
run(reads, { handlers: [theirState, state], store: { n: 1 } }); // (covered: the other one only useless)
expectType<Equal<CoverageOf<Get<number>, readonly [typeof theirState]>, AnotherCopyHandlerError<TheirGet>>>();
expectType<Equal<CoverageOf<Get<number>, readonly []>, MissingHandlerError<Get<number>>>>();

// (a structurally typed iterable of one's own, without doeff's phantoms, keeps its open row)
declare const iterable: { [Symbol.iterator](): Iterator<unknown, number, unknown> };
run(
  program(function* () {
    return yield* iterable;
  }),
);
