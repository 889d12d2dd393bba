/**
 * Main fails while tasks are still running: the scheduler cancels them (R9) and then rethrows main's
 * error from its own first invocation. When their cancellation performed effects, that rethrow was
 * taken for a new throw by the scheduler, and the report lost main's chain: `handler scheduler for
 * CreatePromise() ✗` (main's first scheduler effect) instead of where main failed. Any program with
 * an `eventChannel` (its guard task lives as long as the run) failing under runAsync read so.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  createPromise,
  delay,
  Effect,
  eventChannel,
  fn,
  type Handler,
  program,
  realTime,
  receive,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  TAKES,
  TRACE_QUIET,
  tracebackOf,
  wait,
  withHandler,
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
      "  thrown at test/trace-tasks-left.test.ts:39",
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
      "  thrown at test/trace-tasks-left.test.ts:69",
      "TypeError: Cannot read properties of null (reading 'map')",
    ].join("\n"),
  );
});

// The rethrow above is told from a new throw by the handler's own generator: main's error passed
// through the scheduler's (parked) frame. A quiet handler's *new* throw of an error object recorded
// before — elsewhere — is still a new throw, recorded where it happens (a module-level error).
class Lookup extends Effect<number> {
  declare readonly _tag: "Lookup";
  constructor(readonly key: string) {
    super();
  }
}
const NOT_FOUND = new Error("not found");
/** The line of this file that holds `text` (1-based), found in its source, so a reformat moves it too. */
const lineOf = (text: string): number =>
  readFileSync(new URL(import.meta.url), "utf8")
    .split("\n")
    .findIndex((l) => l.includes(text)) + 1;

for (const quiet of [true, false])
  test(`a ${quiet ? "quiet" : "plain"} handler throwing one module-level error in two scopes: the second report names the second place`, () => {
    const lookups: Handler<Lookup> = function* () {
      throw NOT_FOUND; // (lookups)
    };
    lookups[TAKES] = Lookup;
    if (quiet) lookups[TRACE_QUIET] = true;
    const first = fn(function* first() {
      return yield new Lookup("a");
    });
    const second = fn(function* second() {
      return yield new Lookup("b");
    });
    const main = program(function* main() {
      try {
        yield* withHandler(lookups, first());
      } catch {}
      return yield* withHandler(lookups, second());
    });
    const r = run(main, { handlers: [] });
    assert.equal(r.error, NOT_FOUND);
    assert.equal(
      r.format(),
      [
        "doeff traceback (outermost first):",
        "  main",
        "  second",
        '  handler lookups for Lookup("b") ✗',
        '  effect Lookup("b"): lookups ✗',
        `  thrown at test/trace-tasks-left.test.ts:${lineOf("NOT_FOUND = new Error")}`,
        "Error: not found",
      ].join("\n"),
    );
  });

test("main throwing an error object a task threw (and caught) before, with a task left: main's place, not the task's", () => {
  const task = fn(function* task() {
    try {
      yield* delay(1);
      throw NOT_FOUND;
    } catch {}
    const p = yield* createPromise<undefined>();
    yield* wait(p.future); // still waiting when main fails: R9 cancels it
  });
  const check = fn(function* check() {
    yield* delay(5);
    throw NOT_FOUND;
  });
  const main = program(function* main() {
    yield* spawn(task());
    yield* check();
  });
  const r = run(main, { handlers: [scheduler, simulatedTime()] });
  assert.equal(
    r.format(),
    [
      "doeff traceback (outermost first):",
      "  main",
      "  check",
      `  thrown at test/trace-tasks-left.test.ts:${lineOf("NOT_FOUND = new Error")}`,
      "Error: not found",
    ].join("\n"),
  );
});
