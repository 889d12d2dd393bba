/**
 * doeff/workers batches: many jobs submitted at once go to piscina a few dozen per task
 * (src/workers/batch.ts). What a piscina task per job gave must still hold per job: a crash fails only
 * the job that was running, a job cancelled before its thread reached it never runs, a cancelled
 * job stuck in synchronous code has its thread terminated and its batch-mates run elsewhere.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  cancel,
  createExternalPromise,
  gather,
  handle,
  program,
  reader,
  realTime,
  resume,
  runAsync,
  safe,
  scheduler,
  spawn,
  TaskCancelledError,
  wait,
  writer,
} from "../src/index.js";
import { batchStats } from "../src/workers/batch.js";
import { runInWorker, WorkerCrashedError, workers } from "../src/workers/index.js";
import { JobFailed, Lookup, Started } from "./fixtures/workers/jobs.js";

const JOBS = new URL("./fixtures/workers/jobs.ts", import.meta.url).href;

const lookup = handle(Lookup, function* lookup(e, k) {
  return yield* resume(k, `user${e.id}`);
});

/** a pool and a Started handler; `whenStarted()` gives a future of the next started job's tag */
function pool(size: number, cancelGraceMs: number) {
  const w = workers({ size, cancelGraceMs, errors: [JobFailed] });
  let onStart: (tag: string) => void = () => {};
  const started = handle(Started, function* started(e, k) {
    onStart(e.tag);
    return yield* resume(k, undefined);
  });
  return {
    w,
    handlers: [scheduler, realTime, writer, reader, lookup, started, w],
    /** a future completed with the tag of the next job that reports Started */
    *whenStarted() {
      const ready = yield* createExternalPromise<string>();
      onStart = (tag) => ready.complete(tag);
      return ready.future;
    },
  };
}

const two = pool(2, 60_000);
after(() => two.w.close());

test("workers batch: 40 jobs at once go in 8 batches; one crashes mid-batch and only it fails; forwarded effects work", async () => {
  const before = batchStats.batches;
  const r = await runAsync(
    program(function* () {
      const tasks = [];
      for (let i = 0; i < 40; i++) {
        const job =
          i === 13
            ? runInWorker(JOBS, "crash")
            : i % 5 === 0
              ? runInWorker<string>(JOBS, "chatty", i)
              : runInWorker<number>(JOBS, "add", i, 1000);
        tasks.push(yield* spawn(safe(job)));
      }
      return yield* gather(...tasks);
    }),
    { handlers: two.handlers, env: { greeting: "Hello" } },
  );
  assert.ok(r.isOk(), r.format());
  // 40 jobs on 2 threads: 8 batches of 5; the crash's batch-mate after it (job 14) went again alone
  assert.equal(batchStats.batches - before, 8);
  r.value.forEach((o, i) => {
    if (i === 13) {
      assert.ok(!o.ok && o.error instanceof WorkerCrashedError, String(o.ok ? o.value : o.error));
      assert.equal(o.error.exportName, "crash");
    } else
      assert.deepEqual(
        { ok: o.ok, value: o.ok ? o.value : o.error },
        { ok: true, value: i % 5 === 0 ? `Hello, user${i} (1)` : i + 1000 },
      );
  });
  const chatty = [0, 5, 10, 15, 20, 25, 30, 35];
  assert.deepEqual([...r.log].sort(), chatty.flatMap((i) => [`start ${i}`, `done ${i}`]).sort());
  // each job's forwarded effects in its own order
  for (const i of chatty) assert.ok(r.log.indexOf(`start ${i}`) < r.log.indexOf(`done ${i}`));
});

test("workers batch: a job cancelled before its thread reaches it in its batch never runs", async () => {
  const one = pool(1, 60_000);
  const before = batchStats.batches;
  try {
    const r = await runAsync(
      program(function* () {
        const started = yield* one.whenStarted();
        // 12 jobs on 1 thread: 4 batches of 3, the first [slowStarted a, mark b, mark c]
        const a = yield* spawn(runInWorker(JOBS, "slowStarted", "a"));
        const tags = "bcdefghijkl".split("");
        const rest = [];
        for (const t of tags) rest.push(yield* spawn(runInWorker<string>(JOBS, "mark", t)));
        yield* wait(started); // a is running; b waits behind it in the same batch
        const cancelledB = yield* cancel(rest[0]!);
        const cancelledA = yield* cancel(a);
        const waitedB = yield* safe(wait(rest[0]!));
        const marks = yield* gather(...rest.slice(1));
        const log = yield* runInWorker<string[]>(JOBS, "log");
        return {
          cancelledA,
          cancelledB,
          bCancelled: !waitedB.ok && waitedB.error instanceof TaskCancelledError,
          marks,
          // piscina does not promise an order between tasks (batches); within one, jobs run in order
          log: [log[0], log[1], ...log.slice(2).sort()],
        };
      }),
      { handlers: one.handlers },
    );
    assert.ok(r.isOk(), r.format());
    assert.equal(batchStats.batches - before, 4);
    assert.deepEqual(r.value, {
      cancelledA: true,
      cancelledB: true,
      bCancelled: true,
      marks: "cdefghijkl".split(""),
      // a's finally ran on the thread, then its batch went on with c (b was skipped), then the rest
      log: ["finally a", "ran c", ..."defghijkl".split("").map((t) => `ran ${t}`)],
    });
  } finally {
    await one.w.close();
  }
});

