/**
 * The scheduler with the rest of the library: H10 (lazy env across tasks), K6 (intercept and tasks),
 * F8 (error identity), INV-13 (determinism), scale (100,000 tasks), cancellation with writer effects,
 * long simulated delays.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  ask,
  cancel,
  CircularAskError,
  completePromise,
  createPromise,
  delay,
  failPromise,
  fn,
  gather,
  get,
  intercept,
  listen,
  MissingStateKeyError,
  now,
  type Program,
  pure,
  race,
  resume,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  type Task,
  TaskCancelledError,
  Tell,
  tell,
  wait,
  withHandler,
  writer,
} from "../src/index.js";
import { createScheduler } from "../src/handlers/scheduler.js";
import { Abort, assertOk, H, note, notes, P, rec, resetNotes, SCH, withSCH } from "./sched-helpers.js";

test("H10 concurrent asks of a lazy env value evaluate it once", () => {
  resetNotes();
  const env = {
    cfg: P(function* () {
      yield* note("eval");
      yield* delay(10);
      return "v";
    }),
  };
  const r = run(
    P(function* () {
      const t1 = yield* spawn(ask("cfg"));
      const t2 = yield* spawn(ask("cfg"));
      return yield* gather(t1, t2);
    }),
    withSCH({ env }),
  );
  assertOk(r, ["v", "v"]);
  assert.deepEqual(notes, ["eval"]);
});

test("H10 a failing evaluation: every waiting ask gets the same error; not cached", () => {
  resetNotes();
  let attempts = 0;
  const boom = new Error("cfg failed");
  const env = {
    cfg: P(function* () {
      attempts++;
      yield* note(`eval ${attempts}`);
      yield* delay(10);
      if (attempts === 1) throw boom;
      return "ok";
    }),
  };
  const r = run(
    P(function* () {
      const t1 = yield* spawn(safe(ask("cfg")));
      const t2 = yield* spawn(safe(ask("cfg")));
      const [a, b] = yield* gather(t1, t2);
      const again = yield* ask("cfg");
      return [a.error === boom, b.error === boom, again, attempts];
    }),
    withSCH({ env }),
  );
  assertOk(r, [true, true, "ok", 2]);
  assert.deepEqual(notes, ["eval 1", "eval 2"]);
});

test("H10 cancelling the evaluating task fails the waiters with TaskCancelledError; a later ask retries", () => {
  resetNotes();
  let evals = 0;
  const env = {
    cfg: P(function* () {
      evals++;
      yield* delay(100);
      return `v${evals}`;
    }),
  };
  const r = run(
    P(function* () {
      const evaluator = yield* spawn(ask("cfg"));
      const waiter = yield* spawn(safe(ask("cfg")));
      yield* delay(1); // evaluator is evaluating, waiter waits for it
      yield* cancel(evaluator);
      const w = yield* wait(waiter);
      const again = yield* ask("cfg");
      return [w.error instanceof TaskCancelledError, again, evals];
    }),
    withSCH({ env }),
  );
  assertOk(r, [true, "v2", 2]);
});

test("H10 a task spawned during the evaluation asking for it → CircularAskError", () => {
  const env = {
    cfg: P(function* () {
      const t = yield* spawn(safe(ask("cfg")));
      const res = yield* wait(t);
      return res.error instanceof CircularAskError;
    }),
  };
  assertOk(run(ask("cfg"), withSCH({ env })), true);
});

test("K6 tasks spawned inside an intercept inherit it; tasks spawned outside do not", () => {
  const tells: unknown[] = [];
  const tt = (e: unknown) => {
    if (e instanceof Tell) tells.push(e.message);
  };
  const r = run(
    P(function* () {
      const t1 = yield* spawn(tell("outside"));
      const v = yield* intercept(
        P(function* () {
          const t2 = yield* spawn(tell("inside"));
          return yield* wait(t2);
        }),
        tt,
      );
      yield* wait(t1);
      return v;
    }),
    { handlers: [scheduler, writer] },
  );
  assertOk(r, undefined);
  assert.deepEqual(tells, ["inside"]);
  assert.deepEqual(r.log, ["inside", "outside"]);
});

test("K6 the task completion report is never offered to an interceptor", () => {
  const seen: string[] = [];
  const r = run(
    intercept(
      P(function* () {
        const t = yield* spawn(tell("x"));
        return yield* wait(t);
      }),
      (e) => {
        seen.push(e.constructor.name);
      },
    ),
    { handlers: [scheduler, writer] },
  );
  assertOk(r, undefined);
  assert.deepEqual(seen, ["Spawn", "Wait", "Tell"]);
});

test("F8 task error identity through gather", () => {
  const e = new Error("t");
  const r = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          throw e;
        }),
      );
      yield* gather(t);
    }),
    withSCH(),
  );
  assert.equal(r.ok, false);
  assert.equal(r.error, e);
});

/** A busy concurrent program: tasks, delays, promises, races, cancellation, logs, notes. */
const busy = P(function* () {
  const p = yield* createPromise<number>();
  const workers: Task<number>[] = [];
  for (let i = 0; i < 8; i++) {
    workers.push(
      yield* spawn(
        P(function* () {
          yield* tell(`w${i} start @${yield* now()}`);
          yield* delay((i * 7) % 5);
          if (i === 3) yield* completePromise(p, i);
          if (i === 5) yield* wait(p.future);
          yield* note(`w${i} done @${yield* now()}`);
          return i * i;
        }),
      ),
    );
  }
  const slow = yield* spawn(
    P(function* () {
      try {
        yield* delay(1000);
      } finally {
        yield* note("slow closed");
      }
    }),
  );
  const r = yield* race(workers[4]!, workers[2]!);
  yield* cancel(slow);
  const all = yield* gather(...workers);
  return { index: r.index, value: r.value, all, t: yield* now() };
});

