/**
 * timeout's deadline route (src/effects/deadline.ts, src/handlers/scheduler-deadline.ts): where only
 * the standard scheduler and a standard clock would see its timer task's effects, that task is made
 * but not started; it waits on a promise the clock completes at the deadline and starts only then.
 * Compared with the timer task that runs to its `delay` (deadlineRoute.on = false): events in order,
 * outcome, log, warnings, formatted traceback and task ids — random programs of timeouts (kept,
 * expired, at a tie with other timers, nested, in tasks, cancelled while they wait, with finally
 * blocks that throw) under both orders of scheduler and clock, simulatedTime and virtualClock, with
 * and without trace sites and handlers between them; realTime under runAsync; an aborted run's
 * report. And the rule: which handlers keep the timer task.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { deadlineAsk, deadlineRoute } from "../src/effects/deadline.js";
import {
  cancel,
  CreatePromise,
  Delay,
  delay,
  fn,
  getTaskInfo,
  type Handler,
  handle,
  now,
  observe,
  realTime,
  resume,
  run,
  runAsync,
  scheduler,
  scoped,
  simulatedTime,
  spawn,
  state,
  tell,
  timeout,
  wait,
  withHandler,
  writer,
  Effect,
} from "../src/index.js";
import { createScheduler } from "../src/handlers/scheduler.js";
import { virtualClock } from "../src/testing/index.js";
import { bundle, importBuilt, inTempDir } from "./bundle.js";
import { observed } from "./sched-helpers.js";

/** Count the timeouts that take the route: their timer task made, not started (the scheduler's answer). */
function counting(): { n: number; restore(): void } {
  const atSite = deadlineAsk.atSite!;
  const c = {
    n: 0,
    restore: () => {
      deadlineAsk.atSite = atSite;
    },
  };
  deadlineAsk.atSite = (...a) => {
    const wake = atSite(...a);
    if (deadlineAsk.timer !== null) c.n++;
    return wake;
  };
  return c;
}

/** Run `f` with the route on or off, counting the timeouts that took it. */
function route<T>(on: boolean, f: () => T): { out: T; armed: number } {
  const c = counting();
  deadlineRoute.on = on;
  try {
    return { out: f(), armed: c.n };
  } finally {
    deadlineRoute.on = true;
    c.restore();
  }
}

async function routeAsync<T>(on: boolean, f: () => Promise<T>): Promise<{ out: T; armed: number }> {
  const c = counting();
  deadlineRoute.on = on;
  try {
    return { out: await f(), armed: c.n };
  } finally {
    deadlineRoute.on = true;
    c.restore();
  }
}

type Op =
  | { t: "timeout"; work: number; limit: number; fail: boolean; throwInFinally: boolean }
  | { t: "nested"; work: number; inner: number; outer: number }
  | { t: "spawnTimeout"; work: number; limit: number; wait: boolean }
  | { t: "spawnDelay"; ms: number; wait: boolean }
  | { t: "cancelWaiting"; work: number; limit: number; after: number }
  | { t: "delay"; ms: number };

const ms = fc.nat(3);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    t: fc.constant("timeout" as const),
    work: ms,
    limit: ms,
    fail: fc.boolean(),
    throwInFinally: fc.boolean(),
  }),
  fc.record({ t: fc.constant("nested" as const), work: ms, inner: ms, outer: ms }),
  fc.record({ t: fc.constant("spawnTimeout" as const), work: ms, limit: ms, wait: fc.boolean() }),
  fc.record({ t: fc.constant("spawnDelay" as const), ms, wait: fc.boolean() }),
  fc.record({ t: fc.constant("cancelWaiting" as const), work: ms, limit: ms, after: ms }),
  fc.record({ t: fc.constant("delay" as const), ms }),
);

