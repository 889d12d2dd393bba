/**
 * forEachAsync(iterable, f, { concurrency }) (SEMANTICS §9.8) under runAsync + simulatedTime: exact
 * event order. A task waits on a gate (a JS promise) that the test opens from outside the run, one
 * step per turn of the event loop, so which tasks run at once is the test's choice: under
 * simulatedTime a source's item (an external completion) arrives only once no timer is due.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AsyncRequiredError,
  awaitPromise,
  delay,
  fn,
  forEachAsync,
  get,
  type Program,
  program,
  put,
  type RunResult,
  run,
  realTime,
  runAsync,
  scheduler,
  state,
  TaskCancelledError,
  TimeoutError,
  tell,
  timeout,
  writer,
} from "../src/index.js";
import { abortingPing, events, handlerBoom, mark, Ping, TK, throwingPing } from "./toolkit-helpers.js";

/** One turn of the event loop: every microtask (the run's steps, the source's awaits) is done. */
const settle = () => new Promise<void>((done) => setImmediate(done));

/** Gates the tasks wait on, opened by the test (outside the run). */
let gates = new Map<number, () => void>();
const gate = (i: number) => awaitPromise(() => new Promise<void>((open) => gates.set(i, open)));
function open(i: number): void {
  events.push(`-- open ${i}`);
  const g = gates.get(i);
  assert.ok(g, `gate ${i} is not waited on`);
  gates.delete(i);
  g();
}

/** `1..n` from an async generator; its pulls, end and close are in `events`; return() is spied on. */
function source(n: number, opts: { failAt?: number; stallAt?: number } = {}): AsyncIterable<number> {
  async function* numbers() {
    try {
      for (let i = 1; i <= n; i++) {
        events.push(`pull ${i}`);
        await null;
        if (i === opts.failAt) throw new Error(`source failed at ${i}`);
        if (i === opts.stallAt) await new Promise(() => {});
        yield i;
      }
      events.push("source ended");
    } finally {
      events.push("source closed");
    }
  }
  const g = numbers();
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => g.next(),
      return: () => {
        events.push("return()");
        return g.return(undefined);
      },
    }),
  };
}

let running = 0;
let peak = 0;
/** Item i's task: logs, bumps the shared counter, waits for its gate (or `ms`, then throws `fail`). */
const item = fn(function* item(i: number, ms: number = -1, fail: Error | null = null) {
  running++;
  peak = Math.max(peak, running);
  yield* mark(`start ${i}`);
  try {
    yield* tell(`log ${i}`);
    yield* put("n", (yield* get<number>("n")) + 1);
    if (ms >= 0) yield* delay(ms);
    else yield* gate(i);
    if (fail !== null) {
      yield* mark(`fails ${i}`);
      throw fail;
    }
    yield* mark(`done ${i}`);
  } finally {
    running--;
    yield* mark(`finally ${i}`);
  }
});

function reset(): void {
  events.length = 0;
  gates = new Map();
  running = 0;
  peak = 0;
}

/** Run `body` (n starts at 0), opening the gates in `order` one turn of the event loop apart (a list: together). */
async function drive(
  body: Program<unknown, any>,
  order: (number | number[])[],
  options: { signal?: AbortSignal } = {},
): Promise<RunResult<unknown>> {
  const main = program(function* () {
    yield* put("n", 0);
    try {
      return yield* body;
    } finally {
      events.push(`main: n = ${yield* get<number>("n")}`);
    }
  });
  const r = runAsync(main, { handlers: TK(), ...options });
  for (const step of order) {
    await settle();
    for (const i of Array.isArray(step) ? step : [step]) open(i);
  }
  const result = await r;
  await settle();
  return result;
}

