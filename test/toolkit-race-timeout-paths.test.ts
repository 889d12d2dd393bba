/**
 * raceAll's and timeout's paths made cheaper (bench/README.md, "Round perf-race"): the losers
 * cancelled in index order without a list and a sort, their clean cancels taken without a generator
 * per loser, the waker made and waited for in raceAll's own frame, the scheduler's cancel of a
 * started task without handleEffect's and cancelOther's generators, and timeout's realTime deadline
 * an external cell without an ExternalPromise. Exact values, logs, warnings and order of events,
 * under simulatedTime (run) and realTime (runAsync).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { deadlineRoute } from "../src/effects/deadline.js";
import {
  createExternalPromise,
  delay,
  fn,
  get,
  type Handler,
  program,
  put,
  raceAll,
  realTime,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  state,
  tell,
  timeout,
  TimeoutError,
  writer,
} from "../src/index.js";

type Clock = "simulatedTime" | "realTime";
const clocks: Clock[] = ["simulatedTime", "realTime"];

/** Run `p` under [scheduler, clock, state, writer] (run for the simulated clock, runAsync for the real one). */
async function under(clock: Clock, p: unknown, store: [string, unknown][] = [["n", 1]]) {
  const handlers: Handler[] = [scheduler, clock === "realTime" ? realTime : simulatedTime(), state, writer];
  const options = { handlers, store: new Map(store) } as never;
  return clock === "realTime" ? await runAsync(p as never, options) : run(p as never, options);
}

/** A loser: waits `ms`, and its finally block yields effects (a tell, a get, a put). */
const loser = fn(function* loser(name: string, ms: number, events: string[]) {
  try {
    yield* delay(ms);
    events.push(`${name} woke`);
    return name;
  } finally {
    events.push(`${name} finally`);
    yield* tell(`${name} cleaned`);
    const n = (yield* get("n")) as number;
    yield* put("n", n + 1);
    events.push(`${name} finally saw n=${n}`);
  }
});

const quick = fn(function* quick(name: string, events: string[]) {
  events.push(`${name} ran`);
  yield* tell(`${name} told`);
  return name;
});

for (const clock of clocks) {
  test(`raceAll (${clock}): losers whose finally blocks yield run them in ascending id order before raceAll returns; their logs are not delivered`, async () => {
    const events: string[] = [];
    const r = await under(
      clock,
      program(function* () {
        const v = yield* raceAll([loser("a", 50, events), quick("w", events), loser("b", 60, events)]);
        events.push(`raceAll → ${v}`);
        return [v, yield* get("n")];
      }),
    );
    assert.equal(r.ok, true, String(r.error));
    assert.deepEqual(r.value, ["w", 3]);
    assert.deepEqual(events, [
      "w ran",
      "a finally",
      "a finally saw n=1",
      "b finally",
      "b finally saw n=2",
      "raceAll → w",
    ]);
    assert.deepEqual(r.log, ["w told"]);
    assert.deepEqual(r.warnings, []);
  });

  test(`raceAll (${clock}): a loser that had already finished is not cancelled; a loser's finally that throws is a warning and the next loser is still cancelled`, async () => {
    const events: string[] = [];
    const leaky = fn(function* leaky() {
      try {
        yield* delay(40);
        return "leaky";
      } finally {
        events.push("leaky finally");
        // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
        throw new Error("cleanup failed");
      }
    });
    const r = await under(
      clock,
      program(function* () {
        // quick "w" wins; "late" finished in the same round (done: not cancelled, its log dropped);
        // leaky and "b" are cancelled, in that order
        const v = yield* raceAll([
          quick("w", events),
          leaky(),
          quick("late", events),
          loser("b", 30, events),
        ]);
        events.push(`raceAll → ${v}`);
        return v;
      }),
    );
    assert.equal(r.ok, true, String(r.error));
    assert.equal(r.value, "w");
    assert.deepEqual(events, [
      "w ran",
      "late ran",
      "leaky finally",
      "b finally",
      "b finally saw n=1",
      "raceAll → w",
    ]);
    assert.deepEqual(r.log, ["w told"]);
    assert.equal(r.warnings.length, 1);
    assert.equal((r.warnings[0] as Error).message, "cleanup failed");
  });

  test(`timeout (${clock}): a race inside a timeout — in time, the race's loser is cancelled before the race returns; late, both racers are cancelled (ascending id) before TimeoutError`, async () => {
    const events: string[] = [];
    const inTime = await under(
      clock,
      program(function* () {
        const v = yield* timeout(raceAll([loser("a", 10, events), loser("b", 20, events)]), 100);
        events.push(`timeout → ${v}`);
        return v;
      }),
    );
    assert.equal(inTime.ok, true, String(inTime.error));
    assert.equal(inTime.value, "a");
    assert.deepEqual(events, [
      "a woke",
      "a finally",
      "a finally saw n=1",
      "b finally",
      "b finally saw n=2",
      "timeout → a",
    ]);
    assert.deepEqual(inTime.log, ["a cleaned"]);

    events.length = 0;
    const late = await under(
      clock,
      program(function* () {
        try {
          return yield* timeout(raceAll([loser("a", 100, events), loser("b", 200, events)]), 10);
        } catch (e) {
          events.push(`caught ${e instanceof TimeoutError ? "TimeoutError" : String(e)}`);
          return (yield* get("n")) as number;
        }
      }),
    );
    assert.equal(late.ok, true, String(late.error));
    assert.equal(late.value, 3);
    assert.deepEqual(events, [
      "a finally",
      "a finally saw n=1",
      "b finally",
      "b finally saw n=2",
      "caught TimeoutError",
    ]);
    assert.deepEqual(late.log, []);
  });
}

test("timeout under realTime: the deadline's external cell takes the run's next ext-N id, as its timer task's delay did (route on and off alike)", async () => {
  const ids = async (on: boolean) => {
    deadlineRoute.on = on;
    try {
      const r = await runAsync(
        program(function* () {
          const before = yield* createExternalPromise<number>();
          const v = yield* timeout(
            fn(function* () {
              return 7;
            })(),
            1000,
          );
          const after = yield* createExternalPromise<number>();
          before.complete(1);
          after.complete(2);
          return [before.id, v, after.id];
        }),
        { handlers: [scheduler, realTime] },
      );
      assert.equal(r.ok, true, String(r.error));
      return r.value;
    } finally {
      deadlineRoute.on = true;
    }
  };
  assert.deepEqual(await ids(true), ["ext-1", 7, "ext-3"]);
  assert.deepEqual(await ids(false), ["ext-1", 7, "ext-3"]);
});
