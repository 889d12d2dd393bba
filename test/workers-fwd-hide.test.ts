/**
 * doeff/workers: the task a forwarded effect is performed in (src/workers/job-loop.ts) is a stand-in
 * for the calling task (StandInSpawn), and does not show through: the traceback of a failing handler
 * names the calling task and the forwarded effect, `getTaskInfo()` in the handler answers the
 * caller's, the ids of the caller's later tasks do not shift, and `record` / `observe` see the
 * forwarded effect, not the stand-in's Spawn, Wait and Cancel. Before, it was a task like any other:
 * `── in task 2 (spawned by task 1) ──`, `{ id: 2, parent: 1 }`, one task id per forwarded effect,
 * and a `Spawn` (and a `Wait` or `Cancel` of it) recorded per forwarded effect. Real worker threads.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  CreateExternalPromise,
  delay,
  getTaskInfo,
  handle,
  observe,
  program,
  realTime,
  resume,
  runAsync,
  SchedulerEffect,
  scheduler,
  type Spawn,
  spawn,
  type TaskInfo,
  Tell,
  tracebackOf,
  Wait,
  wait,
  writer,
} from "../src/index.js";
import { Future } from "../src/effects/handles.js";
import { record } from "../src/testing/index.js";
import { RunInWorker, runInWorker, workers } from "../src/workers/index.js";
import { Slow } from "./fixtures/workers/fwd-drop.js";
import { Odd } from "./fixtures/workers/fwd-named.js";
import { bothWays } from "./traceback-render.js";
import { within } from "./workers-helpers.js";

const JOBS = new URL("./fixtures/workers/fwd-drop.ts", import.meta.url).href;
const LABEL = "test/fixtures/workers/fwd-drop.ts";
const NAMED = new URL("./fixtures/workers/fwd-named.ts", import.meta.url).href;
const NAMED_LABEL = "test/fixtures/workers/fwd-named.ts";
const pool = workers({ size: 1 });
after(() => pool.close());

/** what `getTaskInfo()` answered in the Slow handler, in order */
let infos: TaskInfo[] = [];
/** answers a Slow at once, fails one tagged "fail", sleeps for one tagged "slow" (its finally throws) */
const answering = handle(Slow, function* answering(e, k) {
  infos.push(yield* getTaskInfo());
  if (e.tag === "fail") throw new RangeError(`handler failed for ${e.tag}`);
  if (e.tag === "slow")
    try {
      yield* delay(10_000);
    } finally {
      // biome-ignore lint/correctness/noUnsafeFinally: a finally block that throws as it is cancelled
      throw new TypeError("cleanup failed");
    }
  return yield* resume(k, `ok ${e.tag}`);
});

/** the traceback's lines from the first `── … ──` to the effect line */
function chain(text: string): string[] {
  const lines = text.split("\n").map((l) => l.trim());
  const i = lines.findIndex((l) => l.startsWith("──"));
  const j = lines.findIndex((l) => l.startsWith("effect Slow"));
  return lines.slice(i, j + 1);
}

test("workers: a failing parent-side handler of a forwarded effect: the traceback names the calling task and the forwarded effect, not a task of its own", async () => {
  infos = [];
  const inTask = await within(
    20_000,
    runAsync(
      program(function* caller() {
        return yield* wait(yield* spawn(runInWorker<string>(JOBS, "waits", "fail")));
      }),
      { handlers: [scheduler, realTime, writer, answering, pool] },
    ),
  );
  assert.ok(!inTask.ok);
  assert.ok(inTask.error instanceof RangeError, String(inTask.error));
  assert.deepEqual(chain(inTask.format()), [
    "── in task 1 ──",
    `── in worker (${LABEL}#waits) ──`,
    `── in task 1 (forwarded Slow from worker job ${LABEL}#waits) ──`,
    `handler answering for Slow("fail") ✗`,
    `effect Slow("fail"): workers ↗, answering ✗, writer ·, realTime ·, scheduler ·`,
  ]);
  // performed for main: named so
  const inMain = await within(
    20_000,
    runAsync(runInWorker<string>(JOBS, "waits", "fail"), {
      handlers: [scheduler, realTime, writer, answering, pool],
    }),
  );
  assert.ok(!inMain.ok);
  assert.deepEqual(chain(inMain.format()), [
    `── in worker (${LABEL}#waits) ──`,
    `── in main (forwarded Slow from worker job ${LABEL}#waits) ──`,
    `handler answering for Slow("fail") ✗`,
    `effect Slow("fail"): workers ↗, answering ✗, writer ·, realTime ·, scheduler ·`,
  ]);
});

