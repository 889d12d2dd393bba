/**
 * rateLimiter / rateLimited: at most `limit` starts in any `interval` ms, FIFO, on the clock alone
 * (now + delay), shareable by concurrent runs under realTime; a caller cancelled while it waits gives
 * its time back; bad options say what to write.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
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
  safe,
  spawn,
  type Task,
  timeout,
  TimeoutError,
  UnhandledEffectError,
  wait,
  withHandler,
} from "../src/index.js";
import { late } from "./toolkit-helpers.js";

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
    "rateLimited(call) timed out after 500 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
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
  assert.equal(
    (r.error as Error).message,
    "no handler takes Now; no handlers are installed here. Now is answered by the standard handler simulatedTime() or realTime: add it to the run's handlers. rateLimited and limiter.take() perform Now and Delay: a program that calls only them needs a clock too",
  );
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
  const front = limiter.head; // (forgotten times not yet cut off: reading `times` cuts them off)
  assert.ok(limiter.times.length <= 4, `kept ${limiter.times.length}`);
  // and the array holds no more than a bounded front of forgotten times besides (cut off past 32)
  assert.ok(front <= 32, `${front} forgotten times still held`);
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

test("rateLimiter: an interval of 0, below 0, Infinity or NaN is refused with the bound it must meet (> 0, finite)", () => {
  for (const interval of [0, -5, Infinity, Number.NaN]) {
    assert.throws(
      () => rateLimiter({ limit: 1, interval }),
      (e: unknown) => {
        assert.ok(e instanceof RangeError);
        assert.equal(
          e.message,
          `rateLimiter option interval must be a finite number of milliseconds > 0 (the window the limit counts starts in), got ${String(interval)}`,
        );
        return true;
      },
    );
  }
});

test("RateLimiter: the class checks its arguments; yield* of a limiter says to make it without yield*", () => {
  assert.throws(() => new RateLimiter(undefined as never, 1000), /rateLimiter option limit must be a number/);
  assert.throws(() => new RateLimiter(2, Number.NaN), /rateLimiter option interval must be a finite number/);
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

test("rateLimiter: a late caller waking at the instant another started counts it (limit 1: not two starts at 20)", () => {
  const l = rateLimiter({ limit: 1, interval: 10 });
  assert.deepEqual([l.reserve(0), l.reserve(0), l.reserve(0)], [0, 10, 20]);
  assert.equal(l.retime(20, 20), 20); // the third, on time, starts at 20
  assert.equal(l.retime(10, 20), 30); // the second, 10 ms late at the same instant, waits: it had started too
  assert.deepEqual(l.times, [0, 20, 30]);
});

test("rateLimiter: a caller over `interval` late is put back where its time sorts, so the next reserve reads the window right", () => {
  const l = rateLimiter({ limit: 2, interval: 1 });
  assert.deepEqual([l.reserve(0), l.reserve(0), l.reserve(0)], [0, 0, 1]);
  // at 10 the third's time (1) is forgotten; five more callers; two of them cancelled
  assert.deepEqual(
    [l.reserve(10), l.reserve(10), l.reserve(10), l.reserve(10), l.reserve(10)],
    [10, 10, 11, 11, 12],
  );
  l.unreserve(11);
  l.unreserve(11);
  assert.equal(l.retime(1, 10.5), 11); // the third wakes 9.5 late: 11 (the two at 10 fill (10, 10.5])
  assert.deepEqual(l.times, [10, 10, 11, 12]);
  assert.equal(l.reserve(10.6), 12); // 11 and 12 in (11, 12]: a full interval less than 13
});

const lateCaller = fn(function* lateCaller(
  starts: number[],
  l: RateLimiter,
  askAt: number,
  extras: readonly number[],
) {
  yield* delay(askAt);
  yield* withHandler(
    late(extras),
    rateLimited(
      l,
      program(function* start() {
        starts.push(yield* now());
      }),
    ),
  );
});

/** Windows of `interval` holding more than `limit` of the starts (none when the limit holds). */
const overLimit = (starts: readonly number[], limit: number, interval: number): string[] => {
  const s = starts.slice().sort((a, b) => a - b);
  const out: string[] = [];
  // (fractional intervals: a time made as a + interval may read back a hair under it)
  for (let j = 0; j + limit < s.length; j++)
    if (s[j + limit]! - s[j]! < interval - 1e-9) out.push(`${s[j]} … ${s[j + limit]}`);
  return out;
};

