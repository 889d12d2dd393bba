/**
 * R9 cancels every task left when main ends, and a task that had not started yet runs no code
 * (§9.4): an audit write spawned just before main returned was dropped with no effect, no failure
 * and no warning. When main *returns a value*, those tasks are now one warning on
 * RunResult.warnings (and `onWarning`, "final"), naming them and the fix. Not warned: a task that
 * started (a loop blocked on a timer: the normal structured shutdown), a task a program or a
 * combinator cancelled, a combinator's own child, and a run whose main threw or whose signal
 * aborted it (its Err says why it stopped).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  cancel,
  cede,
  DoeffError,
  delay,
  Effect,
  fn,
  program,
  run,
  runAsync,
  scoped,
  simulatedTime,
  spawn,
  wait,
  type WarningInfo,
} from "../src/index.js";
import { ownedSpawn } from "../src/effects/scheduler.js";
import { mock, quiescent, virtualClock } from "../src/testing/index.js";
import { assertOk, withSCH } from "./sched-helpers.js";

class AuditWrite extends Effect<undefined> {
  declare readonly _tag: "AuditWrite";
  readonly orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}
const audit = fn(function* audit(orderId: string) {
  yield* new AuditWrite(orderId);
});

/** The message for `who` (one task, or several: `they`). */
const message = (who: string, one = true) => {
  const it = one ? "it" : "them";
  return `main returned before ${who} started, so ending the run cancelled ${it} before ${one ? "it" : "they"} ran any code: wait for ${it} before main returns (\`yield* wait(task)\`, or gather ${it}), in a test end main with \`yield* quiescent()\`, or spawn a task that should not outlive its block in \`scoped(…)\``;
};

test("main returns before the task it spawned started: one warning naming the task, told to onWarning as final", () => {
  const placeOrder = fn(function* placeOrder(orderId: string) {
    yield* spawn(audit(orderId)); // not waited for
    return orderId;
  });
  const auditDown = mock(AuditWrite, () => {
    throw new Error("audit service down");
  });
  const told: [unknown, WarningInfo][] = [];
  const r = virtualClock().run(placeOrder("o1"), {
    handlers: [auditDown],
    onWarning: (e, info) => {
      told.push([e, info]);
    },
  });
  assertOk(r, "o1");
  assert.equal(auditDown.calls.length, 0); // it never ran
  assert.equal(r.warnings.length, 1);
  const w = r.warnings[0] as DoeffError;
  assert.equal(w.constructor, DoeffError);
  assert.equal(w.message, message("task 1 (audit)"));
  const where = "task 1 (audit) never ran: main returned before it started";
  assert.deepEqual(told, [[w, { where, status: "final" }]]);
  assert.ok(r.format().endsWith(`\n${where}: DoeffError: ${w.message}`));

  // the fix the message gives, in a test: quiescent lets it run (and its failure is the warning)
  const settled = virtualClock().run(
    program(function* () {
      const id = yield* placeOrder("o2");
      yield* quiescent();
      return id;
    }),
    { handlers: [auditDown] },
  );
  assertOk(settled, "o2");
  assert.deepEqual(
    settled.warnings.map((e) => (e as Error).message),
    ["audit service down"],
  );
});

test("many tasks that never ran: one warning, the first 8 named, the rest counted", () => {
  const child = fn(function* child() {});
  const r = run(
    program(function* () {
      for (let i = 0; i < 9; i++) yield* spawn(child());
      yield* spawn(
        program(function* () {}),
        { store: "isolated" },
      ); // anonymous, and not counted as owned
      return "done";
    }),
    withSCH(),
  );
  assertOk(r, "done");
  assert.equal(r.warnings.length, 1);
  const names = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `task ${i} (child)`).join(", ");
  assert.equal((r.warnings[0] as Error).message, message(`${names} and 2 more`, false));
  assert.equal(
    r.format().split("\n").at(-1)!.split(": DoeffError")[0],
    "10 tasks never ran: main returned before they started",
  );
});

