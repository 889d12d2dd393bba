/**
 * Model-based fuzz test of the concurrency toolkit (docs/concurrency.md §5): random trees of leaves
 * (delay, then a value or a tagged error, or an effect that a handler inside the scheduler answers
 * without resuming / throws at, ending the leaf's task; a finally that logs, and may throw) under
 * all / forEach (with and without concurrency), raceAll, timeout, retry (a leaf failing its first
 * k runs; fixed and growing backoff), safe, scoped, withPermit, a fire-and-forget spawn and a sequence, 2–5 deep, run under
 * `run` + `simulatedTime()` and compared with the reference model in test/toolkit-model.ts: the
 * outcome (value, or which error), the clock at the end, every leaf run (start, ok / fail, finally
 * exactly once, at the right instants), the finally blocks of one cancellation in a row in ascending
 * task order, sequential runs in order, no task left running when main ends, the warnings (a finally
 * that throws while its task is cancelled, a spawned task that fails, a cancelled raceAll's failures)
 * and `RunResult.log` (each leaf tells its name: which task logs each combinator merges).
 *
 * Cases whose outcome depends on the order of unrelated tasks within one instant are skipped (the
 * model says why: see test/toolkit-model.ts), and counted.
 *
 * More cases: `FUZZ_RUNS=5000 node --import tsx --test test/toolkit-model.test.ts`; replay one with
 * `FUZZ_SEED=<seed>` (printed on failure, with the shrunk program tree); `FUZZ_MAX_MS=6` crowds the
 * instants and `FUZZ_PING=3` makes pinging leaves common (see test/toolkit-model-run.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Case, caseArb, check, showCase } from "./toolkit-model-run.js";

const runs = Number(process.env.FUZZ_RUNS ?? 3000);
const seed = process.env.FUZZ_SEED === undefined ? 20261206 : Number(process.env.FUZZ_SEED);

test(`toolkit model: ${runs} random programs agree with the reference model (seed ${seed})`, () => {
  const skipped = new Map<string, number>();
  let compared = 0;
  const r = fc.check(
    fc.property(caseArb, (c: Case) => {
      const res = check(c);
      if (res === null) {
        compared++;
        return true;
      }
      if ("skipped" in res) {
        const why = res.skipped.replace(/ at \d+ ms$/, "");
        skipped.set(why, (skipped.get(why) ?? 0) + 1);
        return true;
      }
      throw new Error(res.disagreement);
    }),
    { numRuns: runs, seed },
  );
  if (r.failed) {
    const c = r.counterexample?.[0];
    const res = c ? check(c) : null;
    const what =
      res && "disagreement" in res ? res.disagreement : `${c ? showCase(c) : "?"}\n${r.errorInstance}`;
    assert.fail(`seed ${seed} (FUZZ_SEED=${seed}), the model and doeff disagree on (shrunk):\n${what}`);
  }
  const s = [...skipped].map(([k, v]) => `${v} ${k}`).join(", ");
  process.stdout.write(`# ${compared} compared, skipped: ${s || "none"}\n`);
  assert.ok(compared >= runs / 2, `too many cases skipped: ${s}`);
});
