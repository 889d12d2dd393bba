/**
 * rateLimiter's binary search (retime and unreserve find a time by bisection, and leave `times`
 * alone when a caller wakes on time) against the linear code it replaced (f27be63: lastIndexOf, then
 * a splice out and a splice back in): for random asks, wakes — on time, late, late past the interval
 * (a forgotten time), early — and cancellations, both hand out the same times, keep the same lists,
 * and under a run start the same callers at the same instants. Also the times given back by many
 * callers cancelled at once or one by one, which leave tombstones in the middle of the list (taken
 * out together, in one pass, or where a reserve reads or forgets them) rather than a splice each.
 * Seeds fixed: CI reruns these cases.
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
  type Program,
  program,
  RateLimiter,
  rateLimited,
  run,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  type Task,
  timeout,
  wait,
  withHandler,
} from "../src/index.js";
import { late } from "./toolkit-helpers.js";

/**
 * The limiter as it was before the binary search (git show f27be63:src/concurrency/rate-limit.ts),
 * and before the head index: its reserve forgets old times by a splice from the front, on the plain
 * lists (`times` and `starts` answer the limiter's own arrays, their forgotten front cut off).
 */
class LinearLimiter extends RateLimiter {
  override reserve(now: number): number {
    const { times, starts, interval, limit } = this;
    forget(times, now - interval);
    forget(starts, now - interval);
    const n = times.length;
    let t = n < limit ? now : Math.max(now, times[n - limit]! + interval);
    if (n > 0 && t < times[n - 1]!) t = times[n - 1]!;
    times.push(t);
    if (t <= now) starts.splice(after(starts, now), 0, now);
    return t;
  }
  override retime(t: number, now: number): number {
    const { times, starts, interval, limit } = this;
    const j = times.lastIndexOf(t);
    if (j >= 0) times.splice(j, 1);
    forget(starts, now - interval);
    const n = after(starts, now);
    const allowed = n >= limit ? starts[n - limit]! + interval : now;
    const v = allowed <= now ? now : allowed;
    times.splice(after(times, v), 0, v);
    if (v === now) starts.splice(n, 0, now);
    return v;
  }
  override unreserve(t: number): void {
    const i = this.times.lastIndexOf(t);
    if (i >= 0) this.times.splice(i, 1);
  }
}
/** A limiter and its linear reference, built alike: each property gives both the same calls. */
function limiterPair(limit: number, interval: number): [RateLimiter, LinearLimiter] {
  return [new RateLimiter(limit, interval), new LinearLimiter(limit, interval)];
}
function after(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function forget(xs: number[], before: number): void {
  let old = 0;
  while (old < xs.length && xs[old]! <= before) old++;
  if (old > 0) xs.splice(0, old);
}

test("differential: reserve, retime and unreserve hand out the same times and keep the same lists as the linear code, for any asks, wakes (on time, late, past the interval, early) and cancellations", () => {
  let compared = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom(1, 2, 10, 0.3, 2.5),
      fc.array(
        fc.tuple(
          fc.constantFrom("tick", "ask", "ask", "wake", "wake", "cancel"),
          fc.nat(),
          fc.integer({ min: 0, max: 40 }),
          fc.constantFrom("onTime", "onTime", "late", "early"),
        ),
        { maxLength: 80 },
      ),
      (limit, interval, ops) => {
        const [a, b] = limiterPair(limit, interval);
        let at = 0;
        const waiting: number[] = []; // the times of callers that have not started
        for (const [op, pick, amount, how] of ops) {
          if (op === "tick") at += (amount * interval) / 10;
          else if (op === "ask") {
            const t = a.reserve(at);
            assert.equal(b.reserve(at), t);
            if (t > at) waiting.push(t);
          } else if (waiting.length > 0) {
            const j = pick % waiting.length;
            const t = waiting[j]!;
            if (op === "cancel") {
              a.unreserve(t);
              b.unreserve(t);
              waiting.splice(j, 1);
            } else {
              // the clock at the timer, past it (up to 4 intervals: its time may be forgotten), or
              // before it (a host timer may fire a little early)
              if (how === "onTime") at = Math.max(at, t);
              else if (how === "late") at = Math.max(at, t) + (amount * interval) / 10;
              const v = a.retime(t, at);
              assert.equal(b.retime(t, at), v, `retime(${t}, ${at})`);
              if (v <= at) waiting.splice(j, 1);
              else waiting[j] = v;
            }
          }
          assert.deepEqual([a.times, a.starts], [b.times, b.starts]);
          compared++;
        }
      },
    ),
    { numRuns: 3000, seed: 20261206 },
  );
  assert.ok(compared > 10_000, `${compared} steps compared`);
});

