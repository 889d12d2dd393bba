/**
 * Details of the report format() prints: the traceback header over an empty chain, and the ms of
 * the delay an aborted run's task was blocked in. (A value with a cycle: report-cut.test.ts.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { boundary } from "../src/protocol.js";
import type { Channel, Semaphore } from "../src/index.js";
import {
  acquire,
  createChannel,
  createSemaphore,
  delay,
  eventChannel,
  fn,
  pure,
  realTime,
  receive,
  run,
  safe,
  runAsync,
  scheduler,
  send,
  simulatedTime,
  spawn,
  timeout,
  tracebackOf,
  wait,
  withPermit,
} from "../src/index.js";

test("format() of a failure with nothing to show above its error prints the error alone, no traceback header over an empty chain", () => {
  // (it printed `doeff traceback (outermost first):` and then the error: a header over nothing,
  // which read as if the chain had been lost)
  const bad = pure(1).flatMap(() => 5 as never);
  assert.equal(run(bad).format(), "TypeError: flatMap's function must return a Program or Effect, got 5");
  assert.equal(
    run(
      pure(1).map(() => {
        throw 5;
      }),
    ).format(),
    "thrown: 5",
  );
  // a chain under it keeps the header (the same error, inside a program of the user's)
  const main = fn(function* main() {
    return yield* bad;
  });
  assert.equal(
    run(main()).format(),
    "doeff traceback (outermost first):\n  main\nTypeError: flatMap's function must return a Program or Effect, got 5",
  );
});

const sleeper = fn(function* sleeper(ms: number) {
  yield* delay(ms);
});

test("an aborted run's report names the delay a task was blocked in with its ms (simulated clock, and timeout's timer)", () => {
  // (it said `blocked in delay(…)` for each: the tasks blocked in delay(5000) and delay(2.5) read alike)
  const ac = new AbortController();
  const stop = new Error("stop");
  const main = fn(function* main() {
    yield* spawn(sleeper(5000));
    yield* spawn(sleeper(2.5));
    const t = yield* spawn(timeout(sleeper(60_000), 30_000));
    yield* delay(1);
    ac.abort(stop);
    return yield* wait(t);
  });
  const r = run(main(), { handlers: [scheduler, simulatedTime()], signal: ac.signal });
  assert.equal(r.error, stop);
  const lines = r.format().split("\n");
  assert.deepEqual(lines.slice(0, -2), [
    "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
    "where the run was when its signal aborted it (outermost first):",
    "  main", // (running: it aborted the signal)
    "  ── in task 1 ──",
    "  sleeper",
    "  blocked in delay(5000)",
    "  ── in task 2 ──",
    "  sleeper",
    "  blocked in delay(2.5)",
    "  ── in task 3 ──",
    "  timeout",
    "  blocked in wait(a promise)",
    "  ── in task 4 (spawned by task 3) ──", // (timeout's timer)
    "  blocked in delay(30000)",
    "  ── in task 5 (spawned by task 3) ──",
    "  sleeper",
    "  blocked in delay(60000)",
  ]);
  assert.equal(lines.at(-1), "Error: stop");
  // tracebackOf's entries name it alike
  const t = tracebackOf(r);
  assert.ok("chain" in t);
  assert.deepEqual(
    t.chain.filter((e) => e.kind === "wait").map((e) => e.name),
    ["delay(5000)", "delay(2.5)", "wait(a promise)", "delay(30000)", "delay(60000)"],
  );
});

test("an aborted runAsync's report names a realTime delay with its ms", async () => {
  const ac = new AbortController();
  const stop = new Error("stop");
  setTimeout(() => ac.abort(stop), 20);
  const r = await runAsync(sleeper(5000), { handlers: [scheduler, realTime], signal: ac.signal });
  assert.equal(r.error, stop);
  assert.deepEqual(r.format().split("\n").slice(0, 4), [
    "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
    "where the run was when its signal aborted it (outermost first):",
    "  sleeper",
    "  blocked in delay(5000)",
  ]);
});

test("an aborted run's report puts main's chain first when its program is named like a stand-in's line (`in task 1 (…)`): the order is read from the line's fields, not its text", () => {
  // (a program named from data: its frame's text was read as a stand-in task's line, `in task 1
  // (…)`, and main's chain sorted after task 1's)
  const named = {
    "in task 1 (a report)": function* (this: void) {
      const t = yield* spawn(sleeper(100));
      yield* delay(1);
      ac.abort(stop);
      return yield* wait(t);
    },
  };
  const ac = new AbortController();
  const stop = new Error("stop");
  const r = run(fn(named["in task 1 (a report)"])(), {
    handlers: [scheduler, simulatedTime()],
    signal: ac.signal,
  });
  assert.equal(r.error, stop);
  assert.deepEqual(r.format().split("\n").slice(0, 6), [
    "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
    "where the run was when its signal aborted it (outermost first):",
    "  in task 1 (a report)",
    "  ── in task 1 ──",
    "  sleeper",
    "  blocked in delay(100)",
  ]);
});

test("tracebackOf: a boundary line that reads like a worker job's is no worker job's (`job` comes from the job's own fields)", () => {
  const inside = fn(function* inside() {
    throw new Error("x");
  });
  const r = run(
    boundary("in worker (not a job)", function* () {
      return yield* inside();
    }),
  );
  const t = tracebackOf(r);
  assert.ok("chain" in t);
  assert.deepEqual(t.chain.slice(0, 2), [
    { kind: "boundary", name: "in worker (not a job)" },
    { kind: "program", name: "inside" },
  ]);
});

test("tracebackOf: a boundary named like a task's line (`in task 7 (spawned by task 2 at app.ts:9)`) is a boundary; a task's entry comes from the task's own fields", () => {
  // (a task's entry was read back from the line's text: a handler library's boundary named so was
  // taken for task 7, spawned by task 2 at app.ts:9)
  const inside = fn(function* inside() {
    throw new Error("x");
  });
  const worker = fn(function* worker() {
    return yield* boundary("in task 7 (spawned by task 2 at app.ts:9)", function* () {
      return yield* inside();
    });
  });
  const main = fn(function* main() {
    const t = yield* spawn(worker());
    return yield* wait(t);
  });
  const r = run(main(), { handlers: [scheduler] });
  const t = tracebackOf(r);
  assert.ok("chain" in t);
  assert.deepEqual(t.chain, [
    { kind: "program", name: "main" },
    { kind: "task", name: "in task 1", tasks: [1], count: 1 },
    { kind: "program", name: "worker" },
    { kind: "boundary", name: "in task 7 (spawned by task 2 at app.ts:9)" },
    { kind: "program", name: "inside" },
  ]);
});

test("an aborted run's report shows a boundary named like a task's line as a line of main's chain, first, not as that task's group", () => {
  // (its text was read as task 7's line: main's chain sorted after task 1's, as task 7's)
  const ac = new AbortController();
  const stop = new Error("stop");
  const inner = fn(function* inner() {
    const t = yield* spawn(sleeper(100));
    yield* delay(1);
    ac.abort(stop);
    return yield* wait(t);
  });
  const main = boundary("in task 7 (spawned by task 2)", function* () {
    return yield* inner();
  });
  const r = run(main, { handlers: [scheduler, simulatedTime()], signal: ac.signal });
  assert.equal(r.error, stop);
  assert.deepEqual(r.format().split("\n").slice(0, -2), [
    "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
    "where the run was when its signal aborted it (outermost first):",
    "  ── in task 7 (spawned by task 2) ──",
    "  inner", // (running: it aborted the signal)
    "  ── in task 1 ──",
    "  sleeper",
    "  blocked in delay(100)",
  ]);
  const t = tracebackOf(r);
  assert.ok("chain" in t);
  assert.deepEqual(t.chain, [
    { kind: "boundary", name: "in task 7 (spawned by task 2)" },
    { kind: "program", name: "inner" },
    { kind: "task", name: "in task 1", tasks: [1], count: 1 },
    { kind: "program", name: "sleeper" },
    { kind: "wait", name: "delay(100)", tasks: [], count: 0 },
  ]);
});

test("an aborted run's report names the channel a task was blocked in send / receive on and the semaphore of an acquire (capacity, permits); producers of different values still fold into one entry", () => {
  // (it said `blocked in send(…)`, `receive(…)`, `acquire(…)`: which channel or semaphore, not told)
  const ac = new AbortController();
  const stop = new Error("stop");
  const producer = fn(function* producer(ch: Channel<number>, v: number) {
    return yield* send(ch, v);
  });
  const consumer = fn(function* consumer(ch: Channel<number>) {
    return yield* receive(ch);
  });
  const worker = fn(function* worker(sem: Semaphore) {
    return yield* withPermit(sem, delay(1)); // (withPermit's own acquire, made only when it blocks)
  });
  const taker = fn(function* taker(sem: Semaphore) {
    return yield* acquire(sem);
  });
  const main = fn(function* main() {
    const full = yield* createChannel<number>({ capacity: 2 });
    yield* send(full, 1);
    yield* send(full, 2);
    for (const v of [3, 4, 5]) yield* spawn(producer(full, v));
    yield* spawn(consumer(yield* createChannel<number>()));
    const events = yield* eventChannel<number>(() => () => {});
    yield* spawn(consumer(events));
    const pool = yield* createSemaphore(3);
    for (let i = 0; i < 3; i++) yield* acquire(pool);
    yield* spawn(worker(pool));
    const mutex = yield* createSemaphore(1);
    yield* acquire(mutex);
    yield* spawn(taker(mutex));
    yield* delay(1);
    ac.abort(stop);
    return yield* delay(1);
  });
  const r = run(main(), { handlers: [scheduler, simulatedTime()], signal: ac.signal });
  assert.equal(r.error, stop);
  assert.deepEqual(r.format().split("\n").slice(1, -2), [
    "where the run was when its signal aborted it (outermost first):",
    "  main", // (running: it aborted the signal)
    "  ── in tasks 1, 2, 3 ──", // (each with a value of its own: one entry still)
    "  producer",
    "  blocked in send(a channel of capacity 2, …)",
    "  ── in task 4 ──",
    "  consumer",
    "  blocked in receive(a channel of capacity 0)",
    "  ── in task 5 ──", // (the event channel's own)
    "  eventChannel",
    "  blocked in wait(a promise)",
    "  ── in task 6 ──",
    "  consumer",
    "  blocked in receive(an event channel of capacity Infinity)",
    "  ── in task 7 ──",
    "  worker",
    "  withPermit",
    "  blocked in acquire(a semaphore of 3 permits)",
    "  ── in task 8 ──",
    "  taker",
    "  blocked in acquire(a semaphore of 1 permit)",
  ]);
  const t = tracebackOf(r);
  assert.ok("chain" in t);
  assert.deepEqual(
    t.chain.filter((e) => e.kind === "wait").map((e) => e.name),
    [
      "send(a channel of capacity 2, …)",
      "receive(a channel of capacity 0)",
      "wait(a promise)",
      "receive(an event channel of capacity Infinity)",
      "acquire(a semaphore of 3 permits)",
      "acquire(a semaphore of 1 permit)",
    ],
  );
});

test("a deadlock's message and chain still name a channel's call as `receive(…)`, and timeout(receive(ch)) its call alike: only the abort report shows the channel", () => {
  const main = fn(function* main() {
    const ch = yield* createChannel<number>({ capacity: 4 });
    const t = yield* safe(timeout(receive(ch), 5));
    assert.equal(
      !t.ok && (t.error as Error).message,
      "receive(…) timed out after 5 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
    );
    return yield* receive(ch);
  });
  const r = run(main(), { handlers: [scheduler, simulatedTime()] });
  const lines = r.format().split("\n");
  assert.deepEqual(lines.slice(0, 4), [
    "doeff traceback (outermost first):",
    "  main",
    "  blocked in receive(…)",
    "  effect Wait(Future): simulatedTime ↗, scheduler ✗",
  ]);
  assert.match((r.error as Error).message, / Where they wait: main in main, blocked in receive\(…\)\. /);
});
