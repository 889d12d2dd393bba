/**
 * format() of a failed run shows what the error carries beside its message: the `cause` chain
 * (`TypeError: fetch failed` says nothing without it; a TaskCancelledError says "see cause") and an
 * AggregateError's `errors` (raceAll) — indented under the error line, capped, cycle-safe.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cancel,
  delay,
  discontinue,
  Effect,
  fn,
  handle,
  program,
  raceAll,
  run,
  scheduler,
  simulatedTime,
  spawn,
  wait,
  withHandler,
} from "../src/index.js";

const H = { handlers: [scheduler, simulatedTime()] };
const tail = (report: string, from: string) => report.slice(report.indexOf(from)).split("\n");
/** the report of a run that throws `e` */
const thrown = (e: unknown) =>
  run(
    fn(function* cyclic() {
      throw e;
    })(),
  ).format();

test("format() shows an error's cause chain under it", () => {
  const load = fn(function* loadConfig() {
    throw new Error("cannot load config", {
      cause: new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") }),
    });
  });
  assert.deepEqual(tail(run(load(), H).format(), "Error: cannot load config"), [
    "Error: cannot load config",
    "  caused by TypeError: fetch failed",
    "    caused by Error: connect ECONNREFUSED 127.0.0.1:1",
  ]);
});

test("format() shows the finally error a TaskCancelledError points to ('see cause')", () => {
  const closer = fn(function* closer() {
    try {
      yield* delay(100);
    } finally {
      // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
      throw new Error("could not close db");
    }
  });
  const r = run(
    fn(function* main() {
      const t = yield* spawn(closer());
      yield* delay(1);
      yield* cancel(t);
      return yield* wait(t);
    })(),
    H,
  );
  assert.deepEqual(tail(r.format(), "TaskCancelledError"), [
    "TaskCancelledError: task 1 was cancelled and a finally block of it threw (the cause; expected after cancel(task): catch TaskCancelledError where you wait for it)",
    "  caused by Error: could not close db",
  ]);
});

test("format() lists an AggregateError's errors (raceAll: every program failed), a thrown string, a cycle", () => {
  const down = (name: string) =>
    fn(function* mirror() {
      throw new Error(`${name} down`, { cause: "timeout" });
    })();
  const r = run(
    fn(function* main() {
      return yield* raceAll([down("primary"), down("mirror")]);
    })(),
    H,
  );
  assert.deepEqual(tail(r.format(), "AggregateError"), [
    "AggregateError: raceAll: all 2 programs failed (errors in input order in .errors)",
    "  [0] Error: primary down",
    '    caused by thrown: "timeout"',
    "  [1] Error: mirror down",
    '    caused by thrown: "timeout"',
  ]);
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b; // a cycle: it stops at the first repeat
  assert.deepEqual(tail(thrown(a), "Error: a"), [
    "Error: a",
    "  caused by Error: b",
    "    caused by Error: a (cycle: the same error as above)",
  ]);
});

test("format() stops a cycle through an AggregateError's errors, and an error that is its own cause, at the first repeat", () => {
  const agg = new AggregateError([], "all failed");
  const first = new Error("first", { cause: agg });
  const second = new Error("second", { cause: new Error("inner", { cause: first }) });
  agg.errors = [first, second];
  assert.deepEqual(tail(thrown(agg), "AggregateError"), [
    "AggregateError: all failed",
    "  [0] Error: first",
    "    caused by AggregateError: all failed (cycle: the same error as above)",
    "  [1] Error: second",
    "    caused by Error: inner",
    "      caused by Error: first",
    "        caused by AggregateError: all failed (cycle: the same error as above)",
  ]);
  const self = new Error("self");
  (self as { cause?: unknown }).cause = self;
  assert.deepEqual(tail(thrown(self), "Error: self"), [
    "Error: self",
    "  caused by Error: self (cycle: the same error as above)",
  ]);
});

test("format() shows a cause two errors share under each (a repeat that is not a cycle)", () => {
  const shared = new Error("disk full");
  const agg = new AggregateError(
    [new Error("write a", { cause: shared }), new Error("write b", { cause: shared })],
    "both failed",
  );
  assert.deepEqual(tail(thrown(agg), "AggregateError"), [
    "AggregateError: both failed",
    "  [0] Error: write a",
    "    caused by Error: disk full",
    "  [1] Error: write b",
    "    caused by Error: disk full",
  ]);
});

test("format() shows a long string field of an effect cut to one short line, and a field whose getter throws as such", () => {
  class Upload extends Effect<void> {
    declare readonly _tag: "Upload";
    constructor(readonly body: string) {
      super();
    }
  }
  const big = run(
    program(function* m() {
      yield* new Upload("x".repeat(100_000));
    }) as never,
  ).format();
  assert.ok(big.includes(`  effect Upload("${"x".repeat(57)}..."): no handlers installed`), big);
  assert.ok(big.length < 400, `${big.length} characters`);
  class Lazy extends Effect<number> {
    declare readonly _tag: "Lazy";
    constructor() {
      super();
      Object.defineProperty(this, "config", {
        enumerable: true,
        get() {
          throw new Error("not loaded");
        },
      });
    }
  }
  const r = run(
    program(function* m() {
      return yield* new Lazy();
    }) as never,
  );
  assert.deepEqual(r.format().split("\n").slice(0, 3), [
    "doeff traceback (outermost first):",
    "  m",
    "  effect Lazy(config: (its getter threw)): no handlers installed",
  ]);
});

test("format() names a DOMException as such: AbortSignal.timeout's TimeoutError is not doeff's TimeoutError", () => {
  const reason = new DOMException("The operation was aborted due to timeout", "TimeoutError");
  const r = run(
    program(function* m() {
      throw reason;
    }) as never,
  );
  assert.equal(
    r.format().split("\n").at(-1),
    "DOMException TimeoutError: The operation was aborted due to timeout",
  );
});

test("discontinue(k, e) from a function* handler: the traceback reads main, the perform site, then the handler (✗)", () => {
  class Roll extends Effect<number> {
    declare readonly _tag: "Roll";
    constructor(readonly sides: number) {
      super();
    }
  }
  const work = fn(function* work() {
    return (yield* new Roll(6)) * 10;
  });
  const h = handle(Roll, function* rejectRolls(_e, k) {
    return yield* discontinue(k, new Error("rejected roll"));
  });
  const report = run(
    withHandler(
      h,
      program(function* main() {
        return yield* work();
      }),
    ),
  ).format();
  assert.deepEqual(
    report.split("\n").filter((l) => !l.startsWith("  thrown at")),
    [
      "doeff traceback (outermost first):",
      "  main",
      "  work",
      "  handler rejectRolls for Roll(6) ✗",
      "  effect Roll(6): rejectRolls ✗",
      "Error: rejected roll",
    ],
  );
});
