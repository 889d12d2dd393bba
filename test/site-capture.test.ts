/**
 * trace.sites: a yield site captures only the frames it is read from (vm/sites.ts SITE_FRAMES) —
 * the engine's 10 made the capture most of a `yield*`'s cost with sites on — and the sites still
 * name the user's line, through each way a site is captured (an effect's, a Program's and a raw
 * generator's iterator).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { captureSite, siteState } from "../src/vm/sites.js";
import { Effect, fn, handle, resume, run, withHandler } from "../src/index.js";

const framesOf = (e: Error | null): number =>
  String(e?.stack)
    .split("\n")
    .filter((l) => /^\s+at /.test(l)).length;
const deep = (n: number, f: () => void): void => (n === 0 ? f() : deep(n - 1, f));

test("a yield site captures 4 frames, fewer when the program set Error.stackTraceLimit lower, and leaves the limit as it was", () => {
  const limit = Error.stackTraceLimit;
  try {
    for (const [set, frames] of [
      [10, 4],
      [Infinity, 4],
      [2, 2],
      [0, 0],
    ] as const) {
      Error.stackTraceLimit = set;
      deep(20, () => captureSite());
      assert.equal(Error.stackTraceLimit, set);
      Error.stackTraceLimit = 50;
      assert.equal(framesOf(siteState.last), frames, `with Error.stackTraceLimit ${set}`);
    }
  } finally {
    Error.stackTraceLimit = limit;
    siteState.last = null;
  }
});

const lineOf = (text: string): number =>
  readFileSync(new URL(import.meta.url), "utf8")
    .split("\n")
    .findIndex((l) => l.includes(text) && !l.includes("lineOf(")) + 1;

class Ask extends Effect<number> {
  declare readonly _tag: "Ask";
}

test("the sites still name the user's lines: an effect's, a Program's and a raw generator's yield*", () => {
  function* raw(): Generator<unknown, number, unknown> {
    return yield* new Ask(); // (raw's own site)
  }
  const inner = fn(function* inner() {
    const a = yield* new Ask(); // (an effect's site)
    return a + (yield* raw()); // (a raw generator's site)
  });
  const outer = fn(function* outer() {
    return yield* inner(); // (a Program's site)
  });
  let n = 0;
  const h = handle(Ask, function* (_e, k) {
    if (++n === 2) throw new RangeError("no more");
    return yield* resume(k, 1);
  });
  const report = run(withHandler(h, outer()), { trace: { sites: true } }).format();
  const f = "test/site-capture.test.ts";
  // (fn's program is iterated by callTrap, a generator: one frame deeper than an effect's iterator)
  assert.deepEqual(report.split("\n"), [
    "doeff traceback (outermost first):",
    "  handler handle(Ask) for Ask() ✓",
    `  outer at ${f}:${lineOf("(a Program's site)")}`,
    `  inner at ${f}:${lineOf("(raw's own site)")}`,
    "  handler handle(Ask) for Ask() ✗",
    "  effect Ask(): handle(Ask) ✗",
    `  thrown at ${f}:${lineOf('throw new RangeError("no more")')}`,
    "RangeError: no more",
  ]);
});
