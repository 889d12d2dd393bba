/**
 * doeff/queue on a real redis-server: a job's writer log (`writer` in startWorker's handlers) is kept
 * as the job's BullMQ log, for a job that completes and for one that fails. Before, the worker ran
 * each job with `writer` and dropped the run's log: the job's `tell`s went nowhere. Skipped with the
 * reason printed when redis-server is not installed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fn, program, realTime, runAsync, safe, scheduler, tell, wait, writer } from "../src/index.js";
import { currentJob, enqueueFor, jobIdOf, startWorker } from "../src/queue/index.js";
import { LOG_BATCH } from "../src/queue/worker.js";
import { redisWorkerForFile } from "./redis-server.js";

const programs = {
  step: fn(function* step(n: number) {
    const job = yield* currentJob();
    yield* tell(`attempt ${job.attempt} of ${job.attempts}`);
    yield* tell({ n, half: n / 2 }); // not a string: kept as its JSON
    if (n < 0) throw new RangeError(`negative: ${n}`);
    yield* tell("done");
    return n * 2;
  }),
  quiet: fn(function* quiet() {
    return 1;
  }),
  odd: fn(function* odd() {
    const cycle: { name: string; self?: unknown; list: unknown[] } = { name: "c", list: [] };
    cycle.self = cycle;
    cycle.list.push(cycle, { shared: 1 });
    const shared = { x: 1 };
    yield* tell({ userId: 12n, name: "ann" });
    yield* tell(7n);
    yield* tell(cycle);
    yield* tell([shared, shared]); // the same object twice, no cycle: both written
    yield* tell(function notify() {});
    yield* tell(undefined);
    yield* tell({
      get boom(): never {
        throw new Error("getter");
      },
    });
    yield* tell(new Date(0));
    return 0;
  }),
  chatty: fn(function* chatty(n: number) {
    for (let i = 0; i < n; i++) yield* tell(`row ${i}`);
    return n;
  }),
};

const redis = redisWorkerForFile("queue tests", "doeff-job-log", (connection, name) =>
  startWorker({ connection, name, signals: false, programs, handlers: [writer] }),
);
const { skip } = redis;

test("queue: a job's writer log is its BullMQ job log, in order, when it completes and when it fails (each attempt's)", {
  skip,
  timeout: 20_000,
}, async () => {
  const enqueue = enqueueFor<typeof programs>();
  await redis.withQueue(async (q) => {
    const r = await runAsync(
      program(function* () {
        const ok = yield* enqueue("step", [4]);
        const bad = yield* enqueue("step", [-2], { attempts: 2, backoff: 10 });
        const quiet = yield* enqueue("quiet", []);
        const okValue = yield* wait(ok);
        const badOutcome = yield* safe(wait(bad));
        yield* wait(quiet);
        return { ids: [jobIdOf(ok), jobIdOf(bad), jobIdOf(quiet)], okValue, badOutcome };
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    const { ids, okValue, badOutcome } = r.value;
    assert.equal(okValue, 8);
    assert.ok(!badOutcome.ok && badOutcome.error instanceof RangeError, String(badOutcome));
    const bull = await q.bullQueue;
    const logs = async (id: string) => (await bull.getJobLogs(id)).logs;
    assert.deepEqual(await logs(ids[0]!), ["attempt 1 of 1", '{"n":4,"half":2}', "done"]);
    // both attempts' lines, the first attempt's first: the log of a failed job says what led up to it
    assert.deepEqual(await logs(ids[1]!), [
      "attempt 1 of 2",
      '{"n":-2,"half":-1}',
      "attempt 2 of 2",
      '{"n":-2,"half":-1}',
    ]);
    assert.deepEqual(await logs(ids[2]!), []); // nothing told: nothing written
  });
});

/** a job added with BullMQ directly, once it has completed or failed: which */
async function finished(bull: { getJobState(id: string): Promise<string> }, id: string): Promise<string> {
  for (;;) {
    const state = await bull.getJobState(id);
    if (state === "completed" || state === "failed") return state;
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("queue: a long job log is written LOG_BATCH rows at a time, in order; with keepLogs only the rows BullMQ keeps", {
  skip,
  timeout: 30_000,
}, async () => {
  // (all at once, a job that told 100,000 rows held the worker's event loop for 2 s — its other
  // jobs, BullMQ's lock renewal — with 300 MB of pending commands)
  const { Job } = await import("bullmq");
  const log = Job.prototype.log;
  let inFlight = 0;
  let most = 0;
  let calls = 0;
  Job.prototype.log = async function (this: InstanceType<typeof Job>, row: string) {
    calls++;
    most = Math.max(most, ++inFlight);
    try {
      return await log.call(this, row);
    } finally {
      inFlight--;
    }
  };
  const q = redis.queue();
  try {
    const bull = await q.bullQueue;
    const long = await bull.add("chatty", { args: [1000] });
    assert.equal(await finished(bull, long.id!), "completed");
    const rows = (await bull.getJobLogs(long.id!, 0, -1)).logs;
    assert.deepEqual(
      rows,
      Array.from({ length: 1000 }, (_, i) => `row ${i}`),
    );
    assert.equal(LOG_BATCH, 300);
    assert.equal(most, LOG_BATCH);
    assert.equal(calls, 1000);
    // keepLogs: 3 keeps the last 3 rows (BullMQ trims at each write): only those are written
    calls = 0;
    const kept = await bull.add("chatty", { args: [10] }, { keepLogs: 3 });
    assert.equal(await finished(bull, kept.id!), "completed");
    assert.deepEqual((await bull.getJobLogs(kept.id!, 0, -1)).logs, ["row 7", "row 8", "row 9"]);
    assert.equal(calls, 3);
  } finally {
    Job.prototype.log = log;
    await q.close();
  }
});

test("queue: a log row of a value JSON throws on keeps the rest of it: a bigint as 12n, a cycle as [Circular]", {
  skip,
  timeout: 20_000,
}, async () => {
  await redis.withQueue(async (q) => {
    const bull = await q.bullQueue;
    const job = await bull.add("odd", { args: [] });
    assert.equal(await finished(bull, job.id!), "completed");
    assert.deepEqual((await bull.getJobLogs(job.id!, 0, -1)).logs, [
      '{"userId":"12n","name":"ann"}',
      "7n",
      '{"name":"c","list":["[Circular]",{"shared":1}],"self":"[Circular]"}',
      '[{"x":1},{"x":1}]',
      "function notify",
      "undefined",
      "object",
      '"1970-01-01T00:00:00.000Z"',
    ]);
  });
});