function program(ops: Op[], events: string[]) {
  const job = fn(function* job(
    name: string,
    ms: number,
    fails: boolean,
    throwInFinally = false,
  ): Generator<any, string, any> {
    const me = yield* getTaskInfo();
    try {
      yield* tell(`${name} start ${yield* now()} in task ${me.id} of ${me.parent}`);
      if (ms > 0) yield* delay(ms);
      if (fails) throw new Error(`${name} failed`);
      yield* tell(`${name} end ${yield* now()}`);
      return name;
    } finally {
      events.push(`${name} finally ${yield* now()}`);
      // biome-ignore lint/correctness/noUnsafeFinally: a finally block that throws (a warning when cancelled)
      if (throwInFinally) throw new Error(`${name}'s finally threw`);
    }
  });
  const guarded = fn(function* guarded(
    name: string,
    work: number,
    limit: number,
  ): Generator<any, string, any> {
    try {
      return yield* timeout(job(name, work, false), limit);
    } catch (e) {
      events.push(`${name} caught ${(e as Error).message}`);
      return "timed out";
    }
  });
  return fn(function* main() {
    for (const [i, op] of ops.entries()) {
      try {
        switch (op.t) {
          case "timeout":
            events.push(String(yield* timeout(job(`w${i}`, op.work, op.fail, op.throwInFinally), op.limit)));
            break;
          case "nested":
            events.push(String(yield* timeout(timeout(job(`n${i}`, op.work, false), op.inner), op.outer)));
            break;
          case "spawnTimeout": {
            const t = yield* spawn(guarded(`g${i}`, op.work, op.limit));
            if (op.wait) events.push(`waited ${yield* wait(t)}`);
            break;
          }
          case "spawnDelay": {
            const t = yield* spawn(job(`s${i}`, op.ms, false));
            if (op.wait) events.push(`waited ${yield* wait(t)}`);
            break;
          }
          case "cancelWaiting": {
            const t = yield* spawn(guarded(`c${i}`, op.work, op.limit));
            yield* delay(op.after);
            events.push(`cancel ${yield* cancel(t)} at ${yield* now()}`);
            break;
          }
          case "delay":
            yield* delay(op.ms);
            events.push(`main at ${yield* now()}`);
            break;
        }
      } catch (e) {
        events.push(`caught ${(e as Error).message}`);
      }
    }
    return events.length;
  })();
}

test("timeout's deadline route: 300 random programs under [scheduler, clock] and [clock, scheduler] (simulatedTime, virtualClock), with and without sites and a state handler inside, give the same events, outcome, log, warnings, traceback and task ids as the timer task's delay", () => {
  let armedTotal = 0;
  const exec = (ops: Op[], on: boolean, order: number, sites: boolean, inner: boolean, virtual: boolean) =>
    route(on, () => {
      const events: string[] = [];
      const vc = virtual ? virtualClock() : null;
      const clock: readonly Handler[] = vc !== null ? vc.handlers : [simulatedTime()];
      const hs: Handler[] =
        vc !== null ? [...clock] : order === 0 ? [scheduler, ...clock] : [...clock, scheduler];
      if (inner) hs.push(state);
      const r = run(program(ops, events), { handlers: [writer, ...hs], trace: { sites } });
      return {
        ...observed(events, r),
        delays: vc?.delays.map((d) => `${d.ms} ${d.from}→${d.until}`) ?? null,
      };
    });
  fc.assert(
    fc.property(
      fc.array(opArb, { maxLength: 6 }),
      fc.nat(1),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      (ops, order, sites, inner, virtual) => {
        const slow = exec(ops, false, order, sites, inner, virtual);
        const fast = exec(ops, true, order, sites, inner, virtual);
        assert.equal(slow.armed, 0);
        assert.deepEqual(fast.out, slow.out);
        armedTotal += fast.armed;
      },
    ),
    { numRuns: Number(process.env.RUNS ?? 300), seed: 0x7d1e },
  );
  assert.ok(armedTotal > 300, `the route was taken (${armedTotal} deadlines)`);
});

