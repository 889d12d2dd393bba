/**
 * Scheduler core additions: shared state by default (§9.6 rev. 2), cancellation signals and the run
 * signal (§9.8), finally errors of tasks cancelled by R9 kept on RunResult.warnings (§9.4),
 * gather(array) (API §5).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ask,
  asyncEscape,
  awaitPromise,
  cancel,
  createExternalPromise,
  createPromise,
  DeadlockError,
  delay,
  fn,
  GetAbortSignal,
  gather,
  get,
  getAbortSignal,
  getRunContext,
  local,
  program,
  pure,
  put,
  realTime,
  run,
  runAsync,
  scheduler,
  spawn,
  state,
  type Task,
  TaskCancelledError,
  tell,
  wait,
  writer,
} from "../src/index.js";
import { assertOk, note, notes, P, rec, resetNotes, sleep, withSCH } from "./sched-helpers.js";

// ---- §9.6 revision 2: shared state by default ----

test("§9.6 spawn shares the parent's very state Map by default; isolated gets a copy", () => {
  const r = run(
    P(function* () {
      yield* put("x", 1);
      const mine = (yield* getRunContext()).current.state;
      const shared = yield* spawn(
        P(function* () {
          return (yield* getRunContext()).current.state;
        }),
      );
      const isolated = yield* spawn(
        P(function* () {
          return (yield* getRunContext()).current.state;
        }),
        { store: "isolated" },
      );
      const [s1, s2] = yield* gather(shared, isolated);
      return [s1 === mine, s2 === mine, [...s2.entries()]];
    }),
    withSCH(),
  );
  assertOk(r, [true, false, [["x", 1]]]);
});

test("§9.6 tasks spawned one after another with the same state and env each run with a context of their own", () => {
  // (they share what they were spawned with until they start: a task's env patch or log never
  // reaches a sibling, started or not)
  const r = run(
    P(function* () {
      const mine = (yield* getRunContext()).current;
      const body = (name: string) =>
        P(function* () {
          yield* tell(`${name} starts`);
          const ctx = (yield* getRunContext()).current;
          yield* delay(1);
          return [yield* ask("a"), ctx === mine, ctx];
        });
      const a = yield* spawn(local({ a: 2 }, body("a"))); // waits inside its own local
      const b = yield* spawn(body("b"));
      const c = yield* local({ a: 3 }, spawn(body("c")));
      const d = yield* spawn(body("d"));
      const out = yield* gather(a, b, c, d);
      const ctxs = new Set(out.map((x) => x[2]));
      return [out.map((x) => x.slice(0, 2)), ctxs.size, yield* ask("a")];
    }),
    withSCH({ env: { a: 1 } }),
  );
  assertOk(r, [
    [
      [2, false],
      [1, false],
      [3, false],
      [1, false],
    ],
    4,
    1,
  ]);
  assert.deepEqual(r.log, ["a starts", "b starts", "c starts", "d starts"]);
});

test("§9.6 a shared-state timeout written by hand sees the child's writes (issue 10)", () => {
  const r = run(
    P(function* () {
      yield* put("progress", 0);
      const worker = yield* spawn(
        P(function* () {
          for (let i = 1; i <= 5; i++) {
            yield* delay(10);
            yield* put("progress", i);
          }
          return "done";
        }),
      );
      yield* delay(35);
      yield* cancel(worker);
      return yield* get("progress");
    }),
    withSCH(),
  );
  assertOk(r, 3);
  assert.deepEqual(r.store, { progress: 3 });
});

test("§9.6 bad spawn options → TypeError naming the fix", () => {
  const p = P(function* () {
    return 1;
  });
  assert.throws(
    () => spawn(p, { store: "copy" as never }),
    (e: unknown) =>
      e instanceof TypeError &&
      /store must be "shared" \(the default.*or "isolated"/.test(e.message) &&
      /"copy"/.test(e.message),
  );
  assert.throws(() => spawn(p, { isolated: true } as never), /unknown spawn option "isolated"/);
  assert.throws(() => spawn(p, "isolated" as never), /spawn options must be an object/);
  assert.throws(() => spawn(p, null as never), TypeError);
});

// ---- §9.8 cancellation signals ----

test("§9.8 getAbortSignal: a task's signal aborts when it is cancelled, before its finally blocks run", () => {
  resetNotes();
  let seen: AbortSignal | undefined;
  const r = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          const s = yield* getAbortSignal();
          seen = s;
          s.addEventListener("abort", () => notes.push(`abort event (aborted=${s.aborted})`));
          try {
            yield* delay(100);
          } finally {
            yield* note(`finally: aborted=${s.aborted}`);
          }
        }),
      );
      yield* delay(1);
      yield* note("main cancels");
      const c = yield* cancel(t);
      const again = yield* spawn(
        P(function* () {
          return (yield* getAbortSignal()).aborted;
        }),
      );
      return [c, yield* wait(again)];
    }),
    withSCH(),
  );
  assertOk(r, [true, false]);
  assert.deepEqual(notes, ["main cancels", "abort event (aborted=true)", "finally: aborted=true"]);
  assert.ok(seen?.reason instanceof TaskCancelledError);
  assert.ok(new GetAbortSignal() instanceof GetAbortSignal);
});

test("§9.8 cancelling oneself aborts one's own signal first; a signal asked for while finalizing is already aborted", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const box: { t?: Task<void> } = {};
      const t = yield* spawn(
        P(function* () {
          const s = yield* getAbortSignal();
          try {
            yield* cancel(box.t!);
          } finally {
            const s2 = yield* getAbortSignal();
            yield* note(`self: ${s.aborted} ${s2 === s}`);
          }
        }),
      );
      box.t = t;
      const u = yield* spawn(
        P(function* () {
          try {
            yield* delay(5);
          } finally {
            yield* note(`late signal: ${(yield* getAbortSignal()).aborted}`);
          }
        }),
      );
      yield* delay(1);
      return yield* cancel(u);
    }),
    withSCH(),
  );
  assertOk(r, true);
  assert.deepEqual(notes, ["self: true true", "late signal: true"]);
});

test("§9.8 awaitPromise passes the task's signal to the thunk; a cancelled task's fetch-like promise sees signal.aborted", async () => {
  resetNotes();
  let aborted: boolean | undefined;
  const fetchLike = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve("response"), 10_000);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        aborted = signal.aborted;
        notes.push("fetch aborted");
        reject(signal.reason);
      });
    });
  const r = await runAsync(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          try {
            return yield* awaitPromise(fetchLike);
          } finally {
            yield* note("task finally");
          }
        }),
      );
      yield* awaitPromise(() => sleep(5, undefined));
      yield* note("main cancels");
      const c = yield* cancel(t);
      try {
        yield* wait(t);
      } catch (e) {
        return [c, e instanceof TaskCancelledError];
      }
      return "not cancelled";
    }),
    { handlers: [rec, scheduler] },
  );
  assertOk(r, [true, true]);
  assert.equal(aborted, true);
  assert.deepEqual(notes, ["main cancels", "fetch aborted", "task finally"]);
});

test("§9.8 a cancelled task's never-settling awaitPromise no longer counts as pending work (DeadlockError, not a hang)", async () => {
  const r = await runAsync(
    P(function* () {
      const t = yield* spawn(awaitPromise(() => new Promise<never>(() => {})));
      yield* awaitPromise(() => sleep(2, undefined));
      yield* cancel(t);
      const p = yield* createPromise<number>();
      try {
        return yield* wait(p.future);
      } catch (e) {
        return e instanceof DeadlockError ? "deadlock" : String(e);
      }
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, "deadlock");
});

// ---- §9.8 the run signal ----

test("§9.8 run option signal must be an AbortSignal (TypeError; runAsync rejects)", async () => {
  const p = P(function* () {
    return 1;
  });
  assert.throws(
    () => run(p, { signal: {} as never }),
    (e: unknown) => e instanceof TypeError && /run option signal must be an AbortSignal/.test(e.message),
  );
  assert.throws(() => run(p, { signal: new AbortController() as never }), TypeError);
  await assert.rejects(runAsync(p, { signal: "stop" as never }), TypeError);
  assertOk(run(p, { signal: new AbortController().signal }), 1);
});

test("§9.8 a signal aborted before the run: Err(reason), no code runs", async () => {
  resetNotes();
  const reason = new Error("stopped before");
  const p = P(function* () {
    try {
      yield* note("ran");
    } finally {
      yield* note("finally");
    }
    return 1;
  });
  const r1 = run(p, { handlers: [rec], signal: AbortSignal.abort(reason) });
  assert.equal(r1.error, reason);
  const r2 = await runAsync(p, { handlers: [rec, scheduler], signal: AbortSignal.abort(reason) });
  assert.equal(r2.error, reason);
  assert.match(
    r2.format(),
    /^doeff: the run was aborted by its signal \(run option `signal`\) before it started\n/,
  );
  assert.deepEqual(notes, []);
});

for (const traced of [false, true]) {
  test(`§9.8 run with a signal aborted by code inside the run: stops at the next step boundary, finally blocks run${traced ? " (traced: the same)" : ""}`, () => {
    resetNotes();
    const ctl = new AbortController();
    const reason = new Error("user stop");
    const lines: string[] = [];
    const r = run(
      P(function* () {
        yield* put("x", 1);
        try {
          yield* note("before abort");
          ctl.abort(reason);
          yield* put("x", 2); // the next effect (a fast-path one) is not handled
          yield* note("after abort");
          return "finished";
        } catch (e) {
          yield* note("caught (must not happen)");
          throw e;
        } finally {
          yield* note(`main finally: x=${yield* get("x")}`);
          yield* put("y", 3);
        }
      }),
      {
        handlers: [rec, scheduler, state],
        signal: ctl.signal,
        ...(traced ? { trace: { steps: (l: string) => lines.push(l) } } : {}),
      },
    );
    assert.equal(r.ok, false);
    assert.equal(r.error, reason);
    assert.deepEqual(notes, ["before abort", "main finally: x=1"]);
    assert.deepEqual(r.store, { x: 1, y: 3 });
    assert.equal(lines.length > 0, traced);
  });
}

test("§9.8 run aborted inside a task: the running task, main and every other task are finalized (R9 order)", () => {
  resetNotes();
  const ctl = new AbortController();
  const r = run(
    P(function* () {
      const waiter = yield* spawn(
        P(function* () {
          try {
            yield* delay(100);
          } finally {
            yield* note("waiter finally");
          }
        }),
      );
      const aborter = yield* spawn(
        P(function* () {
          try {
            yield* delay(1);
            ctl.abort("halt");
            yield* delay(1);
            yield* note("aborter after (must not happen)");
          } finally {
            const s = yield* getAbortSignal();
            yield* note(`aborter finally (signal aborted=${s.aborted}, reason=${s.reason})`);
            try {
              yield* wait(waiter);
            } catch (e) {
              yield* note(`blocking in finally: ${e instanceof TaskCancelledError}`);
            }
          }
        }),
      );
      try {
        yield* gather(waiter, aborter);
        return "done";
      } finally {
        yield* note("main finally");
        yield* tell("main log");
      }
    }),
    { ...withSCH(), signal: ctl.signal },
  );
  assert.equal(r.ok, false);
  assert.equal(r.error, "halt");
  assert.deepEqual(notes, [
    "aborter finally (signal aborted=true, reason=halt)",
    "blocking in finally: true",
    "main finally",
    "waiter finally",
  ]);
  assert.deepEqual(r.log, ["main log"]);
  assert.deepEqual(r.warnings, []);
});

test("§9.8 an aborted runAsync whose finally performs an effect (abort during an awaitPromise)", async () => {
  resetNotes();
  const ctl = new AbortController();
  const reason = new Error("SIGINT");
  let thunkSignal: AbortSignal | undefined;
  setTimeout(() => ctl.abort(reason), 5);
  const r = await runAsync(
    P(function* () {
      yield* put("phase", "start");
      try {
        // a promise that ignores its signal: the run still ends at the abort
        return yield* awaitPromise((s) => {
          thunkSignal = s;
          return new Promise<never>(() => {});
        });
      } finally {
        yield* note("main finally");
        yield* put("phase", "cleaned");
        yield* tell("cleanup logged");
      }
    }),
    { handlers: [rec, scheduler, state, writer], signal: ctl.signal },
  );
  assert.equal(r.error, reason);
  assert.match(
    r.format(),
    /^doeff: the run was aborted by its signal \(run option `signal`\); its finally blocks ran\n/,
  );
  assert.match(r.format(), /Error: SIGINT/);
  assert.equal(thunkSignal?.aborted, true);
  assert.equal(thunkSignal?.reason, reason);
  assert.deepEqual(notes, ["main finally"]);
  assert.deepEqual(r.store, { phase: "cleaned" });
  assert.deepEqual(r.log, ["cleanup logged"]);
});

test("§9.8 runAsync aborted while idle (tasks blocked on an external promise): every finally runs in its own task", async () => {
  resetNotes();
  const ctl = new AbortController();
  setTimeout(() => ctl.abort("stop"), 5);
  const r = await runAsync(
    P(function* () {
      const ext = yield* createExternalPromise<number>();
      const mk = (name: string) =>
        spawn(
          P(function* () {
            try {
              return yield* wait(ext.future);
            } finally {
              yield* note(`${name} finally`);
              yield* tell(name);
            }
          }),
          { store: "isolated" },
        );
      const a = yield* mk("a");
      const b = yield* mk("b");
      try {
        return yield* gather([a, b]);
      } finally {
        yield* note("main finally");
      }
    }),
    { handlers: [rec, scheduler, writer], signal: ctl.signal },
  );
  assert.equal(r.error, "stop");
  assert.deepEqual(notes, ["main finally", "a finally", "b finally"]);
  assert.deepEqual(r.log, []); // the tasks' logs are never collected
});

test("§9.8 runAsync without a scheduler, aborted during a realTime-free asyncEscape wait, and a signal that never aborts", async () => {
  const ctl = new AbortController();
  setTimeout(() => ctl.abort("late"), 5);
  const r = await runAsync(
    P(function* () {
      try {
        return yield* awaitPromise(() => new Promise<never>(() => {}));
      } finally {
        yield* note("finally");
      }
    }),
    { handlers: [rec, scheduler], signal: ctl.signal },
  );
  assert.equal(r.error, "late");
  const quiet = new AbortController();
  const ok = await runAsync(
    P(function* () {
      return yield* awaitPromise(() => sleep(1, 7));
    }),
    { handlers: [scheduler], signal: quiet.signal },
  );
  assertOk(ok, 7);
  quiet.abort("after the run"); // ignored: the run is over (its listener was removed)
  assertOk(ok, 7);
});

test("§9.8 an abort during R9 (a cancelled task's finally aborts the run): the remaining tasks are still cancelled", () => {
  resetNotes();
  const ctl = new AbortController();
  const mk = (name: string, abort: boolean) =>
    spawn(
      P(function* () {
        try {
          yield* delay(100);
        } finally {
          if (abort) ctl.abort("abort in R9");
          yield* note(`${name} finally`);
        }
      }),
    );
  const r = run(
    P(function* () {
      yield* mk("t1", false);
      yield* mk("t2", true);
      yield* mk("t3", false);
      yield* delay(1);
      return "main done";
    }),
    { ...withSCH(), signal: ctl.signal },
  );
  assert.equal(r.error, "abort in R9");
  assert.deepEqual(notes, ["t1 finally", "t3 finally"]);
});

test("§9.8 runAsync without a scheduler: an abort ends a bare asyncEscape wait; an asyncEscape in a finally block is still awaited", async () => {
  resetNotes();
  const ctl = new AbortController();
  setTimeout(() => ctl.abort("stop"), 5);
  const r = await runAsync(
    P(function* () {
      try {
        return yield* asyncEscape(() => new Promise<never>(() => {}));
      } finally {
        const v = yield* asyncEscape(() => sleep(1, "cleaned up"));
        yield* note(v);
      }
    }),
    { handlers: [rec], signal: ctl.signal },
  );
  assert.equal(r.error, "stop");
  assert.deepEqual(notes, ["cleaned up"]);
  assert.throws(
    () =>
      run(pure(1), {
        signal: new Proxy(
          {},
          {
            getPrototypeOf() {
              throw new Error("trap");
            },
          },
        ) as never,
      }),
    /run option signal must be an AbortSignal/,
  );
});

// ---- §9.4: finally errors of tasks cancelled by R9 ----

test("§9.4 a finally error of a task cancelled as main finishes is kept in RunResult.warnings and format()", () => {
  const boom = new Error("cleanup failed");
  const r = run(
    P(function* () {
      yield* spawn(
        P(function* () {
          try {
            yield* delay(100);
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
            throw boom;
          }
        }),
      );
      yield* spawn(
        P(function* () {
          try {
            yield* delay(100);
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
            throw "second";
          }
        }),
      );
      yield* delay(1);
      return "main value";
    }),
    withSCH(),
  );
  assertOk(r, "main value");
  assert.deepEqual(r.warnings, [boom, "second"]);
  assert.ok(Object.isFrozen(r.warnings));
  const text = r.format();
  assert.match(text, /2 errors beside the outcome \(RunResult\.warnings\)/);
  assert.match(text, /a finally block of task 1 threw while it was cancelled: Error: cleanup failed/);
  assert.match(text, /a finally block of task 2 threw while it was cancelled: thrown: "second"/);
  const clean = run(
    P(function* () {
      return 1;
    }),
    withSCH(),
  );
  assert.deepEqual(clean.warnings, []);
  assert.ok(!/warnings/.test(clean.format()));
});

test("§9.4 waiters of a cancelled task whose finally threw get TaskCancelledError with that cause; cancel still returns true", () => {
  const boom = new Error("finally boom");
  const r = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          try {
            yield* delay(100);
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
            throw boom;
          }
        }),
      );
      const w = yield* spawn(
        P(function* () {
          try {
            yield* wait(t);
            return "no error";
          } catch (e) {
            return e;
          }
        }),
      );
      yield* delay(1);
      const c = yield* cancel(t);
      const e = yield* wait(w);
      return [c, e instanceof TaskCancelledError, (e as Error).cause === boom];
    }),
    withSCH(),
  );
  assertOk(r, [true, true, true]);
  assert.deepEqual(r.warnings, []); // delivered to a waiter, so not a warning
});

test("§9.4 an error thrown by a finally block during an aborted run is kept in warnings", () => {
  const ctl = new AbortController();
  const boom = new Error("main cleanup");
  const taskBoom = new Error("task cleanup");
  const r = run(
    P(function* () {
      yield* spawn(
        P(function* () {
          try {
            yield* delay(100);
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
            throw taskBoom;
          }
        }),
      );
      try {
        yield* delay(1);
        ctl.abort("abort");
        yield* delay(1);
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
        throw boom;
      }
    }),
    { ...withSCH(), signal: ctl.signal },
  );
  assert.equal(r.error, "abort");
  assert.deepEqual(r.warnings, [boom, taskBoom]);
});

// ---- gather(array) ----

test("API §5 gather takes an array: values in input order; an empty array → []", () => {
  const r = run(
    P(function* () {
      const ts: Task<number>[] = [];
      for (let i = 0; i < 5; i++)
        ts.push(
          yield* spawn(
            P(function* () {
              yield* delay(5 - i);
              return i * i;
            }),
          ),
        );
      const all = yield* gather(ts);
      const none = yield* gather([] as Task<number>[]);
      const spread = yield* gather(...ts);
      return [all, none, spread];
    }),
    withSCH(),
  );
  assertOk(r, [[0, 1, 4, 9, 16], [], [0, 1, 4, 9, 16]]);
  assert.throws(() => gather([1] as never), /gather \(array item 0\) expects a Task/);
  assert.throws(() => gather(new Set() as never), /or as one array, gather\(tasks\).*pass an array/);
  assert.throws(() => (gather as (...a: unknown[]) => unknown)([], []), /gather \(item 0\) expects a Task/);
});

test("API §5 gather(array) with 1,000,000 tasks", () => {
  const N = 1_000_000;
  const r = run(
    P(function* () {
      const tasks = new Array<Task<number>>(N);
      for (let i = 0; i < N; i++) tasks[i] = yield* spawn(pure(i));
      const values = yield* gather(tasks);
      let sum = 0;
      for (const v of values) sum += v;
      return [values.length, values[0], values[N - 1], sum];
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, [N, 0, N - 1, (N * (N - 1)) / 2]);
});

/** Two full collections, each after a turn of the event loop (for WeakRef checks). */
async function collectGarbage(): Promise<void> {
  (await import("node:v8")).setFlagsFromString("--expose-gc");
  const gc = (await import("node:vm")).runInNewContext("gc") as () => void;
  for (let i = 0; i < 2; i++) {
    await new Promise((done) => setImmediate(done));
    gc();
  }
}

