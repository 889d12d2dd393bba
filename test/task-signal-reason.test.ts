/**
 * What code outside the run sees when a task's AbortSignal aborts: the reason a `fetch` rejects
 * with. Front-end code tells an abort from a failure by `e.name === "AbortError"` (MDN's idiom,
 * and what fetch wrappers, retry helpers and error reporters test), so the reason is named
 * "AbortError" while staying a TaskCancelledError; and its message says who cancelled the task —
 * a combinator that started it (forEachLatest for a stale query, timeout, raceAll, all), `cancel`,
 * or main ending — not "expected after cancel(task)" when nobody called cancel.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  awaitPromise,
  cancel,
  close,
  createChannel,
  delay,
  fn,
  forEachLatest,
  program,
  raceAll,
  raceFirst,
  realTime,
  runAsync,
  scheduler,
  send,
  spawn,
  TaskCancelledError,
  timeout,
  wait,
} from "../src/index.js";

/** A request as a front-end API layer writes it: aborts are not failures, the rest is reported. */
function apiLayer(seen: unknown[], reported: unknown[]) {
  return (label: string) =>
    awaitPromise(async (signal) => {
      try {
        return await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => resolve(label), 1_000);
          signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(signal.reason); // what fetch does
          });
        });
      } catch (e) {
        seen.push(e);
        if ((e as Error).name !== "AbortError") reported.push(e);
        throw e;
      }
    });
}

const H = { handlers: [scheduler, realTime] as const };
const brief = (e: unknown) => [
  (e as Error).name,
  e instanceof TaskCancelledError,
  (e as Error).message.replace(/task \d+/, "task N"),
];

test("a stale query's request: its signal's reason is named AbortError and says forEachLatest cancelled it", async () => {
  const seen: unknown[] = [];
  const reported: unknown[] = [];
  const request = apiLayer(seen, reported);
  const r = await runAsync(
    fn(function* box() {
      const queries = yield* createChannel<string>({ capacity: Infinity });
      yield* spawn(
        fn(function* keys() {
          yield* send(queries, "doe");
          yield* delay(5);
          yield* send(queries, "doeff"); // "doe"'s request is still in flight
          yield* close(queries);
        })(),
      );
      const shown: string[] = [];
      yield* forEachLatest(queries, (q) =>
        fn(function* search() {
          shown.push(yield* request(q));
        })(),
      );
      return shown;
    })(),
    H,
  );
  assert.deepEqual(r.value, ["doeff"]);
  assert.deepEqual(reported, []); // the MDN idiom takes the stale request for an abort
  assert.deepEqual(seen.map(brief), [
    ["AbortError", true, "task N was cancelled by forEachLatest, which started it and no longer needs it"],
  ]);
  assert.equal(String(seen[0]).split(":")[0], "AbortError");
});

test("timeout, raceAll and all name themselves in the reason; cancel(task) and main ending keep their own words", async () => {
  const seen: unknown[] = [];
  const reported: unknown[] = [];
  const request = apiLayer(seen, reported);
  const main = program(function* () {
    try {
      yield* timeout(request("slow"), 5);
    } catch {}
    yield* raceAll([request("loser"), delay(5)]);
    try {
      yield* all([
        request("sibling"),
        fn(function* failing() {
          yield* delay(5);
          throw new Error("boom");
        })(),
      ]);
    } catch {}
    const t = yield* spawn(request("cancelled"));
    yield* delay(5);
    yield* cancel(t);
    yield* spawn(request("forgotten"));
    yield* delay(5);
    return "done";
  });
  const done = await runAsync(main, H);
  assert.equal(done.value, "done");
  assert.deepEqual(reported, []);
  assert.deepEqual(seen.map(brief), [
    [
      "AbortError",
      true,
      "task N was cancelled by timeout, its deadline of 5 ms having passed (TimeoutError)",
    ],
    ["AbortError", true, "task N was cancelled by raceAll, which started it and no longer needs it"],
    ["AbortError", true, "task N was cancelled by all, which started it and no longer needs it"],
    [
      "AbortError",
      true,
      "task N was cancelled (expected after cancel(task): catch TaskCancelledError where you wait for it)",
    ],
    ["AbortError", true, "task N was cancelled because main ended (wait for it in main if it must finish)"],
  ]);
});

test("a program waiting for a cancelled task still gets a TaskCancelledError named TaskCancelledError", async () => {
  const r = await runAsync(
    program(function* () {
      const t = yield* spawn(delay(1_000));
      yield* delay(1);
      yield* cancel(t);
      try {
        yield* wait(t);
      } catch (e) {
        return [(e as Error).name, e instanceof TaskCancelledError];
      }
    }),
    H,
  );
  assert.deepEqual(r.value, ["TaskCancelledError", true]);
});

test("a combinator whose own task is cancelled (cancel, main ending): its tasks' reason says so, not that it no longer needed them", async () => {
  const seen: unknown[] = [];
  const reported: unknown[] = [];
  const request = apiLayer(seen, reported);
  const done = await runAsync(
    program(function* () {
      const racing = yield* spawn(raceFirst([request("raced")]));
      const timed = yield* spawn(timeout(request("timed"), 500));
      yield* delay(5);
      yield* cancel(racing);
      yield* cancel(timed);
      // a raceAll left running as main ends
      yield* spawn(raceAll([request("left")]));
      yield* delay(5);
      return "done";
    }),
    H,
  );
  assert.equal(done.value, "done");
  assert.deepEqual(reported, []);
  assert.deepEqual(
    seen.map((e) => [(e as Error).name, (e as Error).message]),
    [
      [
        "AbortError",
        "task 3 was cancelled by raceFirst, which started it, as the task running raceFirst (task 1) was cancelled",
      ],
      [
        "AbortError",
        "task 5 was cancelled by timeout, which started it, as the task running timeout (task 2) was cancelled",
      ],
      [
        "AbortError",
        "task 7 was cancelled by raceAll, which started it, as the task running raceAll (task 6) was cancelled because main ended",
      ],
    ],
  );
});
