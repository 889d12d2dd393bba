/**
 * run's shortcut for a finished program (`run(pure(v))` with no options: no machine, no steps)
 * against the general path (the same program with an options object, which takes the machine), on
 * random values: the two results must be indistinguishable.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import fc from "fast-check";
import { fn, pure, type RunResult, run, runAsync } from "../src/index.js";

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

test("RunResult is immutable without Object.freeze: no own string key, every member assignment throws", () => {
  const results = [
    run(pure(1)), // shortcut
    run(pure(1), {}), // general path, ok
    run(
      fn(function* () {
        throw new RangeError("no");
      })(),
      {},
    ),
  ];
  for (const r of results) {
    // its members read private fields; its own properties are symbol-keyed data for deep equality
    // (test/run-result-equality.test.ts), which no member reads
    assert.deepEqual(Object.keys(r), []);
    assert.ok(Reflect.ownKeys(r).length > 0 && Reflect.ownKeys(r).every((k) => typeof k === "symbol"));
    for (const key of ["ok", "error", "value", "warnings", "store", "log"]) {
      assert.throws(
        () => {
          (r as unknown as Record<string, unknown>)[key] = "changed";
        },
        {
          name: "TypeError",
          message: new RegExp(`Cannot set property ${key} of #<RunResult> which has only a getter`),
        },
      );
    }
    assert.ok(Object.isFrozen(r.store) && Object.isFrozen(r.log) && Object.isFrozen(r.warnings));
  }
  const [ok, , err] = results as [RunResult<unknown>, RunResult<unknown>, RunResult<unknown>];
  assert.equal(ok.ok, true);
  assert.equal(err.ok, false);
  assert.ok(err.error instanceof RangeError);
  assert.equal(ok.warnings, ok.warnings); // one frozen array, not a copy per read
});

test("RunResult shows its outcome under util.inspect (console.log)", () => {
  assert.equal(inspect(run(pure({ a: 1 }))), "RunResult { ok: true, value: { a: 1 } }");
  const e = new TypeError("bad");
  const shown = inspect(run(pure(0), { handlers: [] }));
  assert.equal(shown, "RunResult { ok: true, value: 0 }");
  const failed = run(
    fn(function* () {
      throw e;
    })(),
    {},
  );
  assert.match(inspect(failed), /^RunResult \{\n? *ok: false,\n? *error: TypeError: bad\n/);
});