test("a finished task's handle keeps no other task alive (the scheduler's live list lets go of finished tasks)", async () => {
  let big: WeakRef<object> | null = null;
  const first = program(function* () {
    return 1;
  });
  const second = program(function* () {
    const payload = { bytes: new Array(1000).fill(7) };
    big = new WeakRef(payload);
    return payload;
  });
  const r = run(
    program(function* () {
      const t1 = yield* spawn(first);
      const t2 = yield* spawn(second);
      const t3 = yield* spawn(first);
      yield* gather(t1, t2, t3);
      return t1; // only task 1's handle outlives the run
    }),
    { handlers: [scheduler] },
  );
  assert.equal(r.ok, true);
  const kept = r.value;
  await collectGarbage();
  assert.notEqual(big, null);
  assert.equal(big!.deref(), undefined, "task 2's result is still reachable from task 1's handle");
  assert.equal(String(kept), "Task(1)");
});

test("a task's handle kept after the run does not keep the last task's result alive (the world's report)", async () => {
  let big: WeakRef<object> | null = null;
  const first = program(function* () {
    return 1;
  });
  const last = program(function* () {
    const payload = { bytes: new Array(1000).fill(7) };
    big = new WeakRef(payload);
    return payload;
  });
  const r = run(
    program(function* () {
      const t1 = yield* spawn(first);
      const t2 = yield* spawn(last); // the last report of the run
      yield* gather(t1, t2);
      return t1;
    }),
    { handlers: [scheduler] },
  );
  assert.equal(r.ok, true);
  const kept = r.value;
  await collectGarbage();
  assert.notEqual(big, null);
  assert.equal(big!.deref(), undefined, "the last task's result is still reachable from task 1's handle");
  assert.equal(String(kept), "Task(1)");
});