test("rateLimited: late timers of callers waiting in line never make two starts of a limit 1 in one window", () => {
  const l = rateLimiter({ limit: 1, interval: 1 });
  const starts: number[] = [];
  const extras = [[], [1.8], [2.4], [4.2]];
  const main = program(function* main() {
    const ts = [];
    for (const x of extras) ts.push(yield* spawn(lateCaller(starts, l, 0, x)));
    for (const t of ts) yield* wait(t);
  });
  const r = run(main, { handlers: clock() });
  assert.equal(r.ok, true);
  assert.deepEqual(overLimit(starts, 1, 1), []);
  // each wakes late past the window of the start before it: it goes at once (the times handed out to
  // callers still waiting do not hold it back). (Before: 0, 4.4, 7.2, 7.2 — two starts at 7.2.)
  assert.deepEqual(starts, [0, 2.8, 4.4, 7.2]);
});

test("property: rateLimited keeps at most limit real starts in any interval, with late timers and cancellations", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(1, 2, 3, 10, 0.3, 2.5),
      fc.array(
        fc.record({
          askAt: fc.integer({ min: 0, max: 20 }),
          extras: fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 4 }),
          cancelAt: fc.option(fc.integer({ min: 0, max: 30 })),
        }),
        { minLength: 1, maxLength: 8 },
      ),
      (limit, interval, callers) => {
        const l = rateLimiter({ limit, interval });
        const starts: number[] = [];
        const main = program(function* main() {
          const ts: Task<unknown>[] = [];
          for (const c of callers) {
            const extras = c.extras.map((x) => (x * interval) / 2); // up to 5 intervals late
            ts.push(yield* spawn(lateCaller(starts, l, c.askAt, extras)));
          }
          const cancels = [];
          for (const [i, c] of callers.entries()) {
            const at = c.cancelAt;
            if (at === null) continue;
            const canceller = program(function* canceller() {
              yield* delay(at);
              yield* cancel(ts[i]!);
            });
            cancels.push(yield* spawn(canceller));
          }
          for (const t of ts) yield* safe(wait(t));
          for (const t of cancels) yield* wait(t);
        });
        const r = run(main, { handlers: clock() });
        assert.equal(r.ok, true);
        assert.deepEqual(overLimit(starts, limit, interval), [], `starts ${starts}`);
      },
    ),
    { numRuns: 3000, seed: 20261206 }, // (fixed, as every property test here: CI reruns the same cases)
  );
});

test("property: the limiter's times, in any order of asks, wakes (late, early, at one instant) and cancellations", () => {
  // takeGen's calls without a scheduler: reserve when a caller asks, retime when its timer fires
  // (at or after its time, or up to its time early as a real timer may), unreserve when cancelled
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(1, 2, 10, 0.3, 2.5),
      fc.boolean(),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.integer({ min: 0, max: 30 })), {
        maxLength: 60,
      }),
      (limit, interval, early, ops) => {
        const l = rateLimiter({ limit, interval });
        let at = 0;
        const waiting: number[] = []; // their times
        const starts: number[] = [];
        for (const [op, pick, amount] of ops) {
          if (op === 0) at += (amount * interval) / 10;
          else if (op === 1) {
            const t = l.reserve(at);
            if (t <= at) starts.push(at);
            else waiting.push(t);
          } else if (waiting.length > 0) {
            const j = pick % waiting.length;
            const t = waiting[j]!;
            if (op === 3) {
              l.unreserve(t);
              waiting.splice(j, 1);
              continue;
            }
            if (!early && t > at) at = t; // (the clock moves to the timer)
            const t2 = l.retime(t, at);
            if (t2 <= at) {
              starts.push(at);
              waiting.splice(j, 1);
            } else waiting[j] = t2;
          }
          for (let i = 1; i < l.times.length; i++)
            assert.ok(l.times[i - 1]! <= l.times[i]!, `times ascending: ${l.times}`);
        }
        assert.deepEqual(overLimit(starts, limit, interval), [], `starts ${starts}`);
      },
    ),
    { numRuns: 3000, seed: 20261206 }, // (fixed, as every property test here: CI reruns the same cases)
  );
});