test("timeout's deadline route: task ids and the tie at the deadline — the program's own timer due at the deadline loses, another task's timer set first wins — as with the timer task", () => {
  const exec = (on: boolean) =>
    route(on, () => {
      const events: string[] = [];
      const job = fn(function* job(name: string, ms: number) {
        events.push(`${name} in task ${(yield* getTaskInfo()).id}`);
        try {
          yield* delay(ms);
          events.push(`${name} done`);
          return name;
        } finally {
          events.push(`${name} finally at ${yield* now()}`);
        }
      });
      const main = fn(function* main() {
        // task 1 sets its 5 ms timer before timeout's timer (task 3, ready after it) does
        const other = yield* spawn(job("other", 5));
        try {
          yield* timeout(job("work", 5), 5); // timer task 2, program task 3 (spawned by main)
        } catch (e) {
          events.push(`caught ${(e as Error).name} at ${yield* now()}`);
        }
        events.push(`kept ${yield* timeout(job("quick", 1), 5)}`); // tasks 4, 5
        return yield* wait(other);
      });
      return observed(events, run(main(), { handlers: [scheduler, simulatedTime()] }));
    });
  const slow = exec(false);
  const fast = exec(true);
  assert.deepEqual(fast.out, slow.out);
  assert.equal(fast.armed, 2);
  assert.deepEqual(fast.out.events, [
    "other in task 1",
    "work in task 3",
    "other done",
    "other finally at 5",
    "work finally at 5",
    "caught TimeoutError at 5",
    "quick in task 5",
    "quick done",
    "quick finally at 6",
    "kept quick",
  ]);
});

test("timeout's deadline route: the rule — standard clocks (either order, virtualClock) and handlers that declare other classes take it; a clock of the user's, an observer of Delay or of every effect, scoped, and realTime under run keep the timer task", () => {
  const quick = fn(function* quick() {
    return 1;
  });
  // (the run's first scheduler effect goes to the scheduler's handler, R8, which answers timeout's
  // question as its FAST_PATH does at the site: both timeouts take the route)
  const twice = fn(function* twice() {
    yield* timeout(quick(), 10);
    return yield* timeout(quick(), 10);
  });
  const armed = (hs: Handler[], p: () => unknown = () => twice()) =>
    route(true, () => {
      const r = run(p() as never, { handlers: hs });
      return r.ok ? r.value : String(r.error);
    });
  const myClock = handle(Delay, function* (_e, k) {
    return yield* resume(k, undefined);
  });
  assert.deepEqual(armed([scheduler, simulatedTime()]), { out: 1, armed: 2 });
  assert.deepEqual(armed([simulatedTime(), scheduler]), { out: 1, armed: 2 });
  assert.deepEqual(armed([...virtualClock().handlers]), { out: 1, armed: 2 });
  assert.deepEqual(armed([scheduler, simulatedTime(), writer, state]), { out: 1, armed: 2 });
  assert.deepEqual(armed([scheduler, simulatedTime(), observe(Delay, () => {})]), { out: 1, armed: 0 });
  assert.deepEqual(armed([scheduler, simulatedTime(), observe(() => {})]), { out: 1, armed: 0 });
  // (the user's clock answers every delay at once: the timer task's fires first, as it always did)
  const mine = armed([scheduler, simulatedTime(), myClock]);
  assert.equal(mine.armed, 0);
  assert.match(String(mine.out), /^TimeoutError: quick timed out after 10 ms/);
  assert.deepEqual(
    armed([scheduler, simulatedTime()], () => scoped(twice())),
    { out: 1, armed: 0 },
  );
  // realTime under run: its delay would throw AsyncRequiredError, which timeout throws (the timer task's)
  const sync = armed([scheduler, realTime]);
  assert.equal(sync.armed, 0);
  assert.match(String(sync.out), /AsyncRequiredError/);
});

test("timeout's deadline route: realTime under runAsync — kept, expired, at a tie, in tasks — gives the same events, outcome and traceback as the timer task", async () => {
  const go = (on: boolean) =>
    routeAsync(on, async () => {
      const events: string[] = [];
      const slow = fn(function* slow(ms: number) {
        try {
          yield* delay(ms);
          return ms;
        } finally {
          events.push(`slow ${ms} finally`);
        }
      });
      const main = fn(function* main() {
        events.push(`kept ${yield* timeout(slow(1), 200)}`);
        try {
          yield* timeout(slow(200), 5);
        } catch (e) {
          events.push(`caught ${(e as Error).message}`);
        }
        const t = yield* spawn(timeout(slow(2), 100));
        events.push(`task ${yield* wait(t)}`);
        return yield* timeout(slow(300), 3);
      });
      return observed(events, await runAsync(main(), { handlers: [scheduler, realTime] }));
    });
  const slow = await go(false);
  const fast = await go(true);
  assert.deepEqual(fast.out, slow.out);
  assert.equal(fast.armed, 4); // (the first too: the scheduler's first invocation, R8, answers it)
  assert.equal(slow.out.ok, false);
  assert.match(String(slow.out.value), /TimeoutError|timed out after 3 ms/);
});

