/** M. Scheduler (SEMANTICS §9): scenarios M1–M33 under SCH unless stated. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import {
  AsyncRequiredError,
  ask,
  awaitPromise,
  Cancel,
  cancel,
  completePromise,
  createExternalPromise,
  createPromise,
  DeadlockError,
  delay,
  failPromise,
  gather,
  get,
  isDone,
  local,
  now,
  PromiseAlreadyCompletedError,
  pure,
  put,
  race,
  registerIdleSource,
  resume,
  run,
  runAsync,
  safe,
  scheduler,
  spawn,
  Task,
  TaskCancelledError,
  UnhandledEffectError,
  tell,
  wait,
  withHandler,
} from "../src/index.js";
import {
  assertErr,
  assertOk,
  H,
  note,
  notes,
  P,
  rec,
  resetNotes,
  sleep,
  Tag,
  withSCH,
} from "./sched-helpers.js";

test("M1 spawn does not start the child; wait runs it", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          yield* note("child");
          return 5;
        }),
      );
      yield* note("after spawn");
      return yield* wait(t);
    }),
    withSCH(),
  );
  assertOk(r, 5);
  assert.deepEqual(notes, ["after spawn", "child"]);
});

test("M2 gather of delayed tasks → values in input order", () => {
  const r = run(
    P(function* () {
      const t1 = yield* spawn(
        P(function* () {
          yield* delay(20);
          return 1;
        }),
      );
      const t2 = yield* spawn(
        P(function* () {
          yield* delay(10);
          return 2;
        }),
      );
      return yield* gather(t1, t2);
    }),
    withSCH(),
  );
  assertOk(r, [1, 2]);
});

test("M3 FIFO interleaving", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const p = yield* createPromise<string>();
      const t1 = yield* spawn(
        P(function* () {
          yield* note("A1");
          yield* wait(p.future);
          yield* note("A2");
          return 1;
        }),
      );
      const t2 = yield* spawn(
        P(function* () {
          yield* note("B1");
          yield* completePromise(p, "x");
          yield* note("B2");
          return 2;
        }),
      );
      yield* note("M1");
      const v = yield* gather(t1, t2);
      yield* note("M2");
      return v;
    }),
    withSCH(),
  );
  assertOk(r, [1, 2]);
  assert.deepEqual(notes, ["M1", "A1", "B1", "B2", "A2", "M2"]);
});

test("M4 a woken task queues behind earlier-ready tasks (R4)", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const p = yield* createPromise<number>();
      const a = yield* spawn(
        P(function* () {
          yield* wait(p.future);
          yield* note("A");
        }),
      );
      const b = yield* spawn(
        P(function* () {
          yield* completePromise(p, 1);
          yield* note("B");
        }),
      );
      const c = yield* spawn(note("C"));
      yield* gather(a, b, c);
      return 0;
    }),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(notes, ["B", "C", "A"]);
});

test("M5 wait rethrows the task's original error", () => {
  const boom = new Error("b");
  const r = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          throw boom;
        }),
      );
      try {
        yield* wait(t);
        return false;
      } catch (e) {
        return e === boom;
      }
    }),
    withSCH(),
  );
  assertOk(r, true);
});

test("M6 gather fails fast; siblings keep running", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const t1 = yield* spawn(
        P(function* () {
          throw new Error("f1");
        }),
      );
      const t2 = yield* spawn(
        P(function* () {
          yield* note("t2 ran");
          return 2;
        }),
      );
      try {
        yield* gather(t1, t2);
      } catch (e) {
        yield* note(`main caught ${(e as Error).message}`);
      }
      return "end";
    }),
    withSCH(),
  );
  assertOk(r, "end");
  assert.deepEqual(notes, ["t2 ran", "main caught f1"]);
});

test("M7 gather() does not switch; unstarted tasks are cancelled when main ends", () => {
  resetNotes();
  const r = run(
    P(function* () {
      yield* spawn(note("child"));
      const v = yield* gather();
      yield* note("main");
      return v;
    }),
    withSCH(),
  );
  assertOk(r, []);
  assert.deepEqual(notes, ["main"]);
});

test("M8 race: earliest-completed wins; rest in argument order; losers keep running", () => {
  const r = run(
    P(function* () {
      const t1 = yield* spawn(
        P(function* () {
          yield* delay(30);
          return "a";
        }),
      );
      const t2 = yield* spawn(
        P(function* () {
          yield* delay(10);
          return "b";
        }),
      );
      const t3 = yield* spawn(
        P(function* () {
          yield* delay(20);
          return "c";
        }),
      );
      const rr = yield* race(t1, t2, t3);
      return [rr.index, rr.value, rr.rest.length, rr.rest[0] === t1, rr.rest[1] === t3, yield* wait(t1)];
    }),
    withSCH(),
  );
  assertOk(r, [1, "b", 2, true, true, "a"]);
});

test("M9 race throws the error of a failed winner", () => {
  const r = run(
    P(function* () {
      const t1 = yield* spawn(
        P(function* () {
          yield* delay(5);
          throw new Error("r");
        }),
      );
      const t2 = yield* spawn(
        P(function* () {
          yield* delay(10);
          return 1;
        }),
      );
      try {
        yield* race(t1, t2);
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    }),
    withSCH(),
  );
  assertOk(r, "r");
});

test("M10 race() with no items → TypeError (at the call, where the bad argument is given)", () => {
  const r = run(
    P(function* () {
      try {
        yield* race();
        return false;
      } catch (err) {
        return err instanceof TypeError;
      }
    }),
    withSCH(),
  );
  assertOk(r, true);
  assert.throws(() => race(), {
    name: "TypeError",
    message: "race() needs at least one waitable (a Task or a Future)",
  });
  assert.throws(() => race([] as never), {
    name: "TypeError",
    message: "race takes the waitables as arguments, not an array: race(...tasks), or race(a, b)",
  });
});

test("M11 cancel runs the child's finally (with effects) before returning", () => {
  resetNotes();
  const child = P(function* () {
    try {
      yield* note("child start");
      yield* delay(1000);
    } finally {
      yield* note("child cleanup");
    }
    return "unreached";
  });
  const r = run(
    P(function* () {
      const t = yield* spawn(child);
      yield* delay(1);
      const c1 = yield* cancel(t);
      yield* note(`cancel returned ${c1}`);
      const d = yield* isDone(t);
      let w = false;
      try {
        yield* wait(t);
      } catch (e) {
        w = e instanceof TaskCancelledError;
      }
      const c2 = yield* cancel(t);
      return [c1, d, w, c2];
    }),
    withSCH(),
  );
  assertOk(r, [true, true, true, false]);
  assert.deepEqual(notes, ["child start", "child cleanup", "cancel returned true"]);
});

test("M12 blocking inside a cancelled task's finally → TaskCancelledError, no switch", () => {
  resetNotes();
  const child = P(function* () {
    try {
      yield* delay(1000);
    } finally {
      try {
        yield* delay(5);
      } catch (e) {
        yield* note(`blocked: ${(e as Error).constructor.name}`);
      }
    }
  });
  const r = run(
    P(function* () {
      const t = yield* spawn(child);
      yield* delay(1);
      yield* cancel(t);
      yield* note("main");
      return yield* now();
    }),
    withSCH(),
  );
  assertOk(r, 1);
  assert.deepEqual(notes, ["blocked: TaskCancelledError", "main"]);
});

test("M13 isDone before and after completion", () => {
  const r = run(
    P(function* () {
      const t = yield* spawn(pure(1));
      const a = yield* isDone(t);
      yield* wait(t);
      return [a, yield* isDone(t)];
    }),
    withSCH(),
  );
  assertOk(r, [false, true]);
});

test("M14 cancelling an unstarted task runs none of its code", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const t = yield* spawn(note("never"));
      const c = yield* cancel(t);
      const w = yield* safe(wait(t));
      return [c, w.error instanceof TaskCancelledError, (w.error as TaskCancelledError).task === t];
    }),
    withSCH(),
  );
  assertOk(r, [true, true, true]);
  assert.deepEqual(notes, []);
});

test("M15 completePromise from a task wakes the waiter", () => {
  const r = run(
    P(function* () {
      const p = yield* createPromise<string>();
      yield* spawn(completePromise(p, "hi"));
      return yield* wait(p.future);
    }),
    withSCH(),
  );
  assertOk(r, "hi");
});

test("M16 failPromise: the waiter gets the very error", () => {
  const e = new Error("pf");
  const r = run(
    P(function* () {
      const p = yield* createPromise();
      yield* spawn(failPromise(p, e));
      try {
        yield* wait(p.future);
        return false;
      } catch (x) {
        return x === e;
      }
    }),
    withSCH(),
  );
  assertOk(r, true);
});

test("M17 second completion → PromiseAlreadyCompletedError; the first value stays", () => {
  const r = run(
    P(function* () {
      const p = yield* createPromise<number>();
      yield* completePromise(p, 1);
      try {
        yield* failPromise(p, new Error());
        return "no error";
      } catch (e) {
        return [e instanceof PromiseAlreadyCompletedError, yield* wait(p.future)];
      }
    }),
    withSCH(),
  );
  assertOk(r, [true, 1]);
});

test("M18 external promise completed synchronously inside the run", () => {
  const r = run(
    P(function* () {
      const ext = yield* createExternalPromise<number>();
      yield* spawn(
        P(function* () {
          ext.complete(7);
          return 0;
        }),
      );
      return [typeof ext.id, yield* wait(ext.future)];
    }),
    withSCH(),
  );
  assertOk(r, ["string", 7]);
});

test("M18 external promise: second complete() throws PromiseAlreadyCompletedError; ids unique", () => {
  const r = run(
    P(function* () {
      const a = yield* createExternalPromise<number>();
      const b = yield* createExternalPromise<number>();
      a.complete(1);
      let second = false;
      try {
        a.fail(new Error("x"));
      } catch (e) {
        second = e instanceof PromiseAlreadyCompletedError;
      }
      b.complete(2);
      return [second, a.id !== b.id, yield* wait(a.future), yield* wait(b.future)];
    }),
    withSCH(),
  );
  assertOk(r, [true, true, 1, 2]);
});

test("M18 external promise: complete/fail work unbound, members stable, immutable, printable", async () => {
  const r = await runAsync(
    P(function* () {
      const a = yield* createExternalPromise<number>();
      const b = yield* createExternalPromise<number>();
      const { complete } = a; // detached from its object
      const fail = b.fail;
      setTimeout(complete, 1, 5);
      setTimeout(fail, 2, new RangeError("b failed"));
      const first = a.future;
      const same = [a.future === first, a.complete === complete, a.fail === a.fail.valueOf()];
      let assigned: unknown = null;
      try {
        (a as { id: string }).id = "mine";
      } catch (e) {
        assigned = e;
      }
      const shown = [inspect(a), JSON.stringify(a), Object.keys(a).length];
      const va = yield* wait(a.future);
      let eb: unknown = null;
      try {
        yield* wait(b.future);
      } catch (e) {
        eb = e;
      }
      return [same, assigned instanceof TypeError, a.id, shown, va, eb instanceof RangeError && eb.message];
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, [
    [true, true, true],
    true,
    "ext-1",
    ["ExternalPromise { id: 'ext-1' }", '{"id":"ext-1","future":{}}', 0],
    5,
    "b failed",
  ]);
});

test("M18 external promise ids count createExternalPromise only (awaitPromise uses none)", async () => {
  const r = await runAsync(
    P(function* () {
      yield* awaitPromise(() => Promise.resolve(1));
      const a = yield* createExternalPromise<number>();
      yield* awaitPromise(() => Promise.resolve(2));
      const b = yield* createExternalPromise<number>();
      return [a.id, b.id];
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, ["ext-1", "ext-2"]);
});

test("M19 external promise completed by the event loop (runAsync)", async () => {
  const r = await runAsync(
    P(function* () {
      const ext = yield* createExternalPromise<string>();
      setTimeout(() => ext.complete("late"), 5);
      return yield* wait(ext.future);
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, "late");
});

test("M19 the same program under run → AsyncRequiredError at the wait", () => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = run(
    P(function* () {
      const ext = yield* createExternalPromise<string>();
      timer = setTimeout(() => ext.complete("late"), 5);
      try {
        yield* wait(ext.future);
        return false;
      } catch (e) {
        return e instanceof AsyncRequiredError;
      }
    }),
    { handlers: [scheduler] },
  );
  clearTimeout(timer);
  assertOk(r, true);
});

test("M20 deadlock → DeadlockError at the blocked wait (catchable)", () => {
  const caught = run(
    P(function* () {
      const p = yield* createPromise();
      try {
        yield* wait(p.future);
        return false;
      } catch (e) {
        return e instanceof DeadlockError;
      }
    }),
    withSCH(),
  );
  assertOk(caught, true);
  const uncaught = run(
    P(function* () {
      const p = yield* createPromise();
      return yield* wait(p.future);
    }),
    withSCH(),
  );
  assertErr(uncaught, DeadlockError);
});

test("M21 deadlock goes to the most recently blocked task", () => {
  const r = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          const p = yield* createPromise();
          return yield* wait(p.future);
        }),
      );
      const w = yield* safe(wait(t));
      return w.error instanceof DeadlockError;
    }),
    withSCH(),
  );
  assertOk(r, true);
});

test("M22 state isolation (opt-in: store isolated copies at spawn)", () => {
  const r = run(
    P(function* () {
      yield* put("x", 1);
      const t = yield* spawn(
        P(function* () {
          const a = yield* get("x");
          yield* put("x", 2);
          return a;
        }),
        { store: "isolated" },
      );
      yield* put("x", 3);
      const v = yield* wait(t);
      return [v, yield* get("x")];
    }),
    withSCH(),
  );
  assertOk(r, [1, 3]);
  assert.deepEqual(r.store, { x: 3 });
});

test("M23 shared state (the default)", () => {
  const r = run(
    P(function* () {
      yield* put("x", 1);
      const t = yield* spawn(
        P(function* () {
          const v = yield* get<number>("x");
          yield* put("x", v + 10);
          return v;
        }),
      );
      yield* put("x", 3);
      const v = yield* wait(t);
      return [v, yield* get("x")];
    }),
    withSCH(),
  );
  assertOk(r, [3, 13]);
  assert.deepEqual(r.store, { x: 13 });
});

test('M23 an explicit store: "shared" is the same as the default', () => {
  const r = run(
    P(function* () {
      yield* put("x", 1);
      const t = yield* spawn(
        P(function* () {
          const v = yield* get<number>("x");
          yield* put("x", v + 10);
          return v;
        }),
        { store: "shared" },
      );
      yield* put("x", 3);
      const v = yield* wait(t);
      return [v, yield* get("x")];
    }),
    withSCH(),
  );
  assertOk(r, [3, 13]);
  assert.deepEqual(r.store, { x: 13 });
});

test("M24 logs merged in item order", () => {
  const r = run(
    P(function* () {
      yield* tell("m");
      const t1 = yield* spawn(
        P(function* () {
          yield* tell("a1");
          yield* tell("a2");
          return 1;
        }),
      );
      const t2 = yield* spawn(
        P(function* () {
          yield* tell("b1");
          return 2;
        }),
      );
      const v = yield* gather(t2, t1);
      yield* tell("end");
      return v;
    }),
    withSCH(),
  );
  assertOk(r, [2, 1]);
  assert.deepEqual(r.log, ["m", "b1", "a1", "a2", "end"]);
});

test("M25 nested merge", () => {
  const r = run(
    P(function* () {
      const t1 = yield* spawn(
        P(function* () {
          yield* tell("t1 before");
          const t2 = yield* spawn(tell("deep"));
          yield* wait(t2);
          yield* tell("t1 after");
        }),
      );
      yield* gather(t1);
      return 0;
    }),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(r.log, ["t1 before", "deep", "t1 after"]);
});

test("M26 uncollected logs are dropped", () => {
  const r = run(
    P(function* () {
      yield* spawn(tell("lost"));
      yield* delay(1);
      yield* tell("main");
      return 0;
    }),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(r.log, ["main"]);
});

test("M27 env at spawn includes local overlays", () => {
  const r = run(
    P(function* () {
      const t = yield* local(
        { a: 2 },
        spawn(
          P(function* () {
            yield* delay(1);
            return yield* ask("a");
          }),
        ),
      );
      return [yield* wait(t), yield* ask("a")];
    }),
    withSCH({ env: { a: 1 } }),
  );
  assertOk(r, [2, 1]);
});

test("M28 handlers inside the scheduler are inherited by spawned tasks", () => {
  const tagH = H(Tag)((_e, k) => resume(k, "tagged"));
  const r = run(
    withHandler(
      tagH,
      P(function* () {
        const t = yield* spawn(
          P(function* () {
            return yield* new Tag();
          }),
        );
        return yield* wait(t);
      }),
    ),
    withSCH(),
  );
  assertOk(r, "tagged");
});

test("M29 pending tasks are cancelled (finally runs) when main ends", () => {
  resetNotes();
  const child = P(function* () {
    try {
      yield* note("child start");
      const p = yield* createPromise();
      yield* wait(p.future);
    } finally {
      yield* note("child cleanup");
    }
  });
  const r = run(
    P(function* () {
      yield* spawn(child);
      yield* delay(1);
      yield* note("main end");
      return "done";
    }),
    withSCH(),
  );
  assertOk(r, "done");
  assert.deepEqual(notes, ["child start", "main end", "child cleanup"]);
});

test("M30 waiters resume in wait order", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const p = yield* createPromise<number>();
      const a = yield* spawn(
        P(function* () {
          yield* note(`A ${yield* wait(p.future)}`);
        }),
      );
      const b = yield* spawn(
        P(function* () {
          yield* note(`B ${yield* wait(p.future)}`);
        }),
      );
      const c = yield* spawn(completePromise(p, 1));
      yield* gather(a, b, c);
      return 0;
    }),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(notes, ["A 1", "B 1"]);
});

test("M31 an uncollected failing task does not fail the run", () => {
  const r = run(
    P(function* () {
      yield* spawn(
        P(function* () {
          throw new Error("x");
        }),
      );
      yield* delay(1);
      return "ok";
    }),
    withSCH(),
  );
  assertOk(r, "ok");
});

test("M32 non-blocking ops do not switch", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const t = yield* spawn(note("c"));
      yield* createPromise();
      yield* isDone(t);
      yield* note("m1");
      yield* wait(t);
      yield* note("m2");
      return 0;
    }),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(notes, ["m1", "c", "m2"]);
});

test("M33 awaitPromise overlaps across tasks (runAsync)", async () => {
  resetNotes();
  const r = await runAsync(
    P(function* () {
      const a = yield* spawn(
        P(function* () {
          yield* note(yield* awaitPromise(() => sleep(30, "slow")));
        }),
      );
      const b = yield* spawn(
        P(function* () {
          yield* note(yield* awaitPromise(() => sleep(10, "fast")));
        }),
      );
      yield* gather(a, b);
      return 0;
    }),
    { handlers: [rec, scheduler] },
  );
  assertOk(r, 0);
  assert.deepEqual(notes, ["fast", "slow"]);
});

// ---- further checks of §9 details ----

test("§9.1 constructors validate eagerly (TypeError)", () => {
  function* g() {
    return 1;
  }
  assert.throws(() => spawn(g() as never), TypeError);
  assert.throws(() => spawn(42 as never), TypeError);
  assert.throws(() => spawn(pure(1), { store: "copy" as never }), TypeError);
  assert.throws(() => wait({} as never), TypeError);
  assert.throws(() => gather(pure(1) as never), TypeError);
  assert.throws(() => race(1 as never), TypeError);
  assert.throws(() => cancel({} as never), TypeError);
  assert.throws(() => isDone(null as never), TypeError);
  assert.throws(() => completePromise({} as never, 1), TypeError);
  assert.throws(() => failPromise(undefined as never, 1), TypeError);
  assert.throws(() => awaitPromise(Promise.resolve(1) as never), TypeError);
  assert.throws(() => new (Task as any)(Symbol("x"), 1, null), TypeError);
  // the class checks too (§1: constructors validate eagerly); it was plain data, and `new Cancel(null)`
  // failed only when performed, as an UnhandledEffectError naming no argument
  assert.throws(() => new Cancel(null as never), {
    name: "TypeError",
    message: /^cancel expects a Task/,
  });
});

test("§2.4 a Task yielded directly → TypeError saying to use wait", () => {
  const r = run(
    P(function* () {
      const t = yield* spawn(pure(1));
      try {
        yield t as never;
        return "no error";
      } catch (e) {
        return [e instanceof TypeError, /wait/.test((e as Error).message)];
      }
    }),
    withSCH(),
  );
  assertOk(r, [true, true]);
});

test("§9.4 cancelling oneself finalizes the caller; waiters get TaskCancelledError", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const box: { t?: Task<unknown> } = {};
      const t = yield* spawn(
        P(function* () {
          try {
            yield* note("self start");
            yield* cancel(box.t!);
            yield* note("unreached");
          } finally {
            yield* note("self finally");
          }
        }),
      );
      box.t = t;
      const w = yield* safe(wait(t));
      return [w.error instanceof TaskCancelledError, yield* isDone(t)];
    }),
    withSCH(),
  );
  assertOk(r, [true, true]);
  assert.deepEqual(notes, ["self start", "self finally"]);
});

test("§9.4 a finally error of a cancelled task becomes the cause; cancel still returns true", () => {
  const fin = new Error("fin");
  const r = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          try {
            yield* delay(100);
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the scenario is a throwing finally
            throw fin;
          }
        }),
      );
      yield* delay(1);
      const c = yield* cancel(t);
      const w = yield* safe(wait(t));
      return [c, w.error instanceof TaskCancelledError, (w.error as Error).cause === fin];
    }),
    withSCH(),
  );
  assertOk(r, [true, true, true]);
});

test("§9.3 gather/race decided at the call do not switch; fail-fast uses completion order", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const a = yield* spawn(
        P(function* () {
          yield* delay(5);
          throw new Error("late");
        }),
      );
      const b = yield* spawn(
        P(function* () {
          throw new Error("early");
        }),
      );
      yield* delay(10); // both have failed by now: b first, then a
      const other = yield* spawn(note("other"));
      let msg = "";
      try {
        yield* gather(a, b);
      } catch (e) {
        msg = (e as Error).message;
      }
      let raced = "";
      try {
        yield* race(a, b);
      } catch (e) {
        raced = (e as Error).message;
      }
      yield* note("main");
      yield* wait(other);
      return [msg, raced];
    }),
    withSCH(),
  );
  assertOk(r, ["early", "early"]);
  assert.deepEqual(notes, ["main", "other"]);
});

test("§9.4 cancellation appends waiters with TaskCancelledError in blocking order", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const victim = yield* spawn(delay(1000));
      const w1 = yield* spawn(
        P(function* () {
          const x = yield* safe(wait(victim));
          yield* note(`w1 ${(x.error as Error).constructor.name}`);
        }),
      );
      const w2 = yield* spawn(
        P(function* () {
          const x = yield* safe(wait(victim));
          yield* note(`w2 ${(x.error as Error).constructor.name}`);
        }),
      );
      yield* delay(1);
      yield* cancel(victim);
      yield* note("cancelled");
      yield* gather(w1, w2);
      return 0;
    }),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(notes, ["cancelled", "w1 TaskCancelledError", "w2 TaskCancelledError"]);
});

test("§9.1 effects about foreign waitables are passed (not handled)", () => {
  let leaked: Task<number> | undefined;
  assertOk(
    run(
      P(function* () {
        leaked = yield* spawn(pure(1));
        return yield* wait(leaked);
      }),
      withSCH(),
    ),
    1,
  );
  const r = run(wait(leaked!), withSCH());
  assert.equal(r.ok, false);
  assert.equal((r.error as Error).name, "UnhandledEffectError");
});

test("§9.2 R9 scheduler reinstalled later in the same run starts a fresh world", () => {
  resetNotes();
  const inner = P(function* () {
    const t = yield* spawn(
      P(function* () {
        yield* note("task");
        return 1;
      }),
    );
    return [t.id, yield* wait(t)];
  });
  const r = run(
    P(function* () {
      const a = yield* withHandler(scheduler, inner);
      const b = yield* withHandler(scheduler, inner);
      return [a, b];
    }),
    { handlers: [rec] },
  );
  assertOk(r, [
    [1, 1],
    [1, 1],
  ]);
  assert.deepEqual(notes, ["task", "task"]);
});

test("§9.4 cancelling a woken task that has not run yet: it leaves the ready queue, finally runs", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const p = yield* createPromise<number>();
      const t = yield* spawn(
        P(function* () {
          try {
            yield* note(`got ${yield* wait(p.future)}`);
          } finally {
            yield* note("t finally");
          }
        }),
      );
      yield* delay(1); // t blocks on p
      yield* completePromise(p, 1); // t is woken (queued), but main keeps running (R1)
      const c = yield* cancel(t);
      yield* delay(1); // let anything ready run
      return [c, yield* isDone(t)];
    }),
    withSCH(),
  );
  assertOk(r, [true, true]);
  assert.deepEqual(notes, ["t finally"]);
});

test("§9.3 futures: isDone, race with futures and tasks, rest in argument order", () => {
  const r = run(
    P(function* () {
      const p = yield* createPromise<string>();
      const q = yield* createPromise<string>();
      const t = yield* spawn(
        P(function* () {
          yield* delay(10);
          return "task";
        }),
      );
      const before = yield* isDone(p.future);
      yield* spawn(
        P(function* () {
          yield* delay(5);
          yield* completePromise(q, "q");
        }),
      );
      const rr = yield* race(p.future, t, q.future);
      const after = [yield* isDone(p.future), yield* isDone(q.future)];
      return [before, rr.index, rr.value, rr.rest[0] === p.future, rr.rest[1] === t, after];
    }),
    withSCH(),
  );
  assertOk(r, [false, 2, "q", true, true, [false, true]]);
});

test("§9.2 R6 the idle-source protocol: a custom source completing a promise wakes its waiter", () => {
  const r = run(
    P(function* () {
      const p = yield* createPromise<string>();
      let calls = 0;
      const src = {
        progress(complete: (promise: typeof p, value: unknown) => boolean) {
          calls++;
          return complete(p, `from idle (${calls})`);
        },
      };
      const fresh = yield* registerIdleSource(src);
      const again = yield* registerIdleSource(src);
      const v = yield* wait(p.future);
      return [fresh, again, v];
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, [true, false, "from idle (1)"]);
});

test("a task or future from a run that has ended: the effect is passed (§9.1), and the unhandled error says why", () => {
  let task!: Task<number>;
  let handle!: { future: unknown };
  run(
    P(function* () {
      task = yield* spawn(pure(1));
      handle = (yield* createPromise<number>()) as never;
      return yield* wait(task);
    }),
    { handlers: [scheduler] },
  );
  const why =
    "The task or future it is about belongs to a run that has ended: a Task, Future or promise handle is valid only inside the run that made it (return its value from that run instead)";
  for (const [what, p] of [
    ["Wait", wait(task)],
    ["Cancel", cancel(task)],
    ["Gather", gather(task)],
    ["Wait", wait(handle.future as never)],
    ["CompletePromise", completePromise(handle as never, 2)],
  ] as const) {
    const r = run(p as never, { handlers: [scheduler] });
    assert.ok(r.error instanceof UnhandledEffectError, `${what}: ${String(r.error)}`);
    assert.equal(
      r.error.message,
      `no handler takes ${what} (passed on by a handler); 1 visible handler(s) declined it. ${why}`,
    );
  }
});