test("rateLimited: callers whose every timer is late by more than the interval all start (no livelock)", () => {
  // Before, a waking caller counted the times handed out to callers not yet started: two such
  // callers, each late past the other's time, pushed each other back for ever (run never returned).
  const l = rateLimiter({ limit: 1, interval: 1 });
  const starts: number[] = [];
  const main = program(function* main() {
    const ts = [];
    for (let i = 0; i < 3; i++) ts.push(yield* spawn(lateCaller(starts, l, 0, [1.5])));
    for (const t of ts) yield* wait(t);
  });
  const r = run(main, { handlers: clock() });
  assert.equal(r.ok, true);
  assert.deepEqual(starts, [0, 2.5, 3.5]);
  assert.deepEqual(overLimit(starts, 1, 1), []);
});

test("rateLimiter: a caller waking in a queue of 2,000 finds its time by binary search and leaves `times` alone (not a scan and two splices each: quadratic)", () => {
  // count every read and write of an element of the limiter's own list of times (a scan or a
  // splice touches O(queue) each). The list is private (`#times`): see countingLimiter. (A Proxy put
  // on the `times` getter's result counted nothing once the list became private: 0 of 0.)
  const { limiter, touched: count } = countingLimiter(1, 10);
  const n = 2000;
  const starts: string[] = [];
  const r = run(all(Array.from({ length: n }, (_, i) => rateLimited(limiter, call(starts, `c${i}`)))), {
    handlers: clock(),
  });
  assert.equal(r.ok, true);
  assert.equal(starts.length, n);
  assert.deepEqual(starts.slice(0, 3), ["c0@0", "c1@10", "c2@20"]);
  assert.equal(starts[n - 1], `c${n - 1}@${(n - 1) * 10}`);
  // measured 31,938 (16 per caller: a push and binary searches); by scans and splices, 10,020,940
  assert.ok(
    count() > n,
    `${count()} reads and writes of times for ${n} callers: the count must see the list`,
  );
  assert.ok(count() < n * 30, `${count()} reads and writes of times for ${n} callers`);
});