test("timeout's deadline route: an aborted run's report shows the timer task blocked in its delay, and the run ends with no host timer left, as with the timer task", async () => {
  const go = (on: boolean) =>
    routeAsync(on, async () => {
      const slow = fn(function* slow() {
        yield* delay(2_000);
        return 1;
      });
      const inner = fn(function* inner() {
        return yield* timeout(slow(), 60_000);
      });
      const main = fn(function* main() {
        const t = yield* spawn(inner());
        yield* delay(10);
        return yield* wait(t);
      });
      const ac = new AbortController();
      // (300 ms: main's delay(10) must be over, and main in its wait, on a loaded machine too)
      const timer = setTimeout(() => ac.abort(new Error("stop")), 300);
      const started = process.hrtime.bigint();
      const r = await runAsync(main(), { handlers: [scheduler, realTime], signal: ac.signal });
      clearTimeout(timer);
      return {
        ok: r.ok,
        format: r.format().replace(/\(made at [^)]*\)/, ""),
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      };
    });
  const slow = await go(false);
  const fast = await go(true);
  assert.equal(fast.armed, 1);
  assert.equal(fast.out.format, slow.out.format);
  assert.match(
    fast.out.format,
    /── in task 2 \(spawned by task 1\) ──\n {2}blocked in delay\(60000\)\n {2}── in task 3 \(spawned by task 1\) ──/,
  );
  // (the deadline's host timer was cleared as the run ended: this process would otherwise stay a minute)
  assert.ok(fast.out.ms < 5_000);
});

test("timeout's deadline route: a deadline that fires while virtual time is stuck fails the timeout with the stuck clock's DoeffError and the same traceback as the timer task's delay", () => {
  const never = fn(function* never() {
    yield* delay(10);
    return 1;
  });
  // a deadline of 0 ms per call, 100,000 in a row at one instant, a timer due later pending
  const main = fn(function* main() {
    yield* spawn(delay(5));
    for (;;) {
      try {
        yield* timeout(never(), 0);
      } catch (e) {
        if ((e as Error).name !== "TimeoutError") throw e;
      }
    }
  });
  const go = (on: boolean, sites: boolean) =>
    route(on, () => {
      const r = run(main(), { handlers: [scheduler, simulatedTime()], trace: { sites } });
      return { ok: r.ok, error: String(r.error), format: r.format(), warnings: r.warnings.map(String) };
    });
  // (~100,000 timeouts per run: one pair, without sites — the random test above runs with them)
  const slow = go(false, false);
  const fast = go(true, false);
  assert.deepEqual(fast.out, slow.out);
  assert.ok(fast.armed > 100_000);
  assert.match(slow.out.error, /^DoeffError: virtual time is stuck at 0 ms/);
  assert.match(slow.out.format, /── in task 200002 ──\n/);
});

test("timeout's deadline route in a bundle: what timeout needs of the scheduler's side comes with it (the package is sideEffects-free: an import for its effects alone is dropped)", async () => {
  // a bundle of timeout alone, minified, as an app's bundler makes it
  const entry = `
import { fn, run, scheduler, simulatedTime, timeout, delay } from "./src/index.ts";
const job = fn(function* job(ms) { yield* delay(ms); return ms; });
const main = fn(function* main() {
  const out = [yield* timeout(job(1), 5)]; // (the run's first scheduler effect: the handler's, R8)
  out.push(yield* timeout(job(2), 5)); // asked at the site: the deadline route
  try { yield* timeout(job(9), 5); } catch (e) { out.push(e.name); }
  return out;
});
export const go = () => run(main(), { handlers: [scheduler, simulatedTime()] });
`;
  const built = await bundle(entry, { minify: true });
  await inTempDir("doeff-deadline-", async (dir) => {
    const m = await importBuilt(built, dir);
    const r = m.go();
    assert.equal(r.ok, true, String(r.error));
    assert.deepEqual(r.value, [1, 2, "TimeoutError"]);
  });
});