test("an anonymous program: the task's id alone", () => {
  const r = run(
    program(function* () {
      yield* spawn(program(function* () {}));
      return 0;
    }),
    withSCH(),
  );
  assert.deepEqual(
    r.warnings.map((e) => (e as Error).message),
    [message("task 1")],
  );
});

test("the task a started task spawned is named with its spawner; the started one is not warned", () => {
  const r = run(
    program(function* () {
      yield* spawn(
        fn(function* poller() {
          yield* spawn(audit("p")); // task 2, spawned by task 1
          for (;;) yield* delay(1000); // started: cancelled at the end, as structured shutdown does
        })(),
      );
      yield* cede(); // task 1 runs until it blocks; task 2 is queued behind main
      return "done";
    }),
    { handlers: [...withSCH().handlers, simulatedTime()] },
  );
  assertOk(r, "done");
  assert.deepEqual(
    r.warnings.map((e) => (e as Error).message),
    [message("task 2 (audit, spawned by task 1)")],
  );
});

test("not warned: a task that started (blocked on a timer) and is cancelled as main returns", () => {
  const r = run(
    program(function* () {
      yield* spawn(
        fn(function* heartbeat() {
          for (;;) yield* delay(1000);
        })(),
      );
      yield* cede();
      return 1;
    }),
    { handlers: [...withSCH().handlers, simulatedTime()] },
  );
  assertOk(r, 1);
  assert.deepEqual(r.warnings, []);
});

test("not warned: tasks the program or a combinator cancelled, a combinator's own child, a task waited for", () => {
  const child = fn(function* child() {});
  const r = run(
    program(function* () {
      const t = yield* spawn(child());
      yield* cancel(t); // the program's decision
      yield* scoped(
        program(function* () {
          yield* spawn(child()); // cancelled by scoped as the block ends
          return 0;
        }),
      );
      try {
        yield* all([
          program(function* () {
            throw new RangeError("first fails");
          }),
          child(), // cancelled by all, unstarted
        ]);
      } catch (e) {
        assert.ok(e instanceof RangeError);
      }
      yield* wait(yield* spawn(child()));
      // a toolkit combinator's child left to the run's end is the combinator's decision (ownedSpawn)
      yield ownedSpawn(child(), null);
      return 2;
    }),
    withSCH(),
  );
  assertOk(r, 2);
  assert.deepEqual(r.warnings, []);
});

test("not warned: main threw, or the run's signal aborted it (the Err says why the run stopped)", () => {
  const threw = run(
    program(function* () {
      yield* spawn(audit("t"));
      throw new RangeError("main failed");
    }),
    withSCH(),
  );
  assert.ok(threw.error instanceof RangeError);
  assert.deepEqual(threw.warnings, []);

  const c = new AbortController();
  const aborted = run(
    program(function* () {
      yield* spawn(audit("a"));
      c.abort(new Error("stop"));
      yield* cede(); // the next step boundary: the run stops here
      return 1;
    }),
    { ...withSCH(), signal: c.signal },
  );
  assert.equal((aborted.error as Error).message, "stop");
  assert.deepEqual(aborted.warnings, []);

  // main returned, and the run's signal aborted while R9 cancelled the tasks (a finally block of a
  // started task aborted it): the run is an Err, and the unstarted task is not warned of
  const c2 = new AbortController();
  const abortedInR9 = run(
    program(function* () {
      yield* spawn(
        fn(function* stopper() {
          try {
            yield* delay(1000);
          } finally {
            c2.abort(new Error("stop in R9"));
          }
        })(),
      );
      yield* cede(); // task 1 starts and blocks
      yield* spawn(audit("late")); // task 2: never runs
      return 1;
    }),
    { handlers: [...withSCH().handlers, simulatedTime()], signal: c2.signal },
  );
  assert.equal((abortedInR9.error as Error).message, "stop in R9");
  assert.deepEqual(abortedInR9.warnings, []);
});

test("runAsync says the same as run", async () => {
  const r = await runAsync(
    program(function* () {
      yield* spawn(audit("r"));
      return "ok";
    }),
    withSCH(),
  );
  assertOk(r, "ok");
  assert.deepEqual(
    r.warnings.map((e) => (e as Error).message),
    [message("task 1 (audit)")],
  );
});
