/**
 * SEMANTICS §9.2–§9.3 and §10 rows not pinned by scenario group M (conformance audit): R9's
 * ascending-id cancellation whatever order the tasks blocked in, R9 ignoring pending external
 * promises, R7's call order and calls after the run, the log merge of race and of a failed gather,
 * and a delay ended without its timer firing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cancel,
  completePromise,
  createExternalPromise,
  createPromise,
  DeadlockError,
  delay,
  type ExternalPromise,
  gather,
  now,
  race,
  run,
  safe,
  spawn,
  tell,
  wait,
} from "../src/index.js";
import { assertOk, note, notes, P, resetNotes, withSCH } from "./sched-helpers.js";

test("§9.2 R9 tasks not done when main ends are cancelled in ascending id order, not in the order they blocked", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const never = yield* createPromise<number>();
      const q = yield* createPromise<number>();
      // task 1 blocks on `never` last (after a delay), task 3 first; task 2 is woken but has not run
      yield* spawn(
        P(function* () {
          try {
            yield* delay(5);
            yield* wait(never.future);
          } finally {
            yield* note("cleanup 1");
          }
        }),
      );
      yield* spawn(
        P(function* () {
          try {
            yield* wait(q.future);
            yield* note("2 ran (must not)");
          } finally {
            yield* note("cleanup 2");
          }
        }),
      );
      yield* spawn(
        P(function* () {
          try {
            yield* wait(never.future);
          } finally {
            yield* note("cleanup 3");
          }
        }),
      );
      yield* delay(10);
      yield* completePromise(q, 1); // task 2 is appended to the ready queue (R4); main goes on (R2)
      yield* note("main ends");
      return "done";
    }),
    withSCH(),
  );
  assertOk(r, "done");
  assert.deepEqual(notes, ["main ends", "cleanup 1", "cleanup 2", "cleanup 3"]);
});

test("§9.2 R9 pending external promises are ignored when main ends (run: no AsyncRequiredError)", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const ext = yield* createExternalPromise<number>();
      yield* spawn(
        P(function* () {
          try {
            yield* wait(ext.future);
          } finally {
            yield* note("waiter cancelled");
          }
        }),
      );
      yield* delay(1);
      return "main done";
    }),
    withSCH(),
  );
  assertOk(r, "main done");
  assert.deepEqual(notes, ["waiter cancelled"]);
});

test("§9.2 R7 external completions are applied in call order; complete()/fail() after the run are ignored", () => {
  resetNotes();
  let kept: ExternalPromise<number>[] = [];
  const r = run(
    P(function* () {
      const e1 = yield* createExternalPromise<number>();
      const e2 = yield* createExternalPromise<number>();
      kept = [e1, e2];
      const a = yield* spawn(
        P(function* () {
          yield* note(`a got ${yield* wait(e1.future)}`);
        }),
      );
      const b = yield* spawn(
        P(function* () {
          yield* note(`b got ${yield* wait(e2.future)}`);
        }),
      );
      yield* delay(0); // a, then b, block
      // called from inside the run, in this order: e2 first, so b is woken (appended) first
      e2.complete(2);
      e1.complete(1);
      yield* gather(a, b);
      return "ok";
    }),
    withSCH(),
  );
  assertOk(r, "ok");
  assert.deepEqual(notes, ["b got 2", "a got 1"]);
  // the run is over: further calls neither throw nor do anything
  assert.doesNotThrow(() => kept[0]!.fail(new Error("late")));
  assert.doesNotThrow(() => kept[1]!.complete(3));
  assert.deepEqual(notes, ["b got 2", "a got 1"]);
});

test("§9.3 log merge: race merges only the winner's log; a loser's is merged when a later wait collects it", () => {
  const r = run(
    P(function* () {
      const slow = yield* spawn(
        P(function* () {
          yield* tell("slow");
          yield* delay(10);
          return "s";
        }),
      );
      const fast = yield* spawn(
        P(function* () {
          yield* tell("fast");
          yield* delay(5);
          return "f";
        }),
      );
      const won = yield* race(slow, fast);
      yield* tell(`race → ${won.value}`);
      const s = yield* wait(slow);
      yield* tell(`wait → ${s}`);
      yield* wait(fast); // merged before: not again
      return won.index;
    }),
    withSCH(),
  );
  assertOk(r, 1);
  assert.deepEqual(r.log, ["fast", "race → f", "slow", "wait → s"]);
});

test("§9.3 log merge: a failed gather merges only the failed task's log, once", () => {
  const r = run(
    P(function* () {
      const ok = yield* spawn(
        P(function* () {
          yield* tell("ok task");
          yield* delay(10);
          return 1;
        }),
      );
      const bad = yield* spawn(
        P(function* () {
          yield* tell("bad task");
          yield* delay(5);
          throw new Error("bad");
        }),
      );
      const g = yield* safe(gather(ok, bad));
      yield* tell(`gather → ${(g.error as Error).message}`);
      yield* wait(ok);
      const again = yield* safe(gather(ok, bad)); // bad's log was merged before
      return (again.error as Error).message;
    }),
    withSCH(),
  );
  assertOk(r, "bad");
  assert.deepEqual(r.log, ["bad task", "gather → bad", "ok task"]);
});

test("§10 a delay that ends without its timer firing (its task cancelled) removes the timer: the clock does not move to it", () => {
  const r = run(
    P(function* () {
      const t = yield* spawn(delay(100));
      yield* delay(1);
      yield* cancel(t);
      const never = yield* createPromise<number>();
      const w = yield* safe(wait(never.future));
      return [w.error instanceof DeadlockError, yield* now()];
    }),
    withSCH(),
  );
  assertOk(r, [true, 1]);
});
