/**
 * timeout(x, ms) names x in its TimeoutError — also when x is one of the toolkit's calls that a
 * program is written with (next(it), limiter.take()) or a hidden wrapper of a program (safe(job)).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnyProgramLike,
  answer,
  createChannel,
  delay,
  Effect,
  fn,
  intercept,
  next,
  observe,
  program,
  pure,
  rateLimiter,
  realTime,
  receive,
  run,
  runAsync,
  safe,
  scheduler,
  scoped,
  simulatedTime,
  timeout,
  TimeoutError,
  withHandler,
} from "../src/index.js";
import { assertErr } from "./sched-helpers.js";

const fate =
  "(it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it";
const sim = () => ({ handlers: [scheduler, simulatedTime({ start: 0 })] });

test("timeout(next(it), ms): the TimeoutError names next(…), not “the program”", async () => {
  const it: AsyncIterator<number> = { next: () => new Promise<IteratorResult<number>>(() => {}) };
  const r = await runAsync(timeout(next(it), 10), { handlers: [scheduler, realTime] });
  const e = assertErr(r, TimeoutError) as TimeoutError;
  assert.equal(e.message, `next(…) timed out after 10 ms ${fate}`);
  assert.equal(e.ms, 10);
});

test("timeout(limiter.take(), ms) of a rate limiter: names limiter.take()", () => {
  const limiter = rateLimiter({ limit: 1, interval: 1000 });
  const r = run(
    program(function* () {
      yield* limiter.take(); // (the window's one start: the next waits 1000 ms)
      return yield* timeout(limiter.take(), 10);
    }),
    sim(),
  );
  assert.equal((assertErr(r, TimeoutError) as Error).message, `limiter.take() timed out after 10 ms ${fate}`);
});

test("timeout(safe(job), ms): names the job safe runs (safe, hidden, named nothing)", () => {
  const job = fn(function* job() {
    yield* delay(100);
  });
  const r = run(timeout(safe(job()), 10), sim());
  assert.equal((assertErr(r, TimeoutError) as Error).message, `job timed out after 10 ms ${fate}`);
  const r2 = run(
    program(function* () {
      const ch = yield* createChannel<number>();
      return yield* timeout(safe(receive(ch)), 10);
    }),
    sim(),
  );
  assert.equal((assertErr(r2, TimeoutError) as Error).message, `receive(…) timed out after 10 ms ${fate}`);
});

test("an aborted runAsync blocked in next(it) reports `blocked in next(…)`", async () => {
  const it: AsyncIterator<number> = { next: () => new Promise<IteratorResult<number>>(() => {}) };
  const reader = fn(function* reader() {
    return yield* next(it);
  });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  const r = await runAsync(reader(), { handlers: [scheduler, realTime], signal: ac.signal });
  assert.equal(r.ok ? null : r.error, ac.signal.reason);
  assert.deepEqual(r.format().split("\n").slice(2, 4), ["  reader", "  blocked in next(…)"]);
});

test("an anonymous program is still “the program”", () => {
  const r = run(
    timeout(
      program(function* () {
        yield* delay(100);
      }),
      10,
    ),
    sim(),
  );
  assert.equal((assertErr(r, TimeoutError) as Error).message, `the program timed out after 10 ms ${fate}`);
});

test("timeout(withHandler(h, job)), intercept(job, f), job.map(f), job.flatMap(f): name the job, not “Primitive”", () => {
  class Ping extends Effect<number> {
    declare readonly _tag: "Ping";
  }
  const job = fn(function* job() {
    yield* delay(100);
    return 1;
  });
  const pong = answer(Ping, () => 1);
  const cases: [string, AnyProgramLike, string][] = [
    ["withHandler", withHandler(pong, job()), "job"],
    [
      "nested withHandler",
      withHandler(
        pong,
        withHandler(
          observe(() => {}),
          job(),
        ),
      ),
      "job",
    ],
    ["intercept", intercept(job(), () => undefined), "job"],
    ["map", job().map((x) => x + 1), "job"],
    ["flatMap", job().flatMap((x) => pure(x)), "job"],
    ["withHandler of a map", withHandler(pong, job().map(String)), "job"],
    ["scoped(withHandler)", scoped(withHandler(pong, job())), "scoped(job)"],
    ["timeout(withHandler) in a timeout", timeout(withHandler(pong, job()), 50), "timeout(job, 50 ms)"],
    [
      "withHandler of an anonymous program",
      withHandler(
        pong,
        program(function* () {
          yield* delay(100);
        }),
      ),
      "the program",
    ],
  ];
  for (const [what, p, name] of cases) {
    const r = run(timeout(p, 10), sim());
    assert.equal(
      (assertErr(r, TimeoutError) as Error).message,
      `${name} timed out after 10 ms ${fate}`,
      what,
    );
  }
});
