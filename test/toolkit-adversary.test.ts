/**
 * A hostile review of the concurrency toolkit (src/concurrency) and the scheduler handlers under it:
 * each test is an attack that once broke something — a wrong answer, a hang, a leak, an unclear
 * error — and pins the fixed behaviour with exact values, error classes and order of events.
 */
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import {
  abortable,
  acquire,
  AsyncRequiredError,
  awaitPromise,
  cancel,
  createChannel,
  createPromise,
  createSemaphore,
  DeadlockError,
  delay,
  forEach,
  fn,
  now,
  type Program,
  program,
  realTime,
  receive,
  retry,
  run,
  runAsync,
  safe,
  scheduler,
  send,
  simulatedTime,
  spawn,
  TaskCancelledError,
  TimeoutError,
  timeout,
  wait,
} from "../src/index.js";
import { assertErr, assertOk } from "./sched-helpers.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const job = fn(function* job(ms: number, value: string) {
  yield* delay(ms);
  return `${value} at ${yield* now()}`;
});

test("adversary: timeout with a deadline past the end of the simulated clock runs the program without one, as under realTime", async () => {
  // a `start` at today's epoch and a "no real limit" deadline: due past Number.MAX_SAFE_INTEGER ms.
  // The timer's own delay was refused (a RangeError naming a `delay` nobody wrote), so the timeout
  // failed before the program ran — where realTime answers the value.
  const start = 1_700_000_000_000;
  const main = program(function* () {
    const a = yield* timeout(job(10, "a"), Number.MAX_SAFE_INTEGER);
    const b = yield* timeout(job(0, "b"), 1e300);
    return [a, b];
  });
  assertOk(run(main, { handlers: [scheduler, simulatedTime({ start })] }), [
    `a at ${start + 10}`,
    `b at ${start + 10}`,
  ]);
  const real = await runAsync(timeout(job(1, "r"), 1e300), { handlers: [scheduler, realTime] });
  assert.equal(real.ok, true);
  // a program that never ends is still a deadlock, reported as one (not the clock's RangeError)
  const never = program(function* () {
    const p = yield* createPromise<string>();
    return yield* timeout(wait(p.future), 1e300);
  });
  assertErr(run(never, { handlers: [scheduler, simulatedTime({ start })] }), DeadlockError);
});

test("adversary: retry in a finally block of a cancelled task does not retry its own cancellation (times: Infinity hung the run)", () => {
  // Every blocking call of a task being finalized throws TaskCancelledError, and every retry of it
  // throws again: `retry` retried that error — with `times: Infinity`, for ever (a cede does not
  // switch while a task is cancelled), so `cancel` and the run never returned.
  let attempts = 0;
  const flush = fn(function* flush() {
    attempts++;
    if (attempts >= 1000) return; // (so that the old code ends: it retried every attempt)
    yield* delay(1);
  });
  const worker = fn(function* worker() {
    try {
      yield* delay(100);
    } finally {
      yield* retry(flush(), { times: Number.POSITIVE_INFINITY });
    }
  });
  const main = program(function* () {
    const t = yield* spawn(worker());
    yield* delay(1);
    return yield* cancel(t);
  });
  const r = run(main, { handlers: [scheduler, simulatedTime()] });
  assertOk(r, true);
  assert.equal(attempts, 1);
  // the finally block's blocking call is what it always is: a TaskCancelledError kept as a warning
  assert.equal(r.warnings.length, 1);
  assert.ok(r.warnings[0] instanceof TaskCancelledError);
  assert.match(r.warnings[0].message, /^task 1 is being cancelled: blocking operations/);
  // a finite `times` made as many attempts, each failing at once, before it gave up
  attempts = 0;
  const finite = fn(function* finite() {
    try {
      yield* delay(100);
    } finally {
      yield* retry(flush(), { times: 5, delay: 0 });
    }
  });
  const r2 = run(
    program(function* () {
      const t = yield* spawn(finite());
      yield* delay(1);
      return yield* cancel(t);
    }),
    { handlers: [scheduler, simulatedTime()] },
  );
  assertOk(r2, true);
  assert.equal(attempts, 1);
});

test("adversary: retry does not retry the scheduler's DeadlockError or AsyncRequiredError (times: Infinity never returned)", () => {
  // Both say the run cannot go on — every task waits and nothing can wake one; async work under
  // `run` — and each attempt ran into them again: with `times: Infinity`, and no other task or timer
  // left to stop it, `run` looped for ever (with a delay, virtual time ran on for ever too).
  let attempts = 0;
  const stuck = fn(function* stuck() {
    attempts++;
    if (attempts >= 1000) return "gave in"; // (so that the old code ends)
    const p = yield* createPromise<string>();
    return yield* wait(p.future);
  });
  for (const delayMs of [0, 10]) {
    attempts = 0;
    const r = run(retry(stuck(), { times: Number.POSITIVE_INFINITY, delay: delayMs }), {
      handlers: [scheduler, simulatedTime()],
    });
    assertErr(r, DeadlockError);
    assert.equal(attempts, 1);
  }
  attempts = 0;
  const io = fn(function* io() {
    attempts++;
    if (attempts >= 1000) return "gave in";
    return yield* awaitPromise(() => Promise.resolve("answer"));
  });
  const r = run(retry(io(), { times: Number.POSITIVE_INFINITY }), { handlers: [scheduler, simulatedTime()] });
  assertErr(r, AsyncRequiredError);
  assert.equal(attempts, 1);
  // (every other error is retried as before: here the attempt's own TypeError, 3 times)
  attempts = 0;
  const buggy = fn(function* buggy() {
    attempts++;
    throw new TypeError("bug");
  });
  assertErr(run(retry(buggy(), { times: 2 }), { handlers: [scheduler] }), TypeError);
  assert.equal(attempts, 3);
});

