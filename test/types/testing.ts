/**
 * doeff/testing's types (never executed): `mock` refuses an effect class TypeScript cannot tell
 * apart from other effects, as `handle` and `answer` do.
 */
import { Effect, scheduler, simulatedTime } from "../../src/index.js";
import { type Mock, type MockOptions, mock, type Recorder, record } from "../../src/testing/index.js";

class Ping extends Effect<number> {}
class Tagged extends Effect<number> {
  declare readonly _tag: "Tagged";
}

// @ts-expect-error -- an untagged class without fields: UntaggedEffectError<Ping>, as handle(Ping, …)
mock(Ping, 1);
mock(Tagged, 1);
// @ts-expect-error -- the answer is checked against the class's answer type
mock(Tagged, "one");

// an effect whose answer is a function: a function given to mock is always called with the effect,
// so the answer must be wrapped — a bare `() => 5` type-checked and answered 5 at run time
class GetFormatter extends Effect<(n: number) => string> {
  declare readonly _tag: "GetFormatter";
}
// @ts-expect-error -- `() => "x"` would be called and answer "x", not a formatter: wrap it, () => f
mock(GetFormatter, () => "x");
// @ts-expect-error -- the formatter itself would be called with the effect
mock(GetFormatter, (n: number) => String(n));
mock(GetFormatter, () => (n: number) => String(n));
mock(GetFormatter, (e) => (n: number) => `${e._tag}:${n}`);

// an answer that may be a function (a union with one, or Function): the same — only a non-function
// value or the function form; a bare `() => 5` type-checked as the callback and answered 5
class MaybeCallback extends Effect<(() => number) | undefined> {
  declare readonly _tag: "MaybeCallback";
}
mock(MaybeCallback, undefined);
// @ts-expect-error -- called with the effect, it would answer 5, not a callback: wrap it, () => () => 5
mock(MaybeCallback, () => 5);
mock(MaybeCallback, () => () => 5);
mock(MaybeCallback, () => undefined);
class GetAnyFunction extends Effect<Function> {
  declare readonly _tag: "GetAnyFunction";
}
// @ts-expect-error -- it would answer 1, not a function
mock(GetAnyFunction, () => 1);
mock(GetAnyFunction, () => () => 1);

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

// record(C) types what it recorded: the instances of C, with their answer type
const rec = record(Tagged);
expectType<Equal<(typeof rec.effects)[number], Tagged>>();
const first = rec.entries[0]!;
if (first.status === "answered") expectType<Equal<typeof first.value, number>>();
const both = record([Tagged, Ping]);
expectType<Equal<(typeof both.effects)[number], Tagged | Ping>>();
// no filter, or a predicate that is no type guard: any effect (a handler is offered effects only),
// narrowed by instanceof without a cast; a type guard: what it guards
const all = record();
expectType<Equal<(typeof all.effects)[number], Effect>>();
expectType<Equal<(typeof all.entries)[number]["effect"], Effect>>();
const answeredAll = all.entries[0]!;
if (answeredAll.status === "answered") expectType<Equal<typeof answeredAll.value, unknown>>();
const e0 = all.effects[0]!;
if (e0 instanceof Tagged) expectType<Equal<typeof e0, Tagged>>();
const some = record((e): e is Tagged => e instanceof Tagged); // (TypeScript 5.5+ infers the guard)
expectType<Equal<(typeof some.effects)[number], Tagged>>();
const guessed = record((e) => String(e).length > 3);
expectType<Equal<(typeof guessed.effects)[number], Effect>>();
// the predicate's parameter is an Effect (it was unknown: `e._tag` needed a cast after instanceof
// in older TypeScript, and any other property read one always)
record((e) => {
  expectType<Equal<typeof e, Effect>>();
  return e instanceof Tagged && e._tag === "Tagged";
});
const listed = record([Tagged, Ping] as Function[]);
expectType<Equal<(typeof listed.effects)[number], Effect>>();
// a `Recorder` annotation (Recorder<Effect>) takes any recorder: Recorder was invariant, and
// `record(Tagged)` was not a `Recorder`
export const anyRecorder: Recorder[] = [rec, both, all, some, guessed, listed];
export const narrower: Recorder<Tagged | Ping> = rec;
// @ts-expect-error -- a recorder of Ping is no recorder of Tagged
export const wrong: Recorder<Tagged> = record(Ping);

