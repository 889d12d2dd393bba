/**
 * A task's record is the Task handle its spawn answers (scheduler-task.ts, TaskRecord): what a user
 * sees of it, handles made for a separate record (newTask), and the continuation value a woken task
 * keeps in its cell's value field until it runs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import {
  cancel,
  completePromise,
  createPromise,
  gather,
  program,
  run,
  scheduler,
  spawn,
  Task,
  TaskCancelledError,
  wait,
} from "../src/index.js";
import { handleRef, newTask } from "../src/protocol.js";

test("a Task shows its id only: String, console.log (inspect) and JSON.stringify; instanceof Task; handleRef is itself", () => {
  const r = run(
    program(function* () {
      const t = yield* spawn(
        program(function* () {
          return 1;
        }),
      );
      const shown = [
        String(t),
        inspect(t),
        JSON.stringify({ t }),
        t.id,
        t instanceof Task,
        handleRef(t) === t,
      ];
      yield* wait(t);
      return shown;
    }),
    { handlers: [scheduler] },
  );
  assert.ok(r.ok, String(r.error));
  assert.deepEqual(r.value, ["Task(1)", "Task { id: 1 }", '{"t":{}}', 1, true, true]);
});

test("newTask(ref): a handle bound to a separate record — handleRef answers the record, id is the record's", () => {
  const ref = { id: 7 };
  const t = newTask<number>(ref);
  assert.ok(t instanceof Task);
  assert.equal(handleRef(t), ref);
  assert.equal(t.id, 7);
  assert.equal(String(t), "Task(7)");
  assert.equal(inspect(t), "Task { id: 7 }");
  assert.throws(() => new (Task as unknown as new (a: symbol, b: number) => Task)(Symbol("x"), 1), TypeError);
});

test("a task woken with a value and cancelled before it runs fails with TaskCancelledError, not that value; one that runs returns its own", () => {
  const r = run(
    program(function* () {
      const p = yield* createPromise<string>();
      const waiter = program(function* () {
        return `got ${yield* wait(p.future)}`;
      });
      const a = yield* spawn(waiter);
      const b = yield* spawn(waiter);
      // a and b run and block on p; then main completes p: both ready, to be continued with "woken"
      yield* wait(
        yield* spawn(
          program(function* () {
            return 0;
          }),
        ),
      );
      yield* completePromise(p, "woken");
      yield* cancel(a); // before it ran: its value must not be the one it was woken with
      let aOut: unknown;
      try {
        aOut = yield* wait(a);
      } catch (e) {
        aOut = e instanceof TaskCancelledError ? "cancelled" : e;
      }
      return [aOut, yield* gather(b)];
    }),
    { handlers: [scheduler] },
  );
  assert.ok(r.ok, String(r.error));
  assert.deepEqual(r.value, ["cancelled", ["got woken"]]);
});
