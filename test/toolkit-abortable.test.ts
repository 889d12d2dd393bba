/** §9.8 abortable(program, signal): an outside AbortSignal cancels one program of a run. */
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { readFileSync } from "node:fs";
import { beforeEach, test } from "node:test";
import {
  abortable,
  AsyncRequiredError,
  createPromise,
  createExternalPromise,
  DeadlockError,
  awaitPromise,
  cancel,
  delay,
  fn,
  program,
  realTime,
  run,
  runAsync,
  scheduler,
  spawn,
  state,
  tell,
  timeout,
  TimeoutError,
  wait,
  writer,
} from "../src/index.js";
import { assertErr, assertOk } from "./sched-helpers.js";
import { events, job, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

/** A task that aborts `c` with `reason` after `ms` of the run's clock (code inside the run). */
const abortAfter = fn(function* abortAfter(c: AbortController, ms: number, reason: unknown) {
  yield* delay(ms);
  yield* mark("abort");
  c.abort(reason);
});

test("abortable: not aborted → the program's value, its log merged; the listener is removed", () => {
  const c = new AbortController();
  const work = program(function* work() {
    yield* tell("working");
    return yield* job("work", 30, "done");
  });
  const r = run(
    program(function* () {
      const v = yield* abortable(work, c.signal);
      yield* mark("after");
      return v;
    }),
    { handlers: TK() },
  );
  assertOk(r, "done");
  assert.deepEqual(r.log, ["working"]);
  assert.deepEqual(events, ["0: work start", "30: work done", "30: work finally", "30: after"]);
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
});

test("abortable: the program's failure is rethrown unchanged (the very error object)", () => {
  const c = new AbortController();
  const boom = new RangeError("boom");
  const failing = program(function* failing() {
    yield* delay(5);
    throw boom;
  });
  const r = run(abortable(failing, c.signal), { handlers: TK() });
  assert.equal(assertErr(r, RangeError), boom);
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
});

test("abortable: aborted during → the program is cancelled (its finally runs first), then signal.reason is thrown at the call", () => {
  const c = new AbortController();
  const reason = new Error("client disconnected");
  const main = program(function* () {
    yield* spawn(abortAfter(c, 10, reason));
    try {
      return yield* abortable(job("work", 100, "late"), c.signal);
    } catch (e) {
      yield* mark(e === reason ? "caught the reason" : `caught ${String(e)}`);
      return "handled";
    }
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, "handled");
  assert.deepEqual(events, ["0: work start", "10: abort", "10: work finally", "10: caught the reason"]);
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
});

test("abortable: aborted during, not caught → Err(signal.reason), the reason object itself", () => {
  const c = new AbortController();
  const reason = { code: "ECONNRESET" }; // (any value, as runAsync's signal: not only an Error)
  const main = program(function* () {
    yield* spawn(abortAfter(c, 10, reason));
    return yield* abortable(job("work", 100, "late"), c.signal);
  });
  const r = run(main, { handlers: TK() });
  assert.equal(r.ok, false);
  assert.equal(r.ok ? null : r.error, reason);
  assert.deepEqual(events, ["0: work start", "10: abort", "10: work finally"]);
});

test("abortable: a signal aborted before → the program never starts (nothing spawned, no listener)", () => {
  const c = new AbortController();
  const reason = new Error("gone already");
  c.abort(reason);
  let started = 0;
  const work = program(function* work() {
    started++;
    return 1;
  });
  const r = run(abortable(work, c.signal), { handlers: TK() });
  assert.equal(assertErr(r, Error), reason);
  assert.equal(started, 0);
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
  // the default reason of abort(): a DOMException named AbortError, thrown as it is
  const d = new AbortController();
  d.abort();
  const r2 = run(abortable(work, d.signal), { handlers: TK() });
  assert.equal(r2.ok ? null : r2.error, d.signal.reason);
  assert.equal((d.signal.reason as Error).name, "AbortError");
  assert.equal(started, 0);
});

test("abortable: aborted after the program completed → its value (a later abort changes nothing)", () => {
  const c = new AbortController();
  const main = program(function* () {
    const v = yield* abortable(job("work", 5, "v"), c.signal);
    c.abort(new Error("late"));
    yield* delay(1); // (the settled external promise of abortable is applied: no warning, no stray wake)
    return v;
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, "v");
  assert.deepEqual(r.warnings, []);
});

test("abortable: its calling task cancelled → it cancels the program's task (its finally runs) and removes the listener", () => {
  const c = new AbortController();
  const main = program(function* () {
    const t = yield* spawn(
      program(function* caller() {
        try {
          return yield* abortable(job("work", 100, "late"), c.signal);
        } finally {
          yield* mark("caller finally");
        }
      }),
    );
    yield* delay(10);
    yield* cancel(t);
    yield* mark("cancelled");
    assert.equal(getEventListeners(c.signal, "abort").length, 0);
    c.abort(new Error("after")); // (nobody listens: nothing happens)
    yield* delay(1);
    return "ok";
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, "ok");
  assert.deepEqual(events, ["0: work start", "10: work finally", "10: caller finally", "10: cancelled"]);
  assert.deepEqual(r.warnings, []);
});

test("abortable: a timeout around it names it and the program inside; an abort inside a timeout is the reason, not TimeoutError", () => {
  const c = new AbortController();
  const fetchUser = fn(function* fetchUser(id: number) {
    yield* delay(1000);
    return id;
  });
  const r = run(timeout(abortable(fetchUser(7), c.signal), 50), { handlers: TK() });
  const e = assertErr(r, TimeoutError) as TimeoutError;
  assert.match(e.message, /^abortable\(fetchUser\) timed out after 50 ms /); // (as scoped(fetchUser))
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
  const d = new AbortController();
  const reason = new Error("stop");
  const main = program(function* () {
    yield* spawn(abortAfter(d, 10, reason));
    return yield* timeout(abortable(fetchUser(7), d.signal), 50);
  });
  const r2 = run(main, { handlers: TK() });
  assert.equal(r2.ok ? null : r2.error, reason);
});

test("abortable: 10,000 calls on one long-lived signal leave no listener behind", () => {
  const c = new AbortController();
  let peak = 0;
  const one = program(function* one() {
    peak = Math.max(peak, getEventListeners(c.signal, "abort").length);
    return 1;
  });
  const main = program(function* () {
    let n = 0;
    for (let i = 0; i < 10_000; i++) n += yield* abortable(one, c.signal);
    return n;
  });
  assertOk(run(main, { handlers: TK() }), 10_000);
  assert.equal(peak, 1); // (its own, while it runs)
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
});

test("abortable: the traceback of the thrown reason names the caller, the abortable call site and where the reason was made", () => {
  const c = new AbortController();
  const slow = fn(function* slow() {
    yield* delay(1000);
  });
  const main = program(function* main() {
    yield* spawn(abortAfter(c, 10, new Error("client disconnected")));
    return yield* abortable(slow(), c.signal);
  });
  const r = run(main, { handlers: TK(), trace: { sites: true } });
  assertErr(r, Error);
  const report = r.format();
  const f = "test/toolkit-abortable.test.ts";
  const line = Number(/main at test\/toolkit-abortable\.test\.ts:(\d+)/.exec(report)?.[1]);
  assert.deepEqual(report.split("\n"), [
    "doeff traceback (outermost first):",
    `  main at ${f}:${line}`,
    `  abortable at ${f}:${line}`, // the call site of abortable(...)
    `  thrown at ${f}:${line - 1}`, // (its stack: the reason was made on the line before)
    "Error: client disconnected",
  ]);
  // abort() with no reason: the DOMException, made by the abort() call (without sites: the frames' names)
  const d = new AbortController();
  const stopper = fn(function* stopper() {
    yield* delay(10);
    d.abort();
  });
  const main2 = program(function* main() {
    yield* spawn(stopper());
    return yield* abortable(slow(), d.signal);
  });
  const report2 = run(main2, { handlers: TK() }).format().split("\n");
  assert.deepEqual(report2.slice(0, 3), ["doeff traceback (outermost first):", "  main", "  abortable"]);
  const abortLine =
    readFileSync(new URL(import.meta.url), "utf8")
      .split("\n")
      .indexOf("    d.abort();") + 1;
  assert.equal(report2[3], `  thrown at ${f}:${abortLine}`);
  assert.deepEqual(report2.slice(4), ["DOMException AbortError: This operation was aborted"]);
});

test("abortable: a failure of the program has the traceback of the abortable call site, then its task", () => {
  const c = new AbortController();
  const fetchUser = fn(function* fetchUser(id: number) {
    yield* delay(10);
    throw new Error(`user ${id} missing`);
  });
  const main = program(function* main() {
    return yield* abortable(fetchUser(7), c.signal);
  });
  const report = run(main, { handlers: TK(), trace: { sites: true } }).format();
  const line = Number(/main at test\/toolkit-abortable\.test\.ts:(\d+)/.exec(report)?.[1]);
  const f = "test/toolkit-abortable.test.ts";
  assert.deepEqual(report.split("\n"), [
    "doeff traceback (outermost first):",
    `  main at ${f}:${line}`,
    `  abortable at ${f}:${line}`,
    `  ── in task 1 (spawned at ${f}:${line}) ──`,
    `  fetchUser at ${f}:${line - 4}`,
    `  thrown at ${f}:${line - 3}`,
    "Error: user 7 missing",
  ]);
});

test("abortable under runAsync + realTime: a real abort from outside cancels a program waiting on a promise", async () => {
  const c = new AbortController();
  const reason = new Error("client disconnected");
  const marks: string[] = [];
  const work = program(function* work() {
    try {
      // never settles; the client goes away once it has started (a real event, outside the run)
      return yield* awaitPromise(() => {
        setTimeout(() => c.abort(reason), 1);
        return new Promise<string>(() => {});
      });
    } finally {
      marks.push("work finally");
    }
  });
  const r = await runAsync(
    program(function* () {
      const fast = yield* abortable(
        program(function* () {
          yield* delay(1);
          return "fast";
        }),
        c.signal,
      );
      marks.push(fast);
      try {
        return yield* abortable(work, c.signal);
      } catch (e) {
        marks.push(e === reason ? "reason" : "other");
        throw e;
      }
    }),
    { handlers: [scheduler, realTime, state, writer] },
  );
  assert.equal(r.ok ? null : r.error, reason);
  assert.deepEqual(marks, ["fast", "work finally", "reason"]);
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
});

test("abortable under runAsync: the run ends when the program does (the signal's pending promise is released)", async () => {
  const c = new AbortController(); // never aborted
  const r = await runAsync(
    program(function* () {
      const t = yield* spawn(abortable(delay(1), c.signal));
      yield* wait(t);
      return "done";
    }),
    { handlers: [scheduler, realTime, state, writer] },
  );
  assertOk(r, "done");
});

test("abortable under run: a program that blocks for good is a DeadlockError, as it is outside abortable (nothing can abort the signal during a synchronous run, and an abort would only cancel it); a wait for another external promise still needs the event loop", () => {
  // (under runAsync the run waits for the signal instead: a hung request's client going away is
  // what abortable is for; under run, runAsync would be no fix — it would wait for ever)
  const c = new AbortController();
  const stuck = program(function* stuck() {
    const p = yield* createPromise<number>();
    return yield* wait(p.future);
  });
  const e = assertErr(run(abortable(stuck, c.signal), { handlers: TK() }), DeadlockError) as Error;
  assert.equal(
    e.message,
    "deadlock: every task is blocked (main, task 1) and nothing timed or external is pending; one waits for what no task will do (complete a promise, release a semaphore, send on or close a channel, finish; a semaphore or channel shared with a run going on at the same time never wakes this run's tasks). Where they wait: main in abortable; task 1 in stuck. Thrown where task 1 blocked last",
  );
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
  // the same program not wrapped: the same error class
  assertErr(run(stuck, { handlers: TK() }), DeadlockError);
  // blocked inside abortable on an external promise of its own: that one could be completed from
  // outside under runAsync, so the run says it needs the event loop
  const outside = program(function* outside() {
    const x = yield* createExternalPromise<number>();
    return yield* abortable(wait(x.future), c.signal);
  });
  const a = assertErr(run(outside, { handlers: TK() }), AsyncRequiredError) as Error;
  assert.equal(
    a.message,
    "waiting for an external promise (awaitPromise, createExternalPromise, a receive on an eventChannel) needs the event loop; use runAsync(program, options) instead of run()",
  );
  // and once such an abortable has returned (its signal settled), a later deadlock is still one
  const after = program(function* after() {
    yield* abortable(delay(1), c.signal);
    yield* abortable(delay(1), c.signal);
    return yield* abortable(stuck, c.signal);
  });
  assertErr(run(after, { handlers: TK() }), DeadlockError);
});

test("abortable: once it returns, its signal is no longer pending work of the run (a later deadlock is a DeadlockError)", () => {
  const c = new AbortController(); // never aborted
  const main = program(function* main() {
    yield* abortable(delay(1), c.signal);
    const p = yield* createPromise<number>();
    return yield* wait(p.future); // nobody completes it
  });
  assertErr(run(main, { handlers: TK() }), DeadlockError);
});

test("abortable: bad arguments → TypeError at the call naming what to pass", () => {
  const c = new AbortController();
  assert.throws(
    () => abortable(delay(1), { aborted: false } as unknown as AbortSignal),
    new TypeError(
      "abortable expects an AbortSignal second, e.g. abortable(program, controller.signal) with a new AbortController(), got object",
    ),
  );
  assert.throws(
    () => abortable(c as unknown as AbortSignal as never, c.signal),
    (e: unknown) =>
      e instanceof TypeError && /^abortable expects a Program, Effect or primitive/.test(e.message),
  );
  assert.throws(
    () => abortable((() => delay(1)) as never, c.signal),
    (e: unknown) =>
      e instanceof TypeError &&
      /^abortable expects a Program, Effect or primitive, got function \(anonymous\): pass the program itself/.test(
        e.message,
      ),
  );
  assert.throws(
    () => abortable(delay(1), undefined as unknown as AbortSignal),
    /^TypeError: abortable expects an AbortSignal second, .*got undefined$/,
  );
});