test("timeout's deadline route: a run aborted by its own code (run + simulatedTime) while the timer waits for its deadline, and as the deadline wakes it, reports the same as with the timer task", () => {
  for (const at of [2, 5]) {
    const go = (on: boolean) =>
      route(on, () => {
        const ac = new AbortController();
        const job = fn(function* job() {
          yield* delay(10);
          return 1;
        });
        // its timer due at 5 is set before the deadline's: at 5 it runs first, the timer task woken after it
        const stopper = fn(function* stopper(ms: number) {
          yield* delay(ms);
          ac.abort(new Error("stop"));
          yield* delay(1);
        });
        const inner = fn(function* inner() {
          return yield* timeout(job(), 5);
        });
        const main = fn(function* main() {
          const b = yield* spawn(stopper(at));
          yield* delay(0);
          const t = yield* spawn(inner());
          yield* wait(b);
          return yield* wait(t);
        });
        const r = run(main(), { handlers: [scheduler, simulatedTime()], signal: ac.signal });
        return { ok: r.ok, format: r.format() };
      });
    const slow = go(false);
    const fast = go(true);
    assert.equal(fast.armed, 1);
    assert.deepEqual(fast.out, slow.out);
    assert.equal(slow.out.ok, false);
    assert.equal(
      /── in task 3 \(spawned by task 2\) ──\n {2}blocked in delay\(5\)/.test(slow.out.format),
      at === 2,
    );
  }
});

test("timeout's deadline route: a timeout whose createPromise a handler fails leaves nothing of the call in the module-level slot (its Race, site and effect were held until the next timeout in the process)", () => {
  const job = fn(function* job() {
    return 1;
  });
  const refuse = handle(CreatePromise, function* () {
    throw new Error("no promises here");
  });
  const refused = fn(function* refused() {
    return yield* timeout(job(), 5);
  });
  const main = fn(function* main() {
    const out: unknown[] = [yield* timeout(job(), 5)];
    try {
      yield* withHandler(refuse, refused());
    } catch (e) {
      out.push(String(e));
    }
    return out;
  });
  const r = run(main(), { handlers: [scheduler, simulatedTime()], trace: { sites: true } });
  assert.deepEqual(r.value, [1, "Error: no promises here"]);
  assert.equal(deadlineAsk.effect, null);
  assert.equal(deadlineAsk.body, null);
  assert.equal(deadlineAsk.site, null);
  assert.equal(deadlineAsk.timer, null);
  assert.equal(deadlineAsk.clock, null);
  // and the route works on: the next timeout asks and takes it (its timer task made, not started)
  const again = route(
    true,
    () =>
      run(
        fn(function* () {
          yield* timeout(job(), 5);
          return yield* timeout(job(), 5);
        })(),
        { handlers: [scheduler, simulatedTime()] },
      ).value,
  );
  assert.deepEqual(again, { out: 1, armed: 2 });
});

/**
 * The programs of the two "first scheduler effect is timeout's" tests: `first(work, limit)` times
 * `slow(work)` out at `limit`, each recording its finally in `events` and its task in the log.
 */
function firstIsTimeout() {
  const events: string[] = [];
  const slow = fn(function* slow(ms: number) {
    try {
      yield* tell(`slow ${ms} in task ${(yield* getTaskInfo()).id}`);
      yield* delay(ms);
      return ms;
    } finally {
      events.push(`slow ${ms} finally`);
    }
  });
  const first = fn(function* first(work: number, limit: number) {
    try {
      return yield* timeout(slow(work), limit);
    } finally {
      events.push(`after ${(yield* getTaskInfo()).id}`);
    }
  });
  return { events, slow, first };
}