// virtualClock().handlers take what they take (scheduler effects, Now, Delay), not everything: spread
// into a list, they leave the coverage check on for the program's other effects
import { Delay, delay, program, pure, run } from "../../src/index.js";
import { virtualClock } from "../../src/testing/index.js";

class Other extends Effect<number> {
  declare readonly _tag: "Other";
}
const clock = virtualClock();
const timed = program(function* () {
  yield* delay(5);
  return yield* new Other();
});
// @ts-expect-error -- Other: no handler takes it
run(timed, { handlers: [...clock.handlers] });
run(
  program(function* () {
    yield* delay(5);
  }),
  { handlers: [...clock.handlers] },
);

// expectEffects, expectEffectsAsync and clock.run check the program's effects against the handlers
// they run it under, as run does: the recorder and the expected list answer nothing, and clock.run
// adds the clock (scheduler effects, Now, Delay) outside options.handlers.
import { ask, type Handler, reader, state, writer } from "../../src/index.js";
import { expectEffects, expectEffectsAsync } from "../../src/testing/index.js";

const usesOther = program(function* () {
  return yield* new Other();
});
const otherMock = mock(Other, 1);
expectEffects(usesOther, [Other], { handlers: [otherMock] });
// @ts-expect-error -- MissingHandlerError<Other>: no handler takes it (the expectation lists it)
expectEffects(usesOther, [Other], { handlers: [state] });
// @ts-expect-error -- without options, no handler at all
expectEffects(usesOther, [Other]);
// @ts-expect-error -- options without `handlers`: no handler either
expectEffects(usesOther, [Other], { store: {} });
expectEffects(pure(1), []);
void expectEffectsAsync(usesOther, [Other], { handlers: [otherMock], only: Other });
// @ts-expect-error -- expectEffectsAsync is checked the same way
void expectEffectsAsync(usesOther, [Other], { handlers: [writer] });

// a mock written inline, with a function (context-sensitive: TypeScript infers the list in a second
// pass), is checked in that pass — accepted when it covers, refused when an effect is still missing
expectEffects(usesOther, [Other], { handlers: [mock(Other, (e) => e._tag.length)] });
expectEffects(timed, [Other], {
  handlers: [mock(Delay, () => undefined), mock(Other, (e) => e._tag.length)],
});
// @ts-expect-error -- MissingHandlerError<Delay>
expectEffects(timed, [Other], { handlers: [mock(Other, (e) => e._tag.length)] });
// `handlers: undefined` (plain strict) is no list: checked against none (it passed unchecked)
// @ts-expect-error -- MissingHandlerError<Other>
expectEffects(usesOther, [Other], { handlers: undefined });
// @ts-expect-error -- MissingHandlerError<Other>: the clock does not take it
clock.run(timed, { handlers: undefined });
// @ts-expect-error -- MissingHandlerError<Other>: the clock does not take it
void clock.runAsync(timed, { handlers: undefined });

// a lazy env value runs inside the program: its effects need a handler too
const asks = program(function* () {
  return yield* ask<number>("seed");
});
const seed = program(function* () {
  return yield* new Other();
});
expectEffects(asks, [], { handlers: [reader, otherMock], env: { seed } });
// @ts-expect-error -- MissingHandlerError<Other>, from the lazy value
expectEffects(asks, [], { handlers: [reader], env: { seed } });

// `handlers` typed as a plain list (or any) is not checked, as for run
const dynamic: Handler[] = [];
expectEffects(usesOther, [], { handlers: dynamic });

// clock.run: the clock takes the scheduler's effects, now and delay; options.handlers the rest
clock.run(timed, { handlers: [otherMock] });
clock.run(
  program(function* () {
    yield* delay(5);
  }),
);
// @ts-expect-error -- MissingHandlerError<Other>: the clock does not take it
clock.run(timed);
// @ts-expect-error -- MissingHandlerError<Other>
clock.run(timed, { handlers: [state] });
clock.run(timed, { handlers: [mock(Other, (e) => e._tag.length)] });
// @ts-expect-error -- an inline mock of another class leaves Other missing
clock.run(timed, { handlers: [mock(Tagged, (e) => e._tag.length)] });

