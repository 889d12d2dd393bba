/**
 * Main fails while tasks are still running: the scheduler cancels them (R9) and then rethrows main's
 * error from its own first invocation. When their cancellation performed effects, that rethrow was
 * taken for a new throw by the scheduler, and the report lost main's chain: `handler scheduler for
 * CreatePromise() ✗` (main's first scheduler effect) instead of where main failed. Any program with
 * an `eventChannel` (its guard task lives as long as the run) failing under runAsync read so.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createPromise,
  delay,
  eventChannel,
  fn,
  program,
  realTime,
  receive,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  tracebackOf,
  wait,
} from "../src/index.js";

test("main failing with a task still running keeps main's chain (the scheduler rethrows it after cancelling the task)", () => {
  const waiter = fn(function* waiter(p: { future: never }) {
    yield* wait(p.future);
  });
  const check = fn(function* check() {
    yield* delay(1);
    throw new RangeError("bad input");
  });
  const main = program(function* main() {
    const p = yield* createPromise<undefined>();
    yield* spawn(waiter(p as never));
    yield* check();
  });
  const r = run(main, { handlers: [scheduler, simulatedTime()] });
  assert.equal(
    r.format(),
    [
      "doeff traceback (outermost first):",
      "  main",
      "  check",
      "  thrown at test/trace-tasks-left.test.ts:33",
      "RangeError: bad input",
    ].join("\n"),
  );
  // the same as data (an error tracker's)
  const t = tracebackOf(r);
  assert.equal(t.outcome, "failed");
  assert.deepEqual(
    t.outcome === "failed" ? t.chain.map((e) => `${e.kind} ${"name" in e ? e.name : ""}`) : [],
    ["program main", "program check"],
  );
});

test("a program reading an eventChannel that fails under runAsync: its report says where", async () => {
  let emit: (v: string) => boolean = () => false;
  const render = fn(function* render(hits: string[] | null) {
    return hits!.map((h) => h.toUpperCase());
  });
  const box = program(function* box() {
    const queries = yield* eventChannel<string>((e) => {
      emit = e;
      return () => {};
    });
    const q = yield* receive(queries);
    return yield* render(q.value === "broken" ? null : [q.value!]);
  });
  const p = runAsync(box, { handlers: [scheduler, realTime] });
  await new Promise((r) => setTimeout(r, 5));
  emit("broken");
  const r = await p;
  assert.equal(
    r.format(),
    [
      "doeff traceback (outermost first):",
      "  box",
      "  render",
      "  thrown at test/trace-tasks-left.test.ts:63",
      "TypeError: Cannot read properties of null (reading 'map')",
    ].join("\n"),
  );
});