test("timeout's deadline route: a run whose first scheduler effect is timeout's (a request's deadline) takes it too — the scheduler's first invocation, R8, answers it — kept and expired, realTime under runAsync and simulatedTime under run, with and without sites: the same events, outcome, log and traceback as the timer task", async () => {
  const { events, first } = firstIsTimeout();
  for (const sites of [false, true]) {
    for (const [work, limit] of [
      [1, 200],
      [300, 5],
    ] as const) {
      const goAsync = (on: boolean) =>
        routeAsync(on, async () => {
          events.length = 0;
          const r = await runAsync(first(work, limit), {
            handlers: [writer, scheduler, realTime],
            trace: { sites },
          });
          return observed([...events], r);
        });
      const a = await goAsync(false);
      const b = await goAsync(true);
      assert.equal(a.armed, 0);
      assert.equal(b.armed, 1);
      assert.deepEqual(b.out, a.out);
      assert.equal(b.out.ok, work < limit);
      const goSync = (on: boolean) =>
        route(on, () => {
          events.length = 0;
          const r = run(first(work, limit), {
            handlers: [writer, scheduler, simulatedTime()],
            trace: { sites },
          });
          return observed([...events], r);
        });
      const c = goSync(false);
      const d = goSync(true);
      assert.equal(c.armed, 0);
      assert.equal(d.armed, 1);
      assert.deepEqual(d.out, c.out);
      assert.deepEqual(d.out.events, [`slow ${work} finally`, "after 0"]);
      // (a timed-out program's log is not merged: timeout never delivered its outcome)
      assert.deepEqual(d.out.log, work < limit ? [`slow ${work} in task 2`] : []);
    }
  }
});

test("timeout's deadline route: the scheduler's first invocation (R8) answers as its FAST_PATH would at the site — the scheduler installed again inside its scope or listed twice, only inside main, a nested scheduler in main or in a task (a tie with the outer world's timers on one clock), a clock or state inside it, timeout in a handler's code — the same events, outcome, log and traceback as the timer task, with and without sites", () => {
  const { events, first } = firstIsTimeout();
  const tick = fn(function* tick(ms: number) {
    yield* delay(ms);
    events.push(`tick ${ms}`);
    return ms;
  });
  const inTask = (p: unknown, limit: number) =>
    fn(function* outer() {
      const a = yield* spawn(tick(limit));
      const b = yield* spawn(p as never);
      try {
        return [yield* wait(a), yield* wait(b)];
      } catch (e) {
        return String(e);
      }
    })();
  const ask = handle(State0, function* (_e, k) {
    return yield* resume(k, yield* first(1, 200));
  });
  const cases: [string, (w: number, l: number) => unknown, () => Handler[]][] = [
    [
      "reinstalled",
      (w, l) => withHandler(scheduler, first(w, l)),
      () => [writer, scheduler, simulatedTime()],
    ],
    ["listed twice", (w, l) => first(w, l), () => [writer, scheduler, scheduler, simulatedTime()]],
    ["only in main", (w, l) => withHandler(scheduler, first(w, l)), () => [writer, simulatedTime()]],
    [
      "clock inside",
      (w, l) => withHandler(simulatedTime({ start: 9 }), first(w, l)),
      () => [writer, scheduler, simulatedTime()],
    ],
    ["state inside", (w, l) => withHandler(state, first(w, l)), () => [writer, scheduler, simulatedTime()]],
    [
      "nested in main",
      (w, l) => withHandler(createScheduler(), first(w, l)),
      () => [writer, scheduler, simulatedTime()],
    ],
    [
      "nested in a task",
      (w, l) => inTask(withHandler(createScheduler(), first(w, l)), l),
      () => [writer, scheduler, simulatedTime()],
    ],
    ["in a handler's code", () => new State0(), () => [writer, scheduler, simulatedTime(), ask as Handler]],
  ];
  for (const [name, mk, handlers] of cases) {
    for (const sites of [false, true]) {
      for (const [work, limit] of [
        [1, 200],
        [300, 5],
        [5, 5],
      ] as const) {
        const go = (on: boolean) =>
          route(on, () => {
            events.length = 0;
            const r = run(mk(work, limit) as never, { handlers: handlers(), trace: { sites } });
            return observed([...events], r);
          });
        const a = go(false);
        const b = go(true);
        assert.deepEqual([name, a.armed, b.armed], [name, 0, 1]);
        assert.deepEqual(b.out, a.out, `${name}, sites ${sites}, ${work} in ${limit} ms`);
      }
    }
  }
});

/** An effect of the test's own, whose handler calls timeout (the run's first scheduler effect). */
class State0 extends Effect<unknown> {
  declare readonly _tag: "State0";
}
