/**
 * doeff/workers: cancels on one thread, one after another. A thread's jobs share one run signal
 * (and its one listener) until a cancel aborts it; each cancel must reach the job it concerns and
 * no other.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cancel,
  createExternalPromise,
  handle,
  program,
  realTime,
  resume,
  runAsync,
  scheduler,
  spawn,
  wait,
  writer,
} from "../src/index.js";
import { runInWorker, workers } from "../src/workers/index.js";
import { Started } from "./fixtures/workers/jobs.js";

const JOBS = new URL("./fixtures/workers/jobs.ts", import.meta.url).href;

test("workers: cancels one after another on one thread each finalize their own job; the jobs between run to the end", async () => {
  // a long grace: were a cancel lost, the test would hang instead of the thread being terminated
  const single = workers({ size: 1, cancelGraceMs: 60_000 });
  let onStart: (tag: string) => void = () => {};
  const started = handle(Started, function* started(e, k) {
    onStart(e.tag);
    return yield* resume(k, undefined);
  });
  try {
    const r = await runAsync(
      program(function* () {
        yield* runInWorker(JOBS, "mark", "w");
        const out: boolean[] = [];
        for (const [slow, next] of [
          ["a", "b"],
          ["c", "d"],
        ]) {
          const ready = yield* createExternalPromise<string>();
          onStart = (tag) => ready.complete(tag);
          const t = yield* spawn(runInWorker(JOBS, "slowStarted", slow));
          yield* wait(ready.future);
          out.push(yield* cancel(t));
          yield* runInWorker(JOBS, "mark", next);
          yield* runInWorker(JOBS, "mark", `${next}2`);
        }
        return { out, log: yield* runInWorker<string[]>(JOBS, "log") };
      }),
      { handlers: [scheduler, realTime, writer, started, single] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, {
      out: [true, true],
      log: ["ran w", "finally a", "ran b", "ran b2", "finally c", "ran d", "ran d2"],
    });
  } finally {
    await single.close();
  }
});

test("workers: a forwarded effect in a cancelled job's finally block is a TaskCancelledError that says the parent's task was cancelled", async () => {
  const single = workers({ size: 1, cancelGraceMs: 60_000 });
  let onStart: (tag: string) => void = () => {};
  const started = handle(Started, function* started(e, k) {
    onStart(e.tag);
    return yield* resume(k, undefined);
  });
  try {
    const r = await runAsync(
      program(function* () {
        const ready = yield* createExternalPromise<string>();
        onStart = (tag) => ready.complete(tag);
        const t = yield* spawn(runInWorker(JOBS, "tellInFinally", "f"));
        yield* wait(ready.future);
        const cancelled = yield* cancel(t);
        return { cancelled, log: yield* runInWorker<string[]>(JOBS, "log") };
      }),
      { handlers: [scheduler, realTime, writer, started, single] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, {
      cancelled: true,
      log: [
        "f: TaskCancelledError: a forwarded Tell cannot be answered: the calling task in the parent was cancelled (its finally blocks run in the worker without the parent)",
      ],
    });
  } finally {
    await single.close();
  }
});
