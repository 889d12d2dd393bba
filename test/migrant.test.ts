/**
 * What someone moving a job runner from Effect or effection to doeff runs into: resources under
 * timeout and cancellation, retry with timeout, permits after an abort, logs of cancelled jobs, and
 * tasks spawned inside a program that is cancelled. Each test pins what doeff does (exact events and
 * virtual times); docs/concurrency.md §6 ("Coming from Effect or effection") says why.
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  acquire,
  answer,
  awaitPromise,
  cancel,
  createSemaphore,
  delay,
  Effect,
  fn,
  modify,
  now,
  program,
  release,
  retry,
  raceAll,
  realTime,
  run,
  runAsync,
  safe,
  scheduler,
  type Semaphore,
  scoped,
  simulatedTime,
  spawn,
  state,
  TaskCancelledError,
  TimeoutError,
  tell,
  timeout,
  withPermit,
  writer,
} from "../src/index.js";
import { events, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

const heartbeat = fn(function* heartbeat() {
  try {
    for (;;) {
      yield* delay(10);
      yield* mark("tick");
    }
  } finally {
    yield* mark("heartbeat stopped");
  }
});

const jobWithHeartbeat = fn(function* jobWithHeartbeat() {
  yield* spawn(heartbeat());
  yield* delay(1000);
  return "done";
});

test("a task spawned inside a timed-out program outlives the timeout; timeout(scoped(p)) stops it at the deadline", () => {
  const main = (p: typeof jobWithHeartbeat extends (...a: never[]) => infer P ? P : never, wrap: boolean) =>
    program(function* main() {
      const r = yield* safe(timeout(wrap ? scoped(p) : p, 25));
      yield* mark(`timeout: ${r.ok ? "ok" : (r.error as Error).name}`);
      yield* delay(20);
      yield* mark("main ends");
    });
  const bare = run(main(jobWithHeartbeat(), false), { handlers: TK() });
  assert.equal(bare.ok, true);
  // spawn is not tied to the program that called it: the heartbeat runs on until main ends
  assert.deepEqual(events, [
    "10: tick",
    "20: tick",
    "25: timeout: TimeoutError",
    "30: tick",
    "40: tick",
    "45: main ends",
    "45: heartbeat stopped",
  ]);
  events.length = 0;
  const scopedRun = run(main(jobWithHeartbeat(), true), { handlers: TK() });
  assert.equal(scopedRun.ok, true);
  assert.deepEqual(events, [
    "10: tick",
    "20: tick",
    "25: heartbeat stopped",
    "25: timeout: TimeoutError",
    "45: main ends",
  ]);
});

test("cancel(t) runs t's finally blocks but not those of the tasks t spawned (they end with main)", () => {
  const r = run(
    program(function* main() {
      const t = yield* spawn(jobWithHeartbeat());
      yield* delay(15);
      assert.equal(yield* cancel(t), true);
      yield* mark("cancelled");
      yield* delay(10);
    }),
    { handlers: TK() },
  );
  assert.equal(r.ok, true);
  assert.deepEqual(events, ["10: tick", "15: cancelled", "20: tick", "25: heartbeat stopped"]);
});

const close = fn(function* close(ms: number) {
  yield* mark("close start");
  yield* delay(ms);
  yield* mark("close done");
});

const useConnection = fn(function* useConnection(openMs: number, useMs: number, closeMs: number) {
  yield* mark("open start");
  yield* delay(openMs);
  yield* mark("open done");
  try {
    yield* delay(useMs);
    return "used";
  } finally {
    yield* close(closeMs);
  }
});

test("a finally block that waits while a timeout cancels its task: TaskCancelledError says what to do, kept as a warning", () => {
  const r = run(safe(timeout(useConnection(5, 50, 10), 20)), { handlers: TK() });
  assert.equal(r.ok, true);
  assert.ok(!r.value.ok && r.value.error instanceof TimeoutError);
  assert.deepEqual(events, ["0: open start", "5: open done", "20: close start"]);
  assert.equal(r.warnings.length, 1);
  const w = r.warnings[0];
  assert.ok(w instanceof TaskCancelledError);
  assert.equal(
    w.message,
    "task 2 is being cancelled: blocking operations (wait, gather, race, awaitPromise, delay) are not possible while finally blocks run; keep the cleanup that must finish non-blocking, start asynchronous cleanup without waiting for it, or do it after the run",
  );
});

test("a timeout during acquisition, or while the release itself waits, cuts it there (no uninterruptible regions)", () => {
  // during acquisition: the try around the use has not begun, so the release does not run
  const r1 = run(safe(timeout(useConnection(50, 10, 10), 20)), { handlers: TK() });
  assert.ok(r1.ok && !r1.value.ok && r1.value.error instanceof TimeoutError);
  assert.deepEqual(events, ["0: open start"]);
  assert.deepEqual(r1.warnings, []);
  events.length = 0;
  // while the release waits (the program ended, its finally was running): closed at that wait
  const r2 = run(safe(timeout(useConnection(5, 5, 50), 20)), { handlers: TK() });
  assert.ok(r2.ok && !r2.value.ok && r2.value.error instanceof TimeoutError);
  assert.deepEqual(events, ["0: open start", "5: open done", "10: close start"]);
  assert.deepEqual(r2.warnings, []);
});

test("retry(timeout(p)) retries a TimeoutError unless `while` says no; timeout(retry(p)) cancels the pending retry delay", () => {
  let attempts = 0;
  const slow = fn(function* slow() {
    attempts++;
    yield* delay(100);
    return "slow";
  });
  const all3 = run(safe(retry(timeout(slow(), 10), { times: 2, delay: 5 })), { handlers: TK() });
  assert.ok(all3.ok && !all3.value.ok && all3.value.error instanceof TimeoutError);
  assert.equal(attempts, 3);
  attempts = 0;
  const once = run(
    safe(retry(timeout(slow(), 10), { times: 2, while: (e) => !(e instanceof TimeoutError) })),
    { handlers: TK() },
  );
  assert.ok(once.ok && !once.value.ok && once.value.error instanceof TimeoutError);
  assert.equal(attempts, 1);

  const flaky = fn(function* flaky() {
    yield* mark("attempt");
    yield* delay(1);
    throw new Error("flaky");
  });
  const r = run(
    program(function* main() {
      const x = yield* safe(timeout(retry(flaky(), { times: 5, delay: 100 }), 150));
      yield* mark(x.ok ? "ok" : (x.error as Error).name);
      return yield* now();
    }),
    { handlers: TK() },
  );
  assert.equal(r.value, 150); // the run ends at the deadline: the retry's 100 ms delay left no timer
  assert.deepEqual(events, ["0: attempt", "101: attempt", "150: TimeoutError"]);
});

test("an abort closes a permit holder and a waiter already handed the permit: every permit is back, the semaphore serves the next run", () => {
  let sem: Semaphore | undefined;
  const ctl = new AbortController();
  const r = run(
    program(function* main() {
      sem = yield* createSemaphore(1);
      yield* acquire(sem);
      yield* spawn(withPermit(sem, delay(100)));
      yield* spawn(withPermit(sem, delay(100)));
      yield* delay(10);
      yield* release(sem); // handed to the first waiter, which has not run yet
      ctl.abort(new Error("SIGINT"));
      yield* delay(1);
    }),
    { handlers: TK(), signal: ctl.signal },
  );
  assert.equal((r.error as Error).message, "SIGINT");
  assert.deepEqual(r.warnings, []);
  assert.equal(sem!.available, 1);
  assert.equal(sem!.waiting, 0);
  const next = run(withPermit(sem!, now()), { handlers: TK() });
  assert.equal(next.value, 0);
});

class Log extends Effect<void> {
  declare readonly _tag: "Log";
  constructor(readonly line: string) {
    super();
  }
}

test("a timed-out job's tell is dropped with it; a log handler outside the scheduler sees the line at once", () => {
  const lines: string[] = [];
  const console_ = answer(Log, (e) => {
    lines.push(e.line);
  });
  const job = fn(function* job() {
    yield* new Log("job started");
    yield* tell("job started");
    yield* delay(100);
  });
  const r = run(safe(timeout(job(), 10)), {
    handlers: [console_, scheduler, simulatedTime(), writer],
  });
  assert.ok(r.ok && !r.value.ok);
  assert.deepEqual(lines, ["job started"]);
  assert.deepEqual(r.log, []);
});

test("timeout of scoped / retry / withPermit names the program inside: `scoped(job) timed out`", () => {
  const job = fn(function* job() {
    yield* delay(100);
  });
  const messages = run(
    program(function* main() {
      const sem = yield* createSemaphore(1);
      const out: string[] = [];
      for (const p of [
        scoped(job()),
        retry(job(), { times: 1 }),
        withPermit(sem, job()),
        scoped(retry(withPermit(sem, job()), { times: 1 })),
        scoped(delay(100)),
      ]) {
        const r = yield* safe(timeout(p, 10));
        out.push(
          r.ok ? "ok" : (r.error as Error).message.slice(0, (r.error as Error).message.indexOf(" timed out")),
        );
      }
      return out;
    }),
    { handlers: TK() },
  );
  assert.deepEqual(messages.value, [
    "scoped(job)",
    "retry(job)",
    "withPermit(job)",
    "scoped(retry(withPermit(job)))",
    "scoped(delay(…))",
  ]);
});

test("retry { times: Infinity } retries until it succeeds or `while` says no (Effect.retry({ while }) without times)", () => {
  let attempts = 0;
  const flaky = fn(function* flaky() {
    attempts++;
    yield* mark(`attempt ${attempts}`);
    if (attempts < 4) throw new Error(`busy ${attempts}`);
    if (attempts < 6) throw new TypeError("bad answer");
    return "ok";
  });
  const stopped = run(
    safe(retry(flaky(), { times: Infinity, delay: 10, while: (e) => !(e instanceof TypeError) })),
    {
      handlers: TK(),
    },
  );
  assert.ok(stopped.ok && !stopped.value.ok && stopped.value.error instanceof TypeError);
  assert.deepEqual(events, ["0: attempt 1", "10: attempt 2", "20: attempt 3", "30: attempt 4"]);
  attempts = 0;
  events.length = 0;
  const succeeded = run(retry(flaky(), { times: Infinity }), { handlers: TK() });
  assert.equal(succeeded.value, "ok");
  assert.equal(attempts, 6);
  assert.throws(() => retry(flaky(), { times: Number.NaN }), {
    name: "RangeError",
    message:
      "retry option times must be an integer ≥ 0 or Infinity (retries after the first attempt), got NaN",
  });
});

test("retry { times: Infinity } with neither delay nor while, of a program that fails without waiting: a timeout or race around it ends, and so does an aborted run (docs/concurrency.md, Retries)", async () => {
  // each retry lets the other tasks run first: the timeout's clock, the race's other program
  let attempts = 0;
  const broken = fn(function* broken() {
    attempts++;
    throw new TypeError("a bug");
  });
  const timed = await runAsync(timeout(retry(broken(), { times: Infinity }), 10), {
    handlers: [scheduler, realTime],
  });
  assert.ok(timed.error instanceof TimeoutError, String(timed.error));
  assert.equal(
    timed.error.message.split(";")[0],
    "retry(broken) timed out after 10 ms (it was cancelled and its finally blocks ran)",
  );
  assert.ok(attempts > 1, `${attempts} attempts`);
  const raced = await runAsync(
    raceAll([
      retry(broken(), { times: Infinity }),
      program(function* other() {
        yield* delay(5);
        return "the other won";
      }),
    ]),
    { handlers: [scheduler, realTime] },
  );
  assert.equal(raced.value, "the other won");
  // (it always ended so: runAsync yields to the event loop between step budgets)
  attempts = 0;
  const ctl = new AbortController();
  const stop = setTimeout(() => ctl.abort(new Error("stopped from outside")), 20);
  const aborted = await runAsync(retry(broken(), { times: Infinity }), {
    handlers: [scheduler, realTime],
    signal: ctl.signal,
  });
  clearTimeout(stop);
  assert.equal(aborted.ok, false);
  assert.equal((aborted.error as Error).message, "stopped from outside");
  assert.ok(attempts > 1, `${attempts} attempts`);
});

test("an abort that lands while a finally block runs closes it at its next effect: release before you log", async () => {
  const ev: string[] = [];
  const ctl = new AbortController();
  const job = fn(function* job() {
    try {
      yield* delay(1);
      throw new Error("job failed");
    } finally {
      // the cleanup of a job that failed (no cancellation): 30,000 records released one effect each
      ev.push("cleanup start");
      for (let i = 0; i < 30_000; i++) {
        if (i === 100) setImmediate(() => ctl.abort(new Error("SIGINT"))); // Ctrl-C comes meanwhile
        yield* modify<number>("released", (x = 0) => x + 1);
      }
      ev.push("cleanup end");
    }
  });
  const r = await runAsync(
    program(function* main() {
      try {
        yield* safe(job());
      } finally {
        ev.push("main finally");
      }
    }),
    { handlers: [scheduler, realTime, state], signal: ctl.signal },
  );
  assert.equal((r.error as Error).message, "SIGINT");
  // runAsync let the abort in at its next yield to the event loop (≤ 10,000 steps): the rest of the
  // cleanup, "cleanup end" included, did not run, and nothing says so
  assert.deepEqual(ev, ["cleanup start", "main finally"]);
  const released = r.store.released as number;
  assert.ok(released > 100 && released < 30_000, `released ${released}`);
  assert.deepEqual(r.warnings, []);
});

test("an abort while a finally block awaits: within a cancellation the await throws TaskCancelledError and the block runs on (§9.4); outside one the block is closed at its await and the rest of it does not run (docs/concurrency.md, Aborting a run)", async () => {
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const flushing = (ev: string[], ms: number) =>
    program(function* flush() {
      try {
        yield* awaitPromise(() => sleep(ms).then(() => ev.push("flush settled")));
        ev.push("flushed");
      } catch (e) {
        ev.push(`flush threw ${(e as Error).name}`);
      }
      ev.push("finally end");
    });
  // a task cancelled (its finally runs in the cancellation): the await is a blocking operation,
  // which throws at its site, and the rest of the block runs
  const cancelled: string[] = [];
  const worker = fn(function* worker() {
    try {
      yield* delay(1000);
    } finally {
      yield* flushing(cancelled, 5);
    }
  });
  const r1 = await runAsync(
    program(function* main() {
      const t = yield* spawn(worker());
      yield* delay(5);
      return yield* cancel(t);
    }),
    { handlers: [scheduler, realTime] },
  );
  assert.equal(r1.value, true);
  assert.deepEqual(cancelled, ["flush threw TaskCancelledError", "finally end"]);
  // main in its finally after its body completed, awaiting a flush, when the signal aborts: the
  // abort lands at that await and closes the frame (a generator's return(): JS runs no more of a
  // finally block suspended at a yield, its catch neither), so neither "flushed", "flush threw"
  // nor "finally end" is reached; the flush's promise settles after the run, unawaited
  const aborted: string[] = [];
  const ctl = new AbortController();
  const stop = setTimeout(() => ctl.abort(new Error("SIGINT")), 10);
  const r2 = await runAsync(
    program(function* main() {
      try {
        aborted.push("body");
      } finally {
        yield* flushing(aborted, 40);
      }
    }),
    { handlers: [scheduler, realTime], signal: ctl.signal },
  );
  clearTimeout(stop);
  assert.equal((r2.error as Error).message, "SIGINT");
  assert.deepEqual(aborted, ["body"]);
  assert.deepEqual(r2.warnings, []);
  await sleep(50);
  assert.deepEqual(aborted, ["body", "flush settled"]);
});