test("differential: many callers cancelled at once (a timeout or scoped around a queue) give their times back as the linear code's splice per caller did, whichever of them, in any order, absent ones (forgotten) included", () => {
  let batches = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom(1, 2, 10, 0.3),
      fc.array(
        fc.tuple(
          fc.constantFrom("tick", "asks", "asks", "wake", "cancelMany", "cancelMany"),
          fc.nat(),
          fc.integer({ min: 0, max: 150 }),
          fc.boolean(),
        ),
        { maxLength: 40 },
      ),
      (limit, interval, ops) => {
        const [a, b] = limiterPair(limit, interval);
        let at = 0;
        const waiting: number[] = [];
        for (const [op, pick, amount, flag] of ops) {
          if (op === "tick") at += (amount * interval) / 10;
          else if (op === "asks") {
            for (let i = 0; i < amount; i++) {
              const t = a.reserve(at);
              assert.equal(b.reserve(at), t);
              if (t > at) waiting.push(t);
            }
          } else if (op === "wake" && waiting.length > 0) {
            const j = pick % waiting.length;
            at = Math.max(at, waiting[j]!) + (flag ? 0 : 5 * interval); // late: its time forgotten
            const v = a.retime(waiting[j]!, at);
            assert.equal(b.retime(waiting[j]!, at), v);
            if (v <= at) waiting.splice(j, 1);
            else waiting[j] = v;
          } else if (op === "cancelMany" && waiting.length > 0) {
            // `amount` of them (up to all), from a random start, in queue order or reversed
            const n = Math.min(waiting.length, amount);
            const from = pick % (waiting.length - n + 1);
            const out = waiting.splice(from, n);
            if (flag) out.reverse();
            for (const t of out) {
              a.unreserve(t);
              b.unreserve(t);
            }
            if (n > 8) batches++;
          }
          assert.deepEqual([a.times, a.starts], [b.times, b.starts]);
        }
      },
    ),
    { numRuns: 1500, seed: 20261206 },
  );
  assert.ok(batches > 500, `${batches} batches of more than 8 cancels`);
});

