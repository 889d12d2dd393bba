/**
 * doeff/queue on a real redis-server: the id of an enqueued job (`jobIdOf(future)`), and what a
 * timeout around a queue job says (the job named; only the wait ends, the job stays and runs).
 * Skipped with the reason printed when redis-server is not installed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createPromise,
  program,
  reader,
  realTime,
  run,
  runAsync,
  safe,
  scheduler,
  spawn,
  TimeoutError,
  timeout,
  wait,
  writer,
} from "../src/index.js";
import { currentJob, enqueue, enqueueFor, jobIdOf, startWorker } from "../src/queue/index.js";
import { programs } from "./fixtures/queue/programs.js";
import { redisWorkerForFile } from "./redis-server.js";

const NAME = "doeff-jobid";
const redis = redisWorkerForFile("queue tests", NAME, (connection, name) =>
  startWorker({
    connection,
    name,
    programs,
    handlers: [reader, writer],
    env: { greeting: "Hello" },
    signals: false,
  }),
);
const { skip } = redis;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("queue: jobIdOf(future) is the id of the job an enqueue stored — generated or given — the one BullMQ, onProgress and the failure's traceback use", {
  skip,
  timeout: 20_000,
}, async () => {
  const seen: Array<[string, unknown]> = [];
  const onProgress = (id: string, p: unknown) => seen.push([id, p]);
  const typed = enqueueFor<typeof programs>();
  await redis.withQueue({ onProgress }, async (q) => {
    const r = await runAsync(
      program(function* () {
        const f = yield* typed("steps", [2]);
        const id = jobIdOf(f); // known as soon as enqueue returned: the job is stored
        const own = yield* enqueue<number>("square", [6], { jobId: "sq-6" });
        // several enqueued together (one addBulk): each future has its own job's id
        const tasks = [];
        for (let n = 1; n <= 3; n++) tasks.push(yield* spawn(typed("square", [n])));
        const bulk = [];
        for (const t of tasks) bulk.push(jobIdOf(yield* wait(t)));
        const failed = yield* enqueue("withdraw", [1, 5]);
        const failure = yield* safe(wait(failed));
        return {
          id,
          value: yield* wait(f),
          own: jobIdOf(own),
          ownValue: yield* wait(own),
          bulk,
          failedId: jobIdOf(failed),
          failure: failure.ok
            ? null
            : (failure.error as Error)
                .stack!.split("\n")
                .map((l) => l.trim())
                .find((l) => l.startsWith("──")),
        };
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    const v = r.value;
    assert.match(v.id, UUID);
    assert.equal(v.value, 2);
    assert.equal(v.own, "sq-6");
    assert.equal(v.ownValue, 36);
    assert.equal(new Set(v.bulk).size, 3);
    for (const id of v.bulk) assert.match(id, UUID);
    // the same job in BullMQ, its progress under that id, and the failed job's traceback line
    const bull = await q.bullQueue;
    const job = await bull.getJob(v.id);
    assert.deepEqual([job?.name, job?.data, job?.returnvalue], ["steps", { args: [2] }, 2]);
    assert.deepEqual((await bull.getJob(v.bulk[2]!))?.data, { args: [3] });
    assert.deepEqual(seen, [
      [v.id, 50],
      [v.id, 100],
    ]);
    assert.equal(v.failure, `── in queue job (${NAME}#${v.failedId}: withdraw) ──`);
  });
});

test("queue: currentJob() in a job's program answers its id (jobIdOf's on the producer's side), its program's name and which try it is", {
  skip,
  timeout: 20_000,
}, async () => {
  await redis.withQueue(async (q) => {
    const r = await runAsync(
      program(function* () {
        const first = yield* enqueue("whoami", [false]);
        const retried = yield* enqueue("whoami", [true], { attempts: 3, backoff: 1, jobId: "who-retried" });
        return { id: jobIdOf(first), first: yield* wait(first), retried: yield* wait(retried) };
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value.first, { id: r.value.id, name: "whoami", attempt: 1, attempts: 1 });
    assert.deepEqual(r.value.retried, { id: "who-retried", name: "whoami", attempt: 2, attempts: 3 });
  });
});

test("queue: currentJob() outside a queue job is unhandled, and the message says where it is answered", () => {
  const r = run(
    program(function* () {
      return yield* currentJob();
    }) as never,
  );
  assert.equal(r.ok, false);
  assert.equal(
    (r.error as Error).message,
    'no handler takes CurrentJob; no handlers are installed here. CurrentJob is answered only inside a job run by startWorker (doeff/queue), for that job; run the program as a queue job, or, to run it outside one, handle it yourself (e.g. answer(CurrentJob, () => ({ id: "test", name: "p", attempt: 1, attempts: 1 })))',
  );
});

test("queue: jobIdOf of anything but an enqueue's future is a TypeError saying what it takes", () => {
  const r = run(
    program(function* () {
      const p = yield* createPromise<number>();
      try {
        return jobIdOf(p.future);
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    }),
    { handlers: [scheduler] },
  );
  assert.equal(
    r.value,
    "TypeError: jobIdOf expects the future an enqueue answered (const f = yield* enqueue(…); jobIdOf(f)), got a Future no enqueue answered",
  );
  assert.throws(() => jobIdOf("sq-6" as never), {
    name: "TypeError",
    message: `jobIdOf expects the future an enqueue answered (const f = yield* enqueue(…); jobIdOf(f)), got "sq-6"`,
  });
});

test('queue: timeout(wait(future)) names the job and says only the wait ended (it read "Wait timed out … it was cancelled"); the job stays and runs', {
  skip,
  timeout: 20_000,
}, async () => {
  await redis.withQueue(async (q) => {
    let id = "";
    const r = await runAsync(
      program(function* main() {
        const f = yield* enqueue<number>("square", [9, 400]); // runs 400 ms
        id = jobIdOf(f);
        return yield* timeout(wait(f), 50);
      }),
      { handlers: [scheduler, realTime, q] },
    );
    const text = `waiting for queue job ${NAME}#${id} (square) timed out after 50 ms (the wait was cancelled, not the job: it stays in the queue and runs); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it`;
    assert.ok(r.error instanceof TimeoutError, r.format());
    assert.equal(r.error.message, text);
    assert.equal(r.format(), `doeff traceback (outermost first):\n  main\n  timeout\nTimeoutError: ${text}`);
    // the job was not cancelled: it completes
    const job = (await (await q.bullQueue).getJob(id))!;
    const events = new (await import("bullmq")).QueueEvents(NAME, { connection: redis.connection });
    try {
      assert.equal(await job.waitUntilFinished(events, 10_000), 81);
    } finally {
      await events.close();
    }
  });
});
