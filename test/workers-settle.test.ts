/**
 * doeff/workers and the run option `settle`: a job whose calling task is cancelled (here by main's
 * end, R9) finalizes in its thread after the parent's task is gone. With `settle`, runAsync's result
 * waits for that, as for an awaitPromise promise cancellation abandoned: until the thread replied
 * (its finally blocks ran) or was terminated after cancelGraceMs — never past `settle` ms. Before,
 * the result came at once, while the job's finally blocks still ran. Real worker threads.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
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
import { runInWorker, WorkerCrashedError, workers } from "../src/workers/index.js";
import { Started } from "./fixtures/workers/jobs.js";
import { within } from "./workers-helpers.js";

const JOBS = new URL("./fixtures/workers/jobs.ts", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "doeff-settle-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** main starts `job`, waits until it runs in its thread (Started), and returns: R9 cancels it */
function leaving(job: ReturnType<typeof runInWorker>, events: string[]) {
  let started: () => void = () => {};
  const onStarted = handle(Started, function* onStarted(_e, k) {
    events.push("job started");
    started();
    return yield* resume(k, undefined);
  });
  const main = program(function* () {
    const ready = yield* createExternalPromise<void>();
    started = () => ready.complete(undefined);
    yield* spawn(job);
    yield* wait(ready.future);
    events.push("main returns");
    return "left";
  });
  return { main, onStarted };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

test("workers + settle: runAsync's result waits until a job cancelled at the run's end has finalized in its thread", async () => {
  const pool = workers({ size: 1 });
  try {
    for (const settle of [5_000, 0]) {
      const file = join(dir, `finalized-${settle}`);
      const events: string[] = [];
      const { main, onStarted } = leaving(runInWorker(JOBS, "finalizesSlowly", file, 300), events);
      const r = await within(
        20_000,
        runAsync(main, { handlers: [scheduler, realTime, writer, onStarted, pool], settle }),
      );
      events.push(`result ${String(r.value)}, ${existsSync(file) ? readFileSync(file, "utf8") : "no file"}`);
      // settle 0 (no waiting): the result comes while the job's finally block still runs in its thread
      assert.deepEqual(events, [
        "job started",
        "main returns",
        settle === 0 ? "result left, no file" : "result left, finalized",
      ]);
      assert.deepEqual(r.warnings, []);
      await until(() => existsSync(file)); // (the thread free again for what follows)
      assert.equal(readFileSync(file, "utf8"), "finalized");
    }
  } finally {
    await pool.close();
  }
});

test("workers + settle: a cancelled job that cannot hear the cancel holds the result until its thread is terminated after cancelGraceMs, no longer", async () => {
  const pool = workers({ size: 1, cancelGraceMs: 300 });
  try {
    const file = join(dir, "busy");
    const events: string[] = [];
    const { main, onStarted } = leaving(runInWorker(JOBS, "busyStarted", file), events);
    let returned = 0;
    const r = await within(
      20_000,
      runAsync(
        program(function* () {
          const v = yield* main;
          returned = performance.now();
          return v;
        }),
        { handlers: [scheduler, realTime, writer, onStarted, pool], settle: 10_000 },
      ),
    );
    const waited = performance.now() - returned;
    assert.equal(r.value, "left");
    // (busyStarted's Started tag is "busy"; the handler records any Started)
    assert.deepEqual(events, ["job started", "main returns"]);
    assert.ok(waited >= 299 && waited < 10_000, `waited ${waited} ms`);
    assert.equal(existsSync(file), false); // terminated: its finally block never ran
    // what says so is on the result, which waited for it (made before the wait, it was dropped)
    assert.equal(r.warnings.length, 1);
    assert.ok(r.warnings[0] instanceof WorkerCrashedError);
    assert.equal(
      (r.warnings[0] as Error).message,
      "the worker job test/fixtures/workers/jobs.ts#busyStarted was cancelled and did not finalize within cancelGraceMs (300 ms), so its thread was terminated and its finally blocks did not run. A job busy in synchronous code cannot hear the cancel: let its thread's event loop run between chunks of work (yield* delay(0)), or raise workers({ cancelGraceMs })",
    );
  } finally {
    await pool.close();
  }
});

test("workers + settle: the warnings of a cancelled job's finalization are on the result that waited for it", async () => {
  const pool = workers({ size: 1 });
  try {
    for (const settle of [5_000, 0]) {
      const events: string[] = [];
      const { main, onStarted } = leaving(runInWorker(JOBS, "failsWhileFinalizing", 300), events);
      const r = await within(
        20_000,
        runAsync(main, { handlers: [scheduler, realTime, writer, onStarted, pool], settle }),
      );
      assert.equal(r.value, "left");
      assert.deepEqual(events, ["job started", "main returns"]);
      if (settle === 0) {
        // no waiting: the result came before the reply, and never changes after it is made
        assert.deepEqual(r.warnings, []);
        await new Promise((res) => setTimeout(res, 600)); // (the thread free again for what follows)
        assert.deepEqual(r.warnings, []);
        continue;
      }
      // the job's finally block threw in its thread: its run kept a warning and sent it back (before,
      // the result had been made before the wait, and it was dropped)
      assert.equal(r.warnings.length, 1);
      const w = r.warnings[0] as Error;
      assert.equal(w.constructor, Error);
      assert.equal(w.message, "cleanup failed");
      assert.equal(
        r.format(),
        'Ok: "left"\n── 1 error beside the outcome (RunResult.warnings) ──\nin worker (test/fixtures/workers/jobs.ts#failsWhileFinalizing) — a finally block of the main task threw while the run was aborted: Error: cleanup failed',
      );
    }
  } finally {
    await pool.close();
  }
});
