/**
 * `withHandler` around a handler declared as an interface extending Handler (doeff/testing's `Mock`
 * and `Recorder`): without exactOptionalPropertyTypes, their phantom `__emits?: never` reads as
 * `undefined`, and withHandler added it to the row — `withHandler(mock(Roll, 1), roll)` was a
 * `Primitive<number, undefined>`, so `run` of it was `MissingHandlerError<undefined>` and a
 * `Program<number, never>` annotation failed. (The test matrix compiles this file with and without
 * exactOptionalPropertyTypes; the repository's own tsconfig sets it.)
 */
import {
  Effect,
  type Primitive,
  type Program,
  program,
  type RunResult,
  run,
  scheduler,
  spawn,
  wait,
  withHandler,
} from "../../src/index.js";
import { mock, record } from "../../src/testing/index.js";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
  constructor(readonly sides: number) {
    super();
  }
}
const roll = program(function* () {
  return yield* new Roll(6);
});

const mocked = withHandler(mock(Roll, 1), roll);
expectType<Equal<typeof mocked, Primitive<number, never>>>();
export const r1 = run(mocked);
expectType<Equal<typeof r1, RunResult<number>>>();
const inner = program(function* () {
  return yield* mocked;
});
export const annotated: Program<number, never> = inner;
export const r2 = run(inner);

// a mock that performs effects of its own (latency: a delay) keeps them
const slow = withHandler(mock(Roll, 1, { latency: 5 }), roll);
expectType<Equal<typeof slow, Primitive<number, import("../../src/index.js").Delay>>>();

// record takes nothing: the row keeps what it watched, and nothing else
const recorded = withHandler(record(Roll), roll);
expectType<Equal<typeof recorded, Primitive<number, Roll>>>();
// @ts-expect-error -- MissingHandlerError<Roll>: record lets Roll through
run(recorded);

// in a task too: the spawn's row is the program's
const task = program(function* () {
  return yield* wait(yield* spawn(mocked));
});
export const r3 = run(task, { handlers: [scheduler] });
expectType<Equal<typeof r3, RunResult<number>>>();
