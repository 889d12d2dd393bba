/** Result shape, the printed table, the targets and --compare. */
import { compareResults, REGRESSION_LIMIT } from "./compare.js";
import type { ImplResult, Workload } from "./harness.js";

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  totalMemGB: number;
  loadavgStart: number[];
  loadavgEnd?: number[];
  date: string;
  commit: string;
  dirty: boolean;
  gcExposed: boolean;
  rounds: number;
  /** how the workers ran: "esbuild bundle" (default) or "tsx" (older results: unset = tsx) */
  runner?: string;
  /** worker processes per speed workload, samples pooled (older results: unset = 1) */
  procs?: number;
}

export interface HeapEntry {
  heapGrowthBytes: number;
  afterRunBytes?: number;
  effects: number;
  note?: string;
}

export type WorkloadResult = Record<string, ImplResult | HeapEntry | Record<string, unknown>>;

export interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

export interface BenchResult {
  machine: MachineInfo;
  quick: boolean;
  workloads: Record<string, WorkloadResult>;
  /** workloads that could not run, with the reason */
  unavailable: Record<string, string>;
  targets: Target[];
}

const fmtInt = (x: number) => Math.round(x).toLocaleString("en-US");
export function fmtNs(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} ms`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)} µs`;
  if (x >= 100) return x.toFixed(0);
  return x.toFixed(1);
}
const pad = (s: string, n: number) => s.padStart(n);
const padR = (s: string, n: number) => s.padEnd(n);

export function nsOf(r: BenchResult, w: string, impl: string): number | undefined {
  const e = r.workloads[w]?.[impl] as { nsPerOp?: unknown } | undefined;
  return typeof e?.nsPerOp === "number" ? e.nsPerOp : undefined;
}

export function formatWorkload(w: Workload, res: Record<string, ImplResult>, rounds: number): string {
  const lines: string[] = [];
  const doeff = res.doeff?.nsPerOp;
  const floor = res.floor?.nsPerOp;
  lines.push(`${w.name} — op: ${w.op}; median of ${rounds} interleaved rounds`);
  if (w.note) lines.push(`  ${w.note}`);
  lines.push(
    `  ${padR("impl", 18)}${pad("ns/op", 10)}${pad("ops/s", 14)}${pad("±%", 7)}${pad("cpu ns", 9)}${pad("×floor", 9)}${pad("impl÷doeff", 12)}  ops/sample`,
  );
  for (const [k, r] of Object.entries(res)) {
    const xf = floor !== undefined ? (r.nsPerOp / floor).toFixed(2) : "";
    const xd = doeff !== undefined ? (r.nsPerOp / doeff).toFixed(2) : "";
    lines.push(
      `  ${padR(k, 18)}${pad(fmtNs(r.nsPerOp), 10)}${pad(fmtInt(1e9 / r.nsPerOp), 14)}${pad(r.spreadPct.toFixed(1), 7)}${pad(fmtNs(r.cpuNsPerOp), 9)}${pad(xf, 9)}${pad(xd, 12)}  ${fmtInt(r.ops)}${r.note ? `  (${r.note})` : ""}`,
    );
  }
  return lines.join("\n");
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a / b;
}

