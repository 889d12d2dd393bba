/**
 * §9.4: an error thrown by a finally block of a task that a *program* cancels (`cancel(t)` from
 * another task or from itself, `scoped`'s children) reaches a program only as the `cause` of the
 * TaskCancelledError a waiter of that task receives. When nothing waits for the task before the run
 * ends, the error is kept on `RunResult.warnings` — in cancellation order, beside the ones of tasks
 * cancelled as main finishes — and a waiter that does receive it takes it off again: every such
 * error is reported exactly once, never dropped.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cancel,
  delay,
  fn,
  gather,
  program,
  race,
  raceAll,
  all,
  run,
  safe,
  scoped,
  spawn,
  type Task,
  TaskCancelledError,
  wait,
} from "../src/index.js";
import { assertOk, withSCH } from "./sched-helpers.js";

/** Waits `ms`; its finally block throws `error`. */
const leaky = fn(function* leaky(ms: number, error: unknown) {
  try {
    yield* delay(ms);
    return "done";
  } finally {
    // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
    throw error;
  }
});

const warningLines = (report: string) => {
  const lines = report.split("\n");
  return lines.slice(lines.findIndex((l) => l.startsWith("──")) + 1);
};

test("§9.4 cancel(t) that nobody waits for: t's finally error is kept on warnings, with format()'s line", () => {
  const boom = new Error("cleanup failed");
  const r = run(
    program(function* () {
      const t = yield* spawn(leaky(100, boom));
      yield* delay(1);
      const c = yield* cancel(t);
      return c;
    }),
    withSCH(),
  );
  assertOk(r, true);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0], boom); // the original object
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 1 threw while it was cancelled: Error: cleanup failed",
  ]);
});

test("§9.4 a wait after the cancel receives the error as the cause: no warning", () => {
  const boom = new Error("cleanup failed");
  const r = run(
    program(function* () {
      const t = yield* spawn(leaky(100, boom));
      yield* delay(1);
      yield* cancel(t);
      yield* delay(5); // the run goes on; the error is read only now
      const o = yield* safe(wait(t));
      return !o.ok && o.error instanceof TaskCancelledError && o.error.cause === boom;
    }),
    withSCH(),
  );
  assertOk(r, true);
  assert.deepEqual(r.warnings, []);
  assert.ok(!r.format().includes("beside the outcome"), r.format()); // no "0 errors" heading
});

test("§9.4 a gather or a race that receives the cancelled task's error takes the warning back; an unwaited one keeps it", () => {
  const a = new Error("a");
  const b = new Error("b");
  const c = new Error("c");
  const r = run(
    program(function* () {
      const ta = yield* spawn(leaky(100, a));
      const tb = yield* spawn(leaky(100, b));
      const tc = yield* spawn(leaky(100, c));
      yield* delay(1);
      yield* cancel(ta);
      yield* cancel(tb);
      yield* cancel(tc);
      const g = yield* safe(gather(ta)); // receives a's error
      const slow = yield* spawn(leaky(50, "slow cleanup"));
      yield* delay(1); // slow starts (an unstarted task runs no finally block)
      const w = yield* safe(race(slow, tb)); // tb completed first: receives b's error
      yield* cancel(slow); // its finally throws a string: kept too
      return [!g.ok && (g.error as Error).cause === a, !w.ok && (w.error as Error).cause === b];
    }),
    withSCH(),
  );
  assertOk(r, [true, true]);
  assert.deepEqual(r.warnings, [c, "slow cleanup"]);
});

test("§9.4 warnings keep cancellation order: a program's cancel before the tasks cancelled as main finishes", () => {
  const first = new Error("cancelled by main");
  const second = new Error("cancelled at the end");
  const r = run(
    program(function* () {
      const late = yield* spawn(leaky(100, second)); // task 1: still running when main ends
      const t = yield* spawn(leaky(100, first)); // task 2
      yield* delay(1);
      yield* cancel(t);
      void late;
      return "main value";
    }),
    withSCH(),
  );
  assertOk(r, "main value");
  assert.deepEqual(r.warnings, [first, second]);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 2 threw while it was cancelled: Error: cancelled by main",
    "a finally block of task 1 threw while it was cancelled: Error: cancelled at the end",
  ]);
});

