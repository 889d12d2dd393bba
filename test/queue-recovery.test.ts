/**
 * doeff/queue: outcomes that do not come the usual way — a job failed as stalled after an earlier
 * attempt failed (the error is the stall's, not the earlier attempt's), and job events Redis trimmed
 * from the queue's event stream before the producer read them (the producer reads the jobs instead).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { delay, fn, program, realTime, runAsync, safe, scheduler, wait } from "../src/index.js";
import { enqueue, queue, startWorker } from "../src/queue/index.js";
import { type Redis, redisMissing, startRedis } from "./redis-server.js";

if (redisMissing) console.log(`# queue recovery tests skipped: ${redisMissing}`);
const skip = redisMissing;
let redis: Redis;
before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  if (!skip) await redis.stop();
});

test("queue: a job that fails as stalled after a failed attempt reports the stall, not the earlier attempt's error", {
  skip,
  timeout: 30_000,
}, async () => {
  const name = "doeff-stalled";
  let runs = 0;
  let secondStarted: () => void = () => {};
  const started = new Promise<void>((r) => {
    secondStarted = r;
  });
  const programs = {
    once: fn(function* once() {
      runs++;
      if (runs === 1) throw new RangeError("the first attempt failed");
      secondStarted();
      yield* delay(60_000); // the second attempt hangs until its worker is closed with force
      return "never";
    }),
  };
  // a short lock: once this worker is gone, the job's lock expires soon; the stalled-job check runs
  // often and fails a job stalled once (the interval is shared by the queue's workers)
  const workerOptions = { lockDuration: 300, stalledInterval: 100, maxStalledCount: 0 };
  const w1 = await startWorker({
    connection: redis.connection,
    name,
    programs,
    signals: false,
    workerOptions,
  });
  const q = queue({ connection: redis.connection, name });
  let w2: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    const running = runAsync(
      program(function* () {
        return yield* safe(wait(yield* enqueue("once", [], { attempts: 2 })));
      }),
      { handlers: [scheduler, realTime, q] },
    );
    await started;
    await w1.close(true); // the second attempt's job stays active, its lock left to expire
    w2 = await startWorker({ connection: redis.connection, name, programs, signals: false, workerOptions });
    const r = await running;
    assert.ok(r.isOk(), r.format());
    const out = r.value;
    assert.ok(!out.ok);
    assert.ok(out.error instanceof Error);
    assert.ok(!(out.error instanceof RangeError), String(out.error)); // before: attempt 1's RangeError
    assert.equal(out.error.message, "job stalled more than allowable limit");
    assert.equal(runs, 2);
  } finally {
    await w2?.close();
    await q.close();
  }
});
