/** Keeps the benchmark harness from rotting: one workload at a tiny size, no timing assertions. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { measure } from "../bench/lib/harness.js";
import { workloads } from "../bench/lib/workloads.js";

test("bench harness: state_loop at tiny size yields a positive finite ns/op", async () => {
  const w = workloads().find((x) => x.name === "state_loop");
  assert.ok(w, "state_loop workload exists");
  const res = await measure(w, { rounds: 1, ops: 200, quick: true, only: ["doeff", "floor"] });
  for (const impl of ["doeff", "floor"]) {
    const ns = res[impl]?.nsPerOp;
    assert.ok(typeof ns === "number" && Number.isFinite(ns) && ns > 0, `${impl}: ${ns}`);
  }
});

test("bench harness: the toolkit workloads and short_run_async give correct results for doeff and Effect 4 at a tiny size", async () => {
  const names = ["toolkit_timeout", "toolkit_retry", "toolkit_race", "toolkit_semaphore", "short_run_async"];
  for (const name of names) {
    const w = workloads().find((x) => x.name === name);
    assert.ok(w, `${name} exists`);
    assert.equal(w.unavailable, undefined);
    assert.deepEqual(Object.keys(w.impls).sort(), ["doeff", "effect"]);
    // measure() runs each implementation's check on its result and throws on a wrong one
    const res = await measure(w, { rounds: 1, ops: 30, quick: true });
    for (const impl of ["doeff", "effect"]) {
      const ns = res[impl]?.nsPerOp;
      assert.ok(typeof ns === "number" && Number.isFinite(ns) && ns > 0, `${name} ${impl}: ${ns}`);
    }
  }
});

test("bench harness: caught_failure gives the count of caught failures for doeff, the floor and Effect 4 at a tiny size", async () => {
  const w = workloads().find((x) => x.name === "caught_failure");
  assert.ok(w, "caught_failure exists");
  assert.deepEqual(Object.keys(w.impls).sort(), ["doeff", "effect", "floor"]);
  // measure() runs each implementation's check (the count equals the ops) and throws on a wrong one
  const res = await measure(w, { rounds: 1, ops: 30, quick: true });
  for (const impl of ["doeff", "effect", "floor"]) {
    const ns = res[impl]?.nsPerOp;
    assert.ok(typeof ns === "number" && Number.isFinite(ns) && ns > 0, `caught_failure ${impl}: ${ns}`);
  }
});
