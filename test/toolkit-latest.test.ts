/**
 * forEachLatest(ch, f, { debounce }): the latest value wins — the worker of the previous value is
 * cancelled at once (finally blocks, awaitPromise's signal), a debounce waits for a quiet spell, the
 * last value is never dropped at close, a worker's error ends it, and cancelling it cancels what it
 * owns without losing a value of the channel.
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  awaitPromise,
  cancel,
  cede,
  type Channel,
  close,
  completePromise,
  createChannel,
  createPromise,
  delay,
  eventChannel,
  fn,
  forEachLatest,
  type Program,
  program,
  realTime,
  receive,
  run,
  safe,
  runAsync,
  scheduler,
  send,
  spawn,
  tell,
  timeout,
  TimeoutError,
  wait,
} from "../src/index.js";
import { assertErr, assertOk } from "./sched-helpers.js";
import { events, failing, job, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

/** Send each `[at, value]` at virtual time `at`, then close the channel at `end` (if given). */
const feed = fn(function* feed(ch: Channel<string>, script: [number, string][], end?: number) {
  let t = 0;
  for (const [at, v] of script) {
    yield* delay(at - t);
    t = at;
    yield* mark(`send ${v}`);
    yield* send(ch, v);
  }
  if (end !== undefined) {
    yield* delay(end - t);
    yield* mark("close");
    yield* close(ch);
  }
});

const latest = fn(function* latest(script: [number, string][], end: number, debounce?: number) {
  const ch = yield* createChannel<string>({ capacity: Infinity });
  yield* spawn(feed(ch, script, end));
  const work = (v: string) => job(v, 15, v);
  yield* debounce === undefined ? forEachLatest(ch, work) : forEachLatest(ch, work, { debounce });
  yield* mark("returned");
});

test("forEachLatest: each value cancels the worker still running for the previous one; returns after the last", () => {
  const r = run(
    latest(
      [
        [0, "a"],
        [10, "b"],
        [30, "c"],
      ],
      31,
    ),
    { handlers: TK() },
  );
  assertOk(r);
  assert.deepEqual(events, [
    "0: send a",
    "0: a start",
    "10: send b",
    "10: a finally", // cancelled at once, before b starts
    "10: b start",
    "25: b done",
    "25: b finally",
    "30: send c",
    "30: c start",
    "31: close",
    "45: c done", // closed: the last worker runs to its end
    "45: c finally",
    "45: returned",
  ]);
  assert.deepEqual(r.warnings, []);
});

test("forEachLatest { debounce }: a burst makes one worker, after a quiet spell; a new value cancels the running one at once", () => {
  const r = run(
    latest(
      [
        [0, "a"],
        [10, "ab"],
        [20, "abc"],
        [55, "abcd"],
        [60, "abcde"],
      ],
      200,
      30,
    ),
    { handlers: TK() },
  );
  assertOk(r);
  assert.deepEqual(events, [
    "0: send a",
    "10: send ab",
    "20: send abc",
    "50: abc start", // 30 ms after the last of the burst
    "55: send abcd",
    "55: abc finally", // stale: cancelled at the keystroke, not when the next worker starts
    "60: send abcde",
    "90: abcde start",
    "105: abcde done",
    "105: abcde finally",
    "200: close",
    "200: returned",
  ]);
});

test("forEachLatest { debounce }: the value waiting for its quiet spell when the channel closes starts at once", () => {
  const r = run(
    latest(
      [
        [0, "a"],
        [10, "ab"],
      ],
      12,
      30,
    ),
    { handlers: TK() },
  );
  assertOk(r);
  assert.deepEqual(events, [
    "0: send a",
    "10: send ab",
    "12: close",
    "12: ab start",
    "27: ab done",
    "27: ab finally",
    "27: returned",
  ]);
});