test("forEachAsync { concurrency: 2 }: at most 2 tasks; the next item is pulled only when a slot is free; logs merged in completion order; state shared", async () => {
  reset();
  const r = await drive(
    forEachAsync(source(5), (i) => item(i), { concurrency: 2 }),
    [2, 1, 4, 3, 5],
  );
  assert.equal(r.error, undefined);
  assert.deepEqual(events, [
    "pull 1",
    "pull 2", // a slot is free: pulled while task 1 waits
    "0: start 1",
    "0: start 2", // full: no pull until one completes
    "-- open 2",
    "0: done 2",
    "0: finally 2",
    "pull 3",
    "0: start 3",
    "-- open 1",
    "0: done 1",
    "0: finally 1",
    "pull 4",
    "0: start 4",
    "-- open 4",
    "0: done 4",
    "0: finally 4",
    "pull 5",
    "0: start 5",
    "-- open 3",
    "0: done 3",
    "0: finally 3",
    "source ended", // pulled as soon as a slot was free: the source is done
    "source closed",
    "-- open 5",
    "0: done 5",
    "0: finally 5",
    "main: n = 5", // the tasks share the caller's state
  ]);
  assert.deepEqual(r.log, ["log 2", "log 1", "log 4", "log 3", "log 5"]);
  assert.equal(peak, 2);
});

test("forEachAsync { concurrency: Infinity } pulls while the source has items; { concurrency: 1 } runs one task at a time; {} is the sequential loop", async () => {
  reset();
  const r1 = await drive(
    forEachAsync(source(3), (i) => item(i), { concurrency: Infinity }),
    [3, 1, 2],
  );
  assert.equal(r1.error, undefined);
  assert.deepEqual(events, [
    "pull 1",
    "pull 2",
    "0: start 1",
    "pull 3",
    "0: start 2",
    "source ended",
    "source closed",
    "0: start 3",
    "-- open 3",
    "0: done 3",
    "0: finally 3",
    "-- open 1",
    "0: done 1",
    "0: finally 1",
    "-- open 2",
    "0: done 2",
    "0: finally 2",
    "main: n = 3",
  ]);
  assert.deepEqual(r1.log, ["log 3", "log 1", "log 2"]);
  reset();
  const r2 = await drive(
    forEachAsync(source(2), (i) => item(i), { concurrency: 1 }),
    [1, 2],
  );
  assert.deepEqual(r2.log, ["log 1", "log 2"]);
  assert.equal(peak, 1);
  // `{}` (no concurrency) is the sequential loop: no pull while an item's program runs
  reset();
  const r3 = await drive(
    forEachAsync(source(2), (i) => item(i), {}),
    [1, 2],
  );
  assert.deepEqual(r3.log, ["log 1", "log 2"]);
  assert.deepEqual(events, [
    "pull 1",
    "0: start 1",
    "-- open 1",
    "0: done 1",
    "0: finally 1",
    "pull 2",
    "0: start 2",
    "-- open 2",
    "0: done 2",
    "0: finally 2",
    "source ended",
    "source closed",
    "main: n = 2",
  ]);
});

/** The lines format() lists under "errors beside the outcome". */
const warningLines = (report: string) =>
  report.split("\n").slice(report.split("\n").findIndex((l) => l.startsWith("──")) + 1);

test("forEachAsync { concurrency }: the first failure (completion order) cancels the running tasks in ascending id — not slot order — then closes the iterator; a second failure is a warning", async () => {
  reset();
  const first = new Error("item 2 failed");
  const second = new Error("item 3 failed");
  const f = (i: number) => item(i, -1, i === 2 ? first : i === 3 ? second : null);
  // tasks 1–4 take slots 0–3; task 5 takes task 1's slot 0: slot order 5, 2, 3, 4
  const r = await drive(forEachAsync(source(9), f, { concurrency: 4 }), [1, [2, 3]]);
  assert.equal(r.error, first);
  assert.deepEqual(events, [
    "pull 1",
    "pull 2",
    "0: start 1",
    "pull 3",
    "0: start 2",
    "pull 4",
    "0: start 3",
    "0: start 4",
    "-- open 1",
    "0: done 1",
    "0: finally 1",
    "pull 5",
    "0: start 5",
    "-- open 2",
    "-- open 3",
    "0: fails 2",
    "0: finally 2",
    "0: fails 3",
    "0: finally 3",
    "0: finally 4",
    "0: finally 5",
    "return()",
    "main: n = 5",
    "source closed",
  ]);
  assert.deepEqual(r.log, ["log 1", "log 2"]); // the failed task's log is delivered, not the others'
  assert.deepEqual(r.warnings, [second]);
  assert.deepEqual(warningLines(r.format()), [
    "task 3 (f(item 2) of forEachAsync) failed too, after forEachAsync had thrown the first failure (task 2's); to receive every failure, wrap each program in safe(): Error: item 3 failed",
  ]);
});

