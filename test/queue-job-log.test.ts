/**
 * doeff/queue on a real redis-server: a job's writer log (`writer` in startWorker's handlers) is kept
 * as the job's BullMQ log, for a job that completes and for one that fails. Before, the worker ran
 * each job with `writer` and dropped the run's log: the job's `tell`s went nowhere. Skipped with the
 * reason printed when redis-server is not installed.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fn, program, realTime, runAsync, safe, scheduler, tell, wait, writer } from "../src/index.js";
import { currentJob, enqueueFor, jobIdOf, type QueueWorker, queue, startWorker } from "../src/queue/index.js";
import { type Redis, redisMissing, startRedis } from "./redis-server.js";

if (redisMissing) console.log(`# queue tests skipped: ${redisMissing}`);
const skip = redisMissing;

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
};

let redis: Redis;
let worker: QueueWorker;
const NAME = "doeff-job-log";
before(async () => {
  if (skip) return;
  redis = await startRedis();
  worker = await startWorker({
    connection: redis.connection,
    name: NAME,
    signals: false,
    programs,
    handlers: [writer],
  });
});
after(async () => {
  if (skip) return;
  await worker.close();
  await redis.stop();
});

test("queue: a job's writer log is its BullMQ job log, in order, when it completes and when it fails (each attempt's)", {
  skip,
  timeout: 20_000,
}, async () => {
  const q = queue({ connection: redis.connection, name: NAME });
  const enqueue = enqueueFor<typeof programs>();
  try {
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
  } finally {
    await q.close();
  }
});
