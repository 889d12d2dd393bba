/**
 * A different scheduler nested in a task (§9.7, docs/concurrency.md §2.8) numbers its tasks from 1
 * again (`task.id`, `getTaskInfo()`), and its main is not the run's main. The run's warnings and
 * tracebacks said "task 1" and "main" for them all the same, so a warning about the nested world's
 * task 1 read as one about the outer world's task 1. In messages a nested world's tasks are now
 * named by the task hosting it — `task 2.1` is task 1 of the scheduler inside task 2, `task 0.1` of
 * one inside main — and its main is "the main of the scheduler in task 2". Ids are unchanged.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  cancel,
  createPromise,
  delay,
  type DoeffError,
  fn,
  getTaskInfo,
  program,
  raceAll,
  raceFirst,
  run,
  safe,
  spawn,
  tell,
  timeout,
  tracebackOf,
  wait,
  withHandler,
} from "../src/index.js";
import { createScheduler } from "../src/handlers/scheduler.js";
import { assertOk, withSCH } from "./sched-helpers.js";

const audit = fn(function* audit() {
  yield* tell("audited");
});

/** main spawns task 1 (a plain one) then task 2 hosting `inner`'s world, which runs `body`. */
function hosted<T>(body: () => Generator<unknown, T, any>) {
  const inner = createScheduler();
  return program(function* () {
    const one = yield* spawn(program(function* () {}));
    const host = yield* spawn(withHandler(inner, program(body)));
    yield* wait(one);
    return yield* wait(host);
  });
}

test("never-ran warning of a nested world: its task is task 2.1, its main the scheduler's in task 2", () => {
  const r = run(
    hosted(function* () {
      const t = yield* spawn(audit());
      return [t.id, (yield* getTaskInfo()).id];
    }),
    withSCH(),
  );
  assertOk(r, [1, 0]); // ids stay the nested world's own
  assert.equal(r.warnings.length, 1);
  assert.equal(
    (r.warnings[0] as DoeffError).message,
    "the main of the scheduler in task 2 returned before task 2.1 (audit) started, so ending its scheduler cancelled it before it ran any code: wait for it before the main of the scheduler in task 2 returns (`yield* wait(task)`, or gather it), in a test end main with `yield* quiescent()`, or spawn a task that should not outlive its block in `scoped(…)`",
  );
  assert.equal(
    r.format().split("\n").at(-1)!.split(": DoeffError")[0],
    "task 2.1 (audit) never ran: the main of the scheduler in task 2 returned before it started",
  );
});

test("a scheduler nested in main: its tasks are task 0.1, …; the outer world's keep their names", () => {
  const inner = createScheduler();
  const r = run(
    program(function* () {
      const outer = yield* spawn(audit()); // outer task 1, never waited: its log is lost
      yield* delay(0);
      const v = yield* withHandler(
        inner,
        program(function* () {
          const t = yield* spawn(audit()); // task 0.1: ran, its log never collected
          yield* delay(1);
          yield* spawn(audit()); // task 0.2: never ran
          return t.id;
        }),
      );
      return [outer.id, v];
    }),
    withSCH(),
  );
  assertOk(r, [1, 1]);
  const wheres = r
    .format()
    .split("\n")
    .filter((l) => /never ran|never collected/.test(l))
    .map((l) => l.split(": DoeffError")[0]);
  assert.deepEqual(wheres, [
    "task 0.2 (audit) never ran: the main of the scheduler in main returned before it started",
    "the log of task 0.1 was never collected",
    "the log of task 1 was never collected",
  ]);
});

