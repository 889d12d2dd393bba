/**
 * §9.8 + §9.4: an error thrown by a finally block of a task the toolkit cancels (all / forEach,
 * raceAll, timeout) reaches no program — nothing waits for the toolkit's tasks — so it is kept on
 * `RunResult.warnings` (in the order the cancellations happen), never dropped; the outcome, the
 * primary error and the log stay what they were (a cancelled task's log is not delivered).
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  abortable,
  all,
  cancel,
  close,
  createChannel,
  createPromise,
  delay,
  failPromise,
  fn,
  forEach,
  program,
  raceAll,
  raceFirst,
  run,
  safe,
  send,
  spawn,
  TaskCancelledError,
  TimeoutError,
  tell,
  timeout,
  wait,
} from "../src/index.js";
import { assertOk } from "./sched-helpers.js";
import { events, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

/** Waits `ms`, then returns `name`; its finally block tells, records, and throws `cleanup of <name>`. */
const leaky = fn(function* leaky(name: string, ms: number) {
  try {
    yield* tell(`${name} told`);
    yield* delay(ms);
    return name;
  } finally {
    yield* tell(`${name} finally told`);
    yield* mark(`${name} finally`);
    // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
    throw new Error(`cleanup of ${name}`);
  }
});

/** Waits `ms`, then throws `error`. */
const failAfter = fn(function* failAfter(ms: number, error: Error) {
  yield* tell("failing told");
  yield* delay(ms);
  throw error;
});

const messages = (ws: readonly unknown[]) => ws.map((e) => (e as Error).message);
/** The lines format() lists under "errors beside the outcome". */
const warningLines = (report: string) =>
  report.split("\n").slice(report.split("\n").findIndex((l) => l.startsWith("──")) + 1);

test("all fail-fast: the cancelled tasks' finally errors go to warnings in ascending id order; the primary error and the log unchanged", () => {
  const primary = new Error("primary");
  const main = program(function* () {
    yield* tell("before");
    const r = yield* safe(all([leaky("a", 10), failAfter(1, primary), leaky("c", 10)]));
    yield* tell("after");
    return r.ok ? "ok" : r.error;
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, primary); // the very error, unchanged
  assert.deepEqual(messages(r.warnings), ["cleanup of a", "cleanup of c"]);
  assert.ok(r.warnings.every((e) => !(e instanceof TaskCancelledError))); // the original error objects
  assert.deepEqual(events, ["1: a finally", "1: c finally"]);
  // the failed task's log is delivered, the cancelled ones' are not (their finally tells included)
  assert.deepEqual(r.log, ["before", "failing told", "after"]);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 1 threw while all cancelled it: Error: cleanup of a",
    "a finally block of task 3 threw while all cancelled it: Error: cleanup of c",
  ]);
});

test('all: a second task failing before all could cancel it is a warning that says so (it read "nothing waited for it"); its log is not delivered', () => {
  const first = new Error("first");
  const second = new Error("second");
  const main = program(function* () {
    // tasks 1 and 2 fail at the same instant: all throws task 1's error; task 3 is cancelled
    const r = yield* safe(all([failAfter(1, first), failAfter(1, second), leaky("c", 10)]));
    return r.ok ? "ok" : r.error;
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, first);
  assert.equal(r.warnings[0], second); // the very error
  assert.deepEqual(messages(r.warnings), ["second", "cleanup of c"]);
  assert.deepEqual(r.log, ["failing told"]); // task 1's only
  assert.deepEqual(warningLines(r.format()), [
    "task 2 (programs[1] of all) failed too, after all had thrown the first failure (task 1's); to receive every failure, wrap each program in safe(): Error: second",
    "a finally block of task 3 threw while all cancelled it: Error: cleanup of c",
  ]);
  // forEach names its items
  const each = run(
    program(function* () {
      return yield* forEach([first, second], (e) => failAfter(1, e));
    }),
    { handlers: TK() },
  );
  assert.equal(each.error, first);
  assert.deepEqual(each.warnings, [second]);
  assert.deepEqual(warningLines(each.format()), [
    "task 2 (f(items[1]) of forEach) failed too, after forEach had thrown the first failure (task 1's); to receive every failure, wrap each program in safe(): Error: second",
  ]);
});

test("forEach: the warning names forEach; a cancelled task whose finally did not throw adds none", () => {
  const quiet = fn(function* quiet(ms: number) {
    try {
      yield* delay(ms);
    } finally {
      yield* mark("quiet finally");
    }
  });
  const primary = new Error("primary");
  const main = program(function* () {
    return yield* forEach([0, 1, 2], (i) =>
      i === 0 ? quiet(10) : i === 1 ? failAfter(1, primary) : leaky("x", 10),
    );
  });
  const r = run(main, { handlers: TK() });
  assert.equal(r.error, primary);
  assert.deepEqual(events, ["1: quiet finally", "1: x finally"]);
  assert.deepEqual(messages(r.warnings), ["cleanup of x"]);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 3 threw while forEach cancelled it: Error: cleanup of x",
  ]);
});

