/**
 * doeff/workers: a cancelled job busy in synchronous code outlives cancelGraceMs, and its thread is
 * terminated, so its finally blocks never run. That used to be silent (the calling task had gone,
 * and a timeout's TimeoutError says the finally blocks run in the thread); it is now a warning of
 * the run that cancelled it, when that run is still going. Real worker threads.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  cancel,
  createExternalPromise,
  handle,
  program,
  realTime,
  resume,
  runAsync,
  safe,
  scheduler,
  spawn,
  timeout,
  wait,
  type WarningInfo,
} from "../src/index.js";
import { runInWorker, WorkerCrashedError, workers } from "../src/workers/index.js";
import { Started } from "./fixtures/workers/jobs.js";

const JOBS = new URL("./fixtures/workers/jobs.ts", import.meta.url).href;
const LABEL = "test/fixtures/workers/jobs.ts#busyStarted";
const message = (ms: number) =>
  `the worker job ${LABEL} was cancelled and did not finalize within cancelGraceMs (${ms} ms), so its thread was terminated and its finally blocks did not run. A job busy in synchronous code cannot hear the cancel: let its thread's event loop run between chunks of work (yield* delay(0)), or raise workers({ cancelGraceMs })`;

function setup(cancelGraceMs: number) {
  const pool = workers({ size: 1, cancelGraceMs });
  let onStart: (tag: string) => void = () => {};
  const started = handle(Started, function* started(e, k) {
    onStart(e.tag);
    return yield* resume(k, undefined);
  });
  const told: [string, string, string][] = [];
  const onWarning = (e: unknown, { status, where }: WarningInfo) =>
    told.push([status, where, e instanceof Error ? e.message : String(e)]);
  const dir = mkdtempSync(join(tmpdir(), "doeff-workers-grace-"));
  return {
    pool,
    handlers: [scheduler, realTime, started, pool] as const,
    onStarted: (f: (tag: string) => void) => {
      onStart = f;
    },
    told,
    onWarning,
    marker: join(dir, "finally"),
    cleanup: async () => {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test("workers: a cancelled job terminated after cancelGraceMs is a warning (WorkerCrashedError) of the run that cancelled it: its finally blocks did not run", async () => {
  const s = setup(100);
  try {
    const r = await runAsync(
      program(function* () {
        const ready = yield* createExternalPromise<string>();
        s.onStarted((tag) => ready.complete(tag));
        const t = yield* spawn(runInWorker(JOBS, "busyStarted", s.marker));
        yield* wait(ready.future);
        yield* cancel(t);
        // (queued behind the busy job on the one thread: it runs on the thread that replaces it)
        return yield* runInWorker<number>(JOBS, "add", 20, 22);
      }),
      { handlers: [...s.handlers], onWarning: s.onWarning },
    );
    assert.ok(r.isOk(), r.format());
    assert.equal(r.value, 42);
    assert.equal(existsSync(s.marker), false);
    assert.equal(r.warnings.length, 1);
    const w = r.warnings[0];
    assert.ok(w instanceof WorkerCrashedError, String(w));
    assert.equal(w.message, message(100));
    assert.equal(w.exportName, "busyStarted");
    assert.deepEqual(s.told, [
      ["final", `in worker (${LABEL}) — terminated after cancelGraceMs`, message(100)],
    ]);
    assert.match(r.format(), /terminated after cancelGraceMs/);
  } finally {
    await s.cleanup();
  }
});

test("workers: timeout around a job stuck in synchronous code — its TimeoutError, then the warning that its thread was terminated", async () => {
  const s = setup(50);
  let began = false;
  s.onStarted(() => {
    began = true;
  });
  try {
    const r = await runAsync(
      program(function* () {
        // (long enough for a new thread to load the module and start the job on a loaded machine)
        const timedOut = yield* safe(timeout(runInWorker(JOBS, "busyStarted", s.marker), 3_000));
        return [
          timedOut.ok ? "ok" : (timedOut.error as Error).name,
          yield* runInWorker<number>(JOBS, "add", 1, 1),
        ];
      }),
      { handlers: [...s.handlers], onWarning: s.onWarning },
    );
    assert.ok(began, "the job started before its deadline");
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, ["TimeoutError", 2]);
    assert.equal(r.warnings.length, 1);
    assert.equal((r.warnings[0] as Error).message, message(50));
    assert.equal(existsSync(s.marker), false);
  } finally {
    await s.cleanup();
  }
});

test("workers: a job terminated after the run that cancelled it ended adds nothing (the result never changes) and nothing is left unhandled", async () => {
  const s = setup(50);
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    const r = await runAsync(
      program(function* () {
        const ready = yield* createExternalPromise<string>();
        s.onStarted((tag) => ready.complete(tag));
        yield* spawn(runInWorker(JOBS, "busyStarted", s.marker));
        yield* wait(ready.future);
        return "main done"; // the job's task is cancelled as the run ends
      }),
      { handlers: [...s.handlers], onWarning: s.onWarning },
    );
    await new Promise((res) => setTimeout(res, 400)); // past the grace: the thread is terminated
    assert.ok(r.isOk(), r.format());
    assert.equal(r.value, "main done");
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(s.told, []);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await s.cleanup();
  }
});
