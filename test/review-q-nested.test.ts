/**
 * review-q: a hostile look at jobs that run jobs on their own pool (src/workers/nested.ts). The pool
 * counts its jobs waiting for nested jobs; a count left too high after some way a job ended would
 * refuse later ordinary nested jobs with a false DeadlockError. After each way out, a job that runs
 * a job on the same pool of size 2 (one waiter, one free thread) must still succeed: with a leaked
 * count of 1 it would be refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  handle,
  pass,
  program,
  realTime,
  resume,
  runAsync,
  safe,
  scheduler,
  spawn,
  timeout,
  wait,
  withHandler,
} from "../src/index.js";
import {
  RunInWorker,
  runInWorker,
  WorkerCrashedError,
  workers,
  type WorkersHandler,
} from "../src/workers/index.js";
import { within } from "./workers-helpers.js";

const FIX = new URL("./fixtures/workers/review-q-nested.ts", import.meta.url).href;
const LABEL = "test/fixtures/workers/review-q-nested.ts";

/** a job that runs a job, on `pool` (size 2): refused only if the waiting count leaked */
async function probe(pool: WorkersHandler, what: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const r = await within(
      20_000,
      runAsync(runInWorker<number>(FIX, "outer", 4), { handlers: [scheduler, realTime, pool] }),
    );
    assert.ok(r.ok, `after ${what}: ${r.ok ? "" : r.format()}`);
    assert.equal(r.value, 41, `after ${what}`);
  }
}

test("review-q nested: the waiting count goes back down after a nested job fails, crashes or is refused", async () => {
  const pool = workers({ size: 2 });
  const handlers = [scheduler, realTime, pool];
  try {
    await probe(pool, "nothing");
    const failed = await within(20_000, runAsync(runInWorker(FIX, "outerCatch", "innerFail"), { handlers }));
    assert.equal(failed.value, "RangeError: inner failed");
    await probe(pool, "a nested job that failed");

    const crashed = await within(
      20_000,
      runAsync(runInWorker<string>(FIX, "outerCatch", "innerExit"), { handlers }),
    );
    assert.ok(crashed.ok, crashed.ok ? "" : crashed.format());
    assert.match(crashed.value, /^WorkerCrashedError: .*innerExit ended before answering/);
    await probe(pool, "a nested job whose thread exited");

    const unsendable = await within(20_000, runAsync(runInWorker<string>(FIX, "outerBadArgs"), { handlers }));
    assert.match(
      String(unsendable.value),
      /^TypeError: runInWorker\(inner\): argument 1 holds \.get\("f"\): a function, which cannot be sent to a worker thread at all/,
    );
    await probe(pool, "a nested job whose argument could not be sent");

    // two jobs that run jobs at once: one nested job refused
    const r = await within(
      20_000,
      runAsync(
        program(function* () {
          const a = yield* spawn(runInWorker<unknown>(FIX, "outerCatch", "innerSlow", 100));
          const b = yield* spawn(runInWorker<unknown>(FIX, "outerCatch", "innerSlow", 100));
          return [yield* wait(a), yield* wait(b)];
        }),
        { handlers },
      ),
    );
    assert.ok(r.ok, r.ok ? "" : r.format());
    assert.deepEqual([...r.value].sort(), [
      `DeadlockError: runInWorker(${LABEL}#innerSlow) cannot start: the job ${LABEL}#outerCatch runs it on its own pool, so it needs a thread of this pool (size 2), and every one is held by a job waiting for a job it runs on the same pool: none could ever become free for it (the pool would deadlock). Give the pool more threads than the jobs that run jobs at once (workers({ size: 3 }) or more), or run the nested jobs on a second pool (docs/workers.md, "Jobs that run jobs")`,
      "slow",
    ]);
    await probe(pool, "a refused nested job");
  } finally {
    await pool.close();
  }
});

test("review-q nested: after the outer job is cancelled or its thread exits, the count is down and its caller hears at once", async () => {
  const pool = workers({ size: 2, cancelGraceMs: 2000 });
  const handlers = [scheduler, realTime, pool];
  try {
    // the parent cancels the outer job while its nested job runs
    const cut = await within(
      20_000,
      runAsync(timeout(runInWorker(FIX, "outerSlow", 3000), 150), { handlers }),
    );
    assert.ok(!cut.ok);
    assert.equal((cut.error as Error).name, "TimeoutError");
    await probe(pool, "an outer job cancelled while its nested job ran");

    // the outer job's thread exits while its nested job runs: its caller hears of it at once, and
    // the nested job is cancelled (it ran its 10 s on, holding a thread, and the caller waited)
    const started = Date.now();
    const exited = await within(20_000, runAsync(runInWorker(FIX, "outerExits", 10_000), { handlers }));
    assert.ok(exited.error instanceof WorkerCrashedError, String(exited.error));
    assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`);
    await probe(pool, "an outer job whose thread exited");
  } finally {
    await pool.close();
  }
});

test("review-q nested: a job that stops waiting for its nested job goes on at once, and the nested job is cancelled", async () => {
  const pool = workers({ size: 2, cancelGraceMs: 2000 });
  const handlers = [scheduler, realTime, pool];
  try {
    await probe(pool, "nothing");
    // the outer job stops waiting for its nested job (a timeout in the worker): the nested job is
    // cancelled, and the job's next nested job and outcome do not wait the 10 s for it
    let started = Date.now();
    const gaveUp = await within(
      20_000,
      runAsync(runInWorker(FIX, "outerWorkerTimeout", 60, 10_000), { handlers }),
    );
    assert.ok(gaveUp.ok, gaveUp.ok ? "" : gaveUp.format());
    assert.equal(gaveUp.value, "TimeoutError, then 20");
    assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`);
    started = Date.now();
    await probe(pool, "an outer job that gave up its wait");
    // (both threads free: the cancelled nested job does not hold one)
    assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`);
  } finally {
    await pool.close();
  }
});

test("review-q nested: a nested job cancelled by a parent handler, and a pool closed under a nested job", async () => {
  const pool = workers({ size: 2 });
  // a handler after the pool cuts the forwarded innerSlow jobs short (they run on the same pool)
  const cutNested = handle(RunInWorker, function* (e, k) {
    if (e.exportName !== "innerSlow") return yield* pass();
    const r = yield* safe(timeout(withHandler(pool, e), 80));
    return yield* resume(k, r.ok ? r.value : `cut: ${(r.error as Error).name}`);
  });
  try {
    const cut = await within(
      20_000,
      runAsync(runInWorker(FIX, "outerSlow", 3000), { handlers: [scheduler, realTime, pool, cutNested] }),
    );
    assert.ok(cut.ok, cut.ok ? "" : cut.format());
    assert.equal(cut.value, "cut: TimeoutError");
    await probe(pool, "a nested job cancelled in the parent");

    const running = runAsync(runInWorker(FIX, "outerSlow", 3000), { handlers: [scheduler, realTime, pool] });
    await new Promise((r) => setTimeout(r, 300));
    await pool.close();
    const closed = await within(20_000, running);
    assert.ok(closed.error instanceof WorkerCrashedError, String(closed.error));
    // the pool starts again at its next job
    await probe(pool, "close() under a nested job");
  } finally {
    await pool.close();
  }
});
