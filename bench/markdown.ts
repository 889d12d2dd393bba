/**
 * Render a saved result as the markdown tables used in bench/README.md:
 *   node --import tsx bench/markdown.ts [bench/results/latest.json]
 */
import { readFileSync } from "node:fs";
import type { ImplResult } from "./lib/harness.js";
import { type BenchResult, fmtNs } from "./lib/report.js";

const file = process.argv[2] ?? "bench/results/latest.json";
const r = JSON.parse(readFileSync(file, "utf8")) as BenchResult;
const m = r.machine;
const out: string[] = [];
out.push(
  `Machine: ${m.cpu}, ${m.cores} cores, node ${m.node} (V8 ${m.v8}), ${m.platform}/${m.arch}; commit ${m.commit}${m.dirty ? " (dirty)" : ""}; ${m.date}; ${m.rounds} rounds${r.quick ? " (quick)" : ""}; load average ${m.loadavgStart.join(" ")} → ${(m.loadavgEnd ?? []).join(" ")}.`,
  "",
);
out.push("| workload | impl | ns/op | ops/s | ±% | cpu ns/op | ×floor | impl÷doeff |");
out.push("|---|---|---:|---:|---:|---:|---:|---:|");
for (const [w, impls] of Object.entries(r.workloads)) {
  const entries = Object.entries(impls) as [string, Partial<ImplResult> & Record<string, unknown>][];
  if (entries.every(([, e]) => typeof e.nsPerOp !== "number")) continue;
  const floor = (impls.floor as ImplResult | undefined)?.nsPerOp;
  const doeff = (impls.doeff as ImplResult | undefined)?.nsPerOp;
  let first = true;
  for (const [k, e] of entries) {
    if (typeof e.nsPerOp !== "number") continue;
    const ns = e.nsPerOp;
    out.push(
      `| ${first ? w : ""} | ${k} | ${fmtNs(ns)} | ${Math.round(1e9 / ns).toLocaleString("en-US")} | ${e.spreadPct?.toFixed(1) ?? ""} | ${e.cpuNsPerOp !== undefined ? fmtNs(e.cpuNsPerOp) : ""} | ${floor ? (ns / floor).toFixed(2) : ""} | ${doeff ? (ns / doeff).toFixed(2) : ""} |`,
    );
    first = false;
  }
}
for (const [w, reason] of Object.entries(r.unavailable ?? {})) out.push(`| ${w} | — | ${reason} | | | | | |`);
out.push("");
const mem = r.workloads.memory_10m_effects as
  | Record<string, { heapGrowthBytes: number; afterRunBytes?: number; effects: number }>
  | undefined;
if (mem) {
  for (const [k, e] of Object.entries(mem)) {
    out.push(
      `- memory_10m_effects / ${k}: live heap growth ${(e.heapGrowthBytes / 1e6).toFixed(3)} MB at the end of ${e.effects.toLocaleString("en-US")} effects (inside the run), ${((e.afterRunBytes ?? 0) / 1e6).toFixed(3)} MB after it`,
    );
  }
}
const pend = r.workloads.memory_pending_task?.doeff as
  | { retainedBytesPerTask: number; tasks: number }
  | undefined;
if (pend)
  out.push(
    `- memory_pending_task / doeff: ${pend.retainedBytesPerTask} bytes retained per pending task (${pend.tasks.toLocaleString("en-US")} tasks)`,
  );
// what a pending non-tail resume retains, beside the targets table's verdict on it (issue 13 reports it here)
const pres = r.workloads.memory_pending_resume?.doeff as
  | { retainedBytesPerResume: number; resumes: number }
  | undefined;
if (pres)
  out.push(
    `- memory_pending_resume / doeff: ${pres.retainedBytesPerResume} bytes retained per pending non-tail resume (${pres.resumes.toLocaleString("en-US")} suspended \`return yield* resume(k, 1)\` invocations)`,
  );
out.push("", "| target | measured | |", "|---|---|---|");
for (const t of r.targets)
  out.push(`| ${t.target} | ${t.measured} | ${t.met === null ? "n/a" : t.met ? "met" : "**not met**"} |`);
console.log(out.join("\n"));
