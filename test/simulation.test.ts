/**
 * Deterministic simulation testing (docs/testing.md, "Simulation testing"): what a user running a
 * protocol over hundreds of seeds relies on — the same seed gives the same run, whatever real time
 * does meanwhile.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  awaitPromise,
  delay,
  fn,
  now,
  program,
  put,
  run,
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

test("a task that fails deep inside a long-lived task with nothing waiting: format() and the error's doeffTrace say where, with the task's chain", () => {
  const check = fn(function* checkQuorum(node: number) {
    throw new Error(`node ${node}: two leaders in term 3`);
  });
  const step = fn(function* step(node: number) {
    yield* delay(5);
    yield* check(node);
  });
  const node = fn(function* node(id: number) {
    for (;;) yield* step(id);
  });
  const r = run(
    program(function* () {
      yield* spawn(node(1));
      yield* spawn(node(2));
      yield* delay(100);
      return "main ok";
    }),
    { handlers: [scheduler, simulatedTime()], trace: { sites: true } },
  );
  assert.equal(r.value, "main ok");
  assert.equal(r.warnings.length, 2);
  const lines = r.format().split("\n");
  const file = "test/simulation.test.ts";
  const at = (needle: string) =>
    readFileSync(new URL(import.meta.url), "utf8")
      .split("\n")
      .findIndex((l) => l.includes(needle)) + 1;
  assert.deepEqual(lines.slice(0, 9), [
    'Ok: "main ok"',
    "── 2 errors beside the outcome (RunResult.warnings) ──",
    "task 1 failed and nothing waited for it: Error: node 1: two leaders in term 3",
    `  ── in task 1 (spawned at ${file}:${at("yield* spawn(node(1))")}) ──`,
    `  node at ${file}:${at("for (;;) yield* step(id)")}`,
    `  step at ${file}:${at("yield* check(node);")}`,
    "  checkQuorum",
    `  thrown at ${file}:${at("two leaders in term 3`")}`,
    "task 2 failed and nothing waited for it: Error: node 2: two leaders in term 3",
  ]);
  const first = r.warnings[0] as Error & { doeffTrace?: string };
  assert.equal(
    first.doeffTrace,
    ["doeff traceback (outermost first):", ...lines.slice(3, 8), "Error: node 1: two leaders in term 3"].join(
      "\n",
    ),
  );
});
