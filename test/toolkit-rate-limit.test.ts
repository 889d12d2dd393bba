/**
 * rateLimiter / rateLimited: at most `limit` starts in any `interval` ms, FIFO, on the clock alone
 * (now + delay), shareable by concurrent runs under realTime; a caller cancelled while it waits gives
 * its time back; bad options say what to write.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  cancel,
  delay,
  fn,
  now,
  program,
  RateLimiter,
  rateLimited,
  rateLimiter,
  realTime,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  timeout,
  TimeoutError,
  UnhandledEffectError,
  wait,
} from "../src/index.js";

const clock = () => [scheduler, simulatedTime({ start: 0 })];

/** Records `name@time` when it starts. */
const call = fn(function* call(starts: string[], name: string) {
  starts.push(`${name}@${yield* now()}`);
  return name;
});

test("rateLimited: 2 per 1000 ms, seven callers at once start at 0, 0, 1000, 1000, 2000, 2000, 3000 (FIFO)", () => {
  const limiter = rateLimiter({ limit: 2, interval: 1000 });
  const starts: string[] = [];
  const names = ["a", "b", "c", "d", "e", "f", "g"];
  const r = run(all(names.map((n) => rateLimited(limiter, call(starts, n)))), { handlers: clock() });
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, names);
  assert.deepEqual(starts, ["a@0", "b@0", "c@1000", "d@1000", "e@2000", "f@2000", "g@3000"]);
});

test("rateLimiter: a sliding window — a caller after a quiet spell starts at once, then the window counts it", () => {
  const limiter = rateLimiter({ limit: 2, interval: 1000 });
  const starts: string[] = [];
  const main = program(function* main() {
    yield* rateLimited(limiter, call(starts, "a")); // 0
    yield* delay(600);
    yield* rateLimited(limiter, call(starts, "b")); // 600: one start in (−400, 600]
    yield* rateLimited(limiter, call(starts, "c")); // 1000: a's start leaves the window
    yield* delay(2000); // 3000
    yield* rateLimited(limiter, call(starts, "d"));
    yield* limiter.take();
    starts.push(`take@${yield* now()}`);
    yield* rateLimited(limiter, call(starts, "e")); // 4000: d and the take fill [3000, 4000)
  });
  const r = run(main, { handlers: clock() });
  assert.equal(r.ok, true);
  assert.deepEqual(starts, ["a@0", "b@600", "c@1000", "d@3000", "take@3000", "e@4000"]);
});

test("rateLimiter: a caller cancelled while it waits gives its time back; the next caller takes it", () => {
  const limiter = rateLimiter({ limit: 1, interval: 1000 });
  const starts: string[] = [];
  const main = program(function* main() {
    yield* rateLimited(limiter, call(starts, "a")); // 0
    const b = yield* spawn(rateLimited(limiter, call(starts, "b"))); // would start at 1000
    yield* delay(10);
    yield* cancel(b);
    yield* rateLimited(limiter, call(starts, "c")); // takes 1000
    yield* rateLimited(limiter, call(starts, "d")); // 2000
  });
  const r = run(main, { handlers: clock() });
  assert.equal(r.ok, true);
  assert.deepEqual(starts, ["a@0", "c@1000", "d@2000"]);
  assert.deepEqual(limiter.times, [1000, 2000]);
});

test("rateLimited inside timeout: a turn that comes too late is a TimeoutError naming the job, its time given back", () => {
  const limiter = rateLimiter({ limit: 1, interval: 1000 });
  const starts: string[] = [];
  const main = program(function* main() {
    yield* rateLimited(limiter, call(starts, "a"));
    try {
      yield* timeout(rateLimited(limiter, call(starts, "b")), 500);
    } catch (e) {
      starts.push(e instanceof TimeoutError ? e.message : String(e));
    }
    yield* rateLimited(limiter, call(starts, "c"));
  });
  const r = run(main, { handlers: clock() });
  assert.equal(r.ok, true);
  assert.deepEqual(starts, [
    "a@0",
    "rateLimited(call) timed out after 500 ms (it was cancelled and its finally blocks ran); raise the limit, or catch TimeoutError (safe(timeout(p, ms))) to handle it",
    "c@1000",
  ]);
});

test("rateLimiter: shared by two runs going on at once under realTime, the limit holds across them", async () => {
  const limiter = rateLimiter({ limit: 1, interval: 40 });
  const times: number[] = [];
  const job = fn(function* job() {
    times.push(yield* now());
  });
  const one = () =>
    runAsync(all([rateLimited(limiter, job()), rateLimited(limiter, job())]), {
      handlers: [scheduler, realTime],
    });
  const t0 = Date.now();
  const [r1, r2] = await Promise.all([one(), one()]);
  assert.equal(r1.ok && r2.ok, true);
  assert.equal(times.length, 4);
  times.sort((a, b) => a - b);
  // (Node may fire a timer up to 1 ms early: each start at least 39 ms after the one before)
  for (let i = 1; i < 4; i++)
    assert.ok(times[i]! - times[i - 1]! >= 39, `starts ${times.map((t) => t - t0)}`);
});

