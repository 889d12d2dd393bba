/**
 * A created continuation carries its program's effects (minus what its own handlers take), and
 * resuming or starting it adds them to the row, so `run` checks them.
 */
import {
  answer,
  createContinuation,
  detach,
  Effect,
  finalize,
  type EffectsOf,
  program,
  type ResultOf,
  resume,
  resumeContinuation,
  run,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
}
const dice = answer(Roll, () => 4);
const body = program(function* body() {
  return yield* new Roll();
});
const main = program(function* main() {
  const k = yield* createContinuation(body);
  return yield* resume(k);
});
expectType<Equal<ResultOf<typeof main>, number>>();
expectType<Equal<EffectsOf<typeof main>, Roll>>();
// @ts-expect-error Roll has no handler
run(main);
run(main, { handlers: [dice] });

// its own handlers take their effects
const handled = program(function* handled() {
  const k = yield* createContinuation(body, [dice]);
  return yield* resumeContinuation(k);
});
expectType<Equal<EffectsOf<typeof handled>, never>>();
run(handled);

// finalize / detach take any continuation, a created one whose program performs effects too (finalize
// was typed Continuation<unknown, unknown, never>: a created continuation of `body` was refused)
const dropped = program(function* dropped() {
  const k = yield* createContinuation(body);
  yield* detach(k);
  return yield* finalize(k);
});
expectType<Equal<ResultOf<typeof dropped>, undefined>>();
expectType<Equal<EffectsOf<typeof dropped>, never>>();
run(dropped);