test("§9.4 a task that cancels itself: its finally error is kept unless something waits for it", () => {
  const boom = new Error("self cleanup");
  const selfCancelling = fn(function* selfCancelling(me: () => Task<unknown>) {
    try {
      yield* delay(2);
      yield* cancel(me());
      return "not reached";
    } finally {
      // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
      throw boom;
    }
  });
  const unwaited = run(
    program(function* () {
      let t: Task<unknown> | null = null;
      t = yield* spawn(selfCancelling(() => t!));
      yield* delay(10);
      return "main value";
    }),
    withSCH(),
  );
  assertOk(unwaited, "main value");
  assert.deepEqual(unwaited.warnings, [boom]);
  const waited = run(
    program(function* () {
      let t: Task<unknown> | null = null;
      t = yield* spawn(selfCancelling(() => t!));
      const o = yield* safe(wait(t));
      return !o.ok && (o.error as Error).cause === boom;
    }),
    withSCH(),
  );
  assertOk(waited, true);
  assert.deepEqual(waited.warnings, []);
});

test("§9.8 scoped: a child's finally error, when scoped cancels the child, is kept on warnings; the scope's value unchanged", () => {
  const boom = new Error("child cleanup");
  const r = run(
    program(function* () {
      const v = yield* scoped(
        program(function* () {
          yield* spawn(leaky(100, boom));
          yield* delay(1);
          return "scope value";
        }),
      );
      return v;
    }),
    withSCH(),
  );
  assertOk(r, "scope value");
  assert.deepEqual(r.warnings, [boom]);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 1 threw while it was cancelled: Error: child cleanup",
  ]);
});

test("§9.8 scoped: a child handle that escapes the scope and is waited on later delivers the cause instead", () => {
  const boom = new Error("child cleanup");
  const r = run(
    program(function* () {
      const t = yield* scoped(
        program(function* () {
          const child = yield* spawn(leaky(100, boom));
          yield* delay(1);
          return child;
        }),
      );
      const o = yield* safe(wait(t));
      return !o.ok && o.error instanceof TaskCancelledError && o.error.cause === boom;
    }),
    withSCH(),
  );
  assertOk(r, true);
  assert.deepEqual(r.warnings, []);
});

test("a task that failed and that nothing waited for: its error is kept on warnings (never dropped), with format()'s line and where it was thrown", () => {
  const boom = new Error("inventory sync failed: 500");
  const sync = fn(function* syncInventory() {
    yield* delay(1);
    throw boom;
  });
  const r = run(
    program(function* () {
      yield* spawn(sync()); // spawned and forgotten
      yield* delay(5);
      return "main ok";
    }),
    withSCH(),
  );
  assertOk(r, "main ok");
  assert.deepEqual(r.warnings, [boom]);
  assert.deepEqual(warningLines(r.format()), [
    "task 1 failed and nothing waited for it: Error: inventory sync failed: 500",
    "  ── in task 1 ──",
    "  syncInventory",
    "  thrown at test/scheduler-cancel-warnings.test.ts:210",
  ]);
});

test('a warning shows a thrown non-Error value as the run\'s error shows it (`thrown: {"code":42}`)', () => {
  const values = [{ code: 42 }, undefined, "oops", [1, 2]];
  const lines = values.map((v) => {
    const r = run(
      program(function* () {
        yield* spawn(
          program(function* () {
            throw v;
          }),
        );
        yield* delay(1);
        return "main ok";
      }),
      withSCH(),
    );
    assertOk(r, "main ok");
    assert.deepEqual(r.warnings, [v]);
    const asRunError = run(
      program(function* () {
        throw v;
      }),
    ).format();
    const line = warningLines(r.format())[0]!;
    assert.equal(line.slice(line.indexOf(": ") + 2), asRunError.split("\n").at(-1));
    return line;
  });
  assert.deepEqual(lines, [
    'task 1 failed and nothing waited for it: thrown: {"code":42}',
    "task 1 failed and nothing waited for it: thrown: undefined",
    'task 1 failed and nothing waited for it: thrown: "oops"',
    "task 1 failed and nothing waited for it: thrown: [1,2]",
  ]);
});

