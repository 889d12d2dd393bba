/**
 * What a handler's own code performs is part of its type, whatever form the code takes, so the
 * coverage check asks for a handler of it outside: a program or effect the handler function returns,
 * a program given to `transferWith`, an effect given to `delegate` / `pass`. (Each was typed as
 * performing nothing, and the run failed with UnhandledEffectError.) Never executed.
 */
import {
  delegate,
  Effect,
  type EmittedBy,
  handle,
  pass,
  program,
  resume,
  run,
  transfer,
  transferWith,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
  constructor(readonly sides: number) {
    super();
  }
}
class Log extends Effect<undefined> {
  declare readonly _tag: "Log";
  constructor(readonly message: string) {
    super();
  }
}
const logRoll = handle(Log, (_e, k) => resume(k, undefined));
const main = program(function* () {
  return yield* new Roll(6);
});

// a plain function returning a program: that program is the handler's code
const returnsProgram = handle(Roll, (_e, k) =>
  program(function* () {
    yield* new Log("rolled");
    return yield* resume(k, 4);
  }),
);
expectType<Equal<EmittedBy<[typeof returnsProgram]>, Log>>();
// @ts-expect-error -- Log is performed by the handler and nothing outside takes it
run(main, { handlers: [returnsProgram] });
run(main, { handlers: [logRoll, returnsProgram] });

// a plain function returning an effect: performed by the handler
const returnsEffect = handle(Roll, () => new Log("x"));
expectType<Equal<EmittedBy<[typeof returnsEffect]>, Log>>();

// transferWith's program runs at the perform site; its effects are counted as the handler's own
const viaTransferWith = handle(Roll, function* (_e, k) {
  return yield* transferWith(
    k,
    program(function* () {
      yield* new Log("x");
      return 4;
    }),
  );
});
expectType<Equal<EmittedBy<[typeof viaTransferWith]>, Log>>();
// @ts-expect-error -- Log: no handler
run(main, { handlers: [viaTransferWith] });

// delegate(e) / pass(e): the handler performs e itself, so a handler outside must take it
const observe = handle(Roll, function* (e, k) {
  const v = yield* delegate(e);
  return yield* resume(k, v);
});
expectType<Equal<EmittedBy<[typeof observe]>, Roll>>();
// @ts-expect-error -- no Roll handler outside `observe`
run(main, { handlers: [observe] });
const fixed = handle(Roll, (_e, k) => transfer(k, 4));
run(main, { handlers: [fixed, observe] });
const bigOnly = handle(Roll, function* (e, k) {
  if (e.sides < 100) return yield* pass(e);
  return yield* transfer(k, 1);
});
expectType<Equal<EmittedBy<[typeof bigOnly]>, Roll>>();
// the generator form is unchanged: what it yields
const gen = handle(Roll, function* (_e, k) {
  yield* new Log("x");
  return yield* resume(k, 1);
});
expectType<Equal<EmittedBy<[typeof gen]>, Log>>();
