/**
 * One rate limiter used by runs on different clocks: realTime's Date.now() and each simulatedTime
 * run's virtual time (epoch 0, or its `start`) are not on one line. Each simulated clock keeps a
 * window of its own; realTime runs share the limiter's — a module-level limiter limits a server's
 * real calls while tests' simulated runs each count their own starts, at once or one after another.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Delay,
  type Effect,
  Now,
  fn,
  handle,
  now,
  observe,
  rateLimiter,
  realTime,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  Tell,
  tell,
  transfer,
  writer,
} from "../src/index.js";
import { virtualClock } from "../src/testing/index.js";

type Limiter = ReturnType<typeof rateLimiter>;

/** `n` turns of `l`, each start's time as `now()` reads it. */
const turns = fn(function* turns(l: Limiter, n: number) {
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    yield* l.take();
    at.push(yield* now());
  }
  return at;
});

/**
 * `n` turns of `l` under realTime, each start's time as the limiter itself read it: the last `Now`
 * answered before `take()` returned (an observe records it; the `tell` marks the start). A `now()`
 * read after `take()` could be a millisecond later on a loaded machine, and two such readings are
 * not what the limiter keeps 40 ms apart.
 */
async function realStarts(l: Limiter, n: number): Promise<number[]> {
  const starts: number[] = [];
  let last = Number.NaN;
  const watch = observe([Now, Tell], (e) => (o) => {
    if (e instanceof Tell) starts.push(last);
    else if (o.status === "answered") last = o.value as number;
  });
  const body = fn(function* realTurns() {
    for (let i = 0; i < n; i++) {
      yield* l.take();
      yield* tell("started");
    }
  });
  const r = await runAsync(body(), { handlers: [scheduler, realTime, writer, watch] });
  assert.ok(r.ok, String(r.error));
  return starts;
}

/** The gaps between consecutive `times`. */
const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

test("rateLimiter: a realTime run and simulatedTime runs at once — each simulated run counts its own starts, the real run's keep the limit", async () => {
  const l = rateLimiter({ limit: 1, interval: 40 });
  const real = realStarts(l, 3);
  // the real run took its first turn (its first slice) and waits for the second: the simulated runs
  // start on their own clocks meanwhile, at their own epoch, as if no one else used the limiter
  const a = run(turns(l, 3), { handlers: [scheduler, simulatedTime()] });
  assert.deepEqual(a.value, [0, 40, 80]);
  const b = run(turns(l, 3), { handlers: [scheduler, simulatedTime({ start: 5000 })] });
  assert.deepEqual(b.value, [5000, 5040, 5080]);
  await new Promise((r) => setTimeout(r, 15));
  const c = run(turns(l, 2), { handlers: [scheduler, simulatedTime()] }); // (a new run: a new clock)
  assert.deepEqual(c.value, [0, 40]);
  const starts = await real;
  assert.equal(starts.length, 3);
  // a real start each 40 ms at least, and near now (not pushed an epoch away by the virtual times;
  // the bounds are loose: a loaded machine's timers are late)
  assert.ok(
    gaps(starts).every((g) => g >= 40 && g < 60_000),
    `real starts ${gaps(starts)} ms apart`,
  );
  assert.ok(Math.abs(starts[2]! - Date.now()) < 60_000, `last real start ${starts[2]} vs now ${Date.now()}`);
  // and the next real caller is held back by them (its window is the real one, unmoved)
  const next = await realStarts(l, 1);
  assert.ok(next[0]! - starts[2]! >= 40, `${next} after ${starts}`);
});

test("rateLimiter: simulated runs one after another on one limiter — each starts on its own clock at its own epoch", () => {
  const l = rateLimiter({ limit: 2, interval: 1000 });
  const first = run(turns(l, 5), { handlers: [scheduler, simulatedTime()] });
  assert.deepEqual(first.value, [0, 0, 1000, 1000, 2000]);
  // (the same handler object, a new run: its clock is the run's)
  const sim = simulatedTime();
  for (let i = 0; i < 2; i++) {
    const again = run(turns(l, 3), { handlers: [scheduler, sim] });
    assert.deepEqual(again.value, [0, 0, 1000]);
  }
  const clock = virtualClock({ start: 100 });
  assert.deepEqual(clock.run(turns(l, 3)).value, [100, 100, 1100]);
});

test("rateLimiter: a handler that hands the limiter's Now to the simulated clock (observe) — still that clock's window", () => {
  const l = rateLimiter({ limit: 1, interval: 10 });
  const seen: string[] = [];
  const watch = observe((e) => {
    seen.push((e as Effect<unknown>).constructor.name);
  });
  const r1 = run(turns(l, 2), { handlers: [scheduler, simulatedTime(), watch] });
  const r2 = run(turns(l, 2), { handlers: [scheduler, simulatedTime({ start: 3 }), watch] });
  assert.deepEqual(
    [r1.value, r2.value],
    [
      [0, 10],
      [3, 13],
    ],
  );
  assert.ok(seen.includes("Now"));
});

test("rateLimiter: a clock of the program's own (a handler answering Now itself) keeps the limiter's shared window, as before", () => {
  const l = rateLimiter({ limit: 1, interval: 1000 });
  // the program's own wall clock: a Now of its own answered by the simulated clock, not the
  // limiter's Now handed on — it cannot be told from the real clock, so it shares that window
  const wall = handle(Now, function* wall(_e, k) {
    return yield* transfer(k, yield* now());
  });
  const first = run(turns(l, 1), { handlers: [scheduler, simulatedTime(), wall] });
  assert.deepEqual(first.value, [0]);
  // another run on such a clock: the start at 0 holds it back a window, as one clock's would
  const second = run(turns(l, 1), { handlers: [scheduler, simulatedTime(), wall] });
  assert.deepEqual(second.value, [1000]);
});

test("rateLimiter: a frozen clock (Now answers one value for ever) — a waiting caller takes its wait as the time passed, it does not delay for ever", () => {
  const l = rateLimiter({ limit: 1, interval: 100 });
  let reads = 0;
  const frozen = handle(Now, function* frozen(_e, k) {
    // (before: the caller read the clock, delayed, read it again, … for ever; the guard ends it)
    if (++reads > 50) throw new Error(`Now read ${reads} times: the limiter waits for ever`);
    return yield* transfer(k, 1000);
  });
  const delays: number[] = [];
  const watch = observe((e) => {
    if (e instanceof Delay) delays.push(e.ms);
  });
  const r = run(turns(l, 3), { handlers: [scheduler, simulatedTime(), watch, frozen] });
  assert.ok(r.ok, String(r.error));
  assert.deepEqual(r.value, [1000, 1000, 1000]); // (the program's clock is frozen)
  assert.deepEqual(delays, [100, 100]); // one interval each, as on a clock that moves
});
