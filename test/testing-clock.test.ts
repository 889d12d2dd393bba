/** virtualClock().run reads its end time without performing an effect the user's handlers would see. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { delay, Now, program, realTime, simulatedTime } from "../src/index.js";
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
