/**
 * Type tests for handlers that pass effects on, and handlers typed as taking every effect: checked
 * by `tsc` (never executed). Each `// @ts-expect-error` line must fail; the text of the key errors
 * is checked in test/types-matrix.test.ts (every-effect-handler, every-effect-with-handler,
 * never-handler, handle-base-class).
 */
import {
  answer,
  delegate,
  Effect,
  type EffectClass,
  type Handler,
  handle,
  observe,
  pass,
  type Primitive,
  program,
  resume,
  run,
  type RunResult,
  scheduler,
  state,
  withHandler,
} from "../../src/index.js";
import { expectEffects, mock, virtualClock } from "../../src/testing/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
}
class Name extends Effect<string> {}
/** a family's base class without a field of its own: as broad as Effect to TypeScript */
abstract class StoreOp<A> extends Effect<A> {}

const main = program(function* () {
  return yield* new Roll();
});
const dice = answer(Roll, () => 4);

// ── a pass-through typed as observe is, Handler<undefined>: it takes nothing ──
const logged: string[] = [];
const logAll: Handler<undefined> = function* (effect: unknown) {
  logged.push(String(effect));
  return yield* pass();
};
// @ts-expect-error -- MissingHandlerError<Roll>: the pass-through answers nothing
run(main, { handlers: [logAll] });
const passedOk = run(main, { handlers: [dice, logAll] });
expectType<Equal<typeof passedOk, RunResult<number>>>();

// ── Handler<never> takes nothing too: it covers nothing (it was refused alone, as "not assignable
// to AnyHandlerFn", and listed with another handler it made the list uninferred: unchecked) ──
declare const takesNothing: Handler<never>;
// @ts-expect-error -- MissingHandlerError<Roll>
run(main, { handlers: [takesNothing] });
// @ts-expect-error -- MissingHandlerError<Roll> (it compiled: the list was left unchecked)
run(main, { handlers: [state, takesNothing] });
// @ts-expect-error -- MissingHandlerError<Roll>
run(main, { handlers: [scheduler, takesNothing] });
const neverOk = run(main, { handlers: [dice, takesNothing] });
expectType<Equal<typeof neverOk, RunResult<number>>>();
const forwardAll: Handler<never> = function* () {
  return yield* delegate();
};
// @ts-expect-error -- MissingHandlerError<Roll>
expectEffects(main, [], { handlers: [state, forwardAll] });
expectEffects(main, [], { handlers: [dice, forwardAll] });

// ── a handler typed as taking every effect: a compile error, not a silent pass ──
declare const everyEffect: Handler<Effect<unknown>>;
declare const everyUnknown: Handler<unknown>;
declare const everyObject: Handler<object>;
declare const everyNumber: Handler<Effect<number>>; // every effect answered a number
declare const everyName: Handler<Name>; // a class without fields: as broad
// @ts-expect-error -- EveryEffectHandlerError<Handler<Effect<unknown>, never, never>>
run(main, { handlers: [everyEffect] });
// @ts-expect-error -- EveryEffectHandlerError, although Roll has its handler
run(main, { handlers: [dice, everyUnknown] });
// @ts-expect-error -- EveryEffectHandlerError
run(main, { handlers: [everyObject] });
// @ts-expect-error -- EveryEffectHandlerError
run(main, { handlers: [everyNumber] });
// @ts-expect-error -- EveryEffectHandlerError
run(main, { handlers: [everyName] });
const noEffects = program(function* () {
  return 1;
});
// @ts-expect-error -- EveryEffectHandlerError: a program with no effect too (the handler's type is wrong)
run(noEffects, { handlers: [everyEffect] });
// a plain function whose effect parameter is `unknown` claims every effect the same way
const plainUnknown = function* (_e: unknown, k: any) {
  return yield* resume(k, 4);
};
// @ts-expect-error -- EveryEffectHandlerError
run(main, { handlers: [plainUnknown] });
// @ts-expect-error -- EveryEffectHandlerError (doeff/testing checks the same)
expectEffects(main, [], { handlers: [state, everyEffect] });
const clock = virtualClock();
// @ts-expect-error -- EveryEffectHandlerError
clock.run(main, { handlers: [everyEffect] });
const everyList: Handler<Effect<unknown>>[] = [];
// @ts-expect-error -- EveryEffectHandlerError: a list typed as an array too
run(main, { handlers: everyList });

// ── the escape hatches stay open: `Handler` (any), a list typed `Handler[]`, a list typed `any` ──
declare const open: Handler;
run(main, { handlers: [open] });
const openList: Handler[] = [];
run(main, { handlers: openList });
run(main, { handlers: [state] as any });
// (an inline function's parameters are contextually `any`: the escape hatch as well)
run(main, { handlers: [(_e, k) => resume(k, 4)] });