test("INV-13 run + simulatedTime: identical results, logs and notes on every run", () => {
  const outs: string[] = [];
  for (let i = 0; i < 5; i++) {
    resetNotes();
    const r = run(busy, withSCH());
    assertOk(r);
    outs.push(JSON.stringify([r.value, r.log, notes]));
  }
  assert.equal(new Set(outs).size, 1, outs.join("\n"));
  const [value, log, ns] = JSON.parse(outs[0]!);
  assert.deepEqual(value, { index: 0, value: 16, all: [0, 1, 4, 9, 16, 25, 36, 49], t: 4 });
  // the race winner's log is merged first, then gather merges the others in item order
  assert.deepEqual(
    log,
    [4, 0, 1, 2, 3, 5, 6, 7].map((i) => `w${i} start @0`),
  );
  assert.deepEqual(ns, [
    "w0 done @0",
    "w3 done @1",
    "w5 done @1",
    "w1 done @2",
    "w6 done @2",
    "w4 done @3",
    "slow closed",
    "w2 done @4",
    "w7 done @4",
  ]);
});

function manyTasks(n: number): Program<number[]> {
  return P(function* () {
    const tasks: Task<number>[] = [];
    for (let i = 0; i < n; i++) {
      tasks.push(
        yield* spawn(
          P(function* () {
            return i * 2;
          }),
        ),
      );
    }
    return yield* gather(...tasks);
  });
}

function checkMany(values: number[], n: number): void {
  assert.equal(values.length, n);
  for (let i = 0; i < n; i++) if (values[i] !== i * 2) assert.fail(`result ${i} is ${values[i]}`);
}

test("§9 scale: 100,000 tasks spawned and gathered under run", () => {
  const n = 100_000;
  const r = run(manyTasks(n), { handlers: [scheduler] });
  checkMany(assertOk(r), n);
});

test("§9 scale: 100,000 tasks spawned and gathered under runAsync", async () => {
  const n = 100_000;
  const r = await runAsync(manyTasks(n), { handlers: [scheduler] });
  checkMany(assertOk(r), n);
});

test("§9.4 a cancelled task's finally tell lands in its log, merged when its outcome is collected", () => {
  const child = P(function* () {
    try {
      yield* tell("t begin");
      yield* delay(1000);
    } finally {
      yield* tell("closed");
    }
  });
  const collected = run(
    P(function* () {
      yield* tell("start");
      const t = yield* spawn(child);
      yield* delay(1);
      const c = yield* cancel(t);
      yield* tell(`after cancel ${c}`);
      const w = yield* safe(wait(t));
      yield* tell(`end ${w.error instanceof TaskCancelledError}`);
      return 0;
    }),
    withSCH(),
  );
  assertOk(collected, 0);
  assert.deepEqual(collected.log, ["start", "after cancel true", "t begin", "closed", "end true"]);

  const uncollected = run(
    P(function* () {
      yield* tell("start");
      const t = yield* spawn(child);
      yield* delay(1);
      yield* cancel(t);
      yield* tell("end");
      return 0;
    }),
    withSCH(),
  );
  assertOk(uncollected, 0);
  assert.deepEqual(uncollected.log, ["start", "end"]);
});

