/** N. Time (SEMANTICS §10): scenarios N1–N11. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AsyncRequiredError,
  awaitPromise,
  completePromise,
  createPromise,
  Delay,
  delay,
  forEach,
  gather,
  getRunContext,
  handle,
  Now,
  now,
  pass,
  program,
  pure,
  RegisterIdleSource,
  realTime,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  TaskCancelledError,
  timeout,
  wait,
  withHandler,
} from "../src/index.js";
import { createScheduler } from "../src/handlers/scheduler.js";
import { clockIn } from "../src/handlers/time.js";
import { TAKES } from "../src/protocol.js";
import { assertOk, note, notes, P, rec, resetNotes, withSCH } from "./sched-helpers.js";

test("N1 simulated delay without a scheduler advances virtual time", () => {
  const r = run(
    P(function* () {
      const a = yield* now();
      yield* delay(100);
      return [a, yield* now()];
    }),
    { handlers: [simulatedTime()] },
  );
  assertOk(r, [0, 100]);
});

const n2 = P(function* () {
  const a = yield* spawn(
    P(function* () {
      yield* delay(30);
      yield* note("a");
    }),
  );
  const b = yield* spawn(
    P(function* () {
      yield* delay(10);
      yield* note("b");
    }),
  );
  const c = yield* spawn(
    P(function* () {
      yield* delay(20);
      yield* note("c");
    }),
  );
  yield* gather(a, b, c);
  return yield* now();
});

test("N2 timers fire in due order; the clock ends at the last due time", () => {
  resetNotes();
  assertOk(run(n2, withSCH()), 30);
  assert.deepEqual(notes, ["b", "c", "a"]);
});

test("N3 same due time → registration order", () => {
  resetNotes();
  const r = run(
    P(function* () {
      const x = yield* spawn(
        P(function* () {
          yield* delay(10);
          yield* note("x");
        }),
      );
      const y = yield* spawn(
        P(function* () {
          yield* delay(10);
          yield* note("y");
        }),
      );
      yield* gather(x, y);
      return yield* now();
    }),
    withSCH(),
  );
  assertOk(r, 10);
  assert.deepEqual(notes, ["x", "y"]);
});

test("N4 simulatedTime({start})", () => {
  assertOk(run(now(), { handlers: [simulatedTime({ start: 1000 })] }), 1000);
});

test("N5 delay(0) lets every ready task run first", () => {
  resetNotes();
  const r = run(
    P(function* () {
      yield* spawn(note("t"));
      yield* delay(0);
      yield* note("main");
      return yield* now();
    }),
    withSCH(),
  );
  assertOk(r, 0);
  assert.deepEqual(notes, ["t", "main"]);
});

test("N6 a task sees the virtual clock", () => {
  const r = run(
    P(function* () {
      const t = yield* spawn(
        P(function* () {
          yield* delay(50);
          return yield* now();
        }),
      );
      return yield* wait(t);
    }),
    withSCH(),
  );
  assertOk(r, 50);
});

test("N7 delay(-1) → RangeError at construction", () => {
  const r = run(
    P(function* () {
      try {
        delay(-1);
        return false;
      } catch (e) {
        return e instanceof RangeError;
      }
    }),
  );
  assertOk(r, true);
  assert.throws(() => delay(Number.NaN), RangeError);
  assert.throws(() => delay(Number.POSITIVE_INFINITY), RangeError);
  assert.throws(() => delay("5" as never), TypeError);
  assert.throws(() => simulatedTime({ start: Number.NaN }), TypeError);
});

test("N8 realTime delay under run → AsyncRequiredError", () => {
  const r = run(
    P(function* () {
      try {
        yield* delay(1);
        return false;
      } catch (e) {
        return e instanceof AsyncRequiredError;
      }
    }),
    { handlers: [realTime] },
  );
  assertOk(r, true);
});

test("N8 realTime's delay under run says both ways out: runAsync, or simulatedTime() to stay synchronous (as docs/errors.md's fix column does)", () => {
  const r = run(delay(5), { handlers: [scheduler, realTime] });
  assert.ok(r.error instanceof AsyncRequiredError);
  assert.equal(
    r.error.message,
    "delay (realTime) needs the event loop; use runAsync(program, options) instead of run(), or simulatedTime() in place of realTime to stay synchronous (its delays take no real time)",
  );
  // the other AsyncRequiredErrors have no synchronous way out: unchanged
  assert.equal(
    new AsyncRequiredError("awaitPromise").message,
    "awaitPromise needs the event loop; use runAsync(program, options) instead of run()",
  );
});

test("N9 realTime delays overlap under runAsync with a scheduler", async () => {
  resetNotes();
  const t0 = Date.now();
  const r = await runAsync(
    P(function* () {
      const a = yield* spawn(
        P(function* () {
          yield* delay(30);
          yield* note("30");
        }),
      );
      const b = yield* spawn(
        P(function* () {
          yield* delay(10);
          yield* note("10");
        }),
      );
      yield* gather(a, b);
      return 0;
    }),
    { handlers: [rec, scheduler, realTime] },
  );
  const elapsed = Date.now() - t0;
  assertOk(r, 0);
  assert.deepEqual(notes, ["10", "30"]);
  assert.ok(elapsed >= 25, `elapsed ${elapsed} ms`);
});

test("N9 realTime delay without a scheduler pauses the run (runAsync)", async () => {
  const t0 = Date.now();
  const r = await runAsync(
    P(function* () {
      yield* delay(20);
      return "slept";
    }),
    { handlers: [realTime] },
  );
  assertOk(r, "slept");
  assert.ok(Date.now() - t0 >= 15);
});

test("N10 realTime now() is Date.now()", () => {
  const r = run(now(), { handlers: [realTime] });
  const n = assertOk(r);
  assert.equal(typeof n, "number");
  assert.ok(Math.abs(n - Date.now()) < 1000);
});

test("N11 determinism: N2 run 10 times → identical results and notes", () => {
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    resetNotes();
    const r = run(n2, withSCH());
    seen.push(JSON.stringify([r.ok, r.ok ? r.value : String(r.error), notes]));
  }
  assert.equal(new Set(seen).size, 1);
  assert.equal(seen[0], JSON.stringify([true, 30, ["b", "c", "a"]]));
});

test("§10 effect classes carry their fields; clocks take exactly Now and Delay", () => {
  const d = delay(7);
  assert.ok(d instanceof Delay);
  assert.equal(d.ms, 7);
  assert.ok(now() instanceof Now);
  const sim = simulatedTime();
  assert.equal(sim.handles?.(d), true);
  assert.equal(sim.handles?.(now()), true);
  assert.equal(realTime.handles?.(d), true);
  assert.equal(sim.handles?.(spawn(now())), false);
});

test("§10 virtual time is per run; simulatedTime under a scheduler inside a task", () => {
  const clock = simulatedTime({ start: 5 });
  const p = P(function* () {
    yield* delay(10);
    return yield* now();
  });
  assertOk(run(p, { handlers: [clock] }), 15);
  assertOk(run(p, { handlers: [clock] }), 15);
  assertOk(run(p, { handlers: [scheduler, clock] }), 15);
});

test("realTime without a scheduler: a run aborted during a delay clears the delay's timer (the process can exit)", async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const before = timers();
  const ac = new AbortController();
  const abortSoon = setTimeout(() => ac.abort(new Error("Ctrl-C")), 10);
  const r = await runAsync(
    program(function* () {
      yield* delay(60_000);
    }),
    { handlers: [realTime], signal: ac.signal },
  );
  clearTimeout(abortSoon);
  assert.equal((r.error as Error).message, "Ctrl-C");
  assert.equal(timers(), before); // before: the 60 s timer was still armed
});

test("realTime under a scheduler: a delay cancelled before its timer fired (a timeout in time) builds no error", async () => {
  // every `timeout` that is in time cancels its timer's delay; building a TaskCancelledError (its
  // stack captured) for that promise, which nothing can wait on, was a sixth of an ETL job's CPU
  let made = 0;
  const own = Object.getOwnPropertyDescriptor(TaskCancelledError, "displayName")!;
  Object.defineProperty(TaskCancelledError, "displayName", {
    configurable: true,
    get() {
      made++; // read by the constructor (className(new.target)): one per error made
      return "TaskCancelledError";
    },
  });
  try {
    const r = await runAsync(
      forEach([1, 2, 3], (i) =>
        timeout(
          awaitPromise(() => Promise.resolve(i * 10)),
          60_000,
        ),
      ),
      { handlers: [scheduler, realTime] },
    );
    assert.deepEqual([r.ok, r.value, r.warnings], [true, [10, 20, 30], []]);
    assert.equal(made, 0);
  } finally {
    Object.defineProperty(TaskCancelledError, "displayName", own);
  }
  assert.equal(new TaskCancelledError(undefined, "x").name, "TaskCancelledError");
});

test("simulatedTime: timers that ended without firing do not pile up (10,000 timeouts done in time keep ≤ 130 timers, not 10,000)", () => {
  // each timeout's deadline (1,000 s) is never reached: the loop moves virtual time 1 ms at a time
  const clock = simulatedTime();
  const heapSize = P(function* () {
    const ctx = yield* getRunContext();
    // (the timers every scheduler world of the run holds: one heap per world)
    const held = (clockIn(clock, ctx) as { holding: Set<{ heap: unknown[] }> }).holding;
    let n = 0;
    for (const ts of held) n += ts.heap.length;
    return n;
  });
  const r = run(
    P(function* () {
      let sum = 0;
      for (let i = 0; i < 10_000; i++) {
        sum += yield* timeout(
          P(function* () {
            yield* delay(1);
            return 1;
          }),
          1_000_000,
        );
      }
      return [sum, yield* now(), yield* heapSize];
    }),
    { handlers: [scheduler, clock] },
  );
  assert.equal(r.ok, true);
  const [sum, t, size] = r.value;
  assert.equal(sum, 10_000);
  assert.equal(t, 10_000);
  assert.ok(size !== undefined && size <= 130, `the clock holds ${size} timers`);
  // and a removed timer never fires or moves the clock: a later delay is on time
  const r2 = run(
    P(function* () {
      yield* timeout(pure(1), 5000);
      for (let i = 0; i < 200; i++) yield* timeout(delay(1), 10_000);
      yield* delay(20_000);
      return yield* now();
    }),
    { handlers: [scheduler, simulatedTime()] },
  );
  assertOk(r2, 20_200);
});

test("simulatedTime: a delay due past Number.MAX_SAFE_INTEGER ms is a RangeError at the delay (a millisecond no longer adds there: the clock did not move, then read as stuck, or became Infinity)", () => {
  const past =
    /^delay\(1\) at virtual time 9007199254740991 ms is due past Number\.MAX_SAFE_INTEGER ms \(285,000 years\), where a millisecond no longer adds exactly; keep virtual time below it \(to wait for ever, wait for a promise that is never completed\)$/;
  // with a scheduler: due exactly at the limit is fine; one more millisecond is refused, time stays
  const body = P(function* () {
    yield* delay(Number.MAX_SAFE_INTEGER);
    const r = yield* safe(delay(1));
    return [yield* now(), r.ok ? "moved" : r.error];
  });
  for (const handlers of [[scheduler, simulatedTime()], [simulatedTime()]]) {
    const r = run(body, { handlers });
    assert.equal(r.ok, true);
    const [t, e] = r.value as [number, unknown];
    assert.equal(t, Number.MAX_SAFE_INTEGER);
    assert.ok(e instanceof RangeError, String(e));
    assert.match(e.message, past);
  }
  // two delays of Number.MAX_VALUE made now() Infinity: the first is refused
  const huge = run(delay(Number.MAX_VALUE), { handlers: [scheduler, simulatedTime()] });
  assert.equal(huge.ok, false);
  assert.ok(huge.error instanceof RangeError);
  assert.match(huge.error.message, /^delay\(1\.7976931348623157e\+308\) at virtual time 0 ms is due past/);
  // a start past it: the first delay says so, naming the virtual time
  const far = run(delay(5), { handlers: [scheduler, simulatedTime({ start: 1e300 })] });
  assert.ok(far.error instanceof RangeError);
  assert.match(
    far.error.message,
    /^delay\(5\) at virtual time 1e\+300 ms is due past Number\.MAX_SAFE_INTEGER ms/,
  );
});

test("simulatedTime: the clock registers as an idle source once per scheduler world it waits in, not at every delay (an effect per timer: ~10 % of a timer's cost)", () => {
  const seen = { outer: 0, inner: 0 };
  const count = (world: "outer" | "inner") =>
    handle(RegisterIdleSource, function* () {
      seen[world]++;
      return yield* pass();
    });
  const entity = P(function* () {
    for (let i = 0; i < 100; i++) yield* delay(1 + (i % 3));
  });
  // a different scheduler nested in a task: a world of its own, on the same clock
  const innerWorld = P(function* () {
    const x = yield* spawn(
      P(function* () {
        for (let i = 0; i < 5; i++) yield* delay(2);
      }),
    );
    yield* gather(x, yield* spawn(delay(3)));
    return yield* now();
  });
  const r = run(
    P(function* () {
      const ts = [];
      for (let i = 0; i < 10; i++) ts.push(yield* spawn(entity));
      const host = yield* spawn(withHandler(createScheduler(), withHandler(count("inner"), innerWorld)));
      yield* gather(...ts);
      return [yield* wait(host), yield* now()];
    }),
    { handlers: [scheduler, simulatedTime(), count("outer")] },
  );
  assertOk(r, [10, 208]); // (the inner world ran to 10 first: the entities' first timers fired late, at 10)
  // the entities' first delays register the outer world's timers with it; the host runs its inner
  // world to the end, which registers its own there; then no more: each world's timers are
  // registered once (when the clock remembered only the last world, the entities' next delay
  // registered again: 2). One per delay was 1,000 and 6.
  assert.deepEqual(seen, { outer: 1, inner: 1 });
});

test("simulatedTime: a delay due before -Number.MAX_SAFE_INTEGER ms (a start far in the past) is a RangeError at the delay too — time did not move there either", () => {
  const before =
    /^delay\(1\) at virtual time -100000000000000000 ms is due before -Number\.MAX_SAFE_INTEGER ms, where a millisecond no longer adds exactly; start virtual time after it \(simulatedTime option start\)$/;
  const body = P(function* () {
    const t0 = yield* now(); // reading the clock there is fine
    const r = yield* safe(delay(1));
    return [t0, r.ok ? "moved" : r.error];
  });
  for (const handlers of [[scheduler, simulatedTime({ start: -1e17 })], [simulatedTime({ start: -1e17 })]]) {
    const r = run(body, { handlers });
    assert.equal(r.ok, true);
    const [t, e] = r.value as [number, unknown];
    assert.equal(t, -1e17);
    assert.ok(e instanceof RangeError, String(e));
    assert.match(e.message, before);
  }
  // a huge delay from a negative time is past the upper bound: that message
  const huge = run(delay(Number.MAX_VALUE), { handlers: [simulatedTime({ start: -5 })] });
  assert.ok(huge.error instanceof RangeError);
  assert.match(
    huge.error.message,
    /^delay\(1\.7976931348623157e\+308\) at virtual time -5 ms is due past Number\.MAX_SAFE_INTEGER ms/,
  );
  // at the limit itself a millisecond still adds: fine
  const edge = run(
    P(function* () {
      yield* delay(1);
      return yield* now();
    }),
    { handlers: [scheduler, simulatedTime({ start: -Number.MAX_SAFE_INTEGER })] },
  );
  assertOk(edge, -Number.MAX_SAFE_INTEGER + 1);
});

test("simulatedTime: one clock, two scheduler worlds taking turns (a nested world blocked on the outer one's promises), and one handler shared by two runs at once: the clock registered once per change of world gives the times registering at every delay gave", async () => {
  const body = (log: string[]) =>
    P(function* () {
      const entity = (name: string, steps: number[]) =>
        P(function* () {
          for (const s of steps) {
            yield* delay(s);
            log.push(`${name}@${yield* now()}`);
          }
        });
      const gates = [yield* createPromise<undefined>(), yield* createPromise<undefined>()];
      // the inner world waits on the outer world's promises: each wait hands the turn back to it
      const inner = P(function* () {
        const a = yield* spawn(entity("in", [3, 5, 7]));
        for (const g of gates) {
          yield* wait(g.future);
          log.push(`gate@${yield* now()}`);
          yield* delay(2);
        }
        yield* wait(a);
        return yield* now();
      });
      const host = yield* spawn(withHandler(createScheduler(), inner));
      const opener = P(function* () {
        for (const g of gates) {
          yield* delay(4);
          yield* completePromise(g, undefined);
        }
      });
      yield* gather(yield* spawn(opener), yield* spawn(entity("out", [2, 6, 1])));
      return [yield* wait(host), yield* now()];
    });
  // (as before 02da2de, which registered at every delay: a world's timers fire only while it runs —
  // `in` waits while the host is blocked in the outer world, `out` while the inner world runs to 20)
  const expected = ["out@2", "gate@4", "out@8", "gate@8", "in@8", "in@13", "in@20", "out@20"];
  const log: string[] = [];
  assertOk(run(body(log), { handlers: [scheduler, simulatedTime()] }), [20, 20]);
  assert.deepEqual(log, expected);
  const shared = simulatedTime();
  const logs: string[][] = [[], []];
  const rs = await Promise.all(logs.map((l) => runAsync(body(l), { handlers: [scheduler, shared] })));
  for (const r of rs) assertOk(r, [20, 20]);
  assert.deepEqual(logs, [expected, expected]);
});

test("simulatedTime(): a handler made per run is cheap and the same as before — named simulatedTime, one frozen TAKES shared by all, no prototype; its clock is made with the run's first reading of time (clockIn: none before), each run's its own", () => {
  const a = simulatedTime();
  const b = simulatedTime({ start: 5 });
  assert.equal(a.name, "simulatedTime");
  assert.equal(a[TAKES], b[TAKES]);
  assert.deepEqual(a[TAKES], [Now, Delay]);
  assert.ok(Object.isFrozen(a[TAKES]));
  assert.throws(() => (a[TAKES] as unknown as unknown[]).push(Now), TypeError);
  // (an arrow: the run option check, which reads a handler's prototype, makes none for it)
  assert.equal((a as { prototype?: unknown }).prototype, undefined);
  const ctxs: unknown[] = [];
  const seen = P(function* () {
    const ctx = yield* getRunContext();
    ctxs.push(ctx);
    const before = clockIn(b, ctx);
    const t = yield* now();
    yield* delay(3);
    return [before, t, yield* now()];
  });
  assert.deepEqual(run(seen, { handlers: [scheduler, b] }).value, [undefined, 5, 8]);
  // a second run: its own clock, from `start` again
  assert.deepEqual(run(seen, { handlers: [b] }).value, [undefined, 5, 8]);
  assert.equal((clockIn(b, ctxs[0] as never) as { now: number }).now, 8);
  assert.notEqual(clockIn(b, ctxs[0] as never), clockIn(b, ctxs[1] as never));
  assert.equal(clockIn(a, ctxs[0] as never), undefined);
});

test("simulatedTime(): a frozen handler (Object.freeze, a hardened realm) reads and advances its clock in every run, as an unfrozen one — nothing is written on the handler during a run (its first reading of time threw TypeError 'Cannot assign to read only property')", () => {
  const timed = P(function* () {
    const t0 = yield* now();
    yield* delay(3);
    return [t0, yield* now()];
  });
  for (const withScheduler of [false, true]) {
    const h = Object.freeze(simulatedTime({ start: 10 }));
    const handlers = withScheduler ? [scheduler, h] : [h];
    const ctxs: unknown[] = [];
    const seen = P(function* () {
      ctxs.push(yield* getRunContext());
      return yield* timed;
    });
    for (let i = 0; i < 2; i++) {
      const r = run(seen, { handlers });
      assert.equal(r.ok, true, r.ok ? "" : String(r.error));
      assert.deepEqual(r.value, [10, 13]);
    }
    // (clockIn, for tests, still finds each run's clock)
    assert.equal((clockIn(h, ctxs[0] as never) as { now: number }).now, 13);
    assert.notEqual(clockIn(h, ctxs[0] as never), clockIn(h, ctxs[1] as never));
    assert.equal(clockIn(Object.freeze(simulatedTime()), ctxs[0] as never), undefined);
  }
});