test("a failed task's error that a wait, gather or race receives — now or later — is not a warning", () => {
  const fail = (msg: string, ms: number) =>
    fn(function* failing() {
      yield* delay(ms);
      throw new Error(msg);
    })();
  const r = run(
    program(function* () {
      const a = yield* spawn(fail("a", 1));
      const b = yield* spawn(fail("b", 1));
      const c = yield* spawn(fail("c", 1));
      const waiting = yield* spawn(safe(wait(a))); // waits before a fails
      yield* delay(5); // all three failed meanwhile
      const g = yield* safe(gather(b)); // received later
      const w = yield* safe(race(c));
      const early = yield* wait(waiting);
      return [early.ok, g.ok, w.ok];
    }),
    withSCH(),
  );
  assertOk(r, [false, false, false]);
  assert.deepEqual(r.warnings, []);
  assert.ok(!r.format().includes("beside the outcome"));
});

test("combinators: raceAll's failed losers and all's delivered failure are not warnings; a second failure all did not deliver is", () => {
  const fail = (msg: string, ms: number) =>
    fn(function* failing() {
      yield* delay(ms);
      throw new Error(msg);
    })();
  const ok = (v: string, ms: number) =>
    fn(function* fine() {
      yield* delay(ms);
      return v;
    })();
  const r = run(
    program(function* () {
      const won = yield* raceAll([fail("loser", 1), ok("winner", 2)]);
      const first = yield* safe(all([fail("first", 1), fail("second", 1)]));
      return [won, !first.ok && (first.error as Error).message];
    }),
    withSCH(),
  );
  assertOk(r, ["winner", "first"]);
  assert.deepEqual(
    r.warnings.map((e) => (e as Error).message),
    ["second"], // failed before all could cancel it; all delivers the first failure only
  );
});

/** T: throws `error` at t=1. */
const failsAt1 = (error: Error) =>
  program(function* T() {
    yield* delay(1);
    throw error;
  });
/** W: waits for `t`, then records `note` if given. */
const waitsFor = (t: Task<unknown>, note?: string[]) =>
  program(function* W() {
    yield* wait(t);
    note?.push("W went on");
  });

test("§9.4 a task woken with a failed task's error and cancelled before it ran: the error is kept on the warnings", () => {
  const failed = new Error("T failed");
  const events: string[] = [];
  const r = run(
    program(function* main() {
      const t = yield* spawn(failsAt1(failed));
      const w = yield* spawn(waitsFor(t, events));
      // C's timer is due with T's and fires after it: C runs once W is woken, before W runs
      yield* spawn(
        program(function* C() {
          yield* delay(1);
          events.push(`cancel(W) -> ${yield* cancel(w)}`);
        }),
      );
      yield* delay(5);
      return "main done";
    }),
    withSCH(),
  );
  assert.equal(r.value, "main done");
  assert.deepEqual(events, ["cancel(W) -> true"]);
  assert.deepEqual(r.warnings, [failed]);
});

test("R9 a task woken with a failed task's error when main ends, before it ran: the error is kept on the warnings", () => {
  const failed = new Error("T failed");
  const r = run(
    program(function* main() {
      const t = yield* spawn(failsAt1(failed));
      yield* spawn(waitsFor(t));
      yield* delay(0);
      yield* delay(1); // fires after T's timer at the same instant: main ends before W runs
      return "main done";
    }),
    withSCH(),
  );
  assert.equal(r.value, "main done");
  assert.deepEqual(r.warnings, [failed]);
});

test("§9.4 the same error handed to a cancelled task and to one that runs: received, so not a warning", () => {
  const failed = new Error("T failed");
  const r = run(
    program(function* main() {
      const t = yield* spawn(failsAt1(failed));
      const w = yield* spawn(waitsFor(t));
      const w2 = yield* spawn(
        program(function* W2() {
          const x = yield* safe(wait(t));
          return x.ok ? "W2 went on" : x.error;
        }),
      );
      yield* spawn(
        program(function* C() {
          yield* delay(1);
          yield* cancel(w);
        }),
      );
      yield* delay(5);
      return yield* wait(w2);
    }),
    withSCH(),
  );
  assert.equal(r.value, failed);
  assert.deepEqual(r.warnings, []);
});

test("§9.4 main woken with a failed task's error, then the run aborted before main ran: the error is kept on the warnings", () => {
  const ac = new AbortController();
  const failed = new Error("T failed");
  const stop = new Error("stop");
  const r = run(
    program(function* main() {
      const t = yield* spawn(failsAt1(failed));
      // X's timer is due with T's and fires after it: X runs once main is woken, before main runs
      yield* spawn(
        program(function* X() {
          yield* delay(1);
          ac.abort(stop);
          yield* delay(0);
        }),
      );
      yield* wait(t);
      return "main went on";
    }),
    { ...withSCH(), signal: ac.signal },
  );
  assert.equal(r.error, stop);
  assert.deepEqual(r.warnings, [failed]);
});