test("differential: times given back stay pending across later asks, wakes and forgetting (the lists read only now and then), as many or as few as it happens, equal times among them: each gives back exactly one occurrence, as the linear code's splice did", () => {
  // The property above reads both lists after every step, which takes the given-back times out
  // then: here they pile up across reserve and retime (which take them out first, by one splice
  // each for a few, by the merge pass for more) and across cancels that reach half the list (taken
  // out at once). Callers ask in bursts at one instant, so many hold equal times.
  let merged = 0;
  let forced = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(1, 2, 10),
      fc.array(
        fc.tuple(
          fc.constantFrom("tick", "asks", "asks", "wake", "cancelSome", "cancelSome", "read"),
          fc.nat(),
          fc.integer({ min: 0, max: 120 }),
          fc.boolean(),
        ),
        { maxLength: 80 },
      ),
      (limit, interval, ops) => {
        const [a, b] = limiterPair(limit, interval);
        let at = 0;
        const waiting: number[] = [];
        let given = 0; // given back since the lists were last read (by a step or by this test)
        let held = 0; // what the limiter's list held then, the times given back since included
        for (const [op, pick, amount, flag] of ops) {
          if (op === "tick") at += (amount * interval) / 20;
          else if (op === "asks") {
            if (given > 8) merged++;
            given = 0;
            for (let i = 0; i < amount; i++) {
              const t = a.reserve(at);
              assert.equal(b.reserve(at), t);
              if (t > at) waiting.push(t);
            }
            held = b.times.length;
          } else if (op === "wake" && waiting.length > 0) {
            if (given > 8) merged++;
            given = 0;
            const j = pick % waiting.length;
            // on time, or late past the interval (its time forgotten by the next ask)
            at = Math.max(at, waiting[j]!) + (flag ? 0 : 2 * interval);
            const v = a.retime(waiting[j]!, at);
            assert.equal(b.retime(waiting[j]!, at), v);
            if (v <= at) waiting.splice(j, 1);
            else waiting[j] = v;
            held = b.times.length;
          } else if (op === "cancelSome" && waiting.length > 0) {
            // up to 2 × `amount` of them from a random start, each or every other one (with equal
            // neighbours: one of two equal times goes)
            const out: number[] = [];
            for (
              let i = pick % waiting.length;
              i < waiting.length && out.length < 2 * amount;
              i += flag ? 1 : 0
            )
              out.push(waiting.splice(i, 1)[0]!);
            for (const t of out) {
              a.unreserve(t);
              b.unreserve(t);
              // (what unreserve does: at more than 64 and half of what the list still holds)
              if (++given > 64 && given * 2 > held) {
                forced++;
                given = 0;
                held = b.times.length;
              }
            }
          } else if (op === "read") {
            if (given > 8) merged++;
            given = 0;
            assert.deepEqual([a.times, a.starts], [b.times, b.starts]);
            held = b.times.length;
          }
        }
        assert.deepEqual([a.times, a.starts], [b.times, b.starts]);
      },
    ),
    { numRuns: 4000, seed: 20261207 },
  );
  assert.ok(
    merged > 800 && forced > 200,
    `${merged} merge passes at a read, ${forced} forced at half the list`,
  );
});

const bursts = fn(function* bursts(starts: string[], l: RateLimiter, name: string, n: number, ms: number) {
  yield* timeout(
    all(
      Array.from({ length: n }, (_, i) =>
        rateLimited(
          l,
          program(function* start() {
            starts.push(`${name}.${i}@${yield* now()}`);
          }),
        ),
      ),
    ),
    ms,
  );
});