// ── a function typed without Handler, its effect parameter typed: it takes that class and performs
// nothing (it was MissingHandlerError<unknown>: its missing `__emits` read as a row `unknown`) ──
const plainRoll = function* (_e: Roll, k: any) {
  return yield* resume(k, 4);
};
run(main, { handlers: [plainRoll] });
run(main, { handlers: [(_e: Roll, k: any) => resume(k, 4)] });

// ── withHandler(h, p) refuses it the same way: it removed every effect from p's row, so
// run(withHandler(everyEffect, main)) compiled with nothing taking Roll (the text is the matrix's
// case every-effect-with-handler, with a handler type not given to withHandler here) ──
// @ts-expect-error -- EveryEffectHandlerError<Handler<Effect<unknown>, never, never>>
withHandler(everyEffect, main);
// @ts-expect-error -- EveryEffectHandlerError (it compiled: no handler takes Roll)
run(withHandler(everyEffect, main));
// @ts-expect-error -- EveryEffectHandlerError<Handler<unknown, never, never>>
withHandler(everyUnknown, main);
// @ts-expect-error -- EveryEffectHandlerError<Handler<object, never, never>>
withHandler(everyObject, main);
// @ts-expect-error -- EveryEffectHandlerError<Handler<Effect<number>, never, never>>
withHandler(everyNumber, main);
// @ts-expect-error -- EveryEffectHandlerError<Handler<Name, never, never>>
withHandler(everyName, main);
// @ts-expect-error -- EveryEffectHandlerError: a program with no effect too
withHandler(everyEffect, noEffects);
// @ts-expect-error -- EveryEffectHandlerError: a plain function whose effect parameter is `unknown`
withHandler(plainUnknown, main);
// @ts-expect-error -- EveryEffectHandlerError: written inline, its effect parameter typed `unknown`
withHandler((_e: unknown, k) => resume(k, 4), main);
const nested = program(function* () {
  // @ts-expect-error -- EveryEffectHandlerError: inside a program too
  return yield* withHandler(everyEffect, main);
});
run(nested, { handlers: [dice] });
// a pass-through typed Handler<undefined> (or Handler<never>) is installed and removes nothing
const watched = withHandler(logAll, main);
expectType<Equal<typeof watched, Primitive<number, Roll>>>();
// @ts-expect-error -- MissingHandlerError<Roll>: the pass-through answers nothing
run(withHandler(logAll, main));
const watchedOk = run(withHandler(logAll, main), { handlers: [dice] });
expectType<Equal<typeof watchedOk, RunResult<number>>>();
const forwarded = withHandler(takesNothing, main);
expectType<Equal<typeof forwarded, Primitive<number, Roll>>>();
run(
  withHandler(
    dice,
    withHandler(
      observe(() => undefined),
      main,
    ),
  ),
);
// a handler for some classes: inferred from its effect parameter, inline too
const rolled = withHandler((_e: Roll, k) => resume(k, 4), main);
expectType<Equal<typeof rolled, Primitive<number, never>>>();
run(withHandler(plainRoll, main));
// the escape hatches: `Handler` (any), and a handler written inline with its parameters untyped
const opened = withHandler(open, main);
expectType<Equal<typeof opened, Primitive<number, never>>>();
run(withHandler((_e, k) => resume(k, 4), main));

// ── handle / answer / mock with the base class: refused, with what to write instead ──
// (handle(Effect, f) itself, BaseEffectClassError<Effect<unknown>>, is the matrix's case
// handle-base-class: its text is checked there, and TypeScript 5.4 prints the text of a failed
// relation only the first time it reports it in a program)
// @ts-expect-error -- BaseEffectClassError: in a list too
handle([Effect, Roll], function* () {
  return yield* pass();
});
// @ts-expect-error -- BaseEffectClassError<StoreOp<unknown>>: an abstract base without fields
handle(StoreOp, function* () {
  return yield* pass();
});
// @ts-expect-error -- BaseEffectClassError<Effect<unknown>>: observe, or a Handler<undefined> function
answer(Effect, () => 1);
// @ts-expect-error -- BaseEffectClassError<Effect<unknown>>
mock(Effect, () => 1);
// @ts-expect-error -- UntaggedEffectError<Name>: a concrete class without fields still asks for a tag
handle(Name, (_e, k) => resume(k, "x"));
// a factory's class typed as the bare constraint stays unchecked (docs/types.md, escape hatches)
handle(Roll as EffectClass, (_e, k) => resume(k, 1));
// what to write instead: observe (typed Handler<undefined>), for every effect or some classes
const watchAll = observe(() => undefined);
expectType<Equal<typeof watchAll, Handler<undefined>>>();
run(main, { handlers: [dice, watchAll] });
