/**
 * doeff/queue: option mistakes refused at the call, with a message that names the mistake and what
 * to write instead — a misspelt key inside `backoff` (passed on and ignored: the job retried at
 * once), a `timeout` option (BullMQ has no job timeout), a `concurrency` of the wrong type, `signals`
 * that are no signal names or cannot be caught. No Redis is needed: these are refused before anything
 * connects.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fn } from "../src/index.js";
import { enqueue, startWorker } from "../src/queue/index.js";

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