test("differential: under a run, bursts of callers whose timeout cancels the ones still queued all at once (their times given back together) start the same callers at the same instants as with the linear code", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(1, 2, 10),
      fc.array(
        fc.record({
          askAt: fc.integer({ min: 0, max: 30 }),
          n: fc.integer({ min: 1, max: 150 }),
          ms: fc.integer({ min: 0, max: 60 }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      (limit, interval, groups) => {
        const burstStarts = (l: RateLimiter): string[] =>
          startsOf((starts) =>
            program(function* main() {
              const ts: Task<unknown>[] = [];
              for (const [i, g] of groups.entries())
                ts.push(
                  yield* spawn(
                    program(function* group() {
                      yield* delay(g.askAt);
                      yield* bursts(starts, l, `g${i}`, g.n, g.ms);
                    }),
                  ),
                );
              for (const t of ts) yield* safe(wait(t));
            }),
          );
        const [a, b] = limiterPair(limit, interval);
        assert.deepEqual(burstStarts(a), burstStarts(b));
      },
    ),
    { numRuns: 100, seed: 20261207 },
  );
});

/** The starts the program `main(starts)` records, run under the scheduler and a simulated clock. */
function startsOf(main: (starts: string[]) => Program<unknown>): string[] {
  const starts: string[] = [];
  const r = run(main(starts), { handlers: [scheduler, simulatedTime()] });
  assert.equal(r.ok, true, String(r.error));
  return starts;
}

const caller = fn(function* caller(
  starts: string[],
  l: RateLimiter,
  name: string,
  askAt: number,
  extras: readonly number[],
) {
  yield* delay(askAt);
  yield* withHandler(
    late(extras),
    rateLimited(
      l,
      program(function* start() {
        starts.push(`${name}@${yield* now()}`);
      }),
    ),
  );
});

interface Caller {
  readonly askAt: number;
  readonly extras: readonly number[];
  readonly cancelAt: number | null;
}

/** The starts of `callers` on limiter `l`: each asks at `askAt` (its timers late by `extras`) and is cancelled at `cancelAt`. */
function startsWith(l: RateLimiter, callers: readonly Caller[]): string[] {
  return startsOf((starts) =>
    program(function* main() {
      const ts: Task<unknown>[] = [];
      for (const [i, c] of callers.entries())
        ts.push(yield* spawn(caller(starts, l, `c${i}`, c.askAt, c.extras)));
      for (const [i, c] of callers.entries()) {
        const at = c.cancelAt;
        if (at !== null)
          yield* spawn(
            program(function* canceller() {
              yield* delay(at);
              yield* cancel(ts[i]!);
            }),
          );
      }
      for (const t of ts) yield* safe(wait(t));
    }),
  );
}

test("differential: under a run, callers with late timers and cancellations start in the same order at the same instants as with the linear code", () => {
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
        { minLength: 1, maxLength: 10 },
      ),
      (limit, interval, callers) => {
        // (timers up to 5 intervals late)
        const scaled = callers.map((c) => ({ ...c, extras: c.extras.map((x) => (x * interval) / 2) }));
        const [a, b] = limiterPair(limit, interval);
        assert.deepEqual(startsWith(a, scaled), startsWith(b, scaled));
      },
    ),
    { numRuns: 1000, seed: 20261206 },
  );
});

test("differential: long queues — a backlog of thousands, then asks that forget old times a few at a time (the list's head moves on, the forgotten front is cut off), among wakes and cancellations one at a time and many at once — hand out the same times and keep the same lists as the linear code", () => {
  let moved = 0; // steps after which `a`'s list began past the front of its array
  let cut = 0; // cut-offs of the forgotten front by a reserve
  let batches = 0; // cancellations of more than 64 callers at once (unreserve drops them at once)
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(1, 10, 0.3),
      fc.integer({ min: 100, max: 3000 }),
      fc.array(
        fc.tuple(
          fc.constantFrom("ask", "ask", "ask", "ask", "wake", "cancel", "cancelMany", "check"),
          fc.nat(),
          fc.integer({ min: 0, max: 40 }),
          fc.boolean(),
        ),
        { minLength: 200, maxLength: 1200 },
      ),
      (limit, interval, backlog, ops) => {
        const [a, b] = limiterPair(limit, interval);
        let at = 0;
        const waiting: number[] = [];
        const ask = (): void => {
          const t = a.reserve(at);
          assert.equal(b.reserve(at), t, `reserve(${at})`);
          if (t > at) waiting.push(t);
        };
        for (let i = 0; i < backlog; i++) ask();
        for (const [op, pick, amount, flag] of ops) {
          const head = a.head;
          if (op === "ask") {
            at += (amount * interval) / 20; // up to two intervals on: the asks forget the times behind
            ask();
            if (a.head < head) cut++;
          } else if (op === "check") {
            // (reading the lists cuts the forgotten front off: rarely, or the head never moves far)
            if (pick % 16 === 0) assert.deepEqual([a.times, a.starts], [b.times, b.starts]);
          } else if (waiting.length > 0) {
            if (op === "wake") {
              // one of the earliest: on time, or late (by up to 4 intervals: its time may be forgotten)
              const j = pick % Math.min(4, waiting.length);
              at = Math.max(at, waiting[j]!) + (flag ? 0 : (amount * interval) / 10);
              const v = a.retime(waiting[j]!, at);
              assert.equal(b.retime(waiting[j]!, at), v, `retime(${waiting[j]}, ${at})`);
              if (v <= at) waiting.splice(j, 1);
              else waiting[j] = v;
            } else {
              // one, or up to 160 from a random place, in queue order or reversed
              const n = op === "cancel" ? 1 : Math.min(waiting.length, amount * 4);
              const out = waiting.splice(pick % (waiting.length - n + 1), n);
              if (flag) out.reverse();
              for (const t of out) {
                a.unreserve(t);
                b.unreserve(t);
              }
              if (n > 64) batches++;
            }
          }
          if (a.head > 0) moved++;
        }
        assert.deepEqual([a.times, a.starts], [b.times, b.starts]);
      },
    ),
    { numRuns: 400, seed: 20261206 },
  );
  assert.ok(moved > 50_000, `${moved} steps with the head past the front`);
  assert.ok(cut > 300, `${cut} cut-offs`);
  assert.ok(batches > 1000, `${batches} batches of more than 64 cancels`);
});