test("traceback of a nested world's task: `in task 2.2 (spawned by task 2.1)`; its cancel error names task 2.1", () => {
  const deep = run(
    hosted(function* () {
      const spawner = yield* spawn(
        program(function* spawner() {
          return yield* spawn(
            program(function* grandchild() {
              throw new Error("deep");
            }),
          );
        }),
      );
      const g = yield* wait(spawner);
      yield* wait(g);
    }),
    withSCH(),
  );
  assert.match(deep.format(), /── in task 2\.2 \(spawned by task 2\.1\) ──/, deep.format());
  const cancelled = run(
    hosted(function* () {
      const c = yield* spawn(
        program(function* () {
          yield* delay(5);
        }),
      );
      yield* delay(0);
      yield* cancel(c);
      try {
        yield* wait(c);
      } catch (e) {
        return (e as Error).message;
      }
    }),
    withSCH(),
  );
  assertOk(
    cancelled,
    "task 2.1 was cancelled (expected after cancel(task): catch TaskCancelledError where you wait for it)",
  );
});

test("a nested world's failed task nothing waited for, and its deadlock: named task 2.1 and the scheduler's main", () => {
  const failed = run(
    hosted(function* () {
      yield* spawn(
        program(function* () {
          throw new Error("lost");
        }),
      );
      yield* delay(1);
      return 0;
    }),
    withSCH(),
  );
  assertOk(failed, 0);
  assert.deepEqual(
    failed
      .format()
      .split("\n")
      .filter((l) => l.includes("nothing waited")),
    ["task 2.1 failed and nothing waited for it: Error: lost"],
  );
  const stuck = run(
    hosted(function* () {
      const never = yield* spawn(
        program(function* () {
          yield* wait(
            yield* spawn(
              program(function* () {
                yield* delay(1);
              }),
            ),
          );
          const p = yield* createPromise<number>();
          return yield* wait(p.future);
        }),
      );
      return yield* wait(never);
    }),
    withSCH(),
  );
  assert.equal(stuck.ok, false);
  const msg = (stuck.ok ? "" : (stuck.error as Error).message).split(";")[0];
  assert.equal(
    msg,
    "deadlock: every task is blocked (the main of the scheduler in task 2, task 2.1) and nothing timed or external is pending",
  );
});

// all, raceFirst and raceAll keep the failures no program receives on the warnings, naming the tasks:
// they said `task 2` for a nested world's task 2, the task hosting that world in the outer one
test("the warnings of all, raceFirst and raceAll in a nested world name its tasks task 2.1, task 2.2", () => {
  const failAfter = (ms: number, m: string) =>
    program(function* () {
      yield* delay(ms);
      throw new Error(m);
    });
  const throwsInFinally = program(function* () {
    try {
      yield* delay(5);
    } finally {
      // biome-ignore lint/correctness/noUnsafeFinally: the case under test is a throwing finally
      throw new Error("fin");
    }
  });
  const wheres = (body: () => Generator<unknown, unknown, any>) =>
    tracebackOf(run(hosted(body), withSCH())).warnings.map((w) => w.where);
  assert.deepEqual(
    wheres(function* () {
      return yield* safe(all([failAfter(1, "a"), failAfter(1, "b")]));
    }),
    [
      "task 2.2 (programs[1] of all) failed too, after all had thrown the first failure (task 2.1's); to receive every failure, wrap each program in safe()",
    ],
  );
  assert.deepEqual(
    wheres(function* () {
      return yield* raceFirst([delay(1), failAfter(1, "b")]);
    }),
    [
      "task 2.2 (programs[1] of raceFirst) failed too, after task 2.1 had won raceFirst; to receive every failure, wrap each program in safe()",
    ],
  );
  assert.deepEqual(
    wheres(function* () {
      return yield* safe(all([failAfter(1, "a"), throwsInFinally]));
    }),
    ["a finally block of task 2.2 threw while all cancelled it"],
  );
  // (timeout's program and timer are tasks 2.1 and 2.2 here, raceAll's programs tasks 2.3 and 2.4:
  // task 3 and 4 in a world of its own)
  assert.deepEqual(
    wheres(function* () {
      return yield* safe(timeout(raceAll([failAfter(1, "a"), delay(50)]), 10));
    }),
    ["task 2.3 of raceAll failed, and raceAll was cancelled"],
  );
});