// clock.runAsync is checked as clock.run is
void clock.runAsync(timed, { handlers: [otherMock] });
void clock.runAsync(
  program(function* () {
    yield* delay(5);
  }),
);
// @ts-expect-error -- MissingHandlerError<Other>: the clock does not take it
void clock.runAsync(timed);
// @ts-expect-error -- MissingHandlerError<Other>
void clock.runAsync(timed, { handlers: [state] });
void clock.runAsync(timed, { handlers: [mock(Other, (e) => e._tag.length)] });
// @ts-expect-error -- an inline mock of another class leaves Other missing
void clock.runAsync(timed, { handlers: [mock(Tagged, (e) => e._tag.length)] });

// the keys of the options are checked as an object literal's are (UnknownOptionError<"bogus">),
// although they are inferred for the check above
// @ts-expect-error -- not an option
expectEffects(usesOther, [Other], { handlers: [otherMock], bogus: 1 });
// @ts-expect-error -- not an option, with an inline mock too
expectEffects(usesOther, [Other], { handlers: [mock(Other, (e) => e._tag.length)], bogus: 1 });
// @ts-expect-error -- `only` is expectEffects', not clock.run's
clock.run(timed, { handlers: [otherMock], only: Other });
// @ts-expect-error -- not clock.runAsync's either
void clock.runAsync(timed, { handlers: [otherMock], only: Other });
// @ts-expect-error -- not an option, with an inline mock
void clock.runAsync(timed, { handlers: [mock(Other, (e) => e._tag.length)], bogus: 1 });
void clock.runAsync(timed, { handlers: [otherMock], store: {}, env: {} });
expectEffects(usesOther, [Other], { handlers: [otherMock], only: [Other], store: {}, env: {} });
// a key from a conditional spread is optional, and a type read off the signature has wide keys
const withSites = Math.random() > 0.5;
expectEffects(usesOther, [Other], {
  handlers: [otherMock],
  ...(withSites ? { trace: { sites: true } } : {}),
});
const wideTestOptions: Parameters<typeof expectEffects>[2] = { handlers: [otherMock] };
void wideTestOptions;

// mock(C, answer, { latency }): the answers take clock time, so the mock performs Delay and a clock
// must be listed outside it; the latency function gets the effect, typed
{
  const slow = mock(Tagged, 1, { latency: (e) => (e._tag === "Tagged" ? 100 : 0) });
  expectType<Equal<typeof slow, Mock<Tagged, Delay>>>();
  expectType<Equal<typeof fast, Mock<Tagged>>>();
  // @ts-expect-error -- latency is a number of ms or a function of the effect
  mock(Tagged, 1, { latency: "100" });
  // @ts-expect-error -- the answer is checked with options too
  mock(Tagged, "one", { latency: 10 });
  const ping = program(function* () {
    return yield* new Tagged();
  });
  run(ping, { handlers: [scheduler, simulatedTime(), slow] });
  // @ts-expect-error -- no clock for the mock's Delay: MissingHandlerError<Delay>
  run(ping, { handlers: [scheduler, slow] });
  // options without a latency answer at once: no Delay, no clock needed
  const noLatency = mock(Tagged, 1, {});
  expectType<Equal<typeof noLatency, Mock<Tagged>>>();
  run(ping, { handlers: [noLatency] });
  // options the types cannot see into (a MockOptions value, or one that may be undefined): may delay
  const opts: MockOptions<Tagged> = {};
  const seen = mock(Tagged, 1, opts);
  expectType<Equal<typeof seen, Mock<Tagged, Delay>>>();
  const maybe = mock(Tagged, 1, Math.random() > 2 ? opts : undefined);
  expectType<Equal<typeof maybe, Mock<Tagged, Delay>>>();
}
const fast = mock(Tagged, 1);