test("adversary: abortable calls in flight at once on one signal hold one listener on it (no MaxListenersExceededWarning, no O(n) add and remove each)", async () => {
  // A server's shutdown signal passed to every request's abortable: each call added a listener of
  // its own, so Node warned past 10 requests in flight, and each add and remove walked the
  // signal's list — quadratic in the requests in flight.
  const c = new AbortController();
  let peak = 0;
  const request = fn(function* request(i: number) {
    peak = Math.max(peak, getEventListeners(c.signal, "abort").length);
    yield* delay(10 + (i % 3));
    return i;
  });
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on("warning", onWarning);
  try {
    const served = run(
      forEach(range(1000), (i) => abortable(request(i), c.signal)),
      { handlers: [scheduler, simulatedTime()] },
    );
    assert.deepEqual(assertOk(served), range(1000));
    assert.equal(peak, 1);
    assert.equal(getEventListeners(c.signal, "abort").length, 0);
    // aborted while 1000 wait: every one is cancelled, in the order they listened, and none listens on
    const seen: string[] = [];
    const job = fn(function* job(i: number) {
      try {
        yield* delay(100);
      } finally {
        if (i < 3 || i === 999) seen.push(`finally ${i}`);
      }
    });
    const abortAt5 = fn(function* abortAt5() {
      yield* delay(5);
      c.abort(new Error("shutdown"));
    });
    const aborted = run(
      program(function* () {
        yield* spawn(abortAt5());
        return yield* forEach(range(1000), (i) => safe(abortable(job(i), c.signal)));
      }),
      { handlers: [scheduler, simulatedTime()] },
    );
    const results = assertOk(aborted);
    assert.equal(results.filter((x) => !x.ok && (x.error as Error).message === "shutdown").length, 1000);
    assert.deepEqual(seen, ["finally 0", "finally 1", "finally 2", "finally 999"]);
    assert.equal(getEventListeners(c.signal, "abort").length, 0);
    await new Promise((r) => setImmediate(r)); // (Node emits its warning a tick later)
    assert.deepEqual(warnings, []);
  } finally {
    process.off("warning", onWarning);
  }
});

test('adversary: a timed-out receive, send or acquire is named in the TimeoutError, as wait(…) and delay(…) are (it said "the program")', () => {
  const message = (p: Program<unknown, never> | Program<unknown, unknown>) => {
    const r = run(p as Program<unknown, never>, { handlers: [scheduler, simulatedTime()] });
    return (assertErr(r, TimeoutError) as TimeoutError).message.split(" (")[0];
  };
  const rendezvous = program(function* () {
    const ch = yield* createChannel<number>();
    return yield* timeout(receive(ch), 5);
  });
  const full = program(function* () {
    const ch = yield* createChannel<number>();
    return yield* timeout(send(ch, 1), 5);
  });
  const taken = program(function* () {
    const sem = yield* createSemaphore(1);
    yield* acquire(sem);
    return yield* timeout(acquire(sem), 5);
  });
  assert.deepEqual(
    [message(rendezvous), message(full), message(taken)],
    ["receive(…) timed out after 5 ms", "send(…) timed out after 5 ms", "acquire(…) timed out after 5 ms"],
  );
});

test("adversary: retry's `while` answering a Promise or a program is a TypeError (always truthy: an async predicate retried every error)", () => {
  class Fatal extends Error {}
  let attempts = 0;
  const fails = fn(function* fails() {
    attempts++;
    throw new Fatal("no point retrying");
  });
  // (JavaScript, or a cast: its type asks for a boolean)
  const asyncWhile = (async (e: unknown) => !(e instanceof Fatal)) as unknown as (e: unknown) => boolean;
  const r = run(retry(fails(), { times: 5, while: asyncWhile }), { handlers: [scheduler] });
  const e = assertErr(r, TypeError) as TypeError;
  assert.equal(attempts, 1);
  assert.equal(
    e.message,
    "retry option while returned a Promise object, always truthy: answer true or false at once (the cause: the program's error)",
  );
  assert.ok(e.cause instanceof Fatal);
  // a plain truthy or falsy value is taken as it was
  attempts = 0;
  const truthy = (() => 1) as unknown as (e: unknown) => boolean;
  assertErr(run(retry(fails(), { times: 2, while: truthy }), { handlers: [scheduler] }), Fatal);
  assert.equal(attempts, 3);
});