test("differential: under a run, 2,000 callers queued at once — some cancelled, their timers late — start in the same order at the same instants as with the linear code", () => {
  for (const [limit, interval] of [
    [1, 1],
    [3, 10],
    [2, 0.3],
  ] as const) {
    const queueStarts = (l: RateLimiter): string[] =>
      startsOf((starts) =>
        program(function* main() {
          const ts: Task<unknown>[] = [];
          for (let i = 0; i < 2000; i++) {
            const extras = i % 7 === 0 ? [((i % 5) * interval) / 2] : []; // every 7th late
            ts.push(yield* spawn(caller(starts, l, `c${i}`, i % 3 === 0 ? (i * interval) / 4 : 0, extras)));
          }
          for (let i = 0; i < 2000; i += 11) {
            const victim = ts[i]!;
            yield* spawn(
              program(function* canceller() {
                yield* delay((i * interval) / 3);
                yield* cancel(victim);
              }),
            );
          }
          for (const t of ts) yield* safe(wait(t));
        }),
      );
    const [a, b] = limiterPair(limit, interval);
    const starts = queueStarts(a);
    assert.ok(starts.length > 1800, `${starts.length} started`);
    assert.deepEqual(starts, queueStarts(b));
  }
});

test("differential: callers cancelled one at a time (each timing out in turn: the earliest, the latest, one anywhere), each cancel followed by an ask, give their times back as the linear code's splice did — the times before a gap near the front move one place on, the head with them, not the whole list back", () => {
  let shifted = 0; // a cancel then an ask at one instant after which `a`'s head moved one place on
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(1, 10, 0.3),
      fc.integer({ min: 1, max: 400 }),
      fc.array(
        fc.tuple(
          fc.constantFrom("front", "front", "back", "any", "tick"),
          fc.nat(),
          fc.integer({ min: 0, max: 40 }),
        ),
        { minLength: 50, maxLength: 600 },
      ),
      (limit, interval, backlog, ops) => {
        const [a, b] = limiterPair(limit, interval);
        let at = 0;
        const waiting: number[] = [];
        const ask = (): void => {
          const t = a.reserve(at);
          assert.equal(b.reserve(at), t, `reserve(${at})`);
          if (t > at) waiting.push(t);
        };
        for (let i = 0; i < backlog; i++) ask();
        for (const [k, [op, pick, amount]] of ops.entries()) {
          if (op === "tick") {
            at += (amount * interval) / 20; // the asks forget the times behind
            ask();
          } else if (waiting.length > 0) {
            const j = op === "front" ? 0 : op === "back" ? waiting.length - 1 : pick % waiting.length;
            const t = waiting.splice(j, 1)[0]!;
            // (the head read before the give-back: the move is made there, or at the ask)
            const head = a.head;
            a.unreserve(t);
            b.unreserve(t);
            ask();
            if (a.head === head + 1) shifted++;
          }
          // (reading the lists takes the given-back times out and cuts the head off: now and then)
          if (k % 37 === 0) assert.deepEqual([a.times, a.starts], [b.times, b.starts]);
        }
        assert.deepEqual([a.times, a.starts], [b.times, b.starts]);
      },
    ),
    { numRuns: 500, seed: 20261208 },
  );
  assert.ok(shifted > 10_000, `${shifted} give-backs near the front moved the head, not the list`);
});