test("rateLimiter: callers cancelled at once (a timeout around a queue of them) give their times back in O(1) each, not a splice each (quadratic: 100,000 took 3 s of a run); the next caller's time is the same", () => {
  // the limiter alone: 200,000 times handed out, all but the first given back in queue order (the
  // earliest first, the worst case for a splice: the whole list moved each time)
  const l = rateLimiter({ limit: 1, interval: 1000 });
  const ts: number[] = [];
  for (let i = 0; i < 200_000; i++) ts.push(l.reserve(0));
  assert.equal(ts[199_999], 199_999_000);
  const t0 = performance.now();
  for (let i = 1; i < ts.length; i++) l.unreserve(ts[i]!);
  assert.deepEqual(l.times, [0]);
  const ms = performance.now() - t0;
  // measured ~10 ms; a splice each took 3 s (quadratic), loaded machines included
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms to give back 199,999 times`);
  assert.equal(l.reserve(0), 1000); // as if the others had never asked
  // in a run: 20,000 callers queued behind the first, a timeout around them all
  const limiter = rateLimiter({ limit: 1, interval: 1000 });
  const starts: string[] = [];
  const r = run(
    program(function* main() {
      const queued = yield* safe(
        timeout(
          all(Array.from({ length: 20_000 }, (_, i) => rateLimited(limiter, call(starts, `c${i}`)))),
          1500,
        ),
      );
      const next = yield* rateLimited(limiter, call(starts, "next"));
      return [queued.ok, next];
    }),
    { handlers: clock() },
  );
  assert.deepEqual(r.value, [false, "next"]);
  assert.deepEqual(starts, ["c0@0", "c1@1000", "next@2000"]);
  assert.deepEqual(limiter.times, [1000, 2000]);
});

/**
 * A limiter whose private list of times counts every read and write of its elements (a scan, a
 * splice or a shift touches O(queue) of them): made through the class's internal `list` factory.
 */
function countingLimiter(limit: number, interval: number): { limiter: RateLimiter; touched: () => number } {
  let touched = 0;
  const index = (k: string | symbol) => typeof k === "string" && /^\d+$/.test(k);
  const Limiter = RateLimiter as unknown as { list: () => number[] };
  const plain = Limiter.list;
  Limiter.list = () =>
    new Proxy([] as number[], {
      get: (o, k, r) => (index(k) && touched++, Reflect.get(o, k, r)),
      set: (o, k, v, r) => (index(k) && touched++, Reflect.set(o, k, v, r)),
    });
  try {
    return { limiter: rateLimiter({ limit, interval }), touched: () => touched };
  } finally {
    Limiter.list = plain;
  }
}

test("rateLimiter: 10,000 of 20,000 queued callers cancelled from the middle, one a millisecond while the front starts, give their times back in O(1) each (not a shift of the shorter side each: quadratic)", () => {
  // each cancel is followed by a caller waking (which reads the list): a give-back taken out then,
  // one at a time, moved the 5,000 times between the gap and the front each time
  const { limiter, touched } = countingLimiter(1, 1);
  const n = 20_000;
  const starts: string[] = [];
  const r = run(
    program(function* main() {
      const ts: Task<string>[] = [];
      for (let i = 0; i < n; i++) ts.push(yield* spawn(rateLimited(limiter, call(starts, `c${i}`))));
      for (let k = 0; k < n / 2; k++) {
        yield* delay(1); // (the first: the callers ask at 0 before any is cancelled)
        yield* cancel(ts[n / 4 + k]!); // its time n/4 + k, the front's k + 1: a quarter of the queue ahead of it
      }
      for (const t of ts) yield* safe(wait(t));
      return yield* rateLimited(limiter, call(starts, "next"));
    }),
    { handlers: clock() },
  );
  assert.deepEqual(r.value, "next");
  // the others start at the times they were given (the given-back ones go to no one already queued)
  const kept = Array.from({ length: n }, (_, i) => i).filter((i) => i < n / 4 || i >= (3 * n) / 4);
  assert.deepEqual(starts, [...kept.map((i) => `c${i}@${i}`), `next@${n}`]);
  // measured 600,836 (30 per caller: binary searches, each give-back two); shifting the shorter side
  // per give-back, 50,318,059
  assert.ok(touched() > n, `${touched()} reads and writes of times: the count must see the list`);
  assert.ok(
    touched() < n * 40,
    `${touched()} reads and writes of times for ${n} callers, ${n / 2} cancelled`,
  );
});

test("rateLimiter: callers woken late (as realTime's timers are, by a millisecond or so) in a queue of 5,000 move their time a place or two, not the whole list by two splices each (quadratic)", () => {
  // the limiter alone, as takeGen drives it: 5,000 callers ask at 0, each wakes 0.5 ms after its time
  const { limiter, touched } = countingLimiter(1, 1);
  const n = 5000;
  const ts = Array.from({ length: n }, () => limiter.reserve(0));
  assert.deepEqual(ts.slice(0, 3), [0, 1, 2]);
  const woke: number[] = [];
  for (let i = 1; i < n; i++) woke.push(limiter.retime(ts[i]!, ts[i]! + 0.5));
  assert.deepEqual(woke.slice(0, 3), [1.5, 2.5, 3.5]); // each starts when it woke: its predecessor a whole interval before
  assert.equal(woke[n - 2], n - 0.5);
  assert.deepEqual(limiter.times.slice(-2), [n - 1.5, n - 0.5]);
  // measured 96,789 (19 per caller: a binary search and a step a wake); two splices a wake moved the
  // rest of the list twice: 50,128,591
  assert.ok(touched() < n * 30, `${touched()} reads and writes of times for ${n} late wakes`);
});
