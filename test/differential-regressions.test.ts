/**
 * Regressions found by differential testing (test/differential.test.ts, scripts/fuzz.ts) and by
 * malformed-input fuzzing (test/malformed.test.ts), each minimised by hand from the shrunk case.
 * The expected values follow SEMANTICS.md (cited per test). A failing test here is a VM bug that is
 * reported and awaiting a fix in src/vm; do not weaken the expectation to make it pass.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  detach,
  Effect,
  getHandlers,
  type Handler,
  program,
  resume,
  run,
  withHandler,
} from "../src/index.js";

class A extends Effect<number> {}
class B extends Effect<number> {}

/**
 * fuzz seed 303 (shrunk): getHandlers() called after resume(k) returned.
 * §4 getHandlers: "handler objects visible at the perform site *when the effect was performed*".
 * B was performed inside withHandler(hA, ·) inside withHandler(hB, ·), so the answer is [hA, hB].
 * The VM walks the live caller links from the perform site at call time; meanwhile hA captured
 * (and detached) the body, which cut hA's prompt off the chain, so the walk stops after hA.
 */
test("getHandlers after resume lists the handlers visible when the effect was performed (prompt inside k re-captured and detached)", () => {
  const hA: Handler = Object.assign(
    function* hA(_e: any, k: any) {
      yield* detach(k);
      return 0;
    },
    { handles: (e: unknown) => e instanceof A },
  );
  const hB: Handler = Object.assign(
    function* hB(_e: any, k: any) {
      yield* resume(k, 0);
      return (yield* getHandlers()).map((h) => h.name);
    },
    { handles: (e: unknown) => e instanceof B },
  );
  const main = withHandler(
    hB,
    withHandler(
      hA,
      program(function* () {
        yield* new B();
        yield* new A();
        return 0;
      }),
    ),
  );
  const r = run(main);
  assert.equal(r.ok, true, String(r.error));
  assert.deepEqual(r.value, ["hA", "hB"]);
});
