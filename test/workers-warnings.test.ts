/**
 * doeff/workers: the errors a job's run keeps beside its outcome (its RunResult.warnings: a task that
 * failed with nothing waiting, a finally block that threw while cancelled, …) join the calling
 * run's warnings, each told once to its onWarning as "final", with a `where` naming the job. Before,
 * the thread replied with the job's value or error alone and they were lost. Real worker threads.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  cancel,
  createExternalPromise,
  delay,
  gather,
  handle,
  program,
  realTime,
  resume,
  type RunResult,
  runAsync,
  safe,
  scheduler,
  spawn,
  timeout,
  wait,
  type WarningInfo,
} from "../src/index.js";
import { batchStats } from "../src/workers/batch.js";
import { runInWorker, workers } from "../src/workers/index.js";
import { Begun } from "./fixtures/workers/warn-jobs.js";

const JOBS = new URL("./fixtures/workers/warn-jobs.ts", import.meta.url).href;
const LABEL = "test/fixtures/workers/warn-jobs.ts";
const pool = workers({ size: 1 });
after(() => pool.close());

/** the run option onWarning, recording each call */
function recorder() {
  const told: [string, string, string][] = [];
  const onWarning = (e: unknown, { status, where }: WarningInfo) =>
    told.push([status, where, e instanceof Error ? e.message : String(e)]);
  return { told, onWarning };
}