test("workers: getTaskInfo() in a forwarded effect's handler answers for the task that called runInWorker; the ids of its later tasks do not shift", async () => {
  infos = [];
  const r = await within(
    20_000,
    runAsync(
      program(function* () {
        const t = yield* spawn(
          program(function* () {
            const me = yield* getTaskInfo();
            // two forwarded effects each (a Slow and a Tell)
            yield* runInWorker<string>(JOBS, "givesUp", "a", 5_000);
            yield* runInWorker<string>(JOBS, "givesUp", "b", 5_000);
            const child = yield* spawn(getTaskInfo());
            return [me, yield* wait(child), child.id] as const;
          }),
        );
        const after = yield* spawn(getTaskInfo());
        return [yield* wait(t), yield* wait(after)] as const;
      }),
      { handlers: [scheduler, realTime, writer, answering, pool] },
    ),
  );
  assert.ok(r.ok, r.format());
  assert.deepEqual(infos, [
    { id: 1, parent: 0 },
    { id: 1, parent: 0 },
  ]);
  // (before: the handler saw tasks 3 and 5, and task 1's child was task 7, after four forwarded effects)
  assert.deepEqual(r.value, [[{ id: 1, parent: 0 }, { id: 3, parent: 1 }, 3], { id: 2, parent: 0 }]);
  assert.deepEqual(r.log, ["after a", "after b"]);
});

test("workers: record and observe around the pool see the forwarded effects, performed by the calling task, and no Spawn, Wait or Cancel of the task performing them", async () => {
  for (const tag of ["a", "slow"]) {
    infos = [];
    const rec = record();
    const seen: string[] = [];
    const told: [string, string, string][] = [];
    const obs = observe((e, _ctx, task) => {
      if (!(e instanceof SchedulerEffect)) seen.push(`${(e as object).constructor.name} by ${task?.id}`);
      else if (!(e instanceof CreateExternalPromise) && !(e instanceof Wait && e.waitable instanceof Future))
        seen.push((e as object).constructor.name);
      return undefined;
    });
    const r = await within(
      20_000,
      runAsync(
        program(function* () {
          const t = yield* spawn(runInWorker<string>(JOBS, "givesUp", tag, 500));
          return [yield* wait(t), t] as const;
        }),
        {
          handlers: [scheduler, realTime, writer, answering, obs, rec, pool],
          onWarning: (error, info) => told.push([info.status, info.where, String(error)]),
        },
      ),
    );
    assert.ok(r.ok, r.format());
    assert.equal(r.value[0], tag === "a" ? "ok a" : "TimeoutError");
    // (the pool's own promises for the job's events, and its waits on them, left out: they were
    // there before the stand-in, and are not what this is about)
    const shown = rec.entries.filter(
      (x) =>
        !(x.effect instanceof CreateExternalPromise) &&
        !(x.effect instanceof Wait && x.effect.waitable instanceof Future),
    );
    assert.deepEqual(
      shown.map((x) => `${(x.effect as object).constructor.name}:${x.status}`),
      ["Spawn:passed", "Wait:passed", tag === "a" ? "Slow:answered" : "Slow:pending", "Tell:answered"],
    );
    // the Spawn and the Wait are the program's own: its task, running the job
    assert.ok((shown[0]!.effect as Spawn).program instanceof RunInWorker);
    assert.equal((shown[1]!.effect as Wait).waitable, r.value[1]);
    assert.ok(shown[2]!.effect instanceof Slow && shown[3]!.effect instanceof Tell);
    assert.deepEqual(seen, ["Spawn", "Wait", "Slow by 1", "Tell by 1"]);
    assert.deepEqual(infos, [{ id: 1, parent: 0 }]);
    if (tag === "slow")
      // the stopped handler's finally threw: the warning names the calling task and the effect
      // (provisional as it threw — a waiter could still have received it — and final as the run ended)
      assert.deepEqual(
        told,
        ["provisional", "final"].map((status) => [
          status,
          `a finally block of task 1 (forwarded Slow from worker job ${LABEL}#givesUp) threw while it was cancelled`,
          "TypeError: cleanup failed",
        ]),
      );
    else assert.deepEqual(told, []);
    assert.equal(r.warnings.length, told.length / 2);
  }
});

test("workers: an aborted run's report shows a stand-in's chain after the chain of the task it stands in for, not before main's", async () => {
  const lines = async (inTask: boolean): Promise<string[]> => {
    const controller = new AbortController();
    const sleeping = handle(Slow, function* sleeping(e, k) {
      // the forwarded effect is being performed: abort (from outside the run)
      setTimeout(() => controller.abort(new Error("stop")), 0);
      yield* delay(60_000);
      return yield* resume(k, `ok ${e.tag}`);
    });
    const job = runInWorker<string>(JOBS, "waits", "s1");
    const r = await within(
      20_000,
      runAsync(
        inTask
          ? program(function* caller() {
              return yield* wait(yield* spawn(job));
            })
          : job,
        { handlers: [scheduler, realTime, writer, sleeping, pool], signal: controller.signal },
      ),
    );
    assert.ok(!r.ok);
    assert.equal((r.error as Error).message, "stop");
    const all = r.format().split("\n");
    return all.slice(
      2,
      all.findIndex((l) => l.startsWith("the signal's reason")),
    );
  };
  assert.deepEqual(await lines(true), [
    "  caller",
    "  blocked in wait(task 1)",
    "  ── in task 1 ──",
    `  ── in worker (${LABEL}#waits) ──`,
    "  blocked in wait(a promise)",
    `  ── in task 1 (forwarded Slow from worker job ${LABEL}#waits) ──`,
    `  handler sleeping for Slow("s1")`,
    "  blocked in delay(60000)",
  ]);
  assert.deepEqual(await lines(false), [
    `  ── in worker (${LABEL}#waits) ──`,
    "  blocked in wait(a promise)",
    `  ── in main (forwarded Slow from worker job ${LABEL}#waits) ──`,
    `  handler sleeping for Slow("s1")`,
    "  blocked in delay(60000)",
  ]);
});