test("forEachAsync { concurrency }: a second task failing with the very error forEachAsync throws (a shared abort reason) is no warning", async () => {
  reset();
  const reason = new Error("shutting down");
  const f = (i: number) => item(i, -1, i === 2 || i === 3 ? reason : null);
  const r = await drive(forEachAsync(source(9), f, { concurrency: 4 }), [1, [2, 3]]);
  assert.equal(r.error, reason);
  assert.deepEqual(r.warnings, []); // (it was [reason]: "task 3 (f(item 2) of forEachAsync) failed too, …")
});

test("forEachAsync { concurrency }: a failure is noticed while the source is slow to give its next item; that pull is dropped and the iterator closed", async () => {
  reset();
  const boom = new Error("boom");
  // item 2 never comes; task 1 fails at 10 ms (a timer: it fires before any item could come)
  const r = await drive(
    forEachAsync(source(5, { stallAt: 2 }), (i) => item(i, 10, boom), { concurrency: 3 }),
    [],
  );
  assert.equal(r.error, boom);
  assert.deepEqual(events, [
    "pull 1",
    "pull 2",
    "0: start 1",
    "10: fails 1",
    "10: finally 1",
    "return()",
    "main: n = 1",
  ]);
  assert.deepEqual(r.warnings, []);
});

test("forEachAsync { concurrency }: the iterator failing cancels the running tasks (ascending id) and throws its error; the iterator is not closed (as for await)", async () => {
  reset();
  const r = await drive(
    forEachAsync(source(5, { failAt: 3 }), (i) => item(i), { concurrency: 3 }),
    [],
  );
  assert.equal((r.error as Error).message, "source failed at 3");
  assert.deepEqual(events, [
    "pull 1",
    "pull 2",
    "0: start 1",
    "pull 3",
    "0: start 2",
    "source closed", // the generator's own finally, as it threw
    "0: finally 1",
    "0: finally 2",
    "main: n = 2",
  ]);
  assert.deepEqual([r.log, r.warnings], [[], []]); // a cancelled task's log is not delivered
});

test("forEachAsync { concurrency }: the caller cancelled (a timeout around it, the run aborted) cancels the running tasks and closes the iterator", async () => {
  reset();
  // under realTime: under simulatedTime the timeout's timer would fire before the first item came
  const r1 = await runAsync(
    timeout(
      forEachAsync(source(5, { stallAt: 3 }), (i) => item(i), { concurrency: 3 }),
      20,
    ),
    { handlers: [scheduler, realTime, state, writer], store: { n: 0 } },
  );
  assert.ok(r1.error instanceof TimeoutError, String(r1.error));
  await settle();
  assert.deepEqual(
    events.map((e) => e.replace(/^\d+: /, "")),
    [
      "pull 1",
      "pull 2",
      "start 1",
      "pull 3", // never answers
      "start 2",
      "finally 1", // at 20 ms
      "finally 2",
      "return()",
    ],
  );
  assert.deepEqual(r1.log, []); // timed out: nothing of it is delivered

  reset();
  const abort = new AbortController();
  const r2 = runAsync(
    forEachAsync(source(5, { stallAt: 3 }), (i) => item(i), { concurrency: 3 }),
    {
      handlers: TK(),
      store: { n: 0 },
      signal: abort.signal,
    },
  );
  await settle();
  events.push("-- abort");
  abort.abort(new Error("client went away"));
  const result = await r2;
  assert.equal((result.error as Error).message, "client went away");
  assert.deepEqual(events, [
    "pull 1",
    "pull 2",
    "0: start 1",
    "pull 3",
    "0: start 2",
    "-- abort",
    "0: finally 1",
    "0: finally 2",
    "return()",
  ]);
});

