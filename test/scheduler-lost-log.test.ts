/**
 * §9.3: a task's log joins RunResult.log only through a wait / gather / race that collects the
 * task. One nothing collected used to be dropped without a word; now the run says so on its
 * warnings, once, naming the tasks and how many entries were lost — and the merge rules are
 * unchanged (the entries still do not reach RunResult.log). Not reported: a log a waiter merged
 * (however late), a task a program cancelled (it decided the task's fate), and the children of the
 * toolkit's combinators, whose logs §9.8 says they deliver or not.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  cancel,
  createPromise,
  DoeffError,
  delay,
  Effect,
  fn,
  gather,
  handle,
  raceAll,
  realTime,
  run,
  runAsync,
  scheduler,
  spawn,
  tell,
  wait,
  writer,
} from "../src/index.js";
import { assertOk, withSCH } from "./sched-helpers.js";

const logs = fn(function* logs(name: string, n: number) {
  for (let i = 0; i < n; i++) yield* tell(`${name}${i}`);
  return name;
});

const lostMessage = (entries: string, named: string, them = false) =>
  `${entries} that ${named} wrote with tell ${entries.startsWith("1 ") ? "is" : "are"} not in RunResult.log: a task's log joins the log of the task that collects its outcome (wait, gather, race), and nothing collected ${them ? "them" : "it"}; to keep the entries, wait for the task (\`yield* wait(task)\` before main returns)`;

test("a finished task nothing waited for: its lost log is one warning naming it", () => {
  const r = run(
    fn(function* () {
      yield* spawn(logs("a", 2)); // task 1: forgotten
      const b = yield* spawn(logs("b", 1));
      yield* wait(b);
      yield* tell("main");
      return 0;
    })(),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(r.log, ["b0", "main"]); // §9.3 unchanged: task 1's entries are not merged
  assert.equal(r.warnings.length, 1);
  const w = r.warnings[0] as DoeffError;
  assert.equal(w.constructor, DoeffError);
  assert.equal(w.message, lostMessage("2 log entries", "task 1"));
  assert.ok(r.format().endsWith(`the log of task 1 was never collected: DoeffError: ${w.message}`));
});

test("collected logs are not reported: wait, gather, a wait long after the task ended", () => {
  const r = run(
    fn(function* () {
      const a = yield* spawn(logs("a", 1));
      const b = yield* spawn(logs("b", 1));
      const c = yield* spawn(logs("c", 1));
      yield* delay(10); // every task has ended, its log still held
      yield* gather(a, b);
      yield* wait(c);
      return 0;
    })(),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(r.log, ["a0", "b0", "c0"]);
  assert.deepEqual(r.warnings, []);
});

test("one entry: said in the singular", () => {
  const r = run(
    fn(function* () {
      yield* spawn(logs("a", 1));
      yield* delay(1);
      return 0;
    })(),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(
    r.warnings.map((w) => (w as Error).message),
    [lostMessage("1 log entry", "task 1")],
  );
  assert.match(lostMessage("1 log entry", "task 1"), /^1 log entry that task 1 wrote with tell is not in/);
});

test("a task that logged nothing, or was cancelled by a program, is not reported", () => {
  const r = run(
    fn(function* () {
      yield* spawn(logs("a", 0));
      const p = yield* createPromise<number>();
      const b = yield* spawn(
        fn(function* () {
          yield* tell("b0");
          return yield* wait(p.future);
        })(),
      );
      yield* delay(1);
      yield* cancel(b);
      return 0;
    })(),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(r.log, []);
  assert.deepEqual(r.warnings, []);
});

test("a failed task and a task cancelled as main ended (R9) are reported, after the failure", () => {
  const boom = new Error("boom");
  const r = run(
    fn(function* () {
      const p = yield* createPromise<number>();
      yield* spawn(
        fn(function* () {
          yield* tell("f0");
          throw boom;
        })(),
      );
      yield* spawn(
        fn(function* () {
          yield* tell("r0");
          yield* tell("r1");
          return yield* wait(p.future); // never completed: cancelled as main ends
        })(),
      );
      yield* delay(1);
      return 0;
    })(),
    withSCH(),
  );
  assertOk(r, 0);
  assert.equal(r.warnings.length, 2);
  assert.equal(r.warnings[0], boom); // "task 1 failed and nothing waited for it"
  assert.equal((r.warnings[1] as Error).message, lostMessage("3 log entries", "tasks 1, 2", true));
  assert.match(r.format(), /\nthe log of tasks 1, 2 was never collected: DoeffError: 3 log entries/);
});

test("many forgotten tasks: the first eight are named, the rest counted; one collected is not", () => {
  const r = run(
    fn(function* () {
      const ts = [];
      for (let i = 0; i < 12; i++) ts.push(yield* spawn(logs(`t${i}`, 1)));
      yield* delay(1);
      yield* wait(ts[2]!); // task 3: collected after it ended
      return 0;
    })(),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(r.log, ["t20"]);
  assert.equal(r.warnings.length, 1);
  assert.equal(
    (r.warnings[0] as Error).message,
    lostMessage("11 log entries", "tasks 1, 2, 4, 5, 6, 7, 8 and 4 more", true),
  );
});

test("a combinator's children: §9.8 decides their logs, nothing is reported as lost", () => {
  const boom = new Error("boom");
  const failsLater = fn(function* failsLater() {
    yield* tell("x0");
    yield* delay(5);
    throw boom;
  });
  const r = run(
    fn(function* () {
      // all: the first child succeeded (and logged) before the second failed; only the failed
      // task's log is delivered (§9.8)
      const a = yield* spawn(all([logs("a", 2), failsLater()]));
      try {
        yield* wait(a);
      } catch (e) {
        assert.equal(e, boom);
      }
      // raceAll: the loser ran to its end (it logged) in the same instant as the winner
      const w = yield* raceAll([logs("w", 1), logs("l", 1)]);
      return w;
    })(),
    withSCH(),
  );
  assertOk(r, "w");
  assert.deepEqual(r.log, ["x0", "w0"]);
  assert.deepEqual(r.warnings, []);
});

test("a run its signal aborted reports no lost log: the abort ended main before it could collect, as it waited", async () => {
  // main waits for a task that logged; the signal aborts the run meanwhile. The warning said
  // "nothing collected it; wait for the task" of the task main was waiting for
  const ac = new AbortController();
  const stop = new Error("shutdown");
  const pending = runAsync(
    fn(function* () {
      const t = yield* spawn(
        fn(function* () {
          yield* tell("t0");
          yield* delay(10_000);
        })(),
      );
      yield* tell("m0");
      return yield* wait(t);
    })(),
    { handlers: [scheduler, realTime, writer], signal: ac.signal },
  );
  setTimeout(() => ac.abort(stop), 5);
  const r = await pending;
  assert.equal(r.ok, false);
  assert.equal(r.error, stop);
  assert.deepEqual(r.log, ["m0"]);
  assert.deepEqual(r.warnings, []);
  // aborted from inside the run (synchronously) after a task ended, before main's wait for it
  const ac2 = new AbortController();
  const r2 = run(
    fn(function* () {
      const t = yield* spawn(logs("a", 2));
      yield* delay(1);
      ac2.abort(stop);
      yield* delay(1);
      return yield* wait(t);
    })(),
    { ...withSCH(), signal: ac2.signal },
  );
  assert.equal(r2.ok, false);
  assert.equal(r2.error, stop);
  assert.deepEqual(r2.log, []);
  assert.deepEqual(r2.warnings, []);
});

test("a scheduler's scope abandoned (a handler outside it threw) reports no lost log: main was waiting", () => {
  class Query extends Effect<string> {
    declare readonly _tag: "Query";
  }
  const boom = new Error("db failed");
  // outside the scheduler: its throw ends the scheduler's withHandler, main and every task with it
  const db = handle(Query, function* db() {
    throw boom;
  });
  const r = run(
    fn(function* () {
      const t = yield* spawn(
        fn(function* () {
          yield* tell("t0");
          yield* delay(10);
          return 1;
        })(),
      );
      yield* spawn(
        fn(function* () {
          yield* delay(1);
          return yield* new Query();
        })(),
      );
      yield* tell("m0");
      return yield* wait(t);
    })(),
    { handlers: [db, ...withSCH().handlers] },
  );
  assert.equal(r.ok, false);
  assert.equal(r.error, boom);
  assert.deepEqual(r.log, ["m0"]);
  assert.deepEqual(r.warnings, []);
});