test("workers batch: a cancelled job stuck in synchronous code is terminated after the grace; its batch-mates run again and answer", async () => {
  const one = pool(1, 100);
  const dir = mkdtempSync(join(tmpdir(), "doeff-workers-batch-"));
  const marker = join(dir, "finally");
  const before = batchStats.batches;
  try {
    const r = await runAsync(
      program(function* () {
        const started = yield* one.whenStarted();
        // 12 jobs on 1 thread: 4 batches of 3, the first [busyStarted, add 0, add 1]
        const busy = yield* spawn(runInWorker(JOBS, "busyStarted", marker));
        const adds = [];
        for (let i = 0; i < 11; i++) adds.push(yield* spawn(runInWorker<number>(JOBS, "add", i, i)));
        yield* wait(started);
        const cancelled = yield* cancel(busy);
        const sums = yield* gather(...adds);
        return { cancelled, sums };
      }),
      { handlers: one.handlers },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, { cancelled: true, sums: Array.from({ length: 11 }, (_, i) => 2 * i) });
    // the two batch-mates the terminated thread never started went again, each alone
    assert.equal(batchStats.batches - before, 4);
    assert.equal(existsSync(marker), false); // documented: a synchronous loop never sees the cancel
  } finally {
    await one.w.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("workers batch: arguments that cannot be cloned fail only their own job, with the clear error", async () => {
  const r = await runAsync(
    program(function* () {
      const tasks = [];
      for (let i = 0; i < 20; i++) {
        // a Proxy passes the effect's own check (it reads as a plain object); only cloning finds it
        const arg = i === 6 ? new Proxy({ n: i }, {}) : i;
        tasks.push(yield* spawn(safe(runInWorker<number>(JOBS, "add", arg, 1))));
      }
      return yield* gather(...tasks);
    }),
    { handlers: two.handlers },
  );
  assert.ok(r.isOk(), r.format());
  r.value.forEach((o, i) => {
    if (i !== 6) {
      assert.deepEqual({ ok: o.ok, value: o.ok ? o.value : o.error }, { ok: true, value: i + 1 });
      return;
    }
    assert.ok(!o.ok && o.error instanceof TypeError, String(o.ok ? o.value : o.error));
    assert.equal(
      o.error.message,
      "runInWorker(test/fixtures/workers/jobs.ts#add): argument 1 cannot be sent to a worker thread (#<Object> could not be cloned.); pass structured-cloneable data (no functions, no class instances with behaviour)",
    );
  });
});

test("workers batch: maxBatch 1 sends every job alone; a bad maxBatch is a clear error", async () => {
  const w = workers({ size: 2, maxBatch: 1 });
  const before = batchStats.batches;
  try {
    const r = await runAsync(
      program(function* () {
        const tasks = [];
        for (let i = 0; i < 40; i++) tasks.push(yield* spawn(runInWorker<number>(JOBS, "add", i, 1)));
        return yield* gather(...tasks);
      }),
      { handlers: [scheduler, realTime, w] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(
      r.value,
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    assert.equal(batchStats.batches - before, 0);
  } finally {
    await w.close();
  }
  assert.throws(() => workers({ maxBatch: 0 }), {
    name: "RangeError",
    message: "workers({ maxBatch }) expects an integer ≥ 1, got 0",
  });
  // a misspelled option is refused, not silently ignored
  assert.throws(() => workers({ sise: 2 } as never), {
    name: "TypeError",
    message:
      'unknown workers option "sise"; the options are size, execArgv, resourceLimits, cancelGraceMs, setup, errors, maxBatch',
  });
  // the wrong kind of value shows as written (a string option read "got 2", an array "got ")
  for (const [options, name, message] of [
    [[], "TypeError", "workers(options) expects an options object, e.g. workers({ size: 2 }), got Array(0)"],
    ["x", "TypeError", 'workers(options) expects an options object, e.g. workers({ size: 2 }), got "x"'],
    [{ size: "2" }, "TypeError", 'workers({ size }) expects a number, got "2"'],
    [{ cancelGraceMs: "5" }, "TypeError", 'workers({ cancelGraceMs }) expects a number, got "5"'],
    [{ maxBatch: [] }, "TypeError", "workers({ maxBatch }) expects a number, got Array(0)"],
    [{ size: 1.5 }, "RangeError", "workers({ size }) expects an integer ≥ 1, got 1.5"],
    [{ cancelGraceMs: -1 }, "RangeError", "workers({ cancelGraceMs }) expects a number ≥ 0, got -1"],
    // the threads' options: each failed every job at the pool's start ("options.execArgv" must be an
    // instance of Array), or (a string limit, a misspelled key) was ignored by node without a word
    [
      { execArgv: "--inspect" },
      "TypeError",
      'workers({ execArgv }) expects an array of strings (node flags, e.g. ["--import", "tsx"]), got "--inspect"',
    ],
    [
      { resourceLimits: 64 },
      "TypeError",
      "workers({ resourceLimits }) expects an object, e.g. { maxOldGenerationSizeMb: 512 }, got 64",
    ],
    [
      { resourceLimits: { maxOldGenerationSizeMb: "64" } },
      "TypeError",
      'workers({ resourceLimits: { maxOldGenerationSizeMb } }) expects a number of MB > 0, got "64"',
    ],
    [
      { resourceLimits: { maxOldSizeMb: 64 } },
      "TypeError",
      'unknown workers({ resourceLimits }) key "maxOldSizeMb"; the keys are maxOldGenerationSizeMb, maxYoungGenerationSizeMb, codeRangeSizeMb, stackSizeMb',
    ],
  ] as const)
    assert.throws(() => workers(options as never), { name, message });
});
