/**
 * §9.8 toolkit × cancellation signals (needs the scheduler-core half of issue 10: awaitPromise's
 * signal and run/runAsync's `signal` option).
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  all,
  awaitPromise,
  cancel,
  delay,
  program,
  raceAll,
  realTime,
  run,
  runAsync,
  scheduler,
  spawn,
  TaskCancelledError,
  TimeoutError,
  timeout,
} from "../src/index.js";
import { assertErr, assertOk, sleep } from "./sched-helpers.js";
import { events, job, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

/** A fetch-like promise that only ends when its signal aborts; records what it saw. */
function hanging(seen: string[], name: string) {
  return program(function* () {
    return yield* awaitPromise(
      (signal) =>
        new Promise<string>((_, reject) => {
          signal.addEventListener("abort", () => {
            seen.push(`${name} aborted=${signal.aborted}`);
            reject(signal.reason);
          });
        }),
    );
  });
}

test("timeout cancels the program's task: its fetch-like promise sees signal.aborted", async () => {
  const seen: string[] = [];
  const r = await runAsync(timeout(hanging(seen, "slow"), 10), { handlers: [scheduler, realTime] });
  assertErr(r, TimeoutError);
  assert.deepEqual(seen, ["slow aborted=true"]);
});

test("raceAll and all abort the signals of the tasks they cancel", async () => {
  const seen: string[] = [];
  const winner = program(function* () {
    return yield* awaitPromise(() => sleep(1, "won"));
  });
  assertOk(
    await runAsync(raceAll([hanging(seen, "l1"), winner, hanging(seen, "l2")]), {
      handlers: [scheduler, realTime],
    }),
    "won",
  );
  const boom = new Error("boom");
  const bad = program(function* () {
    yield* delay(1);
    throw boom;
  });
  const r = await runAsync(all([hanging(seen, "a1"), bad, hanging(seen, "a2")]), {
    handlers: [scheduler, realTime],
  });
  assert.equal(r.error, boom);
  assert.deepEqual(seen, ["l1 aborted=true", "l2 aborted=true", "a1 aborted=true", "a2 aborted=true"]);
});

test("run(p, { signal }) aborted from inside while all waits: the tasks' finally blocks run, Err(reason)", () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  const aborter = program(function* () {
    yield* delay(10);
    controller.abort(reason);
    yield* delay(100);
  });
  const r = run(all([job("a", 100, 1), aborter]), { handlers: TK(), signal: controller.signal });
  assert.equal(r.error, reason);
  assert.deepEqual(events, ["0: a start", "10: a finally"]);
});

test("runAsync aborted while all's tasks await: their promises rejecting with the abort's reason warn of nothing", async () => {
  const seen: string[] = [];
  const controller = new AbortController();
  const reason = new Error("stop");
  setTimeout(() => controller.abort(reason), 10);
  const r = await runAsync(all([hanging(seen, "a"), hanging(seen, "b")]), {
    handlers: [scheduler, realTime],
    signal: controller.signal,
  });
  assert.equal(r.error, reason);
  assert.deepEqual(seen, ["a aborted=true", "b aborted=true"]);
  assert.deepEqual(r.warnings, []);
});

test("runAsync aborted after a task's promise rejected, before the task ran: that error is still a warning", async () => {
  const seen: string[] = [];
  const controller = new AbortController();
  const reason = new Error("stop");
  const boom = new Error("boom");
  // rejects, then the run aborts in the next microtask: the rejection is queued before the abort
  const failing = awaitPromise(
    () =>
      new Promise<never>((_, reject) =>
        setTimeout(() => {
          reject(boom);
          queueMicrotask(() => controller.abort(reason));
        }, 10),
      ),
  );
  const r = await runAsync(all([failing, hanging(seen, "b")]), {
    handlers: [scheduler, realTime],
    signal: controller.signal,
  });
  assert.equal(r.error, reason);
  assert.deepEqual(seen, ["b aborted=true"]);
  assert.deepEqual(r.warnings, [boom]);
  assert.match(r.format(), /task 1 was woken with this error and did not run to receive it: Error: boom/);
});

test("a task still awaiting when main ends: its signal's reason says main ended, not 'expected after cancel(task)'", async () => {
  // code outside the run sees this reason: a fetch rejects with it, a channel stream's pulls get it
  // as the cause; nobody called cancel(task), so that advice misled
  const reasons: unknown[] = [];
  const awaiting = awaitPromise(
    (signal) =>
      new Promise<never>(() => {
        signal.addEventListener("abort", () => reasons.push(signal.reason));
      }),
  );
  const ok = await runAsync(
    program(function* () {
      yield* spawn(awaiting);
      yield* delay(1);
      return "main done";
    }),
    { handlers: [scheduler, realTime] },
  );
  const failed = await runAsync(
    program(function* () {
      yield* spawn(awaiting);
      yield* delay(1);
      throw new Error("main failed");
    }),
    { handlers: [scheduler, realTime] },
  );
  assert.deepEqual([ok.value, (failed.error as Error).message], ["main done", "main failed"]);
  assert.deepEqual(
    reasons.map((e) => [e instanceof TaskCancelledError, (e as Error).message]),
    [
      [true, "task 1 was cancelled because main ended (wait for it in main if it must finish)"],
      [true, "task 1 was cancelled because main ended (wait for it in main if it must finish)"],
    ],
  );
  // a cancel(task) keeps its own advice
  const viaCancel = await runAsync(
    program(function* () {
      const t = yield* spawn(awaiting);
      yield* delay(1);
      yield* cancel(t);
    }),
    { handlers: [scheduler, realTime] },
  );
  assert.equal(viaCancel.ok, true);
  assert.equal(
    (reasons[2] as Error).message,
    "task 1 was cancelled (expected after cancel(task): catch TaskCancelledError where you wait for it)",
  );
});