test("workers: a job whose spawned task fails unawaited — the parent's RunResult.warnings has its error, the hook is told once", async () => {
  const { told, onWarning } = recorder();
  const r = await runAsync(
    program(function* () {
      const n = yield* runInWorker<number>(JOBS, "forgets", 5);
      return n + 1;
    }),
    { handlers: [scheduler, realTime, pool], onWarning },
  );
  assert.ok(r.isOk(), r.format());
  assert.equal(r.value, 6);
  const where = `in worker (${LABEL}#forgets) — task 1 failed and nothing waited for it`;
  assert.deepEqual(told, [["final", where, "resize task failed"]]);
  assert.equal(r.warnings.length, 1);
  const e = r.warnings[0] as RangeError & { remoteTraceback?: string };
  assert.ok(e instanceof RangeError, String(e));
  assert.equal(e.message, "resize task failed");
  // the worker-side traceback of the task's failure, and the separator in its stack
  assert.match(
    e.remoteTraceback ?? "",
    /failing\n {2}thrown at test\/fixtures\/workers\/warn-jobs\.ts:\d+\nRangeError: resize task failed/,
  );
  assert.match(e.stack ?? "", /── in worker \(test\/fixtures\/workers\/warn-jobs\.ts#forgets\) ──/);
  // format() shows the warning with the worker's chain under it
  assert.match(
    r.format(),
    new RegExp(
      `── 1 error beside the outcome \\(RunResult\\.warnings\\) ──\\n${where.replace(/[().#/]/g, "\\$&")}: RangeError: resize task failed\\n {2}── in task 1 ──\\n {2}failing\\n {2}thrown at test/fixtures/workers/warn-jobs\\.ts:\\d+$`,
    ),
  );
});

test("workers: a failing job's warnings come with its error, before the caller catches it", async () => {
  const { told, onWarning } = recorder();
  const r = await runAsync(
    program(function* () {
      try {
        return yield* runInWorker<number>(JOBS, "forgetsThenFails");
      } catch (e) {
        told.push(["caught", "", (e as Error).message]);
        throw e;
      }
    }),
    { handlers: [scheduler, realTime, pool], onWarning },
  );
  assert.ok(!r.ok);
  assert.ok(r.error instanceof TypeError);
  assert.equal((r.error as Error).message, "the job failed");
  assert.deepEqual(told, [
    [
      "final",
      `in worker (${LABEL}#forgetsThenFails) — task 1 failed and nothing waited for it`,
      "side task failed",
    ],
    ["caught", "", "the job failed"],
  ]);
  assert.deepEqual(
    r.warnings.map((e) => [(e as Error).name, (e as Error).message]),
    [["RangeError", "side task failed"]],
  );
});

test("workers: a warning whose error holds a function crosses without it; a plain object with one is a TypeError saying so", async () => {
  const { told, onWarning } = recorder();
  const r = await runAsync(runInWorker(JOBS, "unclonable"), {
    handlers: [scheduler, realTime, pool],
    onWarning,
  });
  assert.ok(r.isOk(), r.format());
  assert.deepEqual(r.value, { done: true });
  assert.equal(r.warnings.length, 2);
  const [withCallback, plain] = r.warnings as [Error & { code?: number; retry?: unknown }, Error];
  assert.ok(withCallback instanceof Error);
  assert.equal(withCallback.message, "has a callback");
  assert.equal(withCallback.code, 7);
  assert.equal("retry" in withCallback, false);
  assert.ok(plain instanceof TypeError, String(plain));
  assert.equal(
    plain.message,
    `a worker job's run kept a warning (task 2 failed and nothing waited for it) whose error is not an Error and cannot be sent to the parent thread (it holds .retry: a function); this TypeError stands for it, which was thrown: {"code":9}. Throw Error objects (their fields that cannot be cloned are left out) or plain data`,
  );
  assert.deepEqual(
    told.map(([s, w]) => [s, w]),
    [
      ["final", `in worker (${LABEL}#unclonable) — task 1 failed and nothing waited for it`],
      ["final", `in worker (${LABEL}#unclonable) — task 2 failed and nothing waited for it`],
    ],
  );
});

test("workers: a cancelled job's finally block that throws in the worker is a warning of the run that cancelled it", async () => {
  const { told, onWarning } = recorder();
  let onBegun: (tag: string) => void = () => {};
  const begun = handle(Begun, function* begun(e, k) {
    onBegun(e.tag);
    return yield* resume(k, undefined);
  });
  const r = await runAsync(
    program(function* () {
      const ready = yield* createExternalPromise<string>();
      onBegun = (tag) => ready.complete(tag);
      const t = yield* spawn(runInWorker(JOBS, "finallyThrows", "a"));
      yield* wait(ready.future);
      const cancelled = yield* cancel(t);
      // the parent does not wait for the job's finally blocks: its reply comes a little later
      for (let i = 0; i < 500 && told.length === 0; i++) yield* delay(10);
      return cancelled;
    }),
    { handlers: [scheduler, realTime, begun, pool], onWarning },
  );
  assert.ok(r.isOk(), r.format());
  assert.equal(r.value, true);
  assert.deepEqual(told, [
    [
      "final",
      `in worker (${LABEL}#finallyThrows) — a finally block of the main task threw while the run was aborted`,
      "cleanup of a failed",
    ],
  ]);
  assert.deepEqual(
    r.warnings.map((e) => (e as Error).message),
    ["cleanup of a failed"],
  );
});

test("workers: a job a timeout cancels before it sent anything: its finally block's throw is a warning too", async () => {
  const { told, onWarning } = recorder();
  const r = await runAsync(
    program(function* () {
      const outcome = yield* safe(timeout(runInWorker(JOBS, "quietFinallyThrows", "b"), 300));
      for (let i = 0; i < 500 && told.length === 0; i++) yield* delay(10);
      return outcome.ok ? "not timed out" : (outcome.error as Error).name;
    }),
    { handlers: [scheduler, realTime, pool], onWarning },
  );
  assert.ok(r.isOk(), r.format());
  assert.equal(r.value, "TimeoutError");
  assert.deepEqual(told, [
    [
      "final",
      `in worker (${LABEL}#quietFinallyThrows) — a finally block of the main task threw while the run was aborted`,
      "cleanup of b failed",
    ],
  ]);
  assert.equal(r.warnings.length, 1);
});

test("workers: jobs sent in batches bring their warnings too, each to the run, in the order the jobs end", async () => {
  const { told, onWarning } = recorder();
  const before = batchStats.batches;
  const r = await runAsync(
    program(function* () {
      const tasks = [];
      for (let i = 0; i < 12; i++) tasks.push(yield* spawn(runInWorker<number>(JOBS, "forgets", i)));
      return yield* gather(...tasks);
    }),
    { handlers: [scheduler, realTime, pool], onWarning },
  );
  assert.ok(r.isOk(), r.format());
  assert.deepEqual(r.value, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.ok(batchStats.batches > before, "the jobs went in batches");
  assert.equal(told.length, 12);
  for (const [status, where, message] of told) {
    assert.equal(status, "final");
    assert.equal(where, `in worker (${LABEL}#forgets) — task 1 failed and nothing waited for it`);
    assert.equal(message, "resize task failed");
  }
  assert.equal(r.warnings.length, 12);
});

test("workers: a job still finalizing when the run that cancelled it has ended: its warnings reach no result (the result does not change)", async () => {
  const { told, onWarning } = recorder();
  let onBegun: () => void = () => {};
  const begun = handle(Begun, function* begun(_e, k) {
    onBegun();
    return yield* resume(k, undefined);
  });
  const r = await runAsync(
    program(function* () {
      const ready = yield* createExternalPromise<void>();
      onBegun = () => ready.complete();
      yield* spawn(runInWorker(JOBS, "finallyThrows", "late")); // cancelled as main returns
      yield* wait(ready.future);
      return "main done";
    }),
    { handlers: [scheduler, realTime, begun, pool], onWarning },
  );
  assert.ok(r.isOk(), r.format());
  const shown = r.format();
  // the job's reply comes after the result: nothing is added to it, the hook is not called
  await new Promise((res) => setTimeout(res, 300));
  assert.deepEqual(told, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.format(), shown);
});

test("workers: a job that runs another on the parent's pool (it forwards RunInWorker): both jobs' warnings reach the calling run", async () => {
  // the forwarded RunInWorker's module#export is symbol-keyed and was left out by structured clone:
  // the parent's workers handler failed with "Cannot read properties of undefined (reading 'moduleUrl')"
  const NESTED = new URL("./fixtures/workers/warn-nested.ts", import.meta.url).href;
  const NESTED_LABEL = "test/fixtures/workers/warn-nested.ts";
  const { told, onWarning } = recorder();
  const two = workers({ size: 2 }); // (one thread for each job: the outer one waits for the inner)
  let r: RunResult<number>;
  try {
    r = await runAsync(
      program(function* () {
        return yield* runInWorker<number>(NESTED, "outer", 4);
      }),
      { handlers: [scheduler, realTime, two], onWarning },
    );
  } finally {
    await two.close();
  }
  assert.ok(r.isOk(), r.format());
  assert.equal(r.value, 41);
  // the inner job's come first: it ended (and its caller, the forwarded effect, took them) before the outer one
  assert.deepEqual(told, [
    [
      "final",
      `in worker (${NESTED_LABEL}#inner) — task 1 failed and nothing waited for it`,
      "inner task failed",
    ],
    [
      "final",
      `in worker (${NESTED_LABEL}#outer) — task 1 failed and nothing waited for it`,
      "outer task failed",
    ],
  ]);
  assert.deepEqual(
    r.warnings.map((e) => (e as Error).message),
    ["inner task failed", "outer task failed"],
  );
});