test("§9.4 R9 cancellation at main's end: finally effects run with the task's context", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          try {
            yield* tell("x");
            yield* delay(50);
          } finally {
            const l = yield* listen(tell("in finally"));
            yield* note(JSON.stringify(l.log));
          }
        }),
      );
      yield* delay(1);
      yield* note(`main done, task ${t.id}`);
      return "m";
    }),
    withSCH(),
  );
  assertOk(r, "m");
  assert.deepEqual(notes, ["main done, task 1", '["in finally"]']);
  assert.deepEqual(r.log, []);
});

test("§10 simulated delay of one hour in 3 concurrent tasks: right virtual clock and order", () => {
  resetNotes();
  const H = 1000 * 60 * 60;
  const r = run(
    P(function* () {
      const mk = (hours: number, name: string) =>
        spawn(
          P(function* () {
            yield* delay(hours * H);
            yield* note(`${name} @${yield* now()}`);
            return hours;
          }),
        );
      const a = yield* mk(3, "a");
      const b = yield* mk(1, "b");
      const c = yield* mk(2, "c");
      const v = yield* gather(a, b, c);
      return [v, yield* now()];
    }),
    withSCH(),
  );
  assertOk(r, [[3, 1, 2], 3 * H]);
  assert.deepEqual(notes, [`b @${H}`, `c @${2 * H}`, `a @${3 * H}`]);
});

test("§8.8 a failure inside a task: the traceback shows `── in task N (spawned at file:line) ──` above the task's chain", () => {
  const child = fn(function* child() {
    yield* get("missing");
  });
  const main = P(function* () {
    const t = yield* spawn(child()); // the spawn site
    return yield* wait(t);
  });
  const source = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  const spawnLine = source.findIndex((l) => l.includes("spawn(child()); // the spawn site")) + 1;
  const withSites = run(main, { ...withSCH(), trace: { sites: true } });
  assert.ok(withSites.error instanceof MissingStateKeyError);
  const text = withSites.format();
  const lines = text.split("\n");
  const b = lines.findIndex((l) =>
    /── in task 1 \(spawned at test\/scheduler-integration\.test\.ts:\d+\) ──/.test(l),
  );
  assert.ok(b >= 0, text);
  assert.equal(Number(lines[b]!.match(/:(\d+)\) ──/)![1]), spawnLine, text);
  assert.match(lines[b + 1]!, /^\s+child at test\/scheduler-integration\.test\.ts:\d+$/, text);
  const plain = run(main, withSCH()).format();
  assert.match(plain, /── in task 1 ──\n\s+child\n/, plain);
});

test("§9.7 a different scheduler object nested in a task is a separate world (shared virtual clock)", () => {
  resetNotes();
  const inner = createScheduler();
  const r = run(
    P(function* () {
      const a = yield* spawn(
        P(function* () {
          yield* delay(2);
          yield* note(`A @${yield* now()}`);
        }),
      );
      const host = yield* spawn(
        withHandler(
          inner,
          P(function* () {
            const x = yield* spawn(
              P(function* () {
                yield* delay(5);
                yield* note("x");
              }),
            );
            const y = yield* spawn(
              P(function* () {
                yield* delay(3);
                yield* note("y");
              }),
            );
            yield* gather(x, y);
            yield* note(`inner done @${yield* now()} ids ${x.id},${y.id}`);
            return "inner";
          }),
        ),
      );
      const v = yield* gather(a, host);
      return [v, yield* now(), host.id];
    }),
    withSCH(),
  );
  // the host task runs its inner world to the end (R1: no preemption); A's earlier timer fires after
  assertOk(r, [[undefined, "inner"], 5, 2]);
  assert.deepEqual(notes, ["y", "x", "inner done @5 ids 1,2", "A @5"]);
});

test("§9.7 the same scheduler installed again inside a task is transparent: a cancel of the host reaches its inner wait", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const host = yield* spawn(
        P(function* () {
          try {
            return yield* withHandler(
              scheduler,
              P(function* () {
                const t = yield* spawn(
                  P(function* () {
                    yield* delay(100);
                    yield* note("inner task done");
                  }),
                );
                yield* note(`inner spawned task ${t.id}`);
                return yield* wait(t);
              }),
            );
          } finally {
            yield* note(`host finally @${yield* now()}`);
          }
        }),
      );
      yield* delay(10);
      yield* cancel(host);
      const u = yield* spawn(pure(5));
      yield* note(`u is task ${u.id}`);
      return [yield* wait(u), (yield* safe(wait(host))).ok];
    }),
    withSCH(),
  );
  // one world: the inner spawn is task 2, the host's wait blocks at the world's prompt, and the
  // cancel finalizes the host there (it was "nothing is ready or blocked": the host's rest stayed
  // on the stack under the next task). Task 2 is not the host's: main's end cancels it.
  assertOk(r, [5, false]);
  assert.deepEqual(notes, ["inner spawned task 2", "host finally @10", "u is task 3"]);
});