test("§9.4 the same failure received by main before a second waiter is cancelled: not a warning (either order)", () => {
  const failed = new Error("T failed");
  for (const how of ["R9", "cancel", "cancelled first"] as const) {
    const r = run(
      program(function* main() {
        const t = yield* spawn(failsAt1(failed));
        const w = yield* spawn(waitsFor(t));
        if (how === "cancelled first")
          yield* spawn(
            program(function* C() {
              yield* delay(1);
              yield* cancel(w);
            }),
          );
        const x = yield* safe(wait(t)); // main blocks before W: it is woken first
        if (how === "cancel") yield* cancel(w); // W is ready with the error and has not run
        return x.ok ? "no error" : x.error;
      }),
      withSCH(),
    );
    assert.equal(r.value, failed, how);
    assert.deepEqual(r.warnings, [], how);
  }
});

test("§9.4 an unrelated failure with the same value, received later, does not take back the warning of the first", () => {
  for (const NOT_FOUND of [new Error("not found"), "not found"] as unknown[]) {
    const r = run(
      program(function* main() {
        const t1 = yield* spawn(
          program(function* T1() {
            yield* delay(1);
            throw NOT_FOUND;
          }),
        );
        const w1 = yield* spawn(waitsFor(t1));
        yield* spawn(
          program(function* C() {
            yield* delay(1);
            yield* cancel(w1); // W1 woken with T1's failure, not yet run
          }),
        );
        yield* delay(5);
        const t2 = yield* spawn(
          program(function* T2() {
            throw NOT_FOUND;
          }),
        );
        const x = yield* safe(wait(t2));
        return x.ok ? "?" : "received T2's";
      }),
      withSCH(),
    );
    assert.equal(r.value, "received T2's");
    assert.deepEqual(r.warnings, [NOT_FOUND]); // T1's, which nothing received
  }
});

test("§9.4 a task woken with a cancelled task's TaskCancelledError (its finally threw) and cancelled before it ran: the warning is the original error", () => {
  const boom = new Error("boom");
  const r = run(
    program(function* main() {
      const t = yield* spawn(leaky(100, boom));
      const w = yield* spawn(waitsFor(t));
      yield* spawn(
        program(function* C() {
          yield* delay(1);
          yield* cancel(t);
          yield* cancel(w);
        }),
      );
      yield* delay(5);
      return "main done";
    }),
    withSCH(),
  );
  assert.equal(r.value, "main done");
  assert.deepEqual(r.warnings, [boom]);
  assert.equal(r.warnings[0], boom);
});

test("format() of a run with 10,000 warnings lists the first 20 and the last 5, the rest counted: kilobytes, not megabytes", () => {
  // a batch job whose 10,000 fire-and-forget writes all failed: the report listed every one, with
  // its traceback (1.3 MB here; 3.6 MB for 10,000 failures of all()'s programs with longer messages)
  const write = fn(function* write(row: number) {
    yield* delay(1);
    throw new Error(`row ${row} was refused`);
  });
  const r = run(
    program(function* () {
      for (let i = 0; i < 10_000; i++) yield* spawn(write(i));
      yield* delay(10);
      return "done";
    }),
    withSCH(),
  );
  assertOk(r, "done");
  assert.equal(r.warnings.length, 10_000); // all of them kept
  const lines = r.format().split("\n");
  const heading = lines.indexOf("── 10000 errors beside the outcome (RunResult.warnings) ──");
  assert.equal(heading, 1);
  const listed = lines.filter((l) => / failed and nothing waited for it: /.test(l));
  assert.deepEqual(
    listed.map((l) => l.replace(" failed and nothing waited for it: ", ": ")),
    [
      ...Array.from({ length: 20 }, (_, i) => `task ${i + 1}: Error: row ${i} was refused`),
      ...Array.from({ length: 5 }, (_, i) => `task ${9996 + i}: Error: row ${9995 + i} was refused`),
    ],
  );
  const gap = lines.indexOf("… 9975 more …");
  assert.ok(gap > heading, "the count of the warnings left out");
  assert.match(lines[gap + 1]!, /^task 9996 failed and nothing waited for it: /);
  assert.ok(r.format().length < 5_000, `format() is ${r.format().length} characters`);
});
