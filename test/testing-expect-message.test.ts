/** EffectExpectationError shows object fields and names the first differing path. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Effect, Put, program, put, run, state, UnhandledEffectError } from "../src/index.js";
import { EffectExpectationError, expectEffects, record } from "../src/testing/index.js";

test("expectEffects: object fields are shown, and the first difference is named by its path", () => {
  assert.throws(
    () =>
      expectEffects(put("user", { name: "Ada", age: 36 }), [new Put("user", { name: "Ada", age: 37 })], {
        handlers: [state],
      }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(
        e.message,
        [
          'effect #1: expected Put("user", { name: "Ada", age: 37 }), got Put("user", { name: "Ada", age: 36 })',
          "  at value.age: expected 37, got 36",
          "performed effects:",
          '  1. Put("user", { name: "Ada", age: 36 })',
        ].join("\n"),
      );
      return true;
    },
  );
});

test("expectEffects: an effect no handler takes names expectEffects as the handler that passed it on (it said 'recorder')", () => {
  class Save extends Effect<number> {
    declare readonly _tag: "Save";
  }
  const r = expectEffects(
    program(function* () {
      return yield* new Save();
    }),
    [Save],
    { handlers: [state] },
  );
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.match(
    r.error.message,
    /^no handler takes Save \(performed by handler function expectEffects; none outside it takes it\)/,
  );
});

test("record / expectEffects: a predicate written as function (e) {…} is a predicate, not a class (it matched nothing)", () => {
  const rec = record(function isPut(e: unknown) {
    return e instanceof Put;
  });
  run(put("n", 1), { handlers: [state, rec] });
  assert.deepEqual(
    rec.effects.map((e) => (e as Put).key),
    ["n"],
  );
});
