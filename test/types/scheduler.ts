/**
 * Type tests for the concurrency API (API §5, §7), checked by `tsc` (this file is never executed).
 * `expectType<Equal<A, B>>()` asserts an exact type; each `// @ts-expect-error` line must fail.
 */
import {
  type AwaitPromise,
  awaitPromise,
  createExternalPromise,
  createPromise,
  delay,
  type ExternalPromise,
  fn,
  type Future,
  gather,
  get,
  getAbortSignal,
  now,
  type PromiseHandle,
  type Program,
  program,
  pure,
  type RaceResult,
  race,
  run,
  scheduler,
  simulatedTime,
  spawn,
  cancel,
  Task,
  tell,
  wait,
  writer,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const typed = program(function* () {
  const t = yield* spawn(pure(1));
  expectType<Equal<typeof t, Task<number>>>();
  const v = yield* wait(t);
  expectType<Equal<typeof v, number>>();
  const p = yield* createPromise<string>();
  expectType<Equal<typeof p, PromiseHandle<string>>>();
  expectType<Equal<typeof p.future, Future<string>>>();
  const s = yield* wait(p.future);
  expectType<Equal<typeof s, string>>();
  const g = yield* gather(t, p.future);
  expectType<Equal<typeof g, [number, string]>>();
  const r = yield* race(t, p.future);
  expectType<Equal<typeof r, RaceResult<number | string, Task<number> | Future<string>>>>();
  // the others are typed as given: tasks among them can be cancelled
  const tasks = yield* race(t, t);
  expectType<Equal<typeof tasks.rest, Task<number>[]>>();
  for (const loser of tasks.rest) yield* cancel(loser);
  for (const other of r.rest) if (other instanceof Task) yield* cancel(other);
  // @ts-expect-error -- a Future cannot be cancelled
  for (const other of r.rest) yield* cancel(other);
  const ext = yield* createExternalPromise<boolean>();
  expectType<Equal<typeof ext, ExternalPromise<boolean>>>();
  const a = yield* awaitPromise(() => Promise.resolve(1n));
  expectType<Equal<typeof a, bigint>>();
  const n = yield* now();
  expectType<Equal<typeof n, number>>();
  const d = yield* delay(1);
  expectType<Equal<typeof d, undefined>>();
  // @ts-expect-error -- a Task is not a Future's value
  const wrong: string = yield* wait(t);
  return [v, s, g, r, a, n, d, wrong] as const;
});
run(typed, { handlers: [scheduler, simulatedTime()] });

// A spawned program's effects are part of the spawner's row (they run under the spawn site's handlers).
const spawnsTell = program(function* () {
  const t = yield* spawn(tell("x"));
  return yield* wait(t);
});
run(spawnsTell, { handlers: [scheduler, writer] });
// @ts-expect-error -- missing handler for the spawned program's Tell
run(spawnsTell, { handlers: [scheduler] });
// @ts-expect-error -- missing handler for the scheduler's effects
run(spawnsTell, { handlers: [writer] });

// Scheduler core (issue 10/11/15): gather over an array, race/wait typed from the items, signals.
const core = program(function* () {
  const ts: Task<number>[] = [];
  ts.push(yield* spawn(pure(1)));
  const all = yield* gather(ts);
  expectType<Equal<typeof all, number[]>>();
  const none = yield* gather([]);
  expectType<Equal<typeof none, []>>();
  const byFn = yield* spawn(
    program(function* () {
      return "s" as const;
    }),
  );
  expectType<Equal<typeof byFn, Task<"s">>>();
  const w = yield* wait(byFn);
  expectType<Equal<typeof w, "s">>();
  const p = yield* createPromise<boolean>();
  const mixed = yield* gather([byFn, p.future] as const);
  expectType<Equal<typeof mixed, ["s", boolean]>>();
  const r = yield* race(ts[0]!, byFn, p.future);
  expectType<Equal<typeof r.value, number | "s" | boolean>>();
  const sig = yield* getAbortSignal();
  expectType<Equal<typeof sig, AbortSignal>>();
  const fetched = yield* awaitPromise((signal) => {
    expectType<Equal<typeof signal, AbortSignal>>();
    return Promise.resolve(signal.aborted);
  });
  expectType<Equal<typeof fetched, boolean>>();
  const iso = yield* spawn(pure(2), { store: "isolated" });
  expectType<Equal<typeof iso, Task<number>>>();
  // @ts-expect-error -- store is "shared" or "isolated"
  yield* spawn(pure(2), { store: "copy" });
  return [all, w, mixed, r, fetched] as const;
});
// No DOM lib or @types/node in the consumer matrix: AbortSignal is doeff's minimal global declaration.
declare const abortSignal: AbortSignal;
run(core, { handlers: [scheduler], signal: abortSignal });
// @ts-expect-error -- signal must be an AbortSignal
run(core, { handlers: [scheduler], signal: "stop" });
// The phantom fields are not optional: a task's value type is exact also without exactOptionalPropertyTypes.
expectType<Equal<Task<number>["__task"], number>>();
expectType<Equal<Future<string>["__future"], string>>();

// awaitPromise is for promises: a thunk returning a Program or an effect answers a type that cannot
// be `yield*`ed (its member names the fix); every other thunk is typed as before.
const fetchUser = fn(function* fetchUser(id: number) {
  return { id };
});
const awaits = program(function* () {
  // @ts-expect-error -- awaitPromise's function returned a Program; `yield*` it instead
  yield* awaitPromise(() => fetchUser(1));
  // @ts-expect-error -- an effect: `yield*` it instead
  yield* awaitPromise(() => get<number>("n"));
  const user = yield* fetchUser(1);
  expectType<Equal<typeof user, { id: number }>>();
  const maybe = yield* awaitPromise(() => (user.id > 0 ? Promise.resolve("x") : undefined));
  expectType<Equal<typeof maybe, string | undefined>>();
  const plain = yield* awaitPromise(() => 5);
  expectType<Equal<typeof plain, number>>();
  const untyped = yield* awaitPromise((): any => JSON.parse("1"));
  expectType<Equal<typeof untyped, any>>();
  const thrown = yield* awaitPromise(() => {
    throw new Error("x");
  });
  expectType<Equal<typeof thrown, never>>();
  // a promise of a Program is a value like another
  const later = yield* awaitPromise(() => Promise.resolve(fetchUser(2)));
  expectType<Equal<typeof later, Program<{ id: number }, never>>>();
  return [user, maybe, plain, untyped, later];
});
run(awaits, { handlers: [scheduler] });
// generic callers and an explicit type argument are typed as before
function awaitValue<U>(v: U) {
  return awaitPromise(() => Promise.resolve(v));
}
expectType<Equal<ReturnType<typeof awaitValue<string>>, AwaitPromise<string>>>();
expectType<Equal<ReturnType<typeof awaitPromise<number>>, AwaitPromise<number>>>();
