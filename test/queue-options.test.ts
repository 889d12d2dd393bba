/**
 * doeff/queue: option mistakes refused at the call, with a message that names the mistake and what
 * to write instead — a misspelt key inside `backoff` (passed on and ignored: the job retried at
 * once), a `timeout` option (BullMQ has no job timeout), a `concurrency` of the wrong type, `signals`
 * that are no signal names or cannot be caught, an ioredis client BullMQ cannot block on. No Redis is
 * needed: these are refused before anything connects.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis as IORedis } from "ioredis";
import { fn } from "../src/index.js";
import { enqueue, queue, startWorker } from "../src/queue/index.js";

const BACKOFF = 'ms (a number ≥ 0) or { type: "fixed" | "exponential", delay?: ms, jitter?: 0 to 1 }';

test("queue: a misspelt key in enqueue's backoff is a TypeError naming it (it was ignored: the retries came at once)", () => {
  assert.throws(
    () => enqueue("square", [1], { attempts: 3, backoff: { type: "fixed", delya: 500 } as never }),
    {
      name: "TypeError",
      message: `enqueue: option backoff has no key "delya"; it is ${BACKOFF}, got {"type":"fixed","delya":500}`,
    },
  );
  assert.throws(() => enqueue("square", [1], { backoff: { type: "exponential", jitter: 2 } }), {
    name: "TypeError",
    message: `enqueue: option backoff must be ${BACKOFF}, got {"type":"exponential","jitter":2}`,
  });
  // BullMQ's own keys are taken
  const e = enqueue("square", [1], { attempts: 3, backoff: { type: "exponential", delay: 50, jitter: 0.5 } });
  assert.deepEqual(e.options.backoff, { type: "exponential", delay: 50, jitter: 0.5 });
});

test("queue: enqueue's unknown option timeout says how a job's time is bounded", () => {
  assert.throws(() => enqueue("square", [1], { timeout: 5000 } as never), {
    name: "TypeError",
    message:
      'enqueue: unknown option "timeout"; known options are attempts, backoff, delay, priority, jobId, lifo, removeOnComplete, removeOnFail. A job has no timeout (BullMQ has none): bound its program inside the job with timeout(…), or the producer\'s wait with timeout(wait(future), ms) (the job then still runs)',
  });
});

test("queue: startWorker's concurrency given as a string reads as one in the message (it read got 4)", async () => {
  const programs = {
    one: fn(function* one() {
      return 1;
    }),
  };
  await assert.rejects(
    startWorker({
      connection: { host: "127.0.0.1", port: 1 },
      name: "q",
      programs,
      concurrency: "4" as never,
    }),
    { name: "RangeError", message: 'startWorker: concurrency must be an integer ≥ 1, got "4"' },
  );
});

test("queue: startWorker refuses a signal name that is not one (SIGTREM: no graceful close) and SIGKILL / SIGSTOP (uv_signal_start EINVAL, the worker left running)", {
  timeout: 10_000,
}, async () => {
  const programs = {
    one: fn(function* one() {
      return 1;
    }),
  };
  // (a port nothing listens on: refused before any connection is tried)
  const base = { connection: { host: "127.0.0.1", port: 1 }, name: "q", programs } as const;
  for (const [signals, message] of [
    [
      ["SIGTERM", "SIGTREM"],
      'startWorker: signals[1] "SIGTREM" is not a signal name; use e.g. "SIGTERM", "SIGINT" (os.constants.signals lists them)',
    ],
    [
      ["SIGKILL"],
      "startWorker: signals[0] SIGKILL cannot be caught by a process (no listener can be installed for it); leave it out",
    ],
    [
      ["SIGINT", "SIGSTOP"],
      "startWorker: signals[1] SIGSTOP cannot be caught by a process (no listener can be installed for it); leave it out",
    ],
  ] as const)
    await assert.rejects(startWorker({ ...base, signals: signals as never }), { name: "TypeError", message });
  // nothing was left listening
  assert.equal(process.listenerCount("SIGTERM"), 0);
  assert.equal(process.listenerCount("SIGINT"), 0);
});

test("queue: an ioredis client without maxRetriesPerRequest: null is refused by queue() and startWorker before anything connects (BullMQ refused it after duplicating it, and the duplicate kept the process alive)", async () => {
  const programs = {
    one: fn(function* one() {
      return 1;
    }),
  };
  const client = new IORedis({ host: "127.0.0.1", port: 1, lazyConnect: true }); // ioredis's default: 20
  const fix =
    "needs maxRetriesPerRequest: null — make it with new Redis({ …, maxRetriesPerRequest: null }), or pass the options ({ host, port }) and let BullMQ connect";
  try {
    assert.throws(() => queue({ connection: client, name: "q" }), {
      name: "TypeError",
      message: `queue: the connection is an ioredis client made with maxRetriesPerRequest 20 (ioredis's default is 20); BullMQ blocks on it waiting for the jobs' events and ${fix}`,
    });
    await assert.rejects(startWorker({ connection: client, name: "q", programs, signals: false }), {
      name: "TypeError",
      message: `startWorker: the connection is an ioredis client made with maxRetriesPerRequest 20 (ioredis's default is 20); BullMQ blocks on it waiting for jobs and ${fix}`,
    });
    // made for BullMQ: taken (queue() connects at its first enqueue)
    const ok = new IORedis({ host: "127.0.0.1", port: 1, lazyConnect: true, maxRetriesPerRequest: null });
    await queue({ connection: ok, name: "q" }).close();
    ok.disconnect();
  } finally {
    client.disconnect();
  }
});
