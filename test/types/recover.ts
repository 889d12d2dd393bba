/**
 * Type tests for recover(program, ErrorClass | [ErrorClasses], f), checked by `tsc` (never executed).
 * `expectType<Equal<A, B>>()` asserts an exact type; each `// @ts-expect-error` line must fail.
 * The result is the program's result | what f answers (a program's result when f gives a program);
 * f's parameter is the class's instance type (a union for a list); the row is the program's row |
 * the row of the program f gives.
 */
import {
  answer,
  awaitPromise,
  delay,
  Effect,
  type Get,
  get,
  fn,
  type Program,
  program,
  pure,
  recover,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  state,
  type Tell,
  TaskCancelledError,
  TimeoutError,
  tell,
  timeout,
  writer,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class NotFound extends Error {
  readonly _tag = "NotFound";
  constructor(readonly id: number) {
    super(`no user ${id}`);
  }
}
class Gone extends Error {
  readonly _tag = "Gone";
  readonly since = 0;
}
class Lookup extends Effect<{ id: number; name: string }> {
  declare readonly _tag: "Lookup";
}

const find = fn(function* find(id: number) {
  yield* tell(`find ${id}`);
  return yield* new Lookup();
});
type User = { id: number; name: string };

// a plain value: the result is the union, the row the program's; f's parameter is the instance type
const orUndefined = recover(find(1), NotFound, (e) => {
  expectType<Equal<typeof e, NotFound>>();
  return undefined;
});
expectType<Equal<typeof orUndefined, Program<User | undefined, Tell | Lookup>>>();

// a list of classes: f's parameter is the union of their instances
const listed = recover(find(1), [NotFound, Gone], (e) => {
  expectType<Equal<typeof e, NotFound | Gone>>();
  return e instanceof Gone ? e.since : e.id;
});
expectType<Equal<typeof listed, Program<User | number, Tell | Lookup>>>();
// a list held in a variable: the union too
const family = [NotFound, Gone];
const fromVariable = recover(find(1), family, (e) => {
  expectType<Equal<typeof e, NotFound | Gone>>();
  return null;
});
expectType<Equal<typeof fromVariable, Program<User | null, Tell | Lookup>>>();

// Error itself, the toolkit's errors, TaskCancelledError: their instance types
recover(pure(1), Error, (e) => expectType<Equal<typeof e, Error>>());
recover(pure(1), TimeoutError, (e) => expectType<Equal<typeof e, TimeoutError>>());
recover(pure(1), [TimeoutError, TaskCancelledError], (e) =>
  expectType<Equal<typeof e, TimeoutError | TaskCancelledError>>(),
);

// an abstract base class of one's errors: its instance type, its abstract members readable
abstract class AppError extends Error {
  abstract readonly code: number;
}
recover(pure(1), AppError, (e) => expectType<Equal<typeof e.code, number>>());

// f gives a program or an effect: its result, and its row joins recover's
const viaProgram = recover(find(1), NotFound, (e) =>
  program(function* () {
    yield* delay(10);
    return `missing ${e.id}`;
  }),
);
expectType<
  Equal<typeof viaProgram, Program<User | string, Tell | Lookup | import("../../src/index.js").Delay>>
>();
const viaEffect = recover(find(1), NotFound, () => get<number>("fallback"));
expectType<Equal<typeof viaEffect, Program<User | number, Tell | Lookup | Get<number>>>>();
// fn(function* (e) {…}): e typed from the class, the row its effects
const viaFn = recover(
  find(1),
  NotFound,
  fn(function* (e) {
    expectType<Equal<typeof e, NotFound>>();
    yield* tell("lost");
    return e.id;
  }),
);
expectType<Equal<typeof viaFn, Program<User | number, Tell | Lookup>>>();
// f that only throws adds nothing; f returning `any` is a value (it does not open the row)
const rethrows = recover(find(1), NotFound, (e) => {
  throw new Error("wrapped", { cause: e });
});
expectType<Equal<typeof rethrows, Program<User, Tell | Lookup>>>();
declare const anything: any;
const anyValue = recover(find(1), NotFound, () => anything);
expectType<Equal<typeof anyValue, Program<any, Tell | Lookup>>>();
// awaitPromise for async work: the answer's type, its effect in the row
const viaAwait = recover(pure(1), NotFound, () => awaitPromise(() => Promise.resolve("cached")));
expectType<
  Equal<typeof viaAwait, Program<number | string, import("../../src/index.js").AwaitPromise<string>>>
>();

// the rows are checked by run: f's program's effects need handlers too
const lookedUp = recover(pure(1), NotFound, () => get<number>("n"));
run(lookedUp, { handlers: [state] });
// @ts-expect-error -- f's program performs Get: no handler takes it
run(lookedUp, { handlers: [] });
const lookup = answer(Lookup, () => ({ id: 1, name: "Ada" }));
void runAsync(timeout(viaProgram, 5), { handlers: [scheduler, simulatedTime(), writer, lookup] });
// @ts-expect-error -- f's program waits (Delay): a clock is needed
void runAsync(viaProgram, { handlers: [writer, lookup] });

// f answering the program's result type, written again (a default): that type once, not twice —
// `{ id: number; name: string } | { id: number; name: string }` in a hover, two object types
// written in two places; a type f adds is kept, a narrower one too (`"guest"` beside `string`)
const sameShape = recover(find(1), NotFound, (e) => ({ id: e.id, name: "guest" }));
expectType<Equal<typeof sameShape, Program<{ id: number; name: string }, Tell | Lookup>>>();
const sameOrNull = recover(find(1), [NotFound, Gone], (e) =>
  e instanceof Gone ? null : { id: 0, name: "" },
);
expectType<Equal<typeof sameOrNull, Program<{ id: number; name: string } | null, Tell | Lookup>>>();
const named = fn(function* named() {
  return "Ada" as string;
});
const literal = recover(named(), NotFound, () => "guest" as const);
expectType<Equal<typeof literal, Program<string, never>>>();

// inside a program: yield* gives the union
const used = program(function* () {
  const u = yield* recover(find(1), NotFound, () => undefined);
  expectType<Equal<typeof u, User | undefined>>();
  return u;
});
void used;

// bad input is a compile error
// @ts-expect-error -- an empty list of classes
recover(pure(1), [], () => 0);
const isNotFound = (e: unknown) => e instanceof NotFound;
// @ts-expect-error -- a predicate is not a class (use try/catch)
recover(pure(1), isNotFound, () => 0);
// @ts-expect-error -- a string is not a class
recover(pure(1), "NotFound", () => 0);
// @ts-expect-error -- an instance is not a class
recover(pure(1), new NotFound(1), () => 0);
// @ts-expect-error -- an async function answers with a Promise: return awaitPromise(…)
recover(pure(1), NotFound, async () => 0);
// @ts-expect-error -- a generator function answers with a generator object: wrap it with fn
recover(pure(1), NotFound, function* () {
  return 0;
});
// @ts-expect-error -- not a program
recover(42, NotFound, () => 0);
// @ts-expect-error -- f's parameter is a NotFound, not a Gone
recover(pure(1), NotFound, (e: Gone) => e.since);
