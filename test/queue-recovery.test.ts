/**
 * doeff/queue: outcomes that do not come the usual way — a job failed as stalled after an earlier
 * attempt failed (the error is the stall's, not the earlier attempt's), and job events Redis trimmed
 * from the queue's event stream before the producer read them (the producer reads the jobs instead).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { delay, fn, program, realTime, runAsync, safe, scheduler, wait } from "../src/index.js";
import { Queue } from "bullmq";
import { Redis as IORedis } from "ioredis";
import { enqueue, queue, startWorker } from "../src/queue/index.js";
import { redisForFile } from "./redis-server.js";

const redis = redisForFile("queue recovery tests");
const { skip } = redis;

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
        return yield* safe(wait(yield* enqueue("once", [], { attempts: 2, jobId: "the-stalled" })));
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
    // BullMQ's words alone said neither which job nor why (a worker gone, or a program holding the
    // event loop past the lock) nor what to do
    assert.equal(
      out.error.message,
      `job stalled more than allowable limit: queue job ${name}#the-stalled lost its lock more often than workerOptions.maxStalledCount allows (default 1) — its worker process died, or its program kept the event loop busy (synchronous, CPU-bound code) past workerOptions.lockDuration (default 30000 ms), so the lock was not renewed and the job may have run twice; run CPU-bound code with doeff/workers inside the job, or raise lockDuration`,
    );
    // the job's line, though the worker kept no error (no program ran to fail it); before: none
    assert.ok(out.format().includes(`\n  ── in queue job (${name}#the-stalled: once) ──\n`), out.format());
    assert.equal(runs, 2);
  } finally {
    await w2?.close();
    await q.close();
  }
});

test("queue: job events Redis trimmed before the producer read them — the producer reads the jobs: results, errors, and a removed job's outcome reported lost", {
  skip,
  timeout: 30_000,
}, async () => {
  const name = "doeff-trimmed";
  const programs = {
    square: fn(function* square(n: number) {
      return n * n;
    }),
    fail: fn(function* fail(why: string) {
      throw new RangeError(why);
    }),
  };
  const w = await startWorker({
    connection: redis.connection,
    name,
    programs,
    concurrency: 4,
    signals: false,
  });
  const q = queue({ connection: redis.connection, name, eventsCheckMs: 50 });
  const handlers = [scheduler, realTime, q] as const;
  const admin = new IORedis(redis.connection);
  const bull = new Queue(name, { connection: redis.connection });
  try {
    const first = await runAsync(
      program(function* () {
        return yield* wait(yield* enqueue<number>("square", [2]));
      }),
      { handlers },
    );
    assert.equal(first.value, 4); // the producer is open and reading events
    // The producer's event reader falls behind: its connection is cut (and cut again whenever it
    // comes back) while the jobs run, and the events they added are trimmed before it reads them —
    // what happens to a reader more than ~10,000 events behind (BullMQ trims the stream).
    const cut = async (): Promise<void> => {
      const list = String(await admin.client("LIST"));
      for (const line of list.split("\n"))
        if (/ cmd=xread /.test(line)) await admin.client("KILL", "ID", line.match(/^id=(\d+)/)![1]!);
    };
    await cut();
    const cutting = setInterval(() => void cut().catch(() => {}), 10);
    const r = runAsync(
      program(function* () {
        const a = yield* enqueue<number>("square", [3]);
        const b = yield* enqueue<number>("fail", ["no"], { attempts: 2 });
        const c = yield* enqueue<number>("square", [5], { removeOnComplete: true });
        return [yield* wait(a), yield* safe(wait(b)), yield* safe(wait(c))];
      }),
      { handlers },
    );
    try {
      for (;;) {
        const n = await bull.getJobCounts("completed", "failed", "active", "waiting", "delayed");
        if (n.completed === 2 && n.failed === 1 && !n.active && !n.waiting && !n.delayed) break;
        await new Promise((res) => setTimeout(res, 10));
      }
      await admin.xtrim(bull.toKey("events"), "MAXLEN", 0);
    } finally {
      clearInterval(cutting);
    }
    const out = await r;
    assert.ok(out.isOk(), out.format());
    const [a, b, c] = out.value as [number, { ok: false; error: Error }, { ok: false; error: Error }];
    assert.equal(a, 9);
    assert.ok(b.error instanceof RangeError, String(b.error));
    assert.equal(b.error.message, "no");
    assert.match(
      c.error.message,
      /^the outcome of queue job doeff-trimmed#[0-9a-f-]{36} is lost: the job is gone from Redis \(removeOnComplete \/ removeOnFail, or deleted\), and Redis trimmed the event that carried its outcome from the queue's event stream before this producer read it; keep finished jobs longer \(removeOnComplete: 1000\) or raise the queue's streams\.events\.maxLen$/,
    );
  } finally {
    admin.disconnect();
    await bull.close();
    await q.close();
    await w.close();
  }
});
