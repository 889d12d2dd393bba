/**
 * doeff/queue: what JSON would change is refused where it is written — an enqueue's arguments (at
 * the call) and a job's progress (at the reportProgress in the job's program) — with a TypeError
 * naming where, as a job's result is.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fn, program, realTime, runAsync, scheduler, UnhandledEffectError, wait } from "../src/index.js";
import { enqueue, enqueueFor, reportProgress, startWorker } from "../src/queue/index.js";
import { redisWorkerForFile } from "./redis-server.js";

const ARGS = 'enqueue("square"): the arguments must be JSON data (BullMQ stores them in Redis as JSON): ';
const PROGRESS =
  "reportProgress(progress): the progress must be JSON data (BullMQ stores it in Redis as JSON), and ";

test("queue: enqueue / enqueueFor refuse arguments JSON would change, -0 and arrays with properties too", () => {
  const typed = enqueueFor<{ square: (n: unknown) => never }>();
  for (const [args, why] of [
    [[-0], "args[0] is -0 (JSON writes it as 0; pass 0)"],
    [[{ at: [1, -0] }], "args[0].at[1] is -0 (JSON writes it as 0; pass 0)"],
    [
      Object.assign([1, 2], { unit: "cm" }),
      'args is an array with a property "unit" besides its elements (JSON keeps the elements only; put the array and the property in a plain object)',
    ],
    [
      [{ xs: Object.assign([1], { k: 1 }) }],
      'args[0].xs is an array with a property "k" besides its elements (JSON keeps the elements only; put the array and the property in a plain object)',
    ],
    [
      [new Date(0)],
      "args[0] is a Date (JSON turns it into a string; pass args[0].toISOString() or a number)",
    ],
    [
      [new Map()],
      "args[0] is Map object: JSON keeps plain objects and arrays only (it would arrive as a plain object, without its class)",
    ],
    [[2n], "args[0] is a bigint (JSON has none; pass it as a string)"],
  ] as const) {
    for (const make of [enqueue, typed] as ((name: "square", args: never) => unknown)[])
      assert.throws(() => make("square", args as never), { name: "TypeError", message: ARGS + why });
  }
  enqueue("square", [0, [1, 2], { a: [] }]); // JSON data
});

test("queue: reportProgress refuses data JSON would change, naming where", () => {
  for (const [data, why] of [
    [
      new Map([["a", 1]]),
      "the progress is Map object: JSON keeps plain objects and arrays only (it would arrive as a plain object, without its class)",
    ],
    [
      { at: new Date(0) },
      "the progress.at is a Date (JSON turns it into a string; pass the progress.at.toISOString() or a number)",
    ],
    [
      { done: [1, undefined] },
      "the progress.done[1] is undefined (JSON writes it as null in an array; pass null, or leave the argument out)",
    ],
    [{ n: 1n }, "the progress.n is a bigint (JSON has none; pass it as a string)"],
    [-0, "the progress is -0 (JSON writes it as 0; pass 0)"],
    [Number.NaN, "the progress is NaN (JSON writes it as null)"],
  ] as const)
    assert.throws(() => reportProgress(data as never), {
      name: "TypeError",
      message: `${PROGRESS + why}; report plain data`,
    });
  reportProgress({ step: 2, of: [1, 2], note: null }); // JSON data
  reportProgress(50);
});

const redis = redisWorkerForFile(null, "doeff-json", (connection, name) =>
  startWorker({
    connection,
    name,
    signals: false,
    programs: {
      report: fn(function* report(withMap: boolean) {
        yield* reportProgress({ step: 1 });
        if (withMap) yield* reportProgress({ totals: new Map([["a", 1]]) });
        return "done";
      }),
    },
  }),
);
const { skip } = redis;
const seen: unknown[] = [];

test("queue: a job's progress JSON would change fails the job at its reportProgress (the listener saw only JSON data)", {
  skip,
  timeout: 20_000,
}, async () => {
  const onProgress = (_id: string, p: unknown) => seen.push(p);
  await redis.withQueue({ onProgress }, async (q) => {
    const r = await runAsync(
      program(function* () {
        const ok = yield* wait(yield* enqueue<string>("report", [false]));
        try {
          return [ok, yield* wait(yield* enqueue<string>("report", [true]))];
        } catch (e) {
          return [ok, e];
        }
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    const [ok, e] = r.value as [string, Error];
    assert.equal(ok, "done");
    assert.ok(e instanceof TypeError, String(e));
    assert.equal(
      e.message,
      `${PROGRESS}the progress.totals is Map object: JSON keeps plain objects and arrays only (it would arrive as a plain object, without its class); report plain data`,
    );
    assert.match(e.stack ?? "", /\n\s+at report \(.*queue-json\.test\.ts:\d+:\d+\)/);
    assert.deepEqual(seen, [{ step: 1 }, { step: 1 }]);
  });
});

test("queue: Enqueue or ReportProgress with no handler for it says which handler answers it", async () => {
  const message = async (p: unknown, handlers: unknown[]) => {
    const r = await runAsync(
      program(function* () {
        return yield* p as ReturnType<typeof enqueue>;
      }),
      { handlers: handlers as never },
    );
    assert.ok(r.error instanceof UnhandledEffectError, r.format());
    return r.error.message;
  };
  assert.equal(
    await message(enqueue("square", [1]), []),
    "no handler takes Enqueue; no handlers are installed here. Enqueue is answered by the standard handler queue({ connection, name }) from doeff/queue (with scheduler): add it to the run's handlers",
  );
  assert.equal(
    await message(enqueue("square", [1]), [scheduler, realTime]),
    "no handler takes Enqueue; 2 visible handler(s) declined it. Enqueue is answered by the standard handler queue({ connection, name }) from doeff/queue (with scheduler): add it to the run's handlers",
  );
  const job =
    "ReportProgress is answered only inside a job run by startWorker (doeff/queue), which reports the progress of that job; run the program as a queue job, or, to run it outside one, handle it yourself (e.g. handle(ReportProgress, ...))";
  assert.equal(
    await message(reportProgress(50), []),
    `no handler takes ReportProgress; no handlers are installed here. ${job}`,
  );
  assert.equal(
    await message(reportProgress(50), [scheduler]),
    `no handler takes ReportProgress; 1 visible handler(s) declined it. ${job}`,
  );
});
