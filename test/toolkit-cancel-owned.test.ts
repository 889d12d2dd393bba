/**
 * §9.8: a task the toolkit cancels (raceAll's losers, all's fail-fast, timeout's program) has no
 * waiter. When its finally blocks threw nothing there is nothing to collect, so the combinator does
 * not `wait` for its TaskCancelledError: no Error is made, thrown into the combinator and caught for
 * every lost race (it was most of a race's cost). When a finally block threw, the combinator still
 * collects that error and keeps it on the warnings (test/toolkit-warnings.test.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareEffects, record } from "../src/testing/index.js";
import {
  all,
  Cancel,
  cancel,
  delay,
  type EffectOutcome,
  fn,
  handle,
  type Handler,
  observe,
  program,
  raceAll,
  run,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  timeout,
  transfer,
  Wait,
} from "../src/index.js";

const trivial = fn(function* trivial(i: number) {
  return i;
});
const slow = fn(function* slow() {
  yield* delay(1000);
  return -1;
});
const leaky = fn(function* leaky() {
  try {
    yield* delay(1000);
    return -1;
  } finally {
    // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
    throw new Error("cleanup failed");
  }
});

/** `Wait` / `Cancel` outcomes, in order, as `Class:status=value-or-error-class`. */
function waitsAndCancels(lines: string[]): Handler {
  return observe([Wait, Cancel], (e) => {
    const name = e.constructor.name;
    return (o: EffectOutcome) =>
      lines.push(
        `${name}:${o.status}${o.status === "answered" ? `=${String(o.value)}` : o.status === "threw" ? `=${(o.error as Error).constructor.name}` : ""}`,
      );
  });
}

function observed(p: Parameters<typeof safe>[0], inner: Handler[] = []) {
  const lines: string[] = [];
  const r = run(safe(p), { handlers: [scheduler, simulatedTime(), waitsAndCancels(lines), ...inner] });
  assert.equal(r.ok, true);
  return { lines, warnings: r.warnings.map((w) => (w as Error).message) };
}

test("raceAll: a loser cancelled cleanly is not waited for (no TaskCancelledError thrown into raceAll)", () => {
  assert.deepEqual(observed(raceAll([trivial(1), slow()])), {
    lines: ["Wait:answered=undefined", "Wait:answered=1", "Wait:cancelled", "Cancel:answered=true"],
    warnings: [],
  });
});

test("all: fail-fast cancels the others without waiting for their TaskCancelledError", () => {
  const boom = program(function* boom(): Generator<never, never> {
    throw new Error("boom");
  });
  assert.deepEqual(observed(all([trivial(1), boom, slow()])), {
    lines: ["Wait:answered=undefined", "Wait:cancelled", "Cancel:answered=true", "Wait:threw=Error"],
    warnings: [],
  });
});

test("timeout: the timed-out program, cancelled cleanly, is not waited for", () => {
  assert.deepEqual(observed(timeout(slow(), 10)).lines, [
    "Wait:answered=undefined",
    "Wait:cancelled",
    "Cancel:answered=true",
    "Wait:answered=undefined",
    "Cancel:answered=false",
    "Cancel:answered=false",
  ]);
});

test("raceAll: a loser whose finally block throws is still collected, its error kept on the warnings", () => {
  assert.deepEqual(observed(raceAll([trivial(1), leaky()])), {
    lines: [
      "Wait:answered=undefined",
      "Wait:answered=1",
      "Wait:cancelled",
      "Cancel:answered=true",
      "Wait:threw=TaskCancelledError",
    ],
    warnings: ["cleanup failed"],
  });
});

test("raceAll: a handler that answers the Cancel itself leaves raceAll waiting for the task as before", () => {
  // A test double for cancel: the scheduler never sees the Cancel, so nothing says it was clean and
  // raceAll waits for the task as before — which, not really cancelled, runs on to its end (-1)
  const fakeCancel = handle(Cancel, (_e, k) => transfer(k, true));
  const { lines } = observed(raceAll([trivial(1), slow()]), [fakeCancel]);
  assert.deepEqual(lines, [
    "Wait:answered=undefined",
    "Wait:answered=1",
    "Wait:answered=undefined",
    "Wait:answered=-1",
  ]);
});

test("Cancel effects are not changed by being performed: the toolkit's (owned, clean or not) and a program's own show the fields they were made with in record, expectEffects and JSON; one performed twice answers false the second time", () => {
  const rec = record([Cancel]);
  const shownWhenPerformed: string[] = [];
  const snapshot = observe([Cancel], (e) => {
    shownWhenPerformed.push(JSON.stringify(Object.entries(e)));
  });
  let own: Cancel | undefined;
  const r = run(
    program(function* main() {
      const t = yield* spawn(slow());
      own = cancel(t);
      const first = yield* own;
      const again = yield* own; // the same object: its task is done now
      const raced = yield* raceAll([trivial(1), slow()]); // a loser cancelled clean
      const collected = yield* safe(raceAll([trivial(2), leaky()])); // one whose finally throws
      const timedOut = yield* safe(timeout(slow(), 10));
      return [first, again, raced, collected.ok, timedOut.ok];
    }),
    { handlers: [scheduler, simulatedTime(), snapshot, rec] },
  );
  assert.deepEqual(r.value, [true, false, 1, true, false]);
  assert.deepEqual(
    r.warnings.map((w) => (w as Error).message),
    ["cleanup failed"],
  );
  // every Cancel, at the end of the run, shows what it showed when it was performed
  assert.deepEqual(
    rec.effects.map((e) => JSON.stringify(Object.entries(e as object))),
    shownWhenPerformed,
  );
  assert.deepEqual(
    rec.effects.map((e) => Object.keys(e as object)),
    rec.effects.map(() => ["task", "owned"]),
  );
  assert.deepEqual(
    rec.effects.map((e) => (e as Cancel).owned),
    [false, false, true, true, true, false, true], // (timeout cancels its timer task with a plain cancel)
  );
  // a program's own cancel, performed twice, matches `new Cancel(task)` both times
  const task = own!.task;
  assert.equal(compareEffects([new Cancel(task), new Cancel(task)], rec.effects.slice(0, 2)), null);
});
