/**
 * doeff/workers: a job that runs another job on the same pool (it forwards its RunInWorker) holds its
 * thread while it waits. When every thread is held so, the nested job could never start: it is
 * refused at once with a DeadlockError (src/workers/nested.ts) instead of hanging the run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DeadlockError,
  handle,
  pass,
  program,
  realTime,
  runAsync,
  safe,
  scheduler,
  spawn,
  transfer,
  wait,
  withHandler,
} from "../src/index.js";
import { RunInWorker, runInWorker, workers } from "../src/workers/index.js";
import { within } from "./workers-helpers.js";

const NESTED = new URL("./fixtures/workers/nested.ts", import.meta.url).href;
const LABEL = "test/fixtures/workers/nested.ts";

function refusal(inner: string, caller: string, size: number): string {
  const held =
    size === 1
      ? "this pool's only thread (size 1), which it holds while it waits"
      : `a thread of this pool (size ${size}), and every one is held by a job waiting for a job it runs on the same pool`;
  return `runInWorker(${LABEL}#${inner}) cannot start: the job ${LABEL}#${caller} runs it on its own pool, so it needs ${held}: none could ever become free for it (the pool would deadlock). Give the pool more threads than the jobs that run jobs at once (workers({ size: ${size + 1} }) or more), or run the nested jobs on a second pool (docs/workers.md, "Jobs that run jobs")`;
}

test("workers nested: a pool of size 1 whose job runs a job refuses the nested job at once with DeadlockError", async () => {
  const pool = workers({ size: 1 });
  try {
    const started = Date.now();
    const r = await within(
      20_000,
      runAsync(runInWorker<number>(NESTED, "outer", 4), { handlers: [scheduler, realTime, pool] }),
    );
    assert.ok(!r.ok);
    assert.ok(r.error instanceof DeadlockError, String(r.error));
    assert.equal(r.error.message, refusal("inner", "outer", 1));
    // thrown in the worker at the job's perform site, then at the runInWorker call: the boundary shows it
    assert.match(r.error.stack ?? "", new RegExp(`── in worker \\(${LABEL}#outer\\) ──`));
    assert.ok(Date.now() - started < 10_000);
    // the job can catch it where it performed the nested job; the pool is still usable after
    const caught = await within(
      20_000,
      runAsync(runInWorker<string>(NESTED, "outerCatching", 1), { handlers: [scheduler, realTime, pool] }),
    );
    assert.ok(caught.ok, caught.format());
    assert.equal(caught.value, "DeadlockError: caught");
    const plain = await within(
      20_000,
      runAsync(runInWorker<number>(NESTED, "inner", 3), { handlers: [scheduler, realTime, pool] }),
    );
    assert.ok(plain.ok, plain.format());
    assert.equal(plain.value, 30);
  } finally {
    await pool.close();
  }
});

test("workers nested: with a free thread the nested job runs, also two levels deep on enough threads", async () => {
  const two = workers({ size: 2 });
  const three = workers({ size: 3 });
  try {
    const r = await within(
      20_000,
      runAsync(runInWorker<number>(NESTED, "outer", 4), { handlers: [scheduler, realTime, two] }),
    );
    assert.ok(r.ok, r.format());
    assert.equal(r.value, 41);
    // one after the other on the same pool: the count of waiting jobs went back to 0
    const again = await within(
      20_000,
      runAsync(runInWorker<number>(NESTED, "outer", 5), { handlers: [scheduler, realTime, two] }),
    );
    assert.equal(again.value, 51);
    const deep = await within(
      20_000,
      runAsync(runInWorker<number>(NESTED, "outermost", 2), { handlers: [scheduler, realTime, three] }),
    );
    assert.ok(deep.ok, deep.format());
    assert.equal(deep.value, 121);
    // two levels on two threads: the second nested job would need a third thread
    const tooDeep = await within(
      20_000,
      runAsync(runInWorker<number>(NESTED, "outermost", 2), { handlers: [scheduler, realTime, two] }),
    );
    assert.ok(tooDeep.error instanceof DeadlockError, String(tooDeep.error));
    assert.equal(tooDeep.error.message, refusal("inner", "outer", 2));
  } finally {
    await Promise.all([two.close(), three.close()]);
  }
});

test("workers nested: two jobs that run jobs on a pool of 2: exactly one nested job is refused, the other job ends", async () => {
  const two = workers({ size: 2 });
  try {
    const r = await within(
      20_000,
      runAsync(
        program(function* () {
          const a = yield* spawn(runInWorker<number>(NESTED, "outer", 1));
          const b = yield* spawn(runInWorker<number>(NESTED, "outer", 2));
          return [yield* safe(wait(a)), yield* safe(wait(b))] as const;
        }),
        { handlers: [scheduler, realTime, two] },
      ),
    );
    assert.ok(r.ok, r.format());
    const [a, b] = r.value;
    // both jobs got a thread first (submitted together); whichever forwarded its job second is refused
    const outcomes = [a, b].map((x) => (x.ok ? x.value : x.error));
    const refused = outcomes.filter((x) => x instanceof DeadlockError) as DeadlockError[];
    assert.equal(refused.length, 1, String(outcomes));
    assert.match(
      refused[0]!.message,
      /^runInWorker\(test\/fixtures\/workers\/nested\.ts#inner\) cannot start: .*\(size 2\)/,
    );
    assert.deepEqual(
      outcomes.filter((x) => typeof x === "number"),
      [a.ok ? 11 : 21],
    );
  } finally {
    await two.close();
  }
});

test("workers nested: the nested jobs on a second pool (the documented fix) run on pools of size 1", async () => {
  const pool = workers({ size: 1 });
  const nestedPool = workers({ size: 1 });
  // the jobs a job runs go to nestedPool; the others to pool
  const nested = handle(RunInWorker, function* (e, k) {
    if (e.exportName !== "inner") return yield* pass();
    return yield* transfer(k, yield* withHandler(nestedPool, e));
  });
  try {
    const r = await within(
      20_000,
      runAsync(runInWorker<number>(NESTED, "outer", 4), { handlers: [scheduler, realTime, pool, nested] }),
    );
    assert.ok(r.ok, r.format());
    assert.equal(r.value, 41);
  } finally {
    await Promise.all([pool.close(), nestedPool.close()]);
  }
});