export function computeTargets(r: BenchResult): Target[] {
  const t: Target[] = [];
  const add = (
    target: string,
    v: number | undefined,
    fmt: (v: number) => string,
    met: (v: number) => boolean,
  ) =>
    t.push(
      v === undefined ? { target, measured: "n/a", met: null } : { target, measured: fmt(v), met: met(v) },
    );
  const x = (v: number) => `${v.toFixed(2)}×`;
  const fasterThan = (w: string, peer: string) => ratio(nsOf(r, w, peer), nsOf(r, w, "doeff"));
  const peerX = (peer: string) => (v: number) => `${peer}÷doeff ${v.toFixed(2)}×`;
  add(
    "state_loop ≤ 2.5× floor",
    ratio(nsOf(r, "state_loop", "doeff"), nsOf(r, "state_loop", "floor")),
    x,
    (v) => v <= 2.5,
  );
  add(
    "state_loop ≥ 2× faster than Effect 4",
    fasterThan("state_loop", "effect"),
    peerX("Effect"),
    (v) => v >= 2,
  );
  add(
    "user handler tail form (handle + transfer) ≥ 1.5× faster than Effect 4 service",
    fasterThan("user_handler_transfer", "effect"),
    peerX("Effect"),
    (v) => v >= 1.5,
  );
  add(
    "the same, handler as a plain function (e, k) => transfer(k, v)",
    ratio(nsOf(r, "user_handler_transfer", "effect"), nsOf(r, "user_handler_transfer", "doeff-fn")),
    peerX("Effect"),
    (v) => v >= 1.5,
  );
  add(
    "answer(C, f) ≤ 1.5× floor",
    ratio(nsOf(r, "user_handler_answer", "doeff"), nsOf(r, "user_handler_answer", "floor")),
    x,
    (v) => v <= 1.5,
  );
  add(
    "async_await ≤ Effect 4 (ratio ≥ 1)",
    fasterThan("async_await", "effect"),
    peerX("Effect"),
    (v) => v >= 1,
  );
  for (const w of [100, 1000, 10000]) {
    add(
      `spawn_gather_${w} ≥ 1.5× faster than Effect 4 forkChild/joinAll`,
      fasterThan(`spawn_gather_${w}`, "effect"),
      peerX("Effect"),
      (v) => v >= 1.5,
    );
  }
  add(
    "run(pure(1)) ≤ 4× Effect 4 runSync(succeed(1))",
    ratio(nsOf(r, "run_trivial", "doeff"), nsOf(r, "run_trivial", "effect")),
    (v) => `doeff÷Effect ${v.toFixed(2)}×`,
    (v) => v <= 4,
  );
  add(
    "run of a 10-effect program ≤ 2× Effect 4",
    ratio(nsOf(r, "run_10_effects", "doeff"), nsOf(r, "run_10_effects", "effect")),
    (v) => `doeff÷Effect ${v.toFixed(2)}×`,
    (v) => v <= 2,
  );
  const pr = r.workloads.memory_pending_resume?.doeff as { retainedBytesPerResume?: number } | undefined;
  add(
    "pending non-tail resume retains ≤ 200 bytes",
    pr?.retainedBytesPerResume,
    (v) => `${v.toFixed(0)} B`,
    (v) => v <= 200,
  );
  // Judged on the paired workloads (both settings interleaved in the same processes: the ratio of
  // the separate workloads compares two processes' JIT-mode draws, bench/README.md); both are shown.
  const pairedRatio = (
    target: string,
    limit: number,
    w: string,
    a: string,
    b: string,
    sa: string,
    sb: string,
  ) => {
    const paired = ratio(nsOf(r, w, a), nsOf(r, w, b));
    const separate = ratio(nsOf(r, sa, "doeff"), nsOf(r, sb, "doeff"));
    add(
      `${target} (paired in one process)`,
      paired ?? separate,
      (v) =>
        paired === undefined
          ? `${v.toFixed(2)}× (separate workloads)`
          : `${v.toFixed(2)}×${separate === undefined ? "" : ` (separate workloads ${separate.toFixed(2)}×)`}`,
      (v) => v <= limit,
    );
  };
  pairedRatio(
    "call_depth_1000 ≤ 1.2× call_depth_1",
    1.2,
    "call_depth_paired",
    "doeff-depth-1000",
    "doeff-depth-1",
    "call_depth_1000",
    "call_depth_1",
  );
  pairedRatio(
    "handler_depth_100 ≤ 1.5× handler_depth_1",
    1.5,
    "handler_depth_paired",
    "doeff-handlers-100",
    "doeff-handlers-1",
    "handler_depth_100",
    "handler_depth_1",
  );
  const mem = r.workloads.memory_10m_effects?.doeff as HeapEntry | undefined;
  add(
    `heap growth after ${mem && mem.effects !== 10_000_000 ? `${fmtInt(mem.effects)} (quick; target is for 10M)` : "10M"} effects < 10 MB`,
    mem?.heapGrowthBytes,
    (v) => `${(v / 1e6).toFixed(2)} MB`,
    (v) => v < 10e6,
  );
  const off = r.workloads.state_loop_trace_off;
  const unset = off?.["doeff-trace-unset"] as ImplResult | undefined;
  const aa = off?.["doeff-trace-unset-aa"] as ImplResult | undefined;
  const explicit = off?.doeff as ImplResult | undefined;
  // Same code on both sides, so the comparison is judged on CPU time (immune to being descheduled on
  // a shared machine); "nothing measurable" = within the noise floor: the larger of 3% and twice the
  // A/A difference (identical code). The wall-clock ratio is shown alongside.
  if (unset && aa && explicit) {
    const cpu = explicit.cpuNsPerOp / unset.cpuNsPerOp;
    const cpuAA = aa.cpuNsPerOp / unset.cpuNsPerOp;
    const noisePct = Math.max(3, 200 * Math.abs(cpuAA - 1));
    const wall = explicit.nsPerOp / unset.nsPerOp;
    const wallAA = aa.nsPerOp / unset.nsPerOp;
    t.push({
      target: "trace explicitly off costs nothing measurable (vs unset)",
      measured: `off÷unset cpu ${cpu.toFixed(3)}× (A/A ${cpuAA.toFixed(3)}×, noise floor ±${noisePct.toFixed(1)}%); wall ${wall.toFixed(3)}× (A/A ${wallAA.toFixed(3)}×)`,
      met: Math.abs(cpu - 1) * 100 <= noisePct,
    });
  } else
    t.push({
      target: "trace explicitly off costs nothing measurable (vs unset)",
      measured: "n/a",
      met: null,
    });
  return t;
}

