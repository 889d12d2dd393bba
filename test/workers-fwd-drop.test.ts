/**
 * doeff/workers: a forwarded effect that nobody waits for any more is no longer performed to its end
 * in the parent. Its parent-side handler (here: sleeping 10 s, real time) is cancelled as soon as the
 * job gives it up (a timeout in the job), the job ends or crashes, or the calling task is cancelled:
 * its finally blocks run and the sleep is interrupted (src/workers/job-loop.ts). Before, only the
 * calling task's cancel reached it; the job's own give-up or end left the parent sleeping the full
 * 10 s (and the job's outcome waited behind it). Real worker threads.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  cancel,
  createExternalPromise,
  delay,
  type Effect,
  type ExternalPromise,
  handle,
  type Program,
  program,
  realTime,
  resume,
  type RunResult,
  runAsync,
  safe,
  scheduler,
  spawn,
  TimeoutError,
  timeout,
  wait,
  writer,
} from "../src/index.js";
import { runInWorker, WorkerCrashedError, workers } from "../src/workers/index.js";
import { Slow } from "./fixtures/workers/fwd-drop.js";
import { within } from "./workers-helpers.js";

const JOBS = new URL("./fixtures/workers/fwd-drop.ts", import.meta.url).href;
// (a long grace: a job terminated after it would hide a cancel that never reached it)
const pool = workers({ size: 1, cancelGraceMs: 60_000 });
after(() => pool.close());

/** what the parent-side handler of Slow did, in order */
let seen: string[] = [];
/** completed when a Slow's handler starts */
let started: ExternalPromise<string> | null = null;
const SLEEP = 10_000;
const slow = handle(Slow, function* slow(e, k) {
  seen.push(`start ${e.tag}`);
  started?.complete(e.tag);
  try {
    yield* delay(SLEEP);
    seen.push(`slept ${e.tag}`); // (reached only when nobody stopped it)
    return yield* resume(k, `late ${e.tag}`);
  } finally {
    seen.push(`finally ${e.tag}`);
  }
});
const handlers = [scheduler, realTime, writer, slow, pool];

/** runs `p`, failing the test (rather than hanging it) when it is not over well within SLEEP */
async function timed<T>(p: Program<T, unknown> | Effect<T>): Promise<RunResult<T>> {
  seen = [];
  const t0 = Date.now();
  // (the handlers take every effect these programs perform: Slow, Tell, the scheduler's, the clock's)
  const r = await within(30_000, runAsync(p as Program<T>, { handlers }));
  const ms = Date.now() - t0;
  // (far below the 10 s sleep: it was interrupted, not waited out; CI machines are slow, so no less)
  assert.ok(ms < SLEEP - 3_000, `took ${ms} ms`);
  return r;
}

test("workers: a job that gives up its forwarded effect (a timeout in the job) has its parent-side handler cancelled: finally ran, no sleeping it out", async () => {
  const r = await timed(runInWorker<string>(JOBS, "givesUp", "c", 1_000));
  assert.ok(r.ok, r.format());
  assert.equal(r.value, "TimeoutError");
  assert.deepEqual(seen, ["start c", "finally c"]);
  // the tell the job forwarded after giving up was performed after it (held while Slow ran)
  assert.deepEqual(r.log, ["after c"]);
});

test("workers: a forwarded effect the job gives up before the parent reached it is never performed; the one being performed is cancelled", async () => {
  const r = await timed(runInWorker<string[]>(JOBS, "givesUpHeld", "x", "y", 1_000));
  assert.ok(r.ok, r.format());
  assert.deepEqual(r.value, ["TimeoutError", "TimeoutError"]);
  // y waited behind x (one forwarded effect at a time) and was dropped there: it never started
  assert.deepEqual(seen, ["start x", "finally x"]);
});

test("workers: a job that ends while a task of it waits for a forwarded effect: the parent stops performing it at once", async () => {
  const r = await timed(runInWorker<string>(JOBS, "endsWhileWaiting", "d", 1_000));
  assert.ok(r.ok, r.format());
  assert.equal(r.value, "ended");
  assert.deepEqual(seen, ["start d", "finally d"]);
});

test("workers: a job whose thread crashes while the parent performs its forwarded effect fails at once with WorkerCrashedError; the handler's finally ran", async () => {
  const r = await timed(runInWorker<string>(JOBS, "exitsWhileWaiting", "e", 1_000));
  assert.ok(!r.ok);
  assert.ok(r.error instanceof WorkerCrashedError, String(r.error));
  assert.deepEqual(seen, ["start e", "finally e"]);
  // the pool replaced the thread
  const again = await timed(runInWorker<string>(JOBS, "givesUp", "f", 1));
  assert.equal(again.value, "TimeoutError");
});

test("workers: cancelling the calling task, or a timeout around runInWorker, cancels the forwarded effect's handler too", async () => {
  const r = await timed(
    program(function* () {
      const ready = yield* createExternalPromise<string>();
      started = ready;
      const t = yield* spawn(runInWorker<string>(JOBS, "waits", "a"));
      yield* wait(ready.future);
      started = null;
      const cancelled = yield* cancel(t);
      const timedOut = yield* safe(timeout(runInWorker<string>(JOBS, "waits", "b"), 1_000));
      return [cancelled, timedOut.ok ? timedOut.value : timedOut.error] as const;
    }),
  );
  assert.ok(r.ok, r.format());
  assert.equal(r.value[0], true);
  assert.ok(r.value[1] instanceof TimeoutError, String(r.value[1]));
  assert.deepEqual(seen, ["start a", "finally a", "start b", "finally b"]);
});

test("workers: a forwarded effect answered in time still answers the job, with the handlers and log of the call", async () => {
  const quick = handle(Slow, function* quick(e, k) {
    return yield* resume(k, `quick ${e.tag}`);
  });
  const r = await runAsync(runInWorker<string>(JOBS, "givesUp", "g", 5_000), {
    handlers: [scheduler, realTime, writer, quick, pool],
  });
  assert.ok(r.ok, r.format());
  assert.equal(r.value, "quick g");
  assert.deepEqual(r.log, ["after g"]);
});