test("forEachAsync { concurrency }: f returning no program is the sequential form's TypeError; the running tasks are cancelled and the iterator closed", async () => {
  reset();
  const f = ((i: number) => (i === 2 ? undefined : item(i))) as unknown as (i: number) => Program<void>;
  const r = await drive(forEachAsync(source(5), f, { concurrency: 3 }), []);
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    r.error.message,
    "forEachAsync's function (for item 1) returned undefined, not a program: return one for each item, e.g. (line) => send(ch, line)",
  );
  assert.deepEqual(events, [
    "pull 1",
    "pull 2",
    "0: start 1", // (it runs while forEachAsync waits for item 2)
    "0: finally 1",
    "return()",
    "main: n = 1",
    "source closed",
  ]);
});

test("forEachAsync options are checked at the call, as all's; under run (no event loop) it is an AsyncRequiredError before any pull", () => {
  const f = (i: number) => tell(i);
  const message = (options: unknown) => {
    try {
      forEachAsync(source(1), f, options as { concurrency: number });
      return "no error";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const bad = [0, 1.5, -1, Number.NaN, "2"].map((c) => ({ concurrency: c }));
  assert.deepEqual([...bad, null, { limit: 2 }, 3, tell(0)].map(message), [
    "RangeError: forEachAsync option concurrency must be an integer ≥ 1 (or Infinity for no limit), got 0",
    "RangeError: forEachAsync option concurrency must be an integer ≥ 1 (or Infinity for no limit), got 1.5",
    "RangeError: forEachAsync option concurrency must be an integer ≥ 1 (or Infinity for no limit), got -1",
    "RangeError: forEachAsync option concurrency must be an integer ≥ 1 (or Infinity for no limit), got NaN",
    'TypeError: forEachAsync option concurrency must be a number (an integer ≥ 1, or Infinity), got "2"',
    "TypeError: forEachAsync options must be an object ({ concurrency }), got null",
    'TypeError: unknown forEachAsync option "limit"; the options are concurrency',
    "TypeError: forEachAsync options must be an object ({ concurrency }), got 3",
    // (a program where the options go: all's wording, "takes its programs as one array", was wrong here)
    "TypeError: forEachAsync takes an async iterable, a function that makes each item's program, and options third: forEachAsync(lines, (line) => work(line), { concurrency: 4 })",
  ]);
  reset();
  const r = run(
    forEachAsync(source(3), (i) => item(i), { concurrency: 2 }),
    { handlers: TK() },
  );
  assert.ok(r.error instanceof AsyncRequiredError);
  assert.equal(
    r.error.message,
    "forEachAsync needs the event loop; use runAsync(program, options) instead of run()",
  );
  assert.deepEqual(events, []);
});

/** Two full collections, each after a turn of the event loop (for WeakRef checks). */
async function collectGarbage(): Promise<void> {
  (await import("node:v8")).setFlagsFromString("--expose-gc");
  const gc = (await import("node:vm")).runInNewContext("gc") as () => void;
  for (let i = 0; i < 2; i++) {
    await settle();
    gc();
  }
}

test("forEachAsync { concurrency: 8 } over 100,000 items: at most 8 tasks at once, each item pulled only when a slot is free, and a finished task is let go", async () => {
  const N = 100_000;
  let called = 0; // f(item) calls
  let finished = 0; // tasks whose program ended
  let unfinishedAtPull = 0; // the most tasks not finished when an item was pulled
  let inFlight = 0;
  let most = 0;
  let early: WeakRef<object>[] = [];
  let collected = -1;
  async function* numbers() {
    for (let i = 0; i < N; i++) {
      assert.equal(called, i); // no pull ahead of the item before it
      unfinishedAtPull = Math.max(unfinishedAtPull, called - finished);
      if (i === N / 2) {
        await collectGarbage();
        collected = early.filter((r) => r.deref() === undefined).length;
        early = [];
      }
      yield i;
    }
  }
  // most tasks wait for a turn of the event loop, longer than a pull takes (microtasks), so slots
  // fill up; they complete out of order; a result (dropped by forEachAsync) is a payload on a WeakRef
  const task = fn(function* task(i: number) {
    inFlight++;
    most = Math.max(most, inFlight);
    if (i % 4 !== 0) yield* awaitPromise(() => (i % 3 === 0 ? settle() : Promise.resolve()));
    inFlight--;
    finished++;
    const payload = { bytes: new Array(100).fill(i) };
    if (i < 1000) early.push(new WeakRef(payload));
    return payload;
  });
  const f = (i: number) => {
    called++;
    return task(i);
  };
  const r = await runAsync(forEachAsync(numbers(), f, { concurrency: 8 }), { handlers: TK() });
  assert.equal(r.error, undefined);
  assert.deepEqual([called, finished, most, unfinishedAtPull < 8, collected], [N, N, 8, true, 1000]);
});

test("forEachAsync { concurrency }: a task that a handler inside the scheduler ends is done (its log merged, its value dropped), or failed when the handler threw", async () => {
  const f = (i: number) =>
    program(function* () {
      yield* tell(`item ${i}`);
      if (i === 2) yield* new Ping();
      yield* tell(`after ${i}`);
    });
  reset();
  const ended = await runAsync(forEachAsync(source(3), f, { concurrency: 2 }), {
    handlers: [...TK(), abortingPing],
  });
  assert.equal(ended.error, undefined);
  assert.deepEqual(ended.log, ["item 1", "after 1", "item 2", "item 3", "after 3"]);
  reset();
  const failed = await runAsync(forEachAsync(source(3), f, { concurrency: 2 }), {
    handlers: [...TK(), throwingPing],
  });
  assert.equal(failed.error, handlerBoom);
  assert.deepEqual(failed.log, ["item 1", "after 1", "item 2"]);
  await settle();
  assert.deepEqual(events, ["pull 1", "pull 2", "pull 3", "return()", "source closed"]);
});

test("forEachAsync { concurrency }: an error thrown by the finally block of a task it cancels is a warning naming forEachAsync", async () => {
  reset();
  const boom = new Error("boom");
  const cleanup = new Error("cleanup");
  const f = (i: number) =>
    program(function* () {
      try {
        yield* gate(i);
        if (i === 1) throw boom;
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the case under test is a throwing finally
        if (i === 2) throw cleanup;
      }
    });
  const r = await drive(forEachAsync(source(2), f, { concurrency: 2 }), [1]);
  assert.equal(r.error, boom);
  assert.deepEqual(r.warnings, [cleanup]);
  assert.deepEqual(warningLines(r.format()), [
    "a finally block of task 2 threw while forEachAsync cancelled it: Error: cleanup",
  ]);
});

test('forEachAsync: an iterator whose next() gives no { done, value } object is a TypeError naming it, as for await throws one (it read V8\'s "Cannot read properties of null", or ran f(undefined) for a number); the iterator is not closed', async () => {
  for (const bad of [null, 5, undefined]) {
    for (const options of [undefined, { concurrency: 2 }]) {
      const calls: string[] = [];
      let n = 0;
      const iterable: AsyncIterable<number> = {
        [Symbol.asyncIterator]: () =>
          ({
            next: () => Promise.resolve(n++ === 0 ? { done: false, value: 1 } : bad),
            return: () => {
              calls.push("return()");
              return Promise.resolve({ done: true, value: undefined });
            },
          }) as AsyncIterator<number>,
      };
      const r = await runAsync(
        forEachAsync(
          iterable,
          (i) => {
            calls.push(`f(${i})`);
            return tell(i);
          },
          options,
        ),
        { handlers: TK() },
      );
      assert.ok(r.error instanceof TypeError, `${String(bad)} ${JSON.stringify(options)}`);
      assert.equal(
        r.error.message,
        `forEachAsync: the iterator's next() gave ${bad === null ? "null" : String(bad)}, not an iterator result { done, value }`,
      );
      assert.deepEqual(calls, ["f(1)"]); // no f(undefined), no return()
    }
  }
});