test("workers: tracebackOf names a stand-in's line: kind forwarded, with the calling task, the effect's class and the job; the worker line names its job", async () => {
  const failing = async (inTask: boolean) => {
    const job = runInWorker<string>(JOBS, "waits", "fail");
    const r = await within(
      20_000,
      runAsync(
        inTask
          ? program(function* caller() {
              return yield* wait(yield* spawn(job));
            })
          : job,
        { handlers: [scheduler, realTime, writer, answering, pool] },
      ),
    );
    assert.ok(!r.ok);
    const t = tracebackOf(r);
    assert.equal(t.outcome, "failed");
    const [text, data] = bothWays(r);
    assert.equal(data, text); // the data reads as the text, line for line
    return t.outcome === "failed" ? t.chain.filter((e) => e.kind !== "program" && e.kind !== "handler") : [];
  };
  const worker = { kind: "boundary", name: `in worker (${LABEL}#waits)`, job: `${LABEL}#waits` };
  // (before: { kind: "boundary", name: "in task 1 (forwarded Slow …)" }, nothing else naming it)
  assert.deepEqual(await failing(true), [
    { kind: "task", name: "in task 1", tasks: [1], count: 1 },
    worker,
    {
      kind: "forwarded",
      name: `in task 1 (forwarded Slow from worker job ${LABEL}#waits)`,
      caller: "task 1",
      task: 1,
      effectClass: "Slow",
      job: `${LABEL}#waits`,
    },
  ]);
  assert.deepEqual(await failing(false), [
    worker,
    {
      kind: "forwarded",
      name: `in main (forwarded Slow from worker job ${LABEL}#waits)`,
      caller: "main",
      effectClass: "Slow",
      job: `${LABEL}#waits`,
    },
  ]);
  // an aborted run's chains: the stand-in's line the same
  const controller = new AbortController();
  const sleeping = handle(Slow, function* sleeping(_e, k) {
    setTimeout(() => controller.abort(new Error("stop")), 0);
    yield* delay(60_000);
    return yield* resume(k, "never");
  });
  const r = await within(
    20_000,
    runAsync(runInWorker<string>(JOBS, "waits", "s1"), {
      handlers: [scheduler, realTime, writer, sleeping, pool],
      signal: controller.signal,
    }),
  );
  const t = tracebackOf(r);
  assert.equal(t.outcome, "aborted");
  assert.equal(...bothWays(r));
  assert.deepEqual(
    t.outcome === "aborted" ? t.chain.map((e) => (e.kind === "wait" ? `wait ${e.name}` : e)) : [],
    [
      worker,
      "wait wait(a promise)",
      {
        kind: "forwarded",
        name: `in main (forwarded Slow from worker job ${LABEL}#waits)`,
        caller: "main",
        effectClass: "Slow",
        job: `${LABEL}#waits`,
      },
      { kind: "handler", name: "sleeping", effect: 'Slow("s1")', outcome: "running" },
      "wait delay(60000)",
    ],
  );
});

test("workers: tracebackOf's forwarded entry has the effect's class and the job as they are, not split from its line: a class named with ` from worker job ` in it", async () => {
  const failsOdd = handle(Odd, function* failsOdd() {
    throw new RangeError("odd failed");
  });
  const r = await within(
    20_000,
    runAsync(
      program(function* caller() {
        return yield* wait(yield* spawn(runInWorker<string>(NAMED, "odd")));
      }),
      { handlers: [scheduler, realTime, failsOdd, pool] },
    ),
  );
  assert.ok(!r.ok);
  assert.equal((r.error as Error).message, "odd failed");
  const name = `in task 1 (forwarded Odd from worker job x.ts#y from worker job ${NAMED_LABEL}#odd)`;
  // the text as before
  assert.ok(r.format().includes(`\n  ── ${name} ──\n`));
  const [text, data] = bothWays(r);
  assert.equal(data, text);
  const t = tracebackOf(r);
  assert.equal(t.outcome, "failed");
  // (before: effectClass "Odd", job "x.ts#y from worker job …#odd")
  assert.deepEqual(
    t.outcome === "failed" ? t.chain.filter((e) => e.kind !== "program" && e.kind !== "handler") : [],
    [
      { kind: "task", name: "in task 1", tasks: [1], count: 1 },
      { kind: "boundary", name: `in worker (${NAMED_LABEL}#odd)`, job: `${NAMED_LABEL}#odd` },
      {
        kind: "forwarded",
        name,
        caller: "task 1",
        task: 1,
        effectClass: "Odd from worker job x.ts#y",
        job: `${NAMED_LABEL}#odd`,
      },
    ],
  );
});