test("a finished run keeps nothing alive through its tasks' reports (the last task's result is collected)", async () => {
  let big: WeakRef<object> | null = null;
  const last = program(function* () {
    const payload = { bytes: new Array(1000).fill(7) };
    big = new WeakRef(payload);
    return payload;
  });
  for (const sync of [true, false]) {
    big = null;
    const main = program(function* () {
      const t = yield* spawn(last);
      yield* wait(t); // the report's continuation is dropped at the switch back to main
      return 1;
    });
    const r = sync ? run(main, { handlers: [scheduler] }) : await runAsync(main, { handlers: [scheduler] });
    assert.equal(r.ok, true);
    await collectGarbage();
    assert.notEqual(big, null);
    assert.equal(
      big!.deref(),
      undefined,
      `the last task's result is still reachable (${sync ? "run" : "runAsync"})`,
    );
  }
});

test("a task cancelled before it started is let go at once, not kept in the ready queue until the run ends", async () => {
  // a long-lived main that spawns and cancels in a loop and never switches tasks kept every one
  const spawnAndCancel = fn(function* spawnAndCancel() {
    const t = yield* spawn(delay(1000));
    yield* cancel(t); // unstarted: runs no code
    return new WeakRef(t);
  });
  const r = await runAsync(
    program(function* () {
      const refs: WeakRef<object>[] = [];
      // (a new job first: a WeakRef's target stays alive to the end of the job that made it)
      yield* awaitPromise(() => new Promise((done) => setImmediate(done)));
      for (let i = 0; i < 3; i++) refs.push(yield* spawnAndCancel());
      yield* awaitPromise(() => collectGarbage()); // inside the run
      return refs.map((ref) => ref.deref() === undefined);
    }),
    { handlers: [scheduler, realTime] },
  );
  assertOk(r, [true, true, true]);
});
