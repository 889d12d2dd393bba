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
  delay,
  handle,
  program,
  realTime,
  resume,
  runAsync,
  safe,
  scheduler,
  spawn,
  TimeoutError,
  timeout,
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

test('workers: timeout(runInWorker(…)) says which job timed out and that it was aborted in its thread (it read "RunInWorker timed out"); its finally block runs there', async () => {
  const single = workers({ size: 1, cancelGraceMs: 60_000 });
  const onStart: (tag: string) => void = () => {};
  const started = handle(Started, function* started(e, k) {
    onStart(e.tag);
    return yield* resume(k, undefined);
  });
  const handlers = [scheduler, realTime, writer, started, single];
  const text = (ms: number) =>
    `the worker job test/fixtures/workers/jobs.ts#slowStarted timed out after ${ms} ms (it was cancelled: its worker thread was told to abort its run, and its finally blocks run there, unless it is still busy in synchronous code after cancelGraceMs: then its thread is terminated); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it`;
  try {
    const r = await runAsync(
      program(function* main() {
        yield* runInWorker(JOBS, "mark", "w"); // the thread is up and the module loaded
        return yield* timeout(runInWorker(JOBS, "slowStarted", "t"), 500);
      }),
      { handlers },
    );
    assert.ok(r.error instanceof TimeoutError, r.format());
    assert.equal(r.error.message, text(500));
    assert.equal(
      r.format(),
      `doeff traceback (outermost first):\n  main\n  timeout\nTimeoutError: ${text(500)}`,
    );
    // the same thread (size 1): the job's finally block ran there before the next job
    const log = await runAsync(
      program(function* () {
        // a timeout of a timeout names the inner one
        const nested = yield* safe(timeout(timeout(runInWorker(JOBS, "slowStarted", "u"), 60_000), 300));
        return {
          nested: nested.ok ? null : (nested.error as Error).message,
          log: yield* runInWorker<string[]>(JOBS, "log"),
        };
      }),
      { handlers },
    );
    assert.ok(log.isOk(), log.format());
    assert.deepEqual(log.value, {
      nested:
        "timeout(the worker job test/fixtures/workers/jobs.ts#slowStarted, 60000 ms) timed out after 300 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
      log: ["ran w", "finally t", "finally u"],
    });
  } finally {
    await single.close();
  }
});

test("workers: timeout(runInWorker(…)) of a job still queued behind a busy thread takes it off the queue and says it never started; no cancel is sent, so no false 'terminated' warning after cancelGraceMs", async () => {
  // (the job used to be "told to abort", and piscina's abort at the grace's end was reported as its
  // thread terminated — while the job had never left piscina's queue: the delay below outlasts the
  // grace; a grace of 1 s, not less, lets the busy job's finally block run when it is cancelled on a
  // loaded machine, where a 50 ms one terminated its thread first)
  const single = workers({ size: 1, cancelGraceMs: 1000 });
  let onStart: (tag: string) => void = () => {};
  const started = handle(Started, function* started(e, k) {
    onStart(e.tag);
    return yield* resume(k, undefined);
  });
  try {
    const r = await runAsync(
      program(function* main() {
        const ready = yield* createExternalPromise<string>();
        onStart = (tag) => ready.complete(tag);
        const busy = yield* spawn(runInWorker(JOBS, "slowStarted", "a"));
        yield* wait(ready.future); // the pool's one thread runs "a" now
        const queued = yield* safe(timeout(runInWorker(JOBS, "mark", "q"), 50));
        yield* delay(1300); // past the grace: nothing may be terminated
        yield* cancel(busy);
        return {
          error: queued.ok ? null : `${(queued.error as Error).name}: ${(queued.error as Error).message}`,
          log: yield* runInWorker<string[]>(JOBS, "log"),
        };
      }),
      { handlers: [scheduler, realTime, writer, started, single] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, {
      error:
        "TimeoutError: the worker job test/fixtures/workers/jobs.ts#mark timed out after 50 ms (it was cancelled before it started: every worker thread was busy with other jobs, so it was taken off the queue and never ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
      log: ["finally a"],
    });
    assert.deepEqual(r.warnings, []);
  } finally {
    await single.close();
  }
});

test("workers: timeout(runInWorker(…)) of a job waiting in a batch behind a busy job says it never started; its batch-mates after it still run", async () => {
  // (a long grace: the busy job's finally block must run when it is cancelled, also on a loaded
  // machine, where a 50 ms one terminated its thread first)
  const single = workers({ size: 1, cancelGraceMs: 60_000 });
  let onStart: (tag: string) => void = () => {};
  const started = handle(Started, function* started(e, k) {
    onStart(e.tag);
    return yield* resume(k, undefined);
  });
  try {
    const r = await runAsync(
      program(function* main() {
        const ready = yield* createExternalPromise<string>();
        onStart = (tag) => ready.complete(tag);
        // five at once on one thread (each in a timeout, so that all reach the pool in one
        // flush): batches [a, b], [c, d], [e] (batch.ts batchSize)
        const busy = yield* spawn(timeout(runInWorker(JOBS, "slowStarted", "a"), 60_000));
        const queued = yield* spawn(safe(timeout(runInWorker(JOBS, "mark", "b"), 100)));
        const rest = [];
        for (const tag of ["c", "d", "e"])
          rest.push(yield* spawn(timeout(runInWorker<string>(JOBS, "mark", tag), 60_000)));
        yield* wait(ready.future);
        const b = yield* wait(queued);
        yield* delay(200);
        yield* cancel(busy);
        const ran = [];
        for (const t of rest) ran.push(yield* wait(t));
        return {
          error: b.ok ? null : (b.error as Error).message,
          ran,
          log: yield* runInWorker<string[]>(JOBS, "log"),
        };
      }),
      { handlers: [scheduler, realTime, writer, started, single] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, {
      error:
        "the worker job test/fixtures/workers/jobs.ts#mark timed out after 100 ms (it was cancelled before it started: its worker thread was still busy with the jobs sent before it in its batch, so it was taken off the queue and never ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
      ran: ["c", "d", "e"],
      log: ["finally a", "ran c", "ran d", "ran e"],
    });
    assert.deepEqual(r.warnings, []);
  } finally {
    await single.close();
  }
});