test("forEachLatest: a worker's error is thrown from it, and the reader and timer it owns are cancelled", () => {
  const boom = new RangeError("search failed");
  const main = program(function* () {
    const ch = yield* createChannel<string>({ capacity: Infinity });
    yield* spawn(feed(ch, [[0, "a"]]));
    try {
      yield* forEachLatest(ch, (v) => failing(v, 5, boom), { debounce: 1 });
    } catch (e) {
      yield* mark(`caught ${(e as Error).message}`);
      // the reader's receive was cancelled: the channel is still whole, a value sent now is here
      yield* spawn(feed(ch, [[3, "b"]]));
      const next = yield* receive(ch);
      yield* mark(`then received ${next.value}`);
      throw e;
    }
  });
  const r = run(main, { handlers: TK() });
  assert.equal(assertErr(r, RangeError), boom);
  assert.deepEqual(events, [
    "0: send a",
    "1: a start",
    "6: a fails",
    "6: caught search failed",
    "9: send b",
    "9: then received b",
  ]);
  assert.deepEqual(r.warnings, []);
});

test("forEachLatest: a worker that failed after a newer value came, before forEachLatest saw either, still fails it", () => {
  const boom = new RangeError("search failed");
  const main = program(function* () {
    const ch = yield* createChannel<string>({ capacity: Infinity });
    const go = yield* createPromise<undefined>();
    yield* send(ch, "a");
    yield* spawn(
      program(function* () {
        yield* delay(10);
        yield* send(ch, "b"); // the reader's receive is handed "b" (its task is ready first) …
        yield* completePromise(go, undefined); // … then the worker wakes and fails
      }),
    );
    yield* forEachLatest(ch, (v) =>
      program(function* () {
        yield* mark(`${v} start`);
        yield* wait(go.future);
        yield* mark(`${v} fails`);
        throw boom;
      }),
    );
  });
  const r = run(main, { handlers: TK() });
  // (had it been taken for cancelled, "b" would start and the failure be a warning)
  assert.equal(assertErr(r, RangeError), boom);
  assert.deepEqual(events, ["0: a start", "10: a fails"]);
  assert.deepEqual(r.warnings, []);
});

