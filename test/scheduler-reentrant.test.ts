/**
 * §9.4 re-entrant cancellation: a finally block that a `cancel` runs cancels the task running that
 * cancel (linked tasks: "whichever ends, cancel the other"). That task is being cancelled from then
 * on: its `cancel` call does not return, its finally blocks run, and its waiters then receive
 * TaskCancelledError — it never runs code of its own again (it kept running, its finally never ran).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cancel,
  createPromise,
  delay,
  isDone,
  program,
  put,
  run,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  state,
  type Task,
  TaskCancelledError,
  wait,
} from "../src/index.js";

test("§9.4 a task cancelled by a finally block its own cancel ran is finalized there: its cancel does not return", () => {
  const events: string[] = [];
  const main = program(function* main() {
    let ta!: Task<unknown>;
    const tb = yield* spawn(
      program(function* B() {
        try {
          yield* delay(1000);
        } finally {
          events.push(`B finally: cancel(A) -> ${yield* cancel(ta)}, isDone(A) ${yield* isDone(ta)}`);
        }
      }),
    );
    ta = yield* spawn(
      program(function* A() {
        try {
          yield* delay(1);
          yield* cancel(tb);
          events.push("A went on after its cancel");
          yield* put("byA", true);
          yield* wait((yield* createPromise()).future);
        } finally {
          events.push("A finally");
        }
      }),
    );
    const r = yield* safe(wait(ta));
    events.push(r.ok ? "main: A ended" : `main: ${(r.error as Error).constructor.name}`);
    return "main done";
  });
  const r = run(main, { handlers: [state, scheduler, simulatedTime()] });
  assert.equal(r.value, "main done");
  assert.deepEqual(events, [
    "B finally: cancel(A) -> true, isDone(A) true",
    "A finally",
    `main: ${TaskCancelledError.name}`,
  ]);
  assert.deepEqual(r.store, {});
  assert.deepEqual(r.warnings, []);
});
