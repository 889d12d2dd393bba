/**
 * doeff/queue on a real redis-server: the errors a job's run keeps beside its outcome (a task that
 * failed with nothing waiting, …) are rows of the job's BullMQ log, after its `tell`s, and are told
 * to startWorker's `onWarning` as they happen, with `where` naming the job. Before, the worker read
 * only the run's value, error and log: they went nowhere. The producer's run does not get them (the
 * job is a run of its own, in another process). Skipped with the reason printed when redis-server is
 * not installed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  delay,
  fn,
  program,
  realTime,
  runAsync,
  safe,
  scheduler,
  spawn,
  tell,
  type WarningInfo,
  wait,
  writer,
} from "../src/index.js";
import { enqueueFor, jobIdOf, startWorker } from "../src/queue/index.js";
import { redisWorkerForFile } from "./redis-server.js";

const failing = fn(function* failing(message: string) {
  yield* delay(1);
  throw new RangeError(message);
});

const programs = {
  forgets: fn(function* forgets(n: number) {
    yield* tell(`start ${n}`);
    yield* spawn(failing("side task failed"));
    yield* delay(20);
    return n;
  }),
  forgetsThenFails: fn(function* forgetsThenFails() {
    yield* spawn(failing("side task failed"));
    yield* delay(20);
    throw new TypeError("the job failed");
  }),
};

const told: [string, string, string][] = [];
const onWarning = (e: unknown, { status, where }: WarningInfo) =>
  told.push([status, where, e instanceof Error ? e.message : String(e)]);

const redis = redisWorkerForFile("queue tests", "doeff-warnings", (connection, name) =>
  startWorker({ connection, name, signals: false, programs, handlers: [writer], onWarning }),
);
const { skip } = redis;

const ROW =
  /^warning: task 1 failed and nothing waited for it: RangeError: side task failed\n {2}── in task 1 ──\n {2}failing\n {2}thrown at test\/queue-warnings\.test\.ts:\d+$/;

test("queue: a job's warnings are rows of its job log and are told to startWorker's onWarning, naming the job", {
  skip,
  timeout: 20_000,
}, async () => {
  told.length = 0;
  const enqueue = enqueueFor<typeof programs>();
  await redis.withQueue(async (q) => {
    const r = await runAsync(
      program(function* () {
        const f = yield* enqueue("forgets", [3]);
        return { id: jobIdOf(f), value: yield* wait(f) };
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    assert.equal(r.value.value, 3);
    // the producer's run: the job ran elsewhere, its warnings are the worker's
    assert.deepEqual(r.warnings, []);
    // (before: without the program, `in queue job (doeff-warnings#…)`)
    const where = `in queue job (doeff-warnings#${r.value.id}: forgets) — task 1 failed and nothing waited for it`;
    assert.deepEqual(told, [
      ["provisional", where, "side task failed"],
      ["final", where, "side task failed"],
    ]);
    const { logs } = await (await q.bullQueue).getJobLogs(r.value.id);
    assert.equal(logs.length, 2, JSON.stringify(logs));
    assert.equal(logs[0], "start 3");
    assert.match(logs[1]!, ROW);
  });
});

test("queue: a failed job's warnings are in its log, and in the remoteTraceback the producer's error carries", {
  skip,
  timeout: 20_000,
}, async () => {
  told.length = 0;
  const enqueue = enqueueFor<typeof programs>();
  await redis.withQueue(async (q) => {
    const r = await runAsync(
      program(function* () {
        const f = yield* enqueue("forgetsThenFails", []);
        return { id: jobIdOf(f), outcome: yield* safe(wait(f)) };
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    const { id, outcome } = r.value;
    assert.ok(!outcome.ok && outcome.error instanceof TypeError, String(outcome));
    const remote = (outcome.error as { remoteTraceback?: string }).remoteTraceback ?? "";
    assert.match(
      remote,
      /── 1 error beside the outcome \(RunResult\.warnings\) ──\ntask 1 failed and nothing waited for it: RangeError: side task failed/,
    );
    assert.deepEqual(
      told.map(([s, w]) => [s, w]),
      [
        [
          "provisional",
          `in queue job (doeff-warnings#${id}: forgetsThenFails) — task 1 failed and nothing waited for it`,
        ],
        [
          "final",
          `in queue job (doeff-warnings#${id}: forgetsThenFails) — task 1 failed and nothing waited for it`,
        ],
      ],
    );
    const { logs } = await (await q.bullQueue).getJobLogs(id);
    assert.equal(logs.length, 1, JSON.stringify(logs));
    assert.match(logs[0]!, ROW);
  });
});

test("queue: startWorker refuses an onWarning that is not a function, saying what it takes", async () => {
  await assert.rejects(
    startWorker({
      connection: { host: "127.0.0.1", port: 1 },
      name: "q",
      programs,
      handlers: [writer],
      onWarning: "console" as never,
    }),
    {
      name: "TypeError",
      message: 'startWorker: onWarning must be a function (error, { where, status }) => void, got "console"',
    },
  );
});
