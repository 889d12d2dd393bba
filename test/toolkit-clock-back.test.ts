/**
 * A wall clock that goes back (realTime reads Date.now(), which an NTP step can set back): the
 * toolkit's one reader of `Now`, the rate limiter, neither admits more than its limit in a window
 * nor waits as long as the step. (timeout and retry only `delay`: they read no clock.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  delay,
  Effect,
  fn,
  handle,
  Now,
  now,
  program,
  rateLimited,
  rateLimiter,
  run,
  scheduler,
  simulatedTime,
  spawn,
  transfer,
  wait,
} from "../src/index.js";

/** Now answered as the simulated time plus `skew.ms` (a wall clock a test can set back). */
const skewed = (skew: { ms: number }) =>
  handle(Now, function* wall(_e, k) {
    return yield* transfer(k, (yield* now()) + skew.ms);
  });

/** Now answered by `readings`, one per reading, whatever the simulated time. */
const readingsOf = (readings: number[]) => {
  let i = 0;
  return handle(Now, (_e, k) => transfer(k, readings[Math.min(i++, readings.length - 1)]!));
};

/** Records `name@t`, t the simulated time (the real one: the skewed clock is the limiter's only). */
const call = fn(function* call(starts: string[], times: number[], name: string) {
  const t = yield* withoutSkew();
  starts.push(`${name}@${t}`);
  times.push(t);
  return name;
});
/** The simulated time itself: listed outside the skewed Now, its `now()` goes past it. */
class SimNow extends Effect<number> {
  declare readonly _tag: "SimNow";
}
const withoutSkew = () => new SimNow();
const simNow = handle(SimNow, function* (_e, k) {
  return yield* transfer(k, yield* now());
});

/** At most `limit` of `times` (ascending) in any window of `interval`. */
function assertWithin(times: number[], limit: number, interval: number): void {
  for (let i = limit; i < times.length; i++)
    assert.ok(
      times[i]! - times[i - limit]! >= interval,
      `${limit + 1} starts within ${interval} ms: ${times}`,
    );
}

test("rateLimiter: the wall clock set back an hour mid-run — the next callers wait a window, not the hour, and the limit holds", () => {
  const limiter = rateLimiter({ limit: 2, interval: 1000 });
  const skew = { ms: 0 };
  const starts: string[] = [];
  const times: number[] = [];
  const main = program(function* main() {
    const first = yield* spawn(
      all(["a", "b", "c", "d"].map((n) => rateLimited(limiter, call(starts, times, n)))),
    );
    yield* delay(1500);
    skew.ms = -3_600_000; // (an NTP step back)
    yield* delay(100);
    yield* all(["e", "f", "g"].map((n) => rateLimited(limiter, call(starts, times, n))));
    yield* wait(first);
  });
  const r = run(main, { handlers: [scheduler, simulatedTime({ start: 0 }), simNow, skewed(skew)] });
  assert.equal(r.ok, true, r.ok ? "" : String(r.error));
  // (the reading at 1600 is taken as no time since the last, at 1000: e and f wait until 2600)
  assert.deepEqual(starts, ["a@0", "b@0", "c@1000", "d@1000", "e@2600", "f@2600", "g@3600"]);
  assertWithin(times, 2, 1000);
});

test("rateLimiter: a clock whose every reading is lower than the last — callers still start, a window apart, never more than the limit", () => {
  const limiter = rateLimiter({ limit: 2, interval: 1000 });
  const starts: string[] = [];
  const times: number[] = [];
  const readings = Array.from({ length: 100 }, (_, i) => 1_000_000 - 100 * i);
  const names = ["a", "b", "c", "d", "e", "f", "g"];
  const r = run(all(names.map((n) => rateLimited(limiter, call(starts, times, n)))), {
    handlers: [scheduler, simulatedTime({ start: 0 }), simNow, readingsOf(readings)],
  });
  assert.equal(r.ok, true, r.ok ? "" : String(r.error));
  assert.deepEqual(starts, ["a@0", "b@0", "c@1000", "d@1000", "e@2000", "f@2000", "g@3000"]);
  assertWithin(times, 2, 1000);
});

test("rateLimiter: a clock that never goes back is read as it is (the same starts as before)", () => {
  const limiter = rateLimiter({ limit: 1, interval: 1000 });
  const starts: string[] = [];
  const times: number[] = [];
  const r = run(all(["a", "b", "c"].map((n) => rateLimited(limiter, call(starts, times, n)))), {
    handlers: [scheduler, simulatedTime({ start: 5000 }), simNow],
  });
  assert.equal(r.ok, true);
  assert.deepEqual(starts, ["a@5000", "b@6000", "c@7000"]);
});
