/**
 * Type tests for the concurrency API (API §5, §7), checked by `tsc` (this file is never executed).
 * `expectType<Equal<A, B>>()` asserts an exact type; each `// @ts-expect-error` line must fail.
 */
import {
  awaitPromise,
  createExternalPromise,
  createPromise,
  delay,
  type ExternalPromise,
  type Future,
  gather,
  now,
  type PromiseHandle,
  program,
  pure,
  type RaceResult,
  race,
  run,
  scheduler,
  simulatedTime,
  spawn,
  type Task,
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
  expectType<Equal<typeof r, RaceResult<number | string>>>();
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
