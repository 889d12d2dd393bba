/** The bench regression guard (`npm run bench -- --compare`): flagging logic only, no timing. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { compareResults, REGRESSION_LIMIT, workerArgs } from "../bench/lib/compare.js";
import type { BenchResult } from "../bench/lib/report.js";
import { formatCompare } from "../bench/lib/report.js";

function result(workloads: Record<string, Record<string, Record<string, number>>>): BenchResult {
  return { quick: false, workloads, unavailable: {}, targets: [] } as unknown as BenchResult;
}

test("bench compare: a doeff figure more than 15% slower is flagged; 15% exactly, peers and floors are not", () => {
  assert.equal(REGRESSION_LIMIT, 0.15);
  const old = result({
    state_loop: { doeff: { nsPerOp: 100 }, floor: { nsPerOp: 50 }, effect: { nsPerOp: 200 } },
    reader_loop: { doeff: { nsPerOp: 100 } },
    run_trivial: { doeff: { nsPerOp: 100 } },
    state_loop_trace_off: { "doeff-trace-unset": { nsPerOp: 100 } },
    gone: { doeff: { nsPerOp: 1 } },
  });
  const now = result({
    state_loop: { doeff: { nsPerOp: 116 }, floor: { nsPerOp: 90 }, effect: { nsPerOp: 900 } },
    reader_loop: { doeff: { nsPerOp: 115 } },
    run_trivial: { doeff: { nsPerOp: 60 } },
    state_loop_trace_off: { "doeff-trace-unset": { nsPerOp: 130 } },
    added: { doeff: { nsPerOp: 5 } },
  });
  const rows = compareResults(now, old);
  const flagged = rows.filter((r) => r.regressed).map((r) => `${r.workload}/${r.impl}`);
  assert.deepEqual(flagged, ["state_loop/doeff", "state_loop_trace_off/doeff-trace-unset"]);
  // only workloads present in both are compared
  assert.deepEqual(
    rows.map((r) => `${r.workload}/${r.impl}`),
    [
      "state_loop/doeff",
      "state_loop/floor",
      "state_loop/effect",
      "reader_loop/doeff",
      "run_trivial/doeff",
      "state_loop_trace_off/doeff-trace-unset",
    ],
  );
  const rt = rows.find((r) => r.workload === "run_trivial")!;
  assert.equal(rt.change, -0.4);
  assert.equal(rt.regressed, false);
  const text = formatCompare(now, old, "old.json");
  assert.match(text, /state_loop \/ doeff .*\+16\.0%\s+← SLOWER than 15% allows/);
  assert.match(
    text,
    /REGRESSION: 2 doeff figure\(s\) more than 15% worse: state_loop\/doeff, state_loop_trace_off\/doeff-trace-unset$/,
  );
});

test("bench compare: memory figures are compared in bytes; heap growth needs 1 kB to count", () => {
  const old = result({
    memory_pending_resume: { doeff: { retainedBytesPerResume: 200 } },
    memory_pending_task: { doeff: { retainedBytesPerTask: 2000 } },
    memory_10m_effects: { doeff: { heapGrowthBytes: 1000 }, floor: { heapGrowthBytes: 10 } },
  });
  const now = result({
    memory_pending_resume: { doeff: { retainedBytesPerResume: 240 } },
    memory_pending_task: { doeff: { retainedBytesPerTask: 2100 } },
    memory_10m_effects: { doeff: { heapGrowthBytes: 1900 }, floor: { heapGrowthBytes: 1e6 } },
  });
  const rows = compareResults(now, old);
  assert.deepEqual(
    rows.map((r) => [r.workload, r.field, r.regressed]),
    [
      ["memory_pending_resume", "retainedBytesPerResume", true],
      ["memory_pending_task", "retainedBytesPerTask", false],
      ["memory_10m_effects", "heapGrowthBytes", false],
      ["memory_10m_effects", "heapGrowthBytes", false],
    ],
  );
  assert.match(
    formatCompare(now, old, "x"),
    /REGRESSION: 1 doeff figure\(s\) .*: memory_pending_resume\/doeff$/,
  );
  // nothing worse: says so
  assert.match(formatCompare(old, old, "x"), /no doeff figure is more than 15% worse$/);
});

test("bench mergeRuns: samples of several processes are pooled; the figure is their median", async () => {
  const { mergeRuns } = await import("../bench/lib/harness.js");
  const run = (samples: number[], cpu: number) => ({
    doeff: { nsPerOp: 0, cpuNsPerOp: cpu, minNsPerOp: 0, ops: 1000, samples, spreadPct: 0 },
  });
  const m = mergeRuns([run([90, 92, 94], 91), run([50, 52, 54], 51), run([48, 51, 53], 50)]);
  assert.deepEqual(m.doeff, {
    nsPerOp: 53,
    cpuNsPerOp: 51,
    minNsPerOp: 48,
    ops: 1000,
    samples: [90, 92, 94, 50, 52, 54, 48, 51, 53],
    spreadPct: 5.66, // MAD 3 of 53, rounded to 3 decimals
  });
});

test("bench: the workers get the options without --out / --compare and their values; a bare --compare keeps the option after it", () => {
  assert.deepEqual(workerArgs(["--compare", "--only", "a,b", "--quick"]), ["--only", "a,b", "--quick"]);
  assert.deepEqual(workerArgs(["--compare", "old.json", "--only", "a"]), ["--only", "a"]);
  assert.deepEqual(workerArgs(["--out", "x.json", "--quick", "--compare"]), ["--quick"]);
  assert.deepEqual(workerArgs(["--only", "a", "--out", "x.json", "--rounds", "3"]), [
    "--only",
    "a",
    "--rounds",
    "3",
  ]);
});

test("bench markdown: the memory lines give bytes per pending task and per pending non-tail resume", () => {
  const dir = mkdtempSync(join(tmpdir(), "doeff-bench-md-"));
  try {
    const file = join(dir, "r.json");
    const machine = { cpu: "c", cores: 2, node: "v20", v8: "11", platform: "linux", arch: "x64" };
    writeFileSync(
      file,
      JSON.stringify({
        machine: { ...machine, date: "d", commit: "abc", rounds: 9, loadavgStart: [1], loadavgEnd: [1] },
        quick: false,
        workloads: {
          memory_pending_task: { doeff: { retainedBytesPerTask: 830, tasks: 100000 } },
          memory_pending_resume: { doeff: { retainedBytesPerResume: 426, resumes: 100000 } },
        },
        unavailable: {},
        targets: [],
      }),
    );
    const root = new URL("..", import.meta.url).pathname;
    const out = execFileSync(process.execPath, ["--import", "tsx", "bench/markdown.ts", file], {
      cwd: root,
      encoding: "utf8",
    });
    assert.deepEqual(
      out.split("\n").filter((l) => l.startsWith("- memory_")),
      [
        "- memory_pending_task / doeff: 830 bytes retained per pending task (100,000 tasks)",
        "- memory_pending_resume / doeff: 426 bytes retained per pending non-tail resume (100,000 suspended `return yield* resume(k, 1)` invocations)",
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
