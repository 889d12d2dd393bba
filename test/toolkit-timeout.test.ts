/** §9.8 timeout / retry / scoped under run + simulatedTime(): exact interleavings, virtual times, logs. */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  all,
  cancel,
  delay,
  fn,
  isDone,
  now,
  program,
  raceAll,
  retry,
  run,
  safe,
  scoped,
  spawn,
  type Task,
  TaskCancelledError,
  TimeoutError,
  tell,
  UnhandledEffectError,
  timeout,
  wait,
  Effect,
  handle,
  resume,
  scheduler,
  simulatedTime,
  transferWith,
  type Program,
  local,
  reader,
} from "../src/index.js";
import { assertErr, assertOk } from "./sched-helpers.js";
import {
  abortingPing,
  events,
  failing,
  handlerBoom,
  job,
  mark,
  Ping,
  TK,
  throwingPing,
} from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

test("timeout: in time → the value, the program's log merged, the timer removed (time stays at the program's end)", () => {
  const work = program(function* work() {
    yield* tell("working");
    yield* delay(30);
    return "done";
  });
  const main = program(function* () {
    const v = yield* timeout(work, 100);
    return { v, t: yield* now() };
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, { v: "done", t: 30 });
  assert.deepEqual(r.log, ["working"]);
});

test("timeout: too slow → the program is cancelled (its finally runs) and TimeoutError carries ms; no log merged", () => {
  const slow = program(function* slow() {
    yield* tell("slow log");
    return yield* job("slow", 500, "late");
  });
  const main = program(function* () {
    try {
      return yield* timeout(slow, 100);
    } finally {
      yield* mark("after timeout");
    }
  });
  const r = run(main, { handlers: TK() });
  const e = assertErr(r, TimeoutError) as TimeoutError;
  assert.equal(e.ms, 100);
  assert.equal(
    e.message,
    "slow timed out after 100 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
  );
  assert.deepEqual(events, ["0: slow start", "100: slow finally", "100: after timeout"]);
  assert.deepEqual(r.log, []);
});

test("timeout of a timeout: the outer one's message names the inner timeout and its limit", () => {
  const slow = program(function* slow() {
    return yield* job("slow", 500, "late");
  });
  const r = run(timeout(timeout(slow, 300), 100), { handlers: TK() });
  const e = assertErr(r, TimeoutError) as TimeoutError;
  assert.equal(e.ms, 100);
  assert.equal(
    e.message,
    "timeout(slow, 300 ms) timed out after 100 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
  );
  assert.deepEqual(events, ["0: slow start", "100: slow finally"]);
});

test("timeout of one of doeff's effects names it as written (awaitPromise(…), delay(…)); a user effect by its class", () => {
  class Slow extends Effect<undefined> {
    declare readonly _tag: "Slow";
  }
  const slowly = handle(Slow, (_e, k) => transferWith(k, delay(500)));
  const message = (p: Program<unknown, any>) => {
    const r = run(p, { handlers: [...TK(), slowly] });
    return (assertErr(r, TimeoutError) as TimeoutError).message.split(" (")[0];
  };
  assert.equal(message(timeout(delay(500), 100)), "delay(…) timed out after 100 ms");
  assert.equal(message(timeout(new Slow(), 100)), "Slow timed out after 100 ms");
});

test("timeout of a user effect whose class has a displayName (as the README advises) names the class, not a doeff function; local(…) is doeff's", () => {
  class Fetch extends Effect<undefined> {
    static displayName = "Fetch";
    declare readonly _tag: "Fetch";
  }
  const slowly = handle(Fetch, (_e, k) => transferWith(k, delay(500)));
  const message = (p: Program<unknown, any>) => {
    const r = run(p, { handlers: [...TK(), reader, slowly], env: {} });
    return (assertErr(r, TimeoutError) as TimeoutError).message.split(" (")[0];
  };
  assert.equal(message(timeout(new Fetch(), 100)), "Fetch timed out after 100 ms");
  assert.equal(message(timeout(local({}, delay(500)), 100)), "local(…) timed out after 100 ms");
});

test("timeout: the deadline is exclusive — a program whose own timer is due at the same instant is timed out", () => {
  const exact = program(function* exact() {
    yield* delay(100);
    yield* mark("exact resumed"); // never runs: cancelled first
    return 1;
  });
  const r = run(timeout(exact, 100), { handlers: TK() });
  assertErr(r, TimeoutError);
  assert.deepEqual(events, []);
  // one ms less is in time
  assertOk(run(timeout(exact, 101), { handlers: TK() }), 1);
});

test("timeout: a failure of the program is rethrown unchanged (and its timer removed)", () => {
  const boom = new Error("boom");
  const main = program(function* () {
    const r = yield* safe(timeout(failing("f", 5, boom), 50));
    return { error: r.ok ? null : r.error, t: yield* now() };
  });
  const v = assertOk(run(main, { handlers: TK() }));
  assert.equal(v.error, boom);
  assert.equal(v.t, 5);
});

test("timeout: the calling task cancelled → the program's task is cancelled too", () => {
  const main = program(function* () {
    const t = yield* spawn(timeout(job("inner", 100, 1), 1000));
    yield* delay(10);
    yield* cancel(t);
    yield* mark("cancelled");
    yield* delay(5000); // nothing else is pending: the clock jumps straight here
    return yield* now();
  });
  assertOk(run(main, { handlers: TK() }), 5010);
  assert.deepEqual(events, ["0: inner start", "10: inner finally", "10: cancelled"]);
});

test("timeout: the traceback names the timed-out program and the timeout call site", () => {
  const fetchUser = fn(function* fetchUser(id: number) {
    yield* delay(1000);
    return id;
  });
  const main = program(function* main() {
    return yield* timeout(fetchUser(7), 250);
  });
  const r = run(main, { handlers: TK(), trace: { sites: true } });
  assertErr(r, TimeoutError);
  const report = r.format();
  const line = Number(/main at test\/toolkit-timeout\.test\.ts:(\d+)/.exec(report)?.[1]);
  assert.deepEqual(report.split("\n"), [
    "doeff traceback (outermost first):",
    `  main at test/toolkit-timeout.test.ts:${line}`,
    `  timeout at test/toolkit-timeout.test.ts:${line}`, // the call site of timeout(...)
    "TimeoutError: fetchUser timed out after 250 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
  ]);
});

test("timeout: a failure of the program in time has the traceback of the timeout call site, then its task", () => {
  // (regression: the program's delay was the last at the site of its task, and its error was
  // recorded as rethrown inside that task: `── in task 2 ──` twice, main and timeout lost)
  const fetchUser = fn(function* fetchUser(id: number) {
    yield* delay(10);
    throw new Error(`user ${id} missing`);
  });
  const main = program(function* main() {
    return yield* timeout(fetchUser(7), 250);
  });
  const r = run(main, { handlers: TK(), trace: { sites: true } });
  const report = r.format();
  const line = Number(/main at test\/toolkit-timeout\.test\.ts:(\d+)/.exec(report)?.[1]);
  const f = "test/toolkit-timeout.test.ts";
  assert.deepEqual(report.split("\n"), [
    "doeff traceback (outermost first):",
    `  main at ${f}:${line}`,
    `  timeout at ${f}:${line}`,
    `  ── in task 2 (spawned at ${f}:${line}) ──`, // task 1 is the timer
    `  fetchUser at ${f}:${line - 4}`,
    `  thrown at ${f}:${line - 3}`,
    "Error: user 7 missing",
  ]);
});

test("retry: backoff times under the virtual clock; attempt numbers and errors passed to delay", () => {
  let attempts = 0;
  const flaky = program(function* flaky() {
    attempts++;
    yield* mark(`attempt ${attempts}`);
    if (attempts < 4) throw new Error(`fail ${attempts}`);
    return "ok";
  });
  const seen: string[] = [];
  const main = retry(flaky, {
    times: 5,
    delay: (attempt, error) => {
      seen.push(`${attempt} ${(error as Error).message}`);
      return 100 * 2 ** (attempt - 1);
    },
  });
  assertOk(run(main, { handlers: TK() }), "ok");
  assert.deepEqual(events, ["0: attempt 1", "100: attempt 2", "300: attempt 3", "700: attempt 4"]);
  assert.deepEqual(seen, ["1 fail 1", "2 fail 2", "3 fail 3"]);
});

test("retry: out of retries → the last error; `while` stops early; delay 0 performs no delay", () => {
  let n = 0;
  const always = program(function* always() {
    n++;
    throw new Error(`e${n}`);
  });
  const r = run(retry(always, { times: 2, delay: 10 }), { handlers: TK() });
  assert.equal((r.error as Error).message, "e3");
  n = 0;
  const stop = run(retry(always, { times: 9, while: (e) => (e as Error).message !== "e2" }), {
    handlers: [],
  });
  assert.equal((stop.error as Error).message, "e2"); // no clock installed: delay 0 performs no Delay
  n = 0;
  const once = run(retry(always, { times: 0 }), { handlers: [] });
  assert.equal((once.error as Error).message, "e1");
});

test("retry: attempts run in the calling task (no spawn) and from the start each time", () => {
  let k = 0;
  const p = program(function* p() {
    yield* tell(`try ${++k}`);
    if (k < 3) throw new Error("again");
    return k;
  });
  const r = run(retry(p, { times: 3 }), { handlers: TK() });
  assertOk(r, 3);
  assert.deepEqual(r.log, ["try 1", "try 2", "try 3"]);
});

test("retry { times: Infinity } without a delay: each retry lets the other ready tasks run first, so a cancel of it is performed; a finite times runs its attempts back to back", () => {
  let n = 0;
  const broken = fn(function* broken() {
    n++;
    yield* mark(`attempt ${n}`);
    throw new TypeError("a bug");
  });
  const other = fn(function* other(label: string) {
    yield* mark(label);
  });
  // a task that cancels the retrying task once it runs: it could never run before
  const forever = run(
    program(function* main() {
      const t = yield* spawn(retry(broken(), { times: Infinity }));
      yield* spawn(
        program(function* stopper() {
          yield* mark("stopper runs");
          yield* other("stopper again");
          yield* mark(`cancel: ${yield* cancel(t)}`);
        }),
      );
      yield* spawn(other("bystander"));
      return yield* safe(wait(t));
    }),
    { handlers: TK() },
  );
  assert.ok(forever.ok && !forever.value.ok && forever.value.error instanceof TaskCancelledError);
  assert.deepEqual(events, [
    "0: attempt 1",
    "0: stopper runs",
    "0: stopper again",
    "0: cancel: true",
    "0: bystander",
  ]);
  // with a finite times, as §9.8 says: no effect between attempts, the others run after
  n = 0;
  events.length = 0;
  const finite = run(
    program(function* main() {
      const t = yield* spawn(retry(broken(), { times: 2 }));
      yield* spawn(other("bystander"));
      return yield* safe(wait(t));
    }),
    { handlers: TK() },
  );
  assert.ok(finite.ok && !finite.value.ok && finite.value.error instanceof TypeError);
  assert.deepEqual(events, ["0: attempt 1", "0: attempt 2", "0: attempt 3", "0: bystander"]);
  // alone, or without a scheduler, it retries until it succeeds, as before
  let k = 0;
  const flaky = program(function* flaky() {
    if (++k < 5) throw new Error(`busy ${k}`);
    return k;
  });
  assertOk(run(retry(flaky, { times: Infinity }), { handlers: TK() }), 5);
  k = 0;
  assertOk(run(retry(flaky, { times: Infinity }), { handlers: [] }), 5);
});

test("scoped: children that outlive the block are cancelled (ascending id, transitively) before its value leaves", () => {
  const grandparent = program(function* parent() {
    yield* spawn(job("grandchild", 100, 0));
    return yield* job("child-a", 50, "a");
  });
  const main = program(function* () {
    let outside: Task<unknown> | null = null;
    const v = yield* scoped(
      program(function* () {
        outside = yield* spawn(grandparent);
        yield* spawn(job("child-b", 200, "b"));
        yield* delay(10);
        return "scope value";
      }),
    );
    yield* mark(`scoped returned ${v}`);
    const gone = yield* isDone(outside!);
    const later = yield* spawn(job("after", 1, "z")); // outside the scope: not cancelled
    return { gone, after: yield* wait(later) };
  });
  assertOk(run(main, { handlers: TK() }), { gone: true, after: "z" });
  assert.deepEqual(events, [
    "0: child-a start",
    "0: child-b start",
    "0: grandchild start",
    // task 1 (parent / child-a), 2 (child-b), 3 (grandchild): ascending id
    "10: child-a finally",
    "10: child-b finally",
    "10: grandchild finally",
    "10: scoped returned scope value",
    "10: after start",
    "11: after done",
    "11: after finally",
  ]);
});

test("scoped: on error the children are cancelled and the error leaves unchanged; done children are left alone", () => {
  const boom = new Error("scope failed");
  const main = program(function* () {
    return yield* scoped(
      program(function* () {
        const quick = yield* spawn(job("quick", 1, 1));
        yield* spawn(job("long", 100, 2));
        yield* wait(quick);
        yield* delay(4);
        throw boom;
      }),
    );
  });
  const r = run(main, { handlers: TK() });
  assert.equal(r.error, boom);
  assert.deepEqual(events, [
    "0: quick start",
    "0: long start",
    "1: quick done",
    "1: quick finally",
    "5: long finally",
  ]);
});

test("scoped: the children inherit the handlers inside the scope (§9.7) and their waiters see TaskCancelledError", () => {
  const main = program(function* () {
    let child: Task<unknown> | null = null;
    yield* scoped(
      program(function* () {
        child = yield* spawn(
          program(function* () {
            yield* tell("child told");
            yield* delay(100);
          }),
        );
        yield* delay(1);
      }),
    );
    const r = yield* safe(wait(child!));
    return r.ok ? "ok" : r.error instanceof TaskCancelledError;
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, true);
  assert.deepEqual(r.log, ["child told"]);
});

test("nesting: timeout around all — the timed-out all's tasks are cancelled too (its finally, ascending id)", () => {
  const main = program(function* () {
    const r = yield* safe(
      timeout(all([job("a", 10, 1), job("b", 100, 2), job("c", 100, 3)], { concurrency: 2 }), 50),
    );
    yield* mark(r.ok ? "ok" : (r.error as Error).name);
    return yield* now();
  });
  assertOk(run(main, { handlers: TK() }), 50);
  assert.deepEqual(events, [
    "0: a start",
    "0: b start",
    "10: a done",
    "10: a finally",
    "10: c start",
    "50: b finally",
    "50: c finally",
    "50: TimeoutError",
  ]);
});

test("nesting: retry around raceAll around timeout — every attempt cleans up after itself", () => {
  let attempt = 0;
  const attemptNo = program(function* () {
    attempt++;
    return attempt;
  });
  const flakyPair = program(function* () {
    const n = yield* attemptNo;
    return yield* raceAll([
      timeout(job(`slow${n}`, 100, "slow"), n === 1 ? 10 : 1000),
      failing(`bad${n}`, n === 1 ? 20 : 5, new Error(`bad ${n}`)),
    ]);
  });
  const r = run(retry(flakyPair, { times: 1, delay: 1 }), { handlers: TK() });
  assertOk(r, "slow");
  assert.deepEqual(events, [
    "0: bad1 start", // timeout's own tasks are spawned when its task runs: after bad1's (R4)
    "0: slow1 start",
    "10: slow1 finally", // timed out
    "20: bad1 fails", // both failed: AggregateError, retried after 1 ms
    "21: bad2 start",
    "21: slow2 start",
    "26: bad2 fails",
    "121: slow2 done",
    "121: slow2 finally",
  ]);
});

test("timeout under a handler inside the scheduler that keeps working after the program returned: the deadline holds for it too", () => {
  class Tx extends Effect<undefined> {
    declare readonly _tag: "Tx";
  }
  const slowCommit = handle(Tx, function* (_e, k) {
    const v = yield* resume(k, undefined);
    yield* delay(1000);
    return `${v}+committed`;
  });
  const work = program(function* () {
    yield* new Tx();
    yield* delay(1);
    return "v";
  });
  const main = program(function* () {
    const x = yield* safe(timeout(work, 10));
    return [x.ok ? x.value : (x.error as Error).constructor.name, yield* now()];
  });
  assertOk(run(main, { handlers: [scheduler, simulatedTime(), slowCommit] }), ["TimeoutError", 10]);
  // the commit within the deadline: its value
  const quick = program(function* () {
    const x = yield* safe(timeout(work, 2000));
    return [x.ok ? x.value : (x.error as Error).constructor.name, yield* now()];
  });
  assertOk(run(quick, { handlers: [scheduler, simulatedTime(), slowCommit] }), ["v+committed", 1001]);
});

test("timeout under a handler inside the scheduler that ends the task before its program completes: its outcome at once, not TimeoutError at the deadline", () => {
  const [boom, throwing, aborting] = [handlerBoom, throwingPing, abortingPing];
  const pinger = program(function* () {
    yield* delay(1);
    return yield* new Ping();
  });
  const main = program(function* () {
    const x = yield* safe(timeout(pinger, 100));
    return [x.ok ? x.value : x.error, yield* now()];
  });
  // was TimeoutError at 100: the caller was woken only by the timer
  const r = run(main, { handlers: [scheduler, simulatedTime(), throwing] });
  assertOk(r, [boom, 1]);
  assert.deepEqual(r.warnings, []);
  // the handler inside the scheduler ends pinger's task with a string, typed number: the compile
  // error this test bypasses is TaskResultError (test/types/task-results.ts)
  // @ts-expect-error -- TaskResultError<Handler<Ping, never, string>>
  assertOk(run(main, { handlers: [scheduler, simulatedTime(), aborting] }), ["aborted-by-handler", 1]);
});

test("timeout whose timer finds no clock fails with that error (it ran the program with no deadline, the error a warning about a task never spawned)", () => {
  const instant = program(function* () {
    return 1;
  });
  const slow = program(function* () {
    yield* delay(5);
    return 2;
  });
  // no clock: only a mistyped setup gets here (the types ask for one)
  const noClock = { handlers: [scheduler] } as never;
  for (const p of [instant, slow]) {
    const r = run(timeout(p, 10), noClock);
    assert.ok(r.error instanceof UnhandledEffectError, String(r.error));
    assert.match((r.error as Error).message, /no handler takes Delay/);
    assert.deepEqual(r.warnings, []);
  }
});

test("timeout with no clock: the traceback goes on through timeout's caller, and the message says timeout performs Delay", () => {
  const slow = program(function* () {
    yield* delay(5);
    return 2;
  });
  const main = fn(function* main() {
    return yield* timeout(slow, 10);
  });
  const r = run(main(), { handlers: [scheduler] } as never);
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.deepEqual(r.warnings, []);
  assert.equal(
    r.format(),
    [
      "doeff traceback (outermost first):",
      "  main",
      "  timeout",
      "  ── in task 1 ──",
      "  effect Delay(10): scheduler ↗",
      "UnhandledEffectError: no handler takes Delay; 1 visible handler(s) declined it. Delay is answered by the standard handler simulatedTime() or realTime (with scheduler): add it to the run's handlers. timeout, retry with a delay, forEachLatest with a debounce, and rateLimited perform Delay: a program that calls only them needs a clock too",
    ].join("\n"),
  );
});
