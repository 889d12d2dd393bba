/**
 * `mock(C, answer, { latency })`: a mocked request that takes clock time, so that a test can let a
 * newer request overtake it, cancel it or time it out — the races a front-end data layer is made
 * of (a search box whose stale answer must never be drawn over the newer one).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  close,
  createChannel,
  delay,
  Effect,
  fn,
  forEachLatest,
  now,
  program,
  run,
  scheduler,
  send,
  simulatedTime,
  spawn,
  TimeoutError,
  UnhandledEffectError,
  timeout,
} from "../src/index.js";
import { expectEffects, mock, virtualClock } from "../src/testing/index.js";

class Search extends Effect<string[]> {
  declare readonly _tag: "Search";
  readonly query: string;
  constructor(query: string) {
    super();
    this.query = query;
  }
}

test("latency as a function of the effect: a slow stale answer is cancelled, never drawn over the newer one", () => {
  const clock = virtualClock();
  // "do" is slow (300 ms), "doe" fast (50 ms): without cancellation, "do"'s answer would land last
  const api = mock(Search, (e) => [`${e.query}!`], { latency: (e) => (e.query === "do" ? 300 : 50) });
  const drawn: string[] = [];
  const box = fn(function* box() {
    const queries = yield* createChannel<string>({ capacity: Infinity });
    yield* spawn(
      fn(function* keys() {
        yield* send(queries, "do");
        yield* delay(100);
        yield* send(queries, "doe");
        yield* delay(500);
        yield* close(queries);
      })(),
    );
    yield* forEachLatest(queries, (q) =>
      fn(function* search() {
        const hits = yield* new Search(q);
        drawn.push(`${yield* now()} ms: ${hits.join()}`);
      })(),
    );
  });
  const r = clock.run(box(), { handlers: [api] });
  assert.equal(r.ok, true, r.ok ? "" : r.format());
  assert.deepEqual(drawn, ["150 ms: doe!"]);
  assert.deepEqual(
    api.calls.map((e) => e.query),
    ["do", "doe"], // both requests were made; "do"'s was cancelled during its latency
  );
  assert.deepEqual(
    clock.delays.filter((d) => d.ms === 50),
    [{ ms: 50, from: 100, until: 150 }],
  );
});

test("a fixed latency: a timeout shorter than it fires, its answer function is never called; a throw comes after the latency too", () => {
  let answered = 0;
  const slow = mock(
    Search,
    () => {
      answered++;
      return [];
    },
    { latency: 2_000 },
  );
  const r = run(timeout(new Search("x"), 500), { handlers: [scheduler, simulatedTime(), slow] });
  assert.ok(!r.ok && r.error instanceof TimeoutError);
  assert.equal(answered, 0);
  assert.equal(slow.calls.length, 1);

  const down = mock(
    Search,
    () => {
      throw new Error("HTTP 503");
    },
    { latency: 30 },
  );
  const failedAt = run(
    program(function* () {
      try {
        return yield* new Search("x");
      } catch (e) {
        return `${(e as Error).message} at ${yield* now()} ms`;
      }
    }),
    { handlers: [scheduler, simulatedTime(), down] },
  );
  assert.equal(failedAt.value, "HTTP 503 at 30 ms");
});

test("latency: 0 answers at once (no delay performed); expectEffects does not list the mock's delays", () => {
  const clock = virtualClock();
  const r = expectEffects(new Search("a"), [new Search("a")], {
    handlers: [...clock.handlers, mock(Search, ["hit"], { latency: 0 })],
  });
  assert.deepEqual(r.value, ["hit"]);
  const timed = expectEffects(new Search("a"), [new Search("a")], {
    handlers: [...clock.handlers, mock(Search, ["hit"], { latency: 40 })],
  });
  assert.deepEqual([timed.value, clock.delays.map((d) => d.ms)], [["hit"], [40]]);
});

test("bad latency: refused at the call, or thrown at the perform site for a function's bad value", () => {
  assert.throws(() => mock(Search, [], { latency: -1 }), {
    name: "RangeError",
    message: "mock(Search)'s latency expects a finite number of milliseconds ≥ 0, got -1",
  });
  assert.throws(() => mock(Search, [], { latency: "100" as never }), {
    name: "TypeError",
    message:
      'mock(Search)\'s latency expects a number of milliseconds, or a function of the effect returning one, got "100"',
  });
  assert.throws(() => mock(Search, [], { latancy: 100 } as never), {
    name: "TypeError",
    message: 'unknown mock option "latancy"; the options are latency',
  });
  const r = run(new Search("q"), {
    handlers: [scheduler, simulatedTime(), mock(Search, [], { latency: () => Number.NaN })],
  });
  assert.ok(!r.ok && r.error instanceof RangeError);
  assert.equal(
    (r.error as Error).message,
    "mock(Search)'s latency function expects a finite number of milliseconds ≥ 0, got NaN",
  );
});

test("mock latency without a clock: the run's error and report say to run under a virtual clock (they read as a handler-order mistake: 'none outside it takes it … list it before the handler')", () => {
  const api = mock(Search, ["hit"], { latency: 50 });
  const said =
    "mock(Search)'s latency waits with delay(), and no clock outside the mock takes it: run under a virtual clock — virtualClock().run(program, { handlers }), or ...clock.handlers first in handlers — or list the scheduler and simulatedTime() before the mock";
  const searching = program(function* main() {
    return yield* new Search("do");
  });
  // @ts-expect-error -- the point: no clock (MissingHandlerError<Delay> at compile time too)
  const r = run(searching, { handlers: [api] });
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.equal(r.error.message, said);
  assert.equal(r.format().split("\n").at(-1), `UnhandledEffectError: ${said}`);
  assert.deepEqual(
    api.calls.map((e) => e.query),
    ["do"],
  );
  // under expectEffects too (the effect was performed: the expectation holds, the run failed)
  // @ts-expect-error -- no clock
  const e = expectEffects(searching, [Search], { handlers: [api] });
  assert.equal((e.error as Error).message, said);
  assert.equal(e.format().split("\n").at(-1), `UnhandledEffectError: ${said}`);
  // a clock listed inside the mock is no clock for it either; listed outside, it answers
  // @ts-expect-error -- the clock is inside the mock (HandlerOrderError<Delay> at compile time)
  const inside = run(searching, { handlers: [api, scheduler, simulatedTime()] });
  assert.equal((inside.error as Error).message, said);
  assert.deepEqual(run(searching, { handlers: [scheduler, simulatedTime(), api] }).value, ["hit"]);
  // a program's own missing handler is not the mock's to explain
  const other = run(delay(5), { handlers: [api] } as never);
  assert.match((other.error as Error).message, /^no handler takes Delay/);
});
