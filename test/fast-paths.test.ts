/**
 * The VM's untraced fast paths against its general path, on generated programs (as INV-10 does for
 * the standard handlers' FAST_PATH hooks). A step-trace sink turns every fast path off — the fast
 * lane in stepResume, FAST_PATH-free tail transfers (`invokeTail` in dispatch.ts: a handler whose
 * first step is `transfer(k, v)` is answered without capturing) — so the same program run with and
 * without it must give the same outcome, store and writer log. The differential test checks the same
 * pair against the reference interpreter; this one states the fast-path property on its own seed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { actual, expected, OverBudget } from "./reference/compare.js";
import { programArb } from "./reference/generate.js";
import { printProgram } from "./reference/print.js";

test("fast paths: 1,500 generated programs give the same outcome with every fast path off (traced)", () => {
  let transfers = 0;
  let closeAborted = 0;
  let yieldWhileClosing = 0;
  let compared = 0;
  fc.assert(
    fc.property(programArb, (p) => {
      let stats: Readonly<Record<string, number>>;
      try {
        stats = expected(p).stats; // only to skip runaway programs and to count coverage
      } catch (e) {
        if (e instanceof OverBudget) return fc.pre(false);
        throw e;
      }
      compared++;
      transfers += stats.transfer ?? 0;
      closeAborted += stats["close-aborted"] ?? 0;
      yieldWhileClosing += stats["yield-while-closing"] ?? 0;
      const o = actual(p);
      if (o.outcome.includes("but with trace.steps")) {
        throw new Error(`fast path and general path disagree:\n${printProgram(p)}\n// ${o.outcome}`);
      }
    }),
    { numRuns: 1500, seed: 0x7a11 },
  );
  assert.ok(compared >= 1500, `only ${compared} compared`);
  assert.ok(transfers >= 200, `transfer exercised ${transfers} times`);
  assert.ok(closeAborted >= 5, `close-aborted exercised ${closeAborted} times`);
  assert.ok(yieldWhileClosing >= 30, `yield-while-closing exercised ${yieldWhileClosing} times`);
});
