/**
 * `npm run bench -- --compare FILE`: the change of every figure against a saved result, and the
 * regression guard — a doeff figure (any `doeff*` implementation: ns/op, or bytes for the memory
 * workloads) more than REGRESSION_LIMIT worse than the saved one is flagged, and the run exits 1.
 * Peers and floors are shown but never flagged (they are not ours to regress).
 */
import type { BenchResult } from "./report.js";

/** A doeff figure this much worse than the saved one (+15 %) is a regression. */
export const REGRESSION_LIMIT = 0.15;

export interface CompareRow {
  readonly workload: string;
  readonly impl: string;
  readonly field: "nsPerOp" | "heapGrowthBytes" | "retainedBytesPerTask" | "retainedBytesPerResume";
  readonly old: number;
  readonly now: number;
  /** (now − old) / |old|; null when old is 0 */
  readonly change: number | null;
  /** a doeff figure more than `limit` worse */
  readonly regressed: boolean;
}

const FIELDS = ["nsPerOp", "heapGrowthBytes", "retainedBytesPerTask", "retainedBytesPerResume"] as const;

/** Rows for every figure present in both results, in `now`'s order. */
export function compareResults(now: BenchResult, old: BenchResult, limit = REGRESSION_LIMIT): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const [w, impls] of Object.entries(now.workloads)) {
    for (const [impl, e] of Object.entries(impls)) {
      const n = e as unknown as Record<string, unknown>;
      const o = old.workloads?.[w]?.[impl] as unknown as Record<string, unknown> | undefined;
      const field = FIELDS.find((f) => typeof n[f] === "number");
      if (field === undefined || typeof o?.[field] !== "number") continue;
      const a = o[field] as number;
      const b = n[field] as number;
      const change = a === 0 ? null : (b - a) / Math.abs(a);
      // bytes: a tiny absolute figure (heap growth of a few kB) is noise, not a regression
      const meaningful = field !== "heapGrowthBytes" || Math.abs(b - a) >= 1024;
      const regressed = impl.startsWith("doeff") && change !== null && change > limit && meaningful;
      rows.push({ workload: w, impl, field, old: a, now: b, change, regressed });
    }
  }
  return rows;
}

/**
 * The options a workload's worker process gets: the parent's, without `--out` and `--compare` and
 * their values. A bare `--compare` (the committed result) has no value: the option after it —
 * `--compare --only x` — stays (it was dropped, so the workers ran every workload's `x` as an option).
 */
export function workerArgs(argv: readonly string[]): string[] {
  const hasValue = (i: number): boolean =>
    argv[i] === "--out" ||
    (argv[i] === "--compare" && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--"));
  return argv.filter((a, i) => a !== "--out" && a !== "--compare" && !hasValue(i - 1));
}
