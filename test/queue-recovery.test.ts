/**
 * doeff/queue: outcomes that do not come the usual way — a job failed as stalled after an earlier
 * attempt failed (the error is the stall's, not the earlier attempt's), and job events Redis trimmed
 * from the queue's event stream before the producer read them (the producer reads the jobs instead),
 * and a job removed while the producer waits for it (its future fails, saying so).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  awaitPromise,
  delay,
  fn,
  program,
  realTime,
  runAsync,
  safe,
  scheduler,
  timeout,
  wait,
} from "../src/index.js";
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

test("queue: a job removed while its producer waits (Queue.remove, a dashboard's remove) fails its future, saying so; an id added again at once answers the new job", {
  skip,
  timeout: 20_000,
}, async () => {
  const name = "doeff-removed";
  const programs = {
    square: fn(function* square(n: number) {
      return n * n;
    }),
  };
  const q = queue({ connection: redis.connection, name });
  const bull = new Queue(name, { connection: redis.connection });
  let w: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    const r = await runAsync(
      program(function* () {
        // delayed: no worker takes them before they are removed
        const a = yield* enqueue<number>("square", [3], { delay: 60_000, jobId: "rm-a" });
        const b = yield* enqueue<number>("square", [4], { delay: 60_000, jobId: "rm-b" });
        yield* awaitPromise(async () => {
          await bull.remove("rm-a");
          // removed and added again in one go: the future waits for the new job of that id
          await Promise.all([bull.remove("rm-b"), bull.add("square", { args: [5] }, { jobId: "rm-b" })]);
          w = await startWorker({ connection: redis.connection, name, programs, signals: false });
        });
        // (bounded: before, it waited for ever)
        return [yield* safe(timeout(wait(a), 5000)), yield* timeout(wait(b), 5000)];
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    const [a, b] = r.value as [{ ok: false; error: Error }, number];
    assert.equal(a.ok, false);
    assert.equal(a.error.constructor, Error);
    assert.equal(
      a.error.message,
      `queue job ${name}#rm-a was removed from Redis before this producer got its outcome (it was delayed; Job.remove(), Queue.remove(id) or a dashboard's remove), so no result will come; enqueue it again if it should run`,
    );
    assert.equal(b, 25);
  } finally {
    await bull.close();
    await q.close();
    await w?.close();
  }
});