test("forEachLatest cancelled (a timeout around it): its worker's finally runs, and no value of the channel is lost", () => {
  const main = program(function* () {
    const ch = yield* createChannel<string>({ capacity: Infinity });
    yield* spawn(feed(ch, [[0, "a"]]));
    try {
      yield* timeout(
        forEachLatest(ch, (v) => job(v, 50, v)),
        20,
      );
    } catch (e) {
      yield* mark(e instanceof TimeoutError ? "TimeoutError" : String(e));
    }
    yield* send(ch, "z");
    return (yield* receive(ch)).value;
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, "z");
  assert.deepEqual(events, ["0: send a", "0: a start", "20: a finally", "20: TimeoutError"]);
});

test("forEachLatest: the worker's log is delivered, a cancelled worker's is not", () => {
  const main = program(function* () {
    const ch = yield* createChannel<string>({ capacity: Infinity });
    yield* spawn(
      feed(
        ch,
        [
          [0, "a"],
          [5, "b"],
        ],
        30,
      ),
    );
    yield* forEachLatest(ch, (v) =>
      program(function* () {
        yield* tell(`${v} started`);
        yield* delay(10);
        yield* tell(`${v} ended`);
      }),
    );
  });
  const r = run(main, { handlers: TK() });
  assertOk(r);
  assert.deepEqual(r.log, ["b started", "b ended"]);
});

test("forEachLatest: a channel closed with an error (eventChannel's close(error)) throws it", async () => {
  let fail: ((e?: Error) => void) | undefined;
  let emit: ((v: string) => boolean) | undefined;
  const main = program(function* () {
    const ch = yield* eventChannel<string>((e, c) => {
      emit = e;
      fail = c;
      return () => {};
    });
    yield* forEachLatest(ch, (v) => job(v, 1, v));
  });
  const lost = new Error("socket lost");
  const p = runAsync(main, { handlers: [scheduler, realTime, ...TK().slice(2)] });
  await new Promise((r) => setTimeout(r, 5));
  emit!("a");
  // until a's job is done (a 1 ms delay; a fixed 20 ms wait was too short on a loaded machine)
  for (let i = 0; i < 500 && !events.some((e) => e.endsWith("a done")); i++)
    await new Promise((r) => setTimeout(r, 5));
  fail!(lost);
  const r = await p;
  assert.equal(assertErr(r, Error), lost);
  assert.deepEqual(
    events.map((e) => e.replace(/^\d+: /, "")),
    ["a start", "a done", "a finally"],
  );
});

test("forEachLatest under runAsync: the replaced worker's awaitPromise signal aborts, its finally runs", async () => {
  const seen: string[] = [];
  const main = program(function* () {
    const ch = yield* createChannel<string>({ capacity: Infinity });
    yield* spawn(
      program(function* () {
        yield* send(ch, "a");
        yield* delay(10);
        yield* send(ch, "b");
        yield* close(ch);
      }),
    );
    yield* forEachLatest(ch, (q) =>
      program(function* () {
        try {
          const hits = yield* awaitPromise(
            (signal) =>
              new Promise<string>((resolve, reject) => {
                const t = setTimeout(() => resolve(`${q}!`), 30);
                signal.addEventListener("abort", () => {
                  clearTimeout(t);
                  seen.push(`abort ${q}`);
                  reject(signal.reason);
                });
              }),
          );
          seen.push(`render ${hits}`);
        } finally {
          seen.push(`finally ${q}`);
        }
      }),
    );
  });
  const r = await runAsync(main, { handlers: [scheduler, realTime] });
  assertOk(r);
  assert.deepEqual(seen, ["abort a", "finally a", "render b!", "finally b"]);
  assert.deepEqual(r.warnings, []);
});

test("forEachLatest and eventChannel without the handlers they need: the message names them", () => {
  // a debounce without a clock, an eventChannel without the scheduler: effects the user did not write
  const debounced = run(
    program(function* () {
      const ch = yield* createChannel<string>({ capacity: 1 });
      yield* send(ch, "a");
      yield* close(ch);
      yield* forEachLatest(ch, (q) => job(q, 1, 1), { debounce: 10 });
    }) as Program<void, never>,
    { handlers: [scheduler] },
  );
  assert.match(
    (debounced.error as Error).message,
    /\. timeout, retry with a delay, forEachLatest with a debounce, and rateLimited perform Delay: /,
  );
  const noScheduler = run(eventChannel<string>(() => () => {}) as Program<unknown, never>);
  assert.match(
    (noScheduler.error as Error).message,
    /the concurrency toolkit \(all, forEach, raceAll, raceFirst, timeout, scoped, semaphores, channels, eventChannel, forEachLatest\) perform scheduler effects/,
  );
});

test("forEachLatest: bad arguments are refused at the call, saying what to pass", () => {
  const ch = run(createChannel<string>()).value!;
  assert.throws(
    () => forEachLatest({} as never, () => job("x", 1, 1)),
    (e: unknown) =>
      e instanceof TypeError &&
      /^forEachLatest expects a Channel \(from yield\* createChannel\(\)\), got /.test(e.message),
  );
  assert.throws(() => forEachLatest(ch, "search" as never), {
    name: "TypeError",
    message: 'forEachLatest expects a function, e.g. (query) => search(query), got "search"',
  });
  assert.throws(() => forEachLatest(ch, (v) => job(v, 1, 1), { debounce: -1 }), {
    name: "RangeError",
    message: "forEachLatest's debounce expects a finite number of milliseconds ≥ 0, got -1",
  });
  assert.throws(() => forEachLatest(ch, (v) => job(v, 1, 1), { debouce: 200 } as never), {
    name: "TypeError",
    message: 'unknown forEachLatest option "debouce"; the options are debounce',
  });
});

test("forEachLatest: f returning a promise instead of a program fails with how to fix it", () => {
  const main = program(function* () {
    const ch = yield* createChannel<string>({ capacity: Infinity });
    yield* send(ch, "q");
    yield* forEachLatest(ch, (() => Promise.resolve(1)) as never);
  });
  const r = run(main, { handlers: TK() });
  assert.equal(
    (assertErr(r, TypeError) as Error).message,
    "forEachLatest's function (for value 0 of the channel) returned Promise object, not a program: return one for each value, e.g. (query) => search(query); for async work, return awaitPromise((signal) => work(query, signal))",
  );
});

/**
 * forEachLatest ended (a worker's error, a cancel) in the step in which its reader received a
 * value: the value goes back on the channel, for the next reader (a loop that restarts
 * forEachLatest after an error). `w(1)` fails at 10 ms; the producer sends 2 at 10 ms too, and
 * `cedes` puts the failure after the reader took the value (1: the loop saw the value first and the
 * failed worker then; 0: the failure first, the reader done but not seen). Before, 2 was lost.
 */
const restartAfterError = (cedes: number) =>
  program(function* () {
    const ch = yield* createChannel<number>({ capacity: 5 });
    yield* send(ch, 1);
    yield* spawn(
      fn(function* prod() {
        yield* delay(10);
        yield* send(ch, 2);
        yield* mark("sent 2");
        yield* delay(10);
        yield* close(ch);
      })(),
    );
    const w = fn(function* w(v: number) {
      yield* mark(`w(${v})`);
      yield* delay(10);
      for (let i = 0; i < cedes; i++) yield* cede();
      if (v === 1) throw new Error("w(1) failed");
    });
    for (let round = 0; ; round++) {
      const r = yield* safe(forEachLatest(ch, w));
      yield* mark(`round ${round}: ${r.ok ? "ok" : (r.error as Error).message}`);
      if (r.ok) return ch.size;
    }
  });

test("forEachLatest: a value received in the step a worker failed goes back on the channel (the reader had ended)", () => {
  const r = run(restartAfterError(0), { handlers: TK() });
  assert.equal(assertOk(r), 0);
  assert.deepEqual(events, [
    "0: w(1)",
    "10: sent 2",
    "10: round 0: w(1) failed",
    "10: w(2)",
    "20: round 1: ok",
  ]);
  assert.deepEqual(r.warnings, []);
});

test("forEachLatest: a value received just before the failed worker was seen goes back on the channel", () => {
  const r = run(restartAfterError(1), { handlers: TK() });
  assert.equal(assertOk(r), 0);
  assert.deepEqual(events, [
    "0: w(1)",
    "10: sent 2",
    "10: round 0: w(1) failed",
    "10: w(2)",
    "20: round 1: ok",
  ]);
  assert.deepEqual(r.warnings, []);
});

test("forEachLatest cancelled in the step its reader took a value (the reader had ended): the value stays on the channel", () => {
  // the killer's timer fires after the producer's; its cede lets the reader take 2 and end before the cancel
  const r = run(
    program(function* () {
      const ch = yield* createChannel<number>({ capacity: 5 });
      yield* spawn(
        fn(function* prod() {
          yield* delay(10);
          yield* send(ch, 2);
          yield* mark("sent 2");
        })(),
      );
      const loop = yield* spawn(forEachLatest(ch, (v: number) => mark(`w(${v})`)));
      yield* spawn(
        fn(function* killer() {
          yield* delay(10);
          yield* cede();
          yield* cancel(loop);
          yield* mark("cancelled");
        })(),
      );
      yield* delay(20);
      const size = ch.size;
      yield* close(ch);
      return [size, yield* receive(ch), yield* receive(ch)];
    }),
    { handlers: TK() },
  );
  assert.deepEqual(assertOk(r), [1, { done: false, value: 2 }, { done: true }]);
  assert.deepEqual(events, ["10: sent 2", "10: cancelled"]);
  assert.deepEqual(r.warnings, []);
});

test("forEachLatest { debounce } cut short (a timeout around it): the value waiting for its quiet spell goes back on the channel, before a later one", () => {
  const r = run(
    program(function* () {
      const ch = yield* createChannel<string>({ capacity: Infinity });
      yield* spawn(
        feed(
          ch,
          [
            [0, "a"],
            [25, "b"],
            [35, "c"],
          ],
          40,
        ),
      );
      const work = (v: string) => job(v, 1, v);
      // "a" is done at 21; "b" comes at 25 and waits for its quiet spell (till 45): the deadline, 30, cuts it
      const first = yield* safe(timeout(forEachLatest(ch, work, { debounce: 20 }), 30));
      yield* mark(first.ok ? "in time" : (first.error as Error).name);
      yield* forEachLatest(ch, work); // "b", then "c" (sent at 35) replaces it
      yield* mark("returned");
    }),
    { handlers: TK() },
  );
  assertOk(r);
  assert.deepEqual(events, [
    "0: send a",
    "20: a start",
    "21: a done",
    "21: a finally",
    "25: send b",
    "30: TimeoutError",
    "30: b start",
    "31: b done",
    "31: b finally",
    "35: send c",
    "35: c start",
    "36: c done",
    "36: c finally",
    "40: close",
    "40: returned",
  ]);
});
