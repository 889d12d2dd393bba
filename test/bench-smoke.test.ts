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
