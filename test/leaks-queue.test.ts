/**
 * Memory a doeff/queue job gives back while it runs (test/leaks.test.ts's method: WeakRefs and
 * explicit collections), on a real redis-server (skipped with the reason printed when none is
 * installed).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { awaitPromise, fn, program, realTime, runAsync, scheduler, wait } from "../src/index.js";
import { enqueue, reportProgress, startWorker } from "../src/queue/index.js";
import { redisWorkerForFile } from "./redis-server.js";

/** Two full collections, each after a turn of the event loop (as in test/leaks.test.ts). */
async function collectGarbage(): Promise<void> {
  (await import("node:v8")).setFlagsFromString("--expose-gc");
  const gc = (await import("node:vm")).runInNewContext("gc") as () => void;
  for (let i = 0; i < 2; i++) {
    await new Promise((done) => setImmediate(done));
    gc();
  }
}

const programs = {
  // a long job that reports its progress as it goes (an import of many rows, say)
  reporting: fn(function* reporting() {
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 6; i++) {
      const progress = { done: i, rows: new Array(512).fill(i) };
      refs.push(new WeakRef(progress));
      yield* reportProgress(progress);
    }
    yield* awaitPromise(() => collectGarbage());
    // (the first may still be reached from a link the VM keeps to the job's first handler call, and
    // the last is the Job's `progress`: one each, not one per report)
    return refs.slice(1, 5).map((ref) => ref.deref() === undefined);
  }),
  // reports as it goes, then fails
  importRows: fn(function* importRows() {
    for (let i = 1; i <= 3; i++) yield* reportProgress(i);
    throw new Error("row 4 is malformed");
  }),
};

const redis = redisWorkerForFile("queue leak tests", "doeff-leaks", (connection, name) =>
  startWorker({ connection, name, programs, signals: false }),
);
const { skip } = redis;

test("queue: a job's reported progress is let go once reported (the job's handler answers in tail position)", {
  skip,
  timeout: 20_000,
}, async () => {
  await redis.withQueue(async (q) => {
    const r = await runAsync(
      program(function* () {
        return yield* wait(yield* enqueue<boolean[]>("reporting", []));
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(
      r.value,
      [true, true, true, true],
      "the job keeps every progress it reported until it ends",
    );
  });
});

test("queue: a job that reported progress and then failed: its traceback names no handler call per report", {
  skip,
  timeout: 20_000,
}, async () => {
  await redis.withQueue(async (q) => {
    const r = await runAsync(
      program(function* main() {
        return yield* wait(yield* enqueue("importRows", []));
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.equal((r.error as Error).message, "row 4 is malformed");
    // the job's own run's traceback (remoteTraceback): a resume kept each report's call on its chain,
    // "handler queueJob for ReportProgress(1) ✓" and so on, above the job's frames
    const remote = (r.error as Error & { remoteTraceback?: string }).remoteTraceback;
    assert.equal(
      remote?.replace(/:\d+\n/, ":N\n"),
      "doeff traceback (outermost first):\n  importRows\n  thrown at test/leaks-queue.test.ts:N\nError: row 4 is malformed",
    );
  });
});
