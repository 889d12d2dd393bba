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
  awaitPromise,
  Cancel,
  cancel,
  delay,
  delegate,
  type EffectOutcome,
  fn,
  handle,
  type Handler,
  observe,
  program,
  raceAll,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  timeout,
  transfer,
  Wait,
  withHandler,
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

test("the clean-cancel slot taken between the scheduler's answer and raceAll's read (an observer of the Cancel running another run's races): raceAll then waits for the loser, so a finally block's error is still kept and a clean loser still says nothing", () => {
  const nestedRaces: string[] = [];
  // the Cancel's outcome callback runs between the scheduler's answer and raceAll reading the slot
  const meddler = observe([Cancel], () => () => {
    const inner = run(raceAll([trivial(2), slow()]), { handlers: [scheduler, simulatedTime()] }); // clean: the slot is its
    const leakyInner = run(safe(raceAll([trivial(3), leaky()])), { handlers: [scheduler, simulatedTime()] });
    nestedRaces.push(`${inner.value} ${leakyInner.warnings.map((w) => (w as Error).message)}`);
  });
  // a loser whose finally throws: its error is kept (collected by the wait)
  assert.deepEqual(observed(raceAll([trivial(1), leaky()]), [meddler]), {
    lines: [
      "Wait:answered=undefined",
      "Wait:answered=1",
      "Wait:cancelled",
      "Cancel:answered=true",
      "Wait:threw=TaskCancelledError",
    ],
    warnings: ["cleanup failed"],
  });
  // a clean loser: the nested run's clean cancel took the slot (and emptied it), so raceAll waits
  // (the TaskCancelledError it collects says only "cancelled": no warning)
  assert.deepEqual(observed(raceAll([trivial(1), slow()]), [meddler]), {
    lines: [
      "Wait:answered=undefined",
      "Wait:answered=1",
      "Wait:cancelled",
      "Cancel:answered=true",
      "Wait:threw=TaskCancelledError",
    ],
    warnings: [],
  });
  assert.deepEqual(nestedRaces, ["2 cleanup failed", "2 cleanup failed"]);
});

test("two runs going on at once under runAsync, each cancelling owned tasks while the other's cancels come in between the answer and the read: each collects exactly its own losers' finally errors (the other run's clean cancel in the slot is not taken for its own)", async () => {
  // a handler that lets the event loop turn between the scheduler's answer to a Cancel and the
  // combinator reading it: the other run answers its own cancels meanwhile (the slot is one per module)
  const slowAnswer = handle(Cancel, function* (_e, k) {
    const v = yield* delegate();
    yield* awaitPromise(() => new Promise((r) => setTimeout(r, 0)));
    return yield* transfer(k, v as boolean);
  });
  // A's losers leak at 0, 3, 6, 9, B's at 2, 5, 8, 11: while one run waits after a leaking loser's
  // cancel (nothing in the slot for it), the other's clean cancel fills the slot and waits too
  const racer = fn(function* racer(name: string, offset: number) {
    const lost: number[] = [];
    for (let i = 0; i < 12; i++) {
      const loser = (i + offset) % 3 === 0 ? leakyNamed(`${name} ${i}`) : slow();
      const r = yield* safe(raceAll([trivial(i), loser]));
      if (!r.ok) lost.push(i);
    }
    return lost;
  });
  const [a, b] = await Promise.all(
    ["A", "B"].map((name, offset) =>
      runAsync(withHandler(slowAnswer, racer(name, offset)), { handlers: [scheduler, simulatedTime()] }),
    ),
  );
  for (const [name, r, leaked] of [
    ["A", a!, [0, 3, 6, 9]],
    ["B", b!, [2, 5, 8, 11]],
  ] as const) {
    assert.deepEqual(r.value, []);
    // collected by raceAll (its wait), not only kept by the scheduler for a task nothing waited for
    // ("… threw while it was cancelled"), which is what a foreign slot taken for its own would give
    const lines = r.format().split("\n");
    assert.deepEqual(
      lines.slice(lines.findIndex((l) => l.startsWith("──")) + 1),
      leaked.map(
        (i) =>
          `a finally block of task ${2 * i + 2} threw while raceAll cancelled it: Error: ${name} ${i} cleanup failed`,
      ),
    );
  }
});

const leakyNamed = fn(function* leakyNamed(name: string) {
  try {
    yield* delay(1000);
    return -1;
  } finally {
    // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
    throw new Error(`${name} cleanup failed`);
  }
});