test("raceAll: the losers' finally errors go to warnings in ascending id order; the winner's value and log only", () => {
  const win = fn(function* win() {
    yield* tell("winner told");
    yield* delay(1);
    return "win";
  });
  const main = program(function* () {
    return yield* raceAll([leaky("slow", 20), win(), leaky("slower", 30)]);
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, "win");
  assert.deepEqual(events, ["1: slow finally", "1: slower finally"]);
  assert.deepEqual(messages(r.warnings), ["cleanup of slow", "cleanup of slower"]);
  assert.deepEqual(r.log, ["winner told"]);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 1 threw while raceAll cancelled it: Error: cleanup of slow",
    "a finally block of task 3 threw while raceAll cancelled it: Error: cleanup of slower",
  ]);
});

test("timeout: the timed-out program's finally error goes to warnings; TimeoutError and the log unchanged", () => {
  const main = program(function* () {
    const r = yield* safe(timeout(leaky("slow", 100), 5));
    return r.ok ? "in time" : r.error;
  });
  const r = run(main, { handlers: TK() });
  assert.ok(r.ok);
  assert.ok(r.value instanceof TimeoutError);
  assert.equal((r.value as TimeoutError).ms, 5);
  assert.deepEqual(events, ["5: slow finally"]);
  assert.deepEqual(messages(r.warnings), ["cleanup of slow"]);
  assert.deepEqual(r.log, []);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 2 threw while timeout cancelled it: Error: cleanup of slow", // task 1: the timer
  ]);
});

test("nested: all cancels a running timeout, whose finally cancels its program — one warning, from timeout", () => {
  const primary = new Error("primary");
  const main = program(function* () {
    return yield* all([failAfter(1, primary), timeout(leaky("inner", 50), 100)]);
  });
  const r = run(main, { handlers: TK() });
  assert.equal(r.error, primary);
  assert.deepEqual(events, ["1: inner finally"]);
  // task 2 runs timeout: its timer is task 3, its program task 4; timeout's own task ended cleanly
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 4 threw while timeout cancelled it: Error: cleanup of inner",
  ]);
});

test("all's calling task cancelled: its tasks' finally errors go to warnings; the cancelled caller's waiter sees no cause", () => {
  const main = program(function* () {
    const t = yield* spawn(all([leaky("a", 10), leaky("b", 20)]));
    yield* delay(1);
    yield* cancel(t);
    const w = yield* safe(wait(t));
    return w.ok ? "ok" : [(w.error as Error).constructor.name, "cause" in (w.error as Error)];
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, ["TaskCancelledError", false]);
  assert.deepEqual(events, ["1: a finally", "1: b finally"]);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 2 threw while all cancelled it: Error: cleanup of a",
    "a finally block of task 3 threw while all cancelled it: Error: cleanup of b",
  ]);
});

test("order across the run: the toolkit's warnings as they happen, then those of the tasks cancelled when main ends", () => {
  const primary = new Error("primary");
  const main = program(function* () {
    yield* spawn(leaky("background", 100)); // task 1, still running when main ends
    yield* safe(all([failAfter(1, primary), leaky("sibling", 10)])); // tasks 2 and 3
    return "main done";
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, "main done");
  assert.deepEqual(events, ["1: sibling finally", "1: background finally"]);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 3 threw while all cancelled it: Error: cleanup of sibling",
    "a finally block of task 1 threw while it was cancelled: Error: cleanup of background",
    // last, as the scheduler's world closes: task 1's log, which nothing collected (all's tasks'
    // logs are all's to deliver, §9.8: not reported)
    "the log of task 1 was never collected: DoeffError: 2 log entries that task 1 wrote with tell are not in RunResult.log: a task's log joins the log of the task that collects its outcome (wait, gather, race), and nothing collected it; to keep the entries, wait for the task (`yield* wait(task)` before main returns)",
  ]);
});