test("§9.7 the same scheduler listed twice, or installed again in main, is one world", () => {
  resetNotes();
  const child = (n: number) => pure(n * 10);
  const body = P(function* () {
    const a = yield* spawn(child(1));
    const inner = yield* withHandler(
      scheduler,
      P(function* () {
        const b = yield* spawn(child(2));
        const c = yield* spawn(child(3));
        return [b.id, c.id, yield* gather(b, c)];
      }),
    );
    const d = yield* spawn(child(4));
    return [a.id, inner, d.id, yield* gather(a, d)];
  });
  const expected = [1, [2, 3, [20, 30]], 4, [10, 40]];
  assertOk(run(body, withSCH()), expected);
  assertOk(run(body, { handlers: [scheduler, ...SCH] }), expected);
});

test("§9.7 a task spawned inside a reinstalled scheduler keeps the handlers between it and the world's prompt", () => {
  const Named = H(Abort)((_e, k) => resume(k, "from-handler"));
  const body = P(function* () {
    const t = yield* spawn(new Abort());
    return [yield* new Abort(), yield* wait(t), yield* now()];
  });
  // the first spawn goes to the handler (no world yet): it cut the task's handlers at the inner
  // scheduler, so the task saw neither Named nor the clock (UnhandledEffectError)
  assertOk(run(withHandler(Named, withHandler(scheduler, body)), withSCH()), [
    "from-handler",
    "from-handler",
    0,
  ]);
  const clockInside = P(function* () {
    const t = yield* spawn(delay(10));
    yield* wait(t);
    return yield* now();
  });
  assertOk(run(clockInside, { handlers: [scheduler, simulatedTime(), scheduler] }), 10);
});

test("§9.2 R9 the scheduler's scope abandoned from outside: pending tasks are still cancelled", () => {
  resetNotes();
  const abortH = H(Abort)(() => pure("aborted"));
  const r = run(
    P(function* () {
      yield* spawn(
        P(function* () {
          try {
            yield* note("child start");
            yield* delay(100);
          } finally {
            yield* note("child cleanup");
          }
        }),
      );
      yield* delay(1);
      yield* spawn(note("never started"));
      try {
        yield* new Abort();
      } finally {
        yield* note("main finally");
      }
      return "unreached";
    }),
    { handlers: [rec, abortH, scheduler, simulatedTime()] },
  );
  assertOk(r, "aborted");
  assert.deepEqual(notes, ["child start", "main finally", "child cleanup"]);
  // the world was discarded: the same scheduler works again in a later run
  assertOk(
    run(
      P(function* () {
        return yield* wait(yield* spawn(pure(3)));
      }),
      { handlers: [scheduler] },
    ),
    3,
  );
});

test("INV-4 tracing is inert under the scheduler (same results, logs and notes)", () => {
  const outcome = (opts: object) => {
    resetNotes();
    const r = run(busy, { ...withSCH(), ...opts });
    return JSON.stringify([r.ok, r.ok ? r.value : String(r.error), r.log, notes]);
  };
  const plain = outcome({});
  let lines = 0;
  assert.equal(outcome({ trace: { steps: () => lines++ } }), plain);
  assert.ok(lines > 0);
  assert.equal(outcome({ trace: { sites: true } }), plain);
});

test("INV-11 errors from tasks and promises reach RunResult.error as the very object", () => {
  const e = new Error("promise failed");
  const r = run(
    P(function* () {
      const p = yield* createPromise();
      yield* spawn(failPromise(p, e));
      return yield* wait(p.future);
    }),
    withSCH(),
  );
  assert.equal(r.ok, false);
  assert.equal(r.error, e);
  const e2 = new Error("raced");
  const r2 = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          throw e2;
        }),
      );
      const slow = yield* spawn(delay(10));
      return yield* race(t, slow);
    }),
    withSCH(),
  );
  assert.equal(r2.error, e2);
});
