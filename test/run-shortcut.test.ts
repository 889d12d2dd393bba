/**
 * run's shortcut for a finished program (`run(pure(v))` with no options: no machine, no steps)
 * against the general path (the same program with an options object, which takes the machine), on
 * random values: the two results must be indistinguishable.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { pure, type RunResult, run, runAsync } from "../src/index.js";

function view(r: RunResult<unknown>) {
  return {
    ok: r.ok,
    isOk: r.isOk(),
    isErr: r.isErr(),
    error: r.error,
    store: r.store,
    log: r.log,
    warnings: r.warnings,
    format: r.format(),
    frozen: [
      Object.isFrozen(r),
      Object.isFrozen(r.store),
      Object.isFrozen(r.log),
      Object.isFrozen(r.warnings),
    ],
    keys: Object.keys(r),
    proto: Object.getPrototypeOf(r),
  };
}

test("run(pure(v)) without options (shortcut) equals the general path on 500 random values", async () => {
  await fc.assert(
    fc.asyncProperty(fc.anything({ withMap: true, withSet: true, withBigInt: true }), async (v) => {
      const p = pure(v);
      const fast = run(p);
      const general = run(p, {});
      assert.equal(fast.value, v); // the very value, not a copy
      assert.equal(general.value, v);
      assert.deepEqual(view(fast), view(general));
      assert.deepEqual(view(fast), view(await runAsync(p)));
      assert.notEqual(run(p), fast); // a fresh result per run
    }),
    { numRuns: 500, seed: 0x5c4ed },
  );
});

test("run(pure(v)) shortcut: an Error value is a value, and the result's copies are separate", () => {
  const e = new Error("boom");
  const r = run(pure(e));
  assert.equal(r.ok, true);
  assert.equal(r.value, e);
  assert.deepEqual(r.store, {});
  assert.deepEqual(r.log, []);
  assert.equal(r.format(), run(pure(e), {}).format());
  assert.throws(() => {
    (r.log as unknown[]).push(1);
  }, TypeError);
  assert.deepEqual(run(pure(1)).log, []);
});