test("rateLimited without a clock: UnhandledEffectError for Now, naming the clocks", () => {
  const limiter = rateLimiter({ limit: 1, interval: 10 });
  const r = run(rateLimited(limiter, call([], "a")) as never); // (the compile error the types give)
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.match((r.error as Error).message, /no handler takes Now.*simulatedTime\(\) or realTime/s);
});

test("rateLimiter / rateLimited: bad arguments say what to write", () => {
  const cases: [() => unknown, ErrorConstructor, RegExp][] = [
    [() => rateLimiter(undefined as never), TypeError, /rateLimiter expects options \{ limit, interval \}/],
    [() => rateLimiter({ limit: 2 } as never), TypeError, /rateLimiter option interval expects a number/],
    [
      () => rateLimiter({ limit: "2", interval: 1 } as never),
      TypeError,
      /option limit must be a number.*got "2"/,
    ],
    [() => rateLimiter({ limit: 0, interval: 1000 }), RangeError, /limit must be an integer ≥ 1.*got 0/],
    [() => rateLimiter({ limit: 1.5, interval: 1000 }), RangeError, /limit must be an integer ≥ 1.*got 1\.5/],
    [() => rateLimiter({ limit: 1, interval: 0 }), RangeError, /interval must be > 0 ms/],
    [() => rateLimiter({ limit: 1, interval: -5 }), RangeError, /finite number of milliseconds ≥ 0, got -5/],
    [() => rateLimiter({ limit: 1, interval: 1000, burst: 3 } as never), TypeError, /burst/],
    [() => rateLimited({} as never, call([], "a")), TypeError, /rateLimited expects a RateLimiter/],
    [() => rateLimited(rateLimiter({ limit: 1, interval: 1 }), 42 as never), TypeError, /rateLimited/],
  ];
  for (const [f, C, re] of cases) {
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof C, `${(e as Error).name}: ${(e as Error).message}`);
      assert.match((e as Error).message, re);
      return true;
    });
  }
  assert.ok(rateLimiter({ limit: 3, interval: 1000 }) instanceof RateLimiter);
});

test("rateLimiter: a long stream keeps only the times a window can still contain", () => {
  const limiter = rateLimiter({ limit: 3, interval: 100 });
  const main = program(function* main() {
    for (let i = 0; i < 10_000; i++) yield* limiter.take();
    return yield* now();
  });
  const r = run(main, { handlers: clock() });
  assert.equal(r.ok, true);
  assert.equal(r.value, 333_300); // 3 per 100 ms: the 10,000th at 9,999 / 3 = 3,333 windows
  assert.ok(limiter.times.length <= 4, `kept ${limiter.times.length}`);
  const waited = run(
    program(function* () {
      const t = yield* spawn(limiter.take());
      return yield* wait(t);
    }),
    { handlers: clock() },
  );
  assert.equal(waited.ok, true);
});

test("rateLimiter: a start whose timer fired late pushes the next one back, so real starts keep the limit", () => {
  const l = rateLimiter({ limit: 1, interval: 40 });
  assert.deepEqual([l.reserve(0), l.reserve(0), l.reserve(0)], [0, 40, 80]);
  assert.equal(l.retime(40, 45), 45); // the second woke 5 ms late: it starts at 45
  assert.deepEqual(l.times, [0, 45, 80]);
  assert.equal(l.retime(80, 80), 85); // the third, on time, waits 5 ms more: 40 after the second
  assert.deepEqual(l.times, [0, 45, 85]);
  assert.equal(l.retime(85, 85), 85);
});

test("RateLimiter: the class checks its arguments; yield* of a limiter says to make it without yield*", () => {
  assert.throws(() => new RateLimiter(undefined as never, 1000), /rateLimiter option limit must be a number/);
  assert.throws(() => new RateLimiter(2, Number.NaN), /rateLimiter option interval expects a finite number/);
  const main = program(function* main() {
    // (plain JavaScript: TypeScript refuses this line)
    const l = yield* rateLimiter({ limit: 1, interval: 10 }) as unknown as Iterable<never>;
    return l;
  });
  const r = run(main, { handlers: clock() });
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof TypeError);
  assert.match(
    (r.error as Error).message,
    /^rateLimiter\(…\) is a plain object, not a program: make it without yield\* \(const limiter = rateLimiter/,
  );
});