test("a run aborted by its signal while all waits: all's finally cancels its tasks and their finally errors are kept", () => {
  const controller = new AbortController();
  const stop = new Error("stop");
  const main = program(function* () {
    yield* spawn(
      program(function* () {
        yield* delay(2);
        controller.abort(stop);
        yield* delay(1);
      }),
    );
    return yield* all([leaky("a", 10), leaky("b", 20)]);
  });
  const r = run(main, { handlers: TK(), signal: controller.signal });
  assert.equal(r.error, stop);
  assert.deepEqual(events, ["2: a finally", "2: b finally"]);
  assert.deepEqual(messages(r.warnings), ["cleanup of a", "cleanup of b"]);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 2 threw while all cancelled it: Error: cleanup of a",
    "a finally block of task 3 threw while all cancelled it: Error: cleanup of b",
  ]);
});

test("raceAll cancelled before it decided: the failures it had collected are kept on the warnings; decided, they are not", () => {
  const down = new Error("contender failed: DB down");
  const failing = program(function* failing() {
    yield* delay(1);
    throw down;
  });
  const slow = program(function* slow() {
    yield* delay(100);
    return "slow";
  });
  const cancelled = run(safe(timeout(raceAll([failing, slow]), 50)), { handlers: TK() });
  assert.ok(cancelled.ok && !cancelled.value.ok && cancelled.value.error instanceof TimeoutError);
  assert.deepEqual(cancelled.warnings, [down]);
  // a winner makes the other failures moot (first to succeed), as an AggregateError reports them all
  const won = run(raceAll([failing, slow]), { handlers: TK() });
  assert.equal(won.value, "slow");
  assert.deepEqual(won.warnings, []);
});

test("no warning for a promise the program failed itself whose only waiter was cancelled (as with no waiter at all); a channel closed on a blocked sender, then cancelled", () => {
  const r = run(
    program(function* () {
      const p = yield* createPromise<number>();
      const waiter = yield* spawn(wait(p.future));
      yield* delay(1); // the waiter blocks
      yield* failPromise(p, new Error("refused"));
      yield* cancel(waiter); // before it ran to receive the error
      const ch = yield* createChannel<number>();
      const sender = yield* spawn(send(ch, 1));
      yield* delay(1);
      yield* close(ch); // fails the blocked send with ChannelClosedError
      yield* cancel(sender);
      return [(yield* safe(wait(waiter))).ok, (yield* safe(wait(sender))).ok];
    }),
    { handlers: TK() },
  );
  // it kept both errors as warnings, though failing a promise nobody waits for warns of nothing
  assertOk(r, [false, false]);
  assert.deepEqual(r.warnings, []);
});

test("all, forEach, raceFirst: tasks that fail with the very error the combinator throws (one signal's abort reason) add no warning; another error still does", () => {
  const shutdown = new AbortController();
  const reason = new Error("shutting down");
  const other = new Error("other");
  const main = program(function* () {
    yield* spawn(
      fn(function* stop() {
        yield* delay(10);
        shutdown.abort(reason);
      })(),
    );
    // three calls on one shutdown signal: each throws its reason at 10 ms, in one step
    const a = yield* safe(all([1, 2, 3].map(() => abortable(delay(100), shutdown.signal))));
    const b = yield* safe(forEach([reason, reason, other], (e) => failAfter(1, e)));
    const c = yield* safe(raceFirst([failAfter(1, reason), failAfter(1, reason)]));
    return [a, b, c].map((x) => (x.ok ? "ok" : x.error));
  });
  const r = run(main, { handlers: TK() });
  assert.deepEqual(assertOk(r), [reason, reason, reason]);
  // (each was warned of: `task 3 (programs[1] of all) failed too, …: Error: shutting down`, twice
  // for all; once for raceFirst)
  assert.deepEqual(r.warnings, [other]);
  assert.deepEqual(warningLines(r.format()), [
    "task 10 (f(items[2]) of forEach) failed too, after forEach had thrown the first failure (task 8's); to receive every failure, wrap each program in safe(): Error: other",
  ]);
});
