/**
 * Deterministic simulation testing (docs/testing.md, "Simulation testing"): what a user running a
 * protocol over hundreds of seeds relies on — the same seed gives the same run, whatever real time
 * does meanwhile.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  awaitPromise,
  delay,
  now,
  program,
  put,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  state,
  wait,
} from "../src/index.js";

test("runAsync + simulatedTime: an awaited promise that has already settled is answered before the clock moves, however long the run went without yielding", async () => {
  // task 1 awaits in-memory async mocks (settled at once, or after a chain of microtasks); task 2
  // works for `busy` effects, then sleeps 10 ms of virtual time. Before, task 1 went on at 10 ms
  // unless the run had yielded to the event loop in between (after 10,000 steps or 5 ms of real
  // time), then at 0 ms: the virtual time depended on the machine's speed.
  const timeline = (busy: number) =>
    program(function* () {
      const a = yield* spawn(
        program(function* () {
          yield* awaitPromise(() => Promise.resolve(1));
          const first = yield* now();
          yield* awaitPromise(async () => {
            for (let i = 0; i < 5; i++) await null;
            return 2;
          });
          return [first, yield* now()];
        }),
      );
      const b = yield* spawn(
        program(function* () {
          for (let i = 0; i < busy; i++) yield* put("x", i);
          yield* delay(10);
          return yield* now();
        }),
      );
      return [yield* wait(a), yield* wait(b)];
    });
  for (const busy of [0, 100, 20_000]) {
    const r = await runAsync(timeline(busy), { handlers: [scheduler, simulatedTime(), state] });
    assert.deepEqual(r.value, [[0, 0], 10], `busy ${busy}`);
  }
});