/**
 * A limiter whose give-backs from the middle of its queue (more than NEAR = 16 times from either
 * end: left as tombstones) and wakes that move a time are counted, from its own array (the
 * `RateLimiter.list` hook) and head, read without taking the tombstones out.
 */
function countingLimiter(
  limit: number,
  interval: number,
  count: { tombs: number; moves: number },
): RateLimiter {
  const make = RateLimiter.list;
  let raw: number[] = [];
  RateLimiter.list = () => (raw = []);
  try {
    return new (class extends RateLimiter {
      override unreserve(t: number): void {
        let lo = this.head;
        while (lo < raw.length && raw[lo]! < t) lo++;
        let hi = lo;
        while (hi < raw.length && raw[hi] === t) hi++;
        if (hi > lo && lo - this.head > 16 && raw.length - hi > 16) count.tombs++;
        super.unreserve(t);
      }
      override retime(t: number, now: number): number {
        const v = super.retime(t, now);
        if (v !== t) count.moves++;
        return v;
      }
    })(limit, interval);
  } finally {
    RateLimiter.list = make;
  }
}

test("differential: under a run, queues of up to 200 callers — limits of 1 to 50, equal times among them, timers late by up to 5 intervals, callers cancelled from the front, the middle (tombstones: many, across later asks, wakes and forgetting) and the back — start the same callers at the same instants as with the linear code, never more than `limit` in a window, in the order asked while no timer is late", () => {
  const count = { tombs: 0, moves: 0 };
  let inOrder = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(1, 1, 2, 3, 7, 20, 50, 50),
      fc.constantFrom(1, 2.5, 10),
      fc.integer({ min: 20, max: 200 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (limit, interval, n, anyLate, seed) => {
        let s = seed;
        const rnd = (k: number): number => {
          s = (s * 1103515245 + 12345) & 0x7fffffff;
          return s % k;
        };
        // asks in bursts at a few instants or while the queue drains; a third cancelled at a random
        // time within the queue's span, a sixth at one instant
        const span = (n / limit) * interval;
        const cutAt = span / 3; // (some cancelled together: a timeout around a group)
        const callers = Array.from({ length: n }, () => ({
          askAt: rnd(3) === 0 ? (rnd(1000) / 1000) * span : rnd(4) * ((interval * 3) / 2),
          extras: anyLate && rnd(3) === 0 ? [((1 + rnd(10)) * interval) / 2] : [],
          cancelAt: rnd(3) === 0 ? (rnd(1000) / 1000) * span : rnd(4) === 0 ? cutAt : null,
        }));
        const got = startsWith(countingLimiter(limit, interval, count), callers);
        assert.deepEqual(got, startsWith(new LinearLimiter(limit, interval), callers));
        const at = got.map((x) => Number(x.slice(x.indexOf("@") + 1)));
        for (let i = limit; i < at.length; i++)
          assert.ok(at[i]! - at[i - limit]! >= interval, `${limit + 1} starts within ${interval} ms: ${got}`);
        if (!callers.some((c) => c.extras.length > 0)) {
          // FIFO: callers asking earlier (or at the same instant, spawned earlier) start no later
          const order = got.map((x) => Number(x.slice(1, x.indexOf("@"))));
          const key = (i: number) => callers[i]!.askAt * 1e6 + i;
          for (let i = 1; i < order.length; i++)
            assert.ok(key(order[i - 1]!) < key(order[i]!), `FIFO: ${got}`);
          inOrder++;
        }
      },
    ),
    { numRuns: 150, seed: 20261209 },
  );
  assert.ok(count.tombs > 1000, `${count.tombs} give-backs from the middle of a queue (tombstones)`);
  assert.ok(count.moves > 1000, `${count.moves} late wakes that moved a time`);
  assert.ok(inOrder > 30, `${inOrder} runs without a late timer checked for FIFO`);
});