export function formatTargets(ts: Target[]): string {
  const lines = ["Targets"];
  for (const t of ts) {
    const mark = t.met === null ? "n/a    " : t.met ? "met    " : "NOT MET";
    lines.push(`  ${mark}  ${padR(t.target, 78)} ${t.measured}`);
  }
  return lines.join("\n");
}

export function formatCompare(now: BenchResult, old: BenchResult, oldName: string): string {
  const lines = [`Change vs ${oldName} (${old.machine?.date ?? "?"}, commit ${old.machine?.commit ?? "?"})`];
  if ((old.machine?.runner ?? "tsx") !== (now.machine?.runner ?? "tsx")) {
    lines.push(
      `  note: runners differ (${old.machine?.runner ?? "tsx"} vs ${now.machine?.runner ?? "tsx"}); see bench/run.ts`,
    );
  }
  if (old.quick !== now.quick) lines.push("  note: one of the two is a --quick run (indicative only)");
  lines.push(`  ${padR("workload / impl", 44)}${pad("old", 10)}${pad("new", 10)}${pad("change", 9)}`);
  const rows = compareResults(now, old);
  for (const r of rows) {
    const fmt =
      r.field === "nsPerOp"
        ? fmtNs
        : (v: number) => (Math.abs(v) < 1e4 ? `${v.toFixed(0)} B` : `${(v / 1e3).toFixed(0)} kB`);
    const pct = r.change === null ? "" : `${r.change >= 0 ? "+" : ""}${(r.change * 100).toFixed(1)}%`;
    const flag = r.regressed ? `  ← SLOWER than ${(REGRESSION_LIMIT * 100).toFixed(0)}% allows` : "";
    lines.push(
      `  ${padR(`${r.workload} / ${r.impl}`, 44)}${pad(fmt(r.old), 10)}${pad(fmt(r.now), 10)}${pad(pct, 9)}${flag}`,
    );
  }
  const bad = rows.filter((r) => r.regressed);
  lines.push(
    bad.length === 0
      ? `no doeff figure is more than ${(REGRESSION_LIMIT * 100).toFixed(0)}% worse`
      : `REGRESSION: ${bad.length} doeff figure(s) more than ${(REGRESSION_LIMIT * 100).toFixed(0)}% worse: ${bad.map((r) => `${r.workload}/${r.impl}`).join(", ")}`,
  );
  return lines.join("\n");
}

/**
 * JSON as the repository's formatter (biome, line width 110) prints it, so a freshly written result
 * passes `npm run lint` as is: objects expanded, arrays of scalars on one line when they fit.
 */
export function toJson(value: unknown, width = 110): string {
  const scalar = (x: unknown) => x === null || typeof x !== "object";
  const fmt = (v: unknown, indent: string, prefixLen: number, trailing: number): string => {
    if (scalar(v)) return JSON.stringify(v) ?? "null";
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      if (v.every(scalar)) {
        const one = `[${v.map((x) => JSON.stringify(x)).join(", ")}]`;
        if (prefixLen + one.length + trailing <= width) return one;
        if (!v.every((x) => typeof x === "number")) {
          return `[\n${v.map((x) => `${inner}${JSON.stringify(x)}`).join(",\n")}\n${indent}]`;
        }
        // numbers fill lines, as many per line as fit
        const lines: string[] = [];
        let line = "";
        const xs = v.map((n) => JSON.stringify(n));
        for (let i = 0; i < xs.length; i++) {
          const x = xs[i]!;
          const next = line === "" ? x : `${line}, ${x}`;
          const comma = i < xs.length - 1 ? 1 : 0;
          if (line !== "" && inner.length + next.length + comma > width) {
            lines.push(line);
            line = x;
          } else line = next;
        }
        lines.push(line);
        return `[\n${lines.map((l) => inner + l).join(",\n")}\n${indent}]`;
      }
      return `[\n${v.map((x, i) => `${inner}${fmt(x, inner, inner.length, i < v.length - 1 ? 1 : 0)}`).join(",\n")}\n${indent}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return "{}";
    return `{\n${entries
      .map(([k, x], i) => {
        const key = `${inner}${JSON.stringify(k)}: `;
        return key + fmt(x, inner, key.length, i < entries.length - 1 ? 1 : 0);
      })
      .join(",\n")}\n${indent}}`;
  };
  return `${fmt(value, "", 0, 0)}\n`;
}
