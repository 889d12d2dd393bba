/** virtualClock().run reads its end time without performing an effect the user's handlers would see. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AsyncRequiredError,
  awaitPromise,
  delay,
  fn,
  Now,
  program,
  realTime,
  run,
  runAsync,
  simulatedTime,
  spawn,
} from "../src/index.js";
import { mock, record, virtualClock } from "../src/testing/index.js";

test("virtualClock: run performs no Now of its own (record sees nothing; a mock of Now does not move clock.now)", () => {
  const rec = record();
  const r = virtualClock().run(
    program(function* () {
      return 1;
    }),
    { handlers: [rec] },
  );
  assert.equal(r.value, 1);
  assert.deepEqual(rec.entries, []);
  const clock = virtualClock();
  const r2 = clock.run(
    program(function* () {
      yield* delay(10);
      return "done";
    }),
    { handlers: [mock(Now, 42)] },
  );
  assert.equal(r2.value, "done");
  assert.equal(clock.now, 10);
  assert.deepEqual(clock.delays, [{ ms: 10, from: 0, until: 10 }]);
});

test("clock.run refuses a second clock in its handlers (realTime asked for runAsync; a simulatedTime() left clock.now at 0), and handlers given as one handler", () => {
  const clock = virtualClock();
  const p = program(function* () {
    yield* delay(1000);
    return 1;
  });
  assert.throws(
    () => clock.run(p, { handlers: [realTime] }),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "clock.run: options.handlers[0] is realTime, a second clock that would answer now() and delay() instead of the virtual clock; leave it out: clock.run installs the clock (virtualClock({ start }) sets the start time)",
  );
  assert.throws(
    () => clock.run(p, { handlers: [simulatedTime()] }),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message.startsWith("clock.run: options.handlers[0] is a simulatedTime(), a second clock"),
  );
  assert.throws(
    () => clock.run(p, { handlers: realTime } as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "clock.run: options.handlers must be an array of handlers, got the handler realTime alone (write handlers: [realTime])",
  );
  const r = clock.run(p);
  assert.equal(r.value, 1);
  assert.equal(clock.now, 1000);
});

test('clock.run: options given as an array, or not an object, are TypeErrors saying how to write them (an array read `unknown run option "0"`)', () => {
  const clock = virtualClock();
  const p = program(function* () {
    yield* delay(5);
    return 1;
  });
  assert.throws(
    () => clock.run(p, [mock(Now, 1)] as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "clock.run's second argument is its options, { handlers: [...], env?, store? }; got an array (write { handlers: [state, …] })",
  );
  assert.throws(
    () => clock.run(p, 5 as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message === "clock.run's second argument is its options, { handlers: [...], env?, store? }; got 5",
  );
  assert.throws(
    () => clock.run(p, { handlers: "state" } as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message === 'clock.run: options.handlers must be an array of handlers, got "state"',
  );
  assert.equal(clock.run(p, {}).value, 1);
});

test("clock.runAsync: a program that also awaits promises runs with virtual timers; now and delays as clock.run's, cleared at each run", async () => {
  const clock = virtualClock({ start: 100 });
  const p = program(function* () {
    const a = yield* awaitPromise(() => Promise.resolve(2));
    yield* delay(1000);
    yield* spawn(delay(7));
    yield* delay(a);
    return "done";
  });
  const started = Date.now();
  const r = await clock.runAsync(p, { handlers: [mock(Now, 1)] });
  assert.ok(Date.now() - started < 500, "the timers are virtual");
  assert.equal(r.value, "done");
  assert.equal(clock.now, 1102);
  assert.deepEqual(clock.delays, [
    { ms: 1000, from: 100, until: 1100 },
    { ms: 2, from: 1100, until: 1102 },
  ]);
  // a second run starts a fresh record: its virtual time starts again at `start`
  const again = await clock.runAsync(
    program(function* () {
      yield* delay(5);
      return 1;
    }),
  );
  assert.equal(again.value, 1);
  assert.equal(clock.now, 105);
  assert.deepEqual(clock.delays, [{ ms: 5, from: 100, until: 105 }]);
  // and clock.run after it likewise
  assert.equal(
    clock.run(
      program(function* () {
        return 0;
      }),
    ).value,
    0,
  );
  assert.equal(clock.now, 100);
  assert.deepEqual(clock.delays, []);
});

test("virtualClock: a run of your own with clock.handlers clears delays at its first now or delay, as clock.run does (it kept growing across runs)", async () => {
  const clock = virtualClock();
  const p = program(function* () {
    yield* delay(3);
    return yield* awaitPromise(() => Promise.resolve(1));
  });
  await runAsync(p, { handlers: [...clock.handlers] });
  await runAsync(p, { handlers: [...clock.handlers] });
  assert.deepEqual(clock.delays, [{ ms: 3, from: 0, until: 3 }]);
  assert.equal(clock.now, 3);
});

test("clock.runAsync: the same checks as clock.run, as a rejected promise (as runAsync's); a run while another is going on is refused", async () => {
  const clock = virtualClock();
  const p = program(function* () {
    yield* delay(1000);
    return yield* awaitPromise(() => Promise.resolve(1));
  });
  await assert.rejects(
    clock.runAsync(p, { handlers: [realTime] }),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "clock.runAsync: options.handlers[0] is realTime, a second clock that would answer now() and delay() instead of the virtual clock; leave it out: clock.runAsync installs the clock (virtualClock({ start }) sets the start time)",
  );
  await assert.rejects(
    clock.runAsync(p, [mock(Now, 1)] as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "clock.runAsync's second argument is its options, { handlers: [...], env?, store? }; got an array (write { handlers: [state, …] })",
  );
  await assert.rejects(
    clock.runAsync(p, { handlers: realTime } as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "clock.runAsync: options.handlers must be an array of handlers, got the handler realTime alone (write handlers: [realTime])",
  );
  // runAsync's own checks reject too (and leave the clock free)
  await assert.rejects(clock.runAsync(p, { bogus: 1 } as never), TypeError);
  const slow = program(function* () {
    yield* delay(1000);
    return yield* awaitPromise(() => new Promise<number>((r) => setTimeout(() => r(1), 10)));
  });
  const first = clock.runAsync(slow);
  const second = clock.runAsync(p);
  const busy =
    "this clock is running another program (a clock.runAsync not yet settled); a clock keeps one run's now and delays: make a virtualClock() per run that goes on at the same time";
  assert.throws(
    () => clock.run(p),
    (e: unknown) => e instanceof TypeError && e.message === `clock.run: ${busy}`,
  );
  await assert.rejects(
    second,
    (e: unknown) => e instanceof TypeError && e.message === `clock.runAsync: ${busy}`,
  );
  assert.equal((await first).value, 1);
  assert.equal(clock.now, 1000);
  assert.equal((await clock.runAsync(p)).value, 1, "free again once settled");
  // a clock.run called from inside the program a clock.run of the same clock runs
  let inner = "";
  const q = program(function* () {
    yield* delay(1);
    return 1;
  });
  const nested = program(function* () {
    try {
      clock.run(q);
    } catch (e) {
      inner = (e as Error).message;
    }
    return 2;
  });
  assert.equal(clock.run(nested).value, 2);
  assert.equal(
    inner,
    "clock.run: this clock is running another program (a clock.run not yet returned: called from inside it); a clock keeps one run's now and delays: make a virtualClock() per run that goes on at the same time",
  );
  assert.equal(clock.run(q).value, 1, "free again once returned");
});

test("virtualClock: its probe is not a line of the report of a run aborted while tasks wait in delay", async () => {
  // the probe is the clock's plumbing, like record(): a report under the clock reads as one under
  // simulatedTime(), not with a `handler clockProbe for Delay(50)` line the test did not write
  const gone = new AbortController();
  const ticker = fn(function* ticker() {
    for (;;) yield* delay(50);
  });
  const main = program(function* main() {
    yield* spawn(ticker());
    yield* delay(120);
    gone.abort(new Error("gone"));
    yield* delay(1);
  });
  const aborted = await virtualClock().runAsync(main, { signal: gone.signal });
  const report = aborted.format();
  assert.ok(!report.includes("clockProbe"), report);
  assert.ok(report.includes("  ── in task 1 ──\n  ticker\n  blocked in delay(50)\n"), report);
});

test("virtualClock: clock.run of a program that awaits a promise says to use clock.runAsync (it said runAsync instead of run(), which drops the clock)", async () => {
  const io = program(function* fetchThenWait() {
    const n = yield* awaitPromise(() => Promise.resolve(5));
    yield* delay(1000);
    return n;
  });
  const clock = virtualClock();
  const r = clock.run(io);
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof AsyncRequiredError);
  const said =
    "awaitPromise needs the event loop; use await clock.runAsync(program, options) instead of clock.run()";
  assert.equal(r.error.message, said);
  assert.equal(r.format().split("\n").at(-1), `AsyncRequiredError: ${said}`);
  assert.ok(r.error.stack?.startsWith(`AsyncRequiredError: ${said}\n`));
  // the advice works: the same clock, on the event loop
  const r2 = await clock.runAsync(io);
  assert.equal(r2.value, 5);
  assert.equal(clock.now, 1000);
  assert.deepEqual(clock.delays, [{ ms: 1000, from: 0, until: 1000 }]);
  // run itself keeps its own words
  const r3 = run(io, { handlers: [...virtualClock().handlers] });
  assert.equal(
    (r3.error as Error).message,
    "awaitPromise needs the event loop; use runAsync(program, options) instead of run()",
  );
});
