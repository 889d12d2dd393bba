/**
 * Type tests for issue 11 (types that hold in the consumer's own tsconfig). Checked by `tsc` in this
 * repository and, through test/types-matrix.test.ts, in scratch projects that install the packed
 * tarball under plain `strict` (NodeNext and Bundler), `exactOptionalPropertyTypes`, and the oldest
 * and newest supported TypeScript. Never executed. Each `// @ts-expect-error` line must fail.
 */
import {
  type BodyResult,
  type Continuation,
  type EffectsOf,
  type NotAnEffect,
  createContinuation,
  delegate,
  Effect,
  fn,
  get,
  type Handler,
  handle,
  type Listen,
  type Listened,
  type Local,
  listen,
  local,
  type Program,
  pure,
  program,
  reader,
  resume,
  run,
  runAsync,
  scheduler,
  spawn,
  state,
  transfer,
  transferWith,
  wait,
  withHandler,
  writer,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

interface User {
  readonly id: number;
  readonly name: string;
}
class FetchUser extends Effect<User> {
  declare readonly _tag: "FetchUser";
  constructor(readonly id: number) {
    super();
  }
}
class Coin extends Effect<boolean> {
  declare readonly _tag: "Coin";
}
class Log extends Effect<void> {
  declare readonly _tag: "Log";
  constructor(readonly line: string) {
    super();
  }
}

// ── 1. no `undefined` in rows under plain strict (listen / local / spawn of an effect-free program) ──
const listened = program(function* () {
  return yield* listen(pure([1, 2]));
});
expectType<Equal<typeof listened, Program<Listened<number[]>, Listen<number[], never>>>>();
run(listened, { handlers: [writer] });
const localised = program(function* () {
  return yield* local({ a: 1 }, pure(1));
});
expectType<Equal<typeof localised, Program<number, Local<number, never>>>>();
run(localised, { handlers: [reader] });
const spawned = program(function* () {
  const t = yield* spawn(pure(1));
  return yield* wait(t);
});
run(spawned, { handlers: [scheduler] });
const nested = program(function* () {
  return yield* listen(listened); // an inner row that is itself a Listen
});
run(nested, { handlers: [writer] });

// ── 2. handler answers are checked against the effect's answer type ──────────────────────────
const users = handle(FetchUser, function* (effect, k) {
  expectType<Equal<typeof k, Continuation<User, BodyResult>>>();
  return yield* resume(k, { id: effect.id, name: "ada" });
});
expectType<Equal<typeof users, Handler<FetchUser, never>>>();
handle(FetchUser, function* (_effect, k) {
  // @ts-expect-error -- a string is not a User
  return yield* resume(k, "not a user");
});
handle(FetchUser, function* (_effect, k) {
  // @ts-expect-error -- transfer checks the answer too
  return yield* transfer(k, 42);
});
handle(FetchUser, function* (_effect, k) {
  // @ts-expect-error -- the answer is required (undefined is not a User)
  return yield* resume(k);
});
handle(FetchUser, function* (_effect, k) {
  // @ts-expect-error -- transferWith's program must produce a User
  return yield* transferWith(k, pure("x"));
});
handle(FetchUser, function* (effect, k) {
  return yield* transferWith(k, pure({ id: effect.id, name: "grace" })); // a program producing a User
});
handle(Log, function* (_effect, k) {
  return yield* resume(k); // Effect<void>: the value may be left out
});
handle(Coin, function* (_effect, k) {
  const outcome = yield* resume(k, true);
  expectType<Equal<typeof outcome, BodyResult>>(); // the handled body is not known to handle()
  return outcome;
});
handle(FetchUser, function* (effect, k) {
  const user = yield* delegate(new FetchUser(effect.id)); // delegate evaluates to the effect's answer
  expectType<Equal<typeof user, User>>();
  return yield* resume(k, user);
});
// where the body is known, resume evaluates to its result type
const known = program(function* () {
  const k = yield* createContinuation(pure("done"));
  const r = yield* resume(k);
  expectType<Equal<typeof r, string>>();
  return r;
});
run(known);

// ── 3. a handler written inline in `handlers` ────────────────────────────────────────────────
const flips = program(function* () {
  const c = yield* new Coin();
  const n = yield* get<number>("n");
  return c ? n : 0;
});
// an inline handle(...) call with a context-sensitive callback: TypeScript infers the list in its
// second pass (the first skips the callback, and the check must not fail the call there)
const inline = run(flips, { handlers: [state, handle(Coin, (_e, k) => resume(k, true))] });
expectType<Equal<typeof inline.value, number>>();
void runAsync(flips, {
  handlers: [
    state,
    handle(Coin, function* (_e, k) {
      return yield* resume(k, true);
    }),
  ],
  store: { n: 1 },
});
// and checked: the inline list lacks a handler for Get (text: types-matrix test)
// @ts-expect-error -- MissingHandlerError<Get<number>>
run(flips, { handlers: [handle(Coin, (_e, k) => resume(k, true))] });
// @ts-expect-error -- without `handlers` the options are checked against no handlers
run(flips, { store: { n: 1 } });
// `handlers: undefined` (plain strict lets an optional key be undefined) is no list either: it
// passed unchecked, taken for the first pass over an inline handler (with exactOptionalPropertyTypes
// it is refused as undefined)
// @ts-expect-error -- MissingHandlerError<Coin | Get<number>>
run(flips, { handlers: undefined });
// @ts-expect-error -- MissingHandlerError<Coin | Get<number>>
void runAsync(flips, { handlers: undefined, store: { n: 1 } });
// an unknown option is refused (the keys are inferred for the check above, which turns off the
// excess-property check of the literal: UnknownRunOptionError, text in the types-matrix test)
// @ts-expect-error -- UnknownRunOptionError<"stor">
run(flips, { handlers: [state, handle(Coin, (_e, k) => resume(k, true))], stor: { n: 1 } });
// @ts-expect-error -- UnknownRunOptionError<"handler">
void runAsync(flips, { handler: [state] });
const maybeSites = Math.random() > 0.5;
run(flips, {
  handlers: [state, handle(Coin, (_e, k) => resume(k, true))],
  ...(maybeSites ? { trace: { sites: true } } : {}),
});
const wideOptions: Parameters<typeof run>[1] = { handlers: [state], store: { n: 1 } }; // a type read off run
void wideOptions;
const coin = handle(Coin, (_e, k) => resume(k, true));
const flipped = run(flips, { handlers: [state, coin] }); // a constant
expectType<Equal<typeof flipped.value, number>>();
const viaWithHandler = withHandler(
  handle(Coin, (_e, k) => resume(k, true)), // inline in withHandler infers fine
  flips,
);
run(viaWithHandler, { handlers: [state] });

// ── 4. the missing-handler error names exactly the missing effects (text: types-matrix test) ──
const logs = program(function* () {
  yield* new Log("x");
  return yield* get<number>("n");
});
// @ts-expect-error -- MissingHandlerError<Log>: state takes Get, nothing takes Log
run(logs, { handlers: [state] });
// @ts-expect-error -- MissingHandlerError<Log>, for runAsync too
void runAsync(logs, { handlers: [state] });
// @ts-expect-error -- MissingHandlerError<Log | Get<number>>: no options, no handlers
run(logs);
const logLine = handle(Log, (_e, k) => resume(k));
run(logs, { handlers: [state, logLine] });

// ── 5. a bare `yield` (a forgotten `*`) is `unknown`, so using it is a compile error ─────────
program(function* () {
  const n = yield get<number>("n");
  expectType<Equal<typeof n, unknown>>();
  // @ts-expect-error -- n is unknown: write `yield*`
  return n + 1;
});
fn(function* forgot(x: number) {
  const y = yield get<number>("n");
  // @ts-expect-error -- y is unknown: write `yield*`
  return x + y;
});

// a raw generator object yielded bare (a forgotten `*`) is not an effect: the row is not opened
// (which would hide every missing handler), run() names it
function* helperGen() {
  return 1;
}
const yieldsGen = program(function* () {
  const n = yield* get<number>("n");
  yield helperGen();
  return n;
});
expectType<
  Equal<EffectsOf<Generator<never, number, unknown>>, NotAnEffect<Generator<never, number, unknown>>>
>();
// @ts-expect-error -- NotAnEffectError<Generator<never, number, unknown>>: write `yield*`, not `yield`
run(yieldsGen, { handlers: [state] });

// an Effect of the `effect` package (Effect-TS 4), as its types declare one (a stand-in: this file
// compiles without the package): iterable, so it was taken for a structurally typed program, and
// `yield* legacy` in a doeff program opened the row (every check off) to fail only at run time
interface EffectTs<A> {
  readonly "~effect/Effect": { readonly _A: (_: never) => A };
  [Symbol.iterator](): { next(...args: ReadonlyArray<any>): IteratorResult<EffectTs<A>, A> };
}
declare const legacy: EffectTs<number>;
const mixesEffectTs = program(function* () {
  const n = yield* legacy;
  expectType<Equal<typeof n, number>>();
  return n + (yield* get<number>("n"));
});
expectType<Equal<EffectsOf<EffectTs<number>>, NotAnEffect<EffectTs<number>>>>();
// @ts-expect-error -- NotAnEffectError<EffectTs<number>>: yield* awaitPromise((signal) => Effect.runPromise(effect, { signal }))
run(mixesEffectTs, { handlers: [state] });
// @ts-expect-error -- NotAnEffectError<EffectTs<number>>: doeff does not run it
run(legacy);

// ── 9. a field-less effect class is never silently unchecked ─────────────────────────────────
class Name extends Effect<string> {}
const named = program(function* () {
  return yield* new Name();
});
// @ts-expect-error -- UntaggedEffectError<Name>: add `declare readonly _tag: "Name"`
run(named, { handlers: [state] });
// @ts-expect-error -- handle() rejects it too (it would take every Effect<string>)
handle(Name, (_e, k) => resume(k, "x"));
class Tagged extends Effect<string> {
  declare readonly _tag: "Tagged";
}
const tagged = program(function* () {
  return yield* new Tagged();
});
// @ts-expect-error -- once tagged it is checked: MissingHandlerError<Tagged>
run(tagged, { handlers: [state] });
const taggedHandler = handle(Tagged, (_e, k) => resume(k, "x"));
run(tagged, { handlers: [taggedHandler] });
