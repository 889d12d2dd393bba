/**
 * A doeff/queue job's failure in the producer's traceback reads as a doeff/workers job's does: the
 * producer's chain, the job's boundary line (`── in queue job (queue#id: program) ──`), then the
 * job's lines (`thrown at` the worker's file). On a real redis-server (skipped with the reason
 * printed when redis-server is not installed).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  fn,
  gather,
  program,
  reader,
  realTime,
  runAsync,
  safe,
  scheduler,
  spawn,
  tracebackOf,
  wait,
  writer,
} from "../src/index.js";
import { enqueue, registerErrorClasses, startWorker } from "../src/queue/index.js";
import { Overdrawn, programs } from "./fixtures/queue/programs.js";
import { redisWorkerForFile } from "./redis-server.js";

const NAME = "doeff-traceback";
const redis = redisWorkerForFile("queue traceback tests", NAME, (connection, name) =>
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

/** the line of programs.ts that throws Overdrawn (withdraw) */
const THROWN_AT = "thrown at test/fixtures/queue/programs.ts:37";

test("queue: a failed job's traceback shows the producer's chain, then `── in queue job (queue#id: program) ──`, then the job's lines", {
  skip,
}, async () => {
  registerErrorClasses([Overdrawn]);
  const withdrawLater = fn(function* withdrawLater(amount: number) {
    return yield* wait(yield* enqueue<number>("withdraw", [10, amount], { jobId: "w-1" }));
  });
  const r = await redis.withQueue((q) =>
    runAsync(
      program(function* main() {
        return yield* withdrawLater(25);
      }),
      { handlers: [scheduler, realTime, q] },
    ),
  );
  // the error the producer catches is as before: its class, message, fields and cause
  const e = r.error;
  assert.ok(e instanceof Overdrawn, String(e));
  assert.equal(e.message, "balance would be -15");
  assert.equal(e.balance, -15);
  assert.ok(e.cause instanceof RangeError);
  assert.equal(e.cause.message, "amount too large");
  assert.equal(
    r.format(),
    [
      "doeff traceback (outermost first):",
      "  main",
      "  withdrawLater",
      `  ── in queue job (${NAME}#w-1: withdraw) ──`,
      "  effect Wait(Future): queue ↗, realTime ↗, scheduler ✗",
      `  ${THROWN_AT}`,
      "Overdrawn: balance would be -15",
      "  caused by RangeError: amount too large",
    ].join("\n"),
  );
  // the stack ends in the same line, as the separator below the worker's frames
  assert.equal(e.stack!.split("\n").at(-1), `    ── in queue job (${NAME}#w-1: withdraw) ──`);
  // tracebackOf: the same line in the chain, the job's own traceback on the error
  const t = tracebackOf(r);
  assert.equal(t.outcome, "failed");
  assert.deepEqual(t.outcome === "failed" ? t.chain : null, [
    { kind: "program", name: "main" },
    { kind: "program", name: "withdrawLater" },
    // (before: the name alone)
    {
      kind: "boundary",
      name: `in queue job (${NAME}#w-1: withdraw)`,
      queue: NAME,
      jobId: "w-1",
      program: "withdraw",
    },
  ]);
  assert.deepEqual(t.outcome === "failed" ? t.error.remoteTraceback : null, [
    "doeff traceback (outermost first):",
    "  withdraw",
    `  ${THROWN_AT}`,
    "Overdrawn: balance would be -15",
    "  caused by RangeError: amount too large",
  ]);
});

test("queue: a job's failure met by a gather in a task shows the task's line, then the job's", {
  skip,
}, async () => {
  registerErrorClasses([Overdrawn]);
  const r = await redis.withQueue((q) =>
    runAsync(
      program(function* main() {
        const t = yield* spawn(
          program(function* both() {
            const ok = yield* enqueue<number>("square", [3], { jobId: "sq-2" });
            const bad = yield* enqueue<number>("withdraw", [1, 5], { jobId: "w-2" });
            return yield* gather(ok, bad);
          }),
        );
        return yield* wait(t);
      }),
      { handlers: [scheduler, realTime, q] },
    ),
  );
  assert.ok(r.error instanceof Overdrawn, String(r.error));
  assert.equal(
    r.format(),
    [
      "doeff traceback (outermost first):",
      "  main",
      "  ── in task 1 ──",
      "  both",
      `  ── in queue job (${NAME}#w-2: withdraw) ──`,
      "  effect Gather([Future, Future]): queue ↗, realTime ↗, scheduler ✗",
      `  ${THROWN_AT}`,
      "Overdrawn: balance would be -4",
      "  caused by RangeError: amount too large",
    ].join("\n"),
  );
});

test("queue: a job's failure caught by safe: the Err's format() shows the job's line too", {
  skip,
}, async () => {
  registerErrorClasses([Overdrawn]);
  const r = await redis.withQueue((q) =>
    runAsync(
      program(function* caught() {
        const x = yield* safe(wait(yield* enqueue<number>("withdraw", [10, 25], { jobId: "w-3" })));
        return x.ok ? "ok" : x.format();
      }),
      { handlers: [scheduler, realTime, q] },
    ),
  );
  assert.equal(
    r.value,
    [
      "doeff traceback (outermost first):",
      "  caught",
      `  ── in queue job (${NAME}#w-3: withdraw) ──`,
      "  effect Wait(Future): queue ↗, realTime ↗, scheduler ✗",
      `  ${THROWN_AT}`,
      "Overdrawn: balance would be -15",
      "  caused by RangeError: amount too large",
    ].join("\n"),
  );
});

test("queue: a job whose error the worker did not keep (removeOnFail) still shows its line, `in queue job (queue#id)`, with what is known", {
  skip,
}, async () => {
  const r = await redis.withQueue((q) =>
    runAsync(
      program(function* gone() {
        return yield* wait(
          yield* enqueue<number>("withdraw", [10, 25], { jobId: "w-4", removeOnFail: true }),
        );
      }),
      { handlers: [scheduler, realTime, q] },
    ),
  );
  assert.ok(!r.ok);
  // BullMQ's message only: the job, with the error it stored, is gone
  assert.equal((r.error as Error).constructor, Error);
  assert.equal((r.error as Error).message, "balance would be -15");
  // (before: no line for the job, as if the producer's wait had thrown it)
  assert.equal(
    r.format(),
    [
      "doeff traceback (outermost first):",
      "  gone",
      `  ── in queue job (${NAME}#w-4) ──`,
      "  effect Wait(Future): queue ↗, realTime ↗, scheduler ✗",
      "Error: balance would be -15",
    ].join("\n"),
  );
  const t = tracebackOf(r);
  assert.deepEqual(t.outcome === "failed" ? t.chain : null, [
    { kind: "program", name: "gone" },
    { kind: "boundary", name: `in queue job (${NAME}#w-4)`, queue: NAME, jobId: "w-4" },
  ]);
});
