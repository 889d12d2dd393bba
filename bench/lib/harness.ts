/**
 * Measurement core. Every implementation of a workload runs in the same process, interleaved: each
 * round runs every implementation once (in a rotated order, so none always runs first or last after
 * a GC), and the reported figure is the median over rounds. A forced GC precedes every sample when
 * node runs with --expose-gc, so one sample's garbage is not collected on the next one's clock.
 *
 * Why not mitata: its runner measures one function at a time to completion (no cross-implementation
 * interleaving), and a 2-core machine shared with other engineers drifts over a run; interleaved
 * rounds with medians are far more robust to that drift than back-to-back measurement.
 */

export type ImplKey = "doeff" | "floor" | "effect" | "effection" | "redux-saga" | (string & {});

export interface ImplDef {
  /** Build the timed thunk for `n` operations (setup is not timed). */
  prepare(n: number): () => unknown;
  /** Fraction of the workload's op count this implementation runs (slow peers; default 1). */
  scale?: number;
  /** Validate the thunk's result (after timing); a wrong result fails the run loudly. */
  check?: (result: unknown, n: number) => boolean;
  /** What this implementation does, when it is not obvious from the workload. */
  note?: string;
}

export interface Workload {
  name: string;
  /** What one op is, e.g. "1 iteration (get + put)". */
  op: string;
  /** Ops per sample. */
  ops: { full: number; quick: number };
  impls: Partial<Record<ImplKey, ImplDef>>;
  /** Shown when the workload cannot run (e.g. the scheduler is not exported yet). */
  unavailable?: string;
  note?: string;
}

export interface ImplResult {
  /** median over rounds of wall-clock ns per op */
  nsPerOp: number;
  /** median over rounds of process CPU time (user + system) per op: less sensitive to other processes
   * on a shared machine, but includes GC and compiler helper threads */
  cpuNsPerOp: number;
  /** fastest round, wall clock */
  minNsPerOp: number;
  /** ops per sample actually run by this implementation */
  ops: number;
  samples: number[];
  /** median absolute deviation / median, in percent: the visible noise */
  spreadPct: number;
  note?: string;
}

export interface MeasureOptions {
  rounds: number;
  /** overrides the workload's op count */
  ops?: number;
  quick: boolean;
  /** impls to run (default all) */
  only?: readonly string[];
  log?: (line: string) => void;
  /** what runs between samples (default "minor"; see GcMode) */
  gc?: GcMode;
}

const WARM_MAX = 20;

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

export function collect(): void {
  if (gc !== undefined) {
    gc();
    gc();
  }
}

/**
 * Between samples: "minor" (a scavenge: the previous sample's young garbage is not collected on the
 * next one's clock), "full" (two full GCs) or "none". Default minor: a forced full GC slows the
 * sample after it by 10–20 ms (sweeping and young-generation resizing after mark-compact) — on a
 * 300k-op sample that inflated doeff's call_depth figures from ~70 to ~140 ns/op.
 */
export type GcMode = "full" | "minor" | "none";
const gcMinor = gc as ((o?: { type: string }) => void) | undefined;
function between(mode: GcMode): void {
  if (gcMinor === undefined || mode === "none") return;
  if (mode === "full") collect();
  else gcMinor({ type: "minor" });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && typeof x === "object" && typeof (x as { then?: unknown }).then === "function";
}

/** Time one sample; returns [wall ns, cpu ns, result]. */
async function sample(thunk: () => unknown): Promise<[number, number, unknown]> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let r = thunk();
  if (isThenable(r)) r = await r;
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  return [Number(t1 - t0), (c1.user + c1.system) * 1000, r];
}

export function opsFor(w: Workload, def: ImplDef, o: MeasureOptions): number {
  const base = o.ops ?? (o.quick ? w.ops.quick : w.ops.full);
  return Math.max(1, Math.round(base * (def.scale ?? 1)));
}

/** Measure every implementation of `w`: warm-up samples, then `rounds` interleaved rounds. */
export async function measure(w: Workload, o: MeasureOptions): Promise<Record<string, ImplResult>> {
  const keys = Object.keys(w.impls).filter((k) => o.only === undefined || o.only.includes(k));
  const thunks = new Map<string, { thunk: () => unknown; n: number; def: ImplDef }>();
  for (const k of keys) {
    const def = w.impls[k]!;
    const n = opsFor(w, def, o);
    thunks.set(k, { thunk: def.prepare(n), n, def });
  }
  // Warm-up: each implementation runs until it has spent 150 ms (quick: samples 10× shorter) or
  // 300 ms (full), at most WARM_MAX samples and at least one, so it is not measured before the JIT
  // tiers up. (Full mode used to warm up with one sample; with several processes of 3 rounds each,
  // the first round after it read up to 1.5× slower than the next in call_depth_1000.)
  const warmMs = o.quick ? 150 : 300;
  for (const k of keys) {
    const { thunk, n, def } = thunks.get(k)!;
    let spent = 0;
    for (let i = 0; i === 0 || (i < WARM_MAX && spent < warmMs * 1e6); i++) {
      between(o.gc ?? "minor");
      const [ns, , r] = await sample(thunk);
      if (def.check !== undefined && !def.check(r, n)) {
        throw new Error(`${w.name}/${k}: wrong result ${String(r)} for n=${n}`);
      }
      spent += ns;
    }
  }
  o.log?.("warm-up");
  const samples = new Map<string, number[]>(keys.map((k) => [k, []]));
  const cpu = new Map<string, number[]>(keys.map((k) => [k, []]));
  for (let round = 0; round < o.rounds; round++) {
    const order = keys.map((_, i) => keys[(i + round) % keys.length]!);
    for (const k of order) {
      const { thunk, n, def } = thunks.get(k)!;
      between(o.gc ?? "minor");
      const [ns, cpuNs, r] = await sample(thunk);
      if (def.check !== undefined && !def.check(r, n)) {
        throw new Error(`${w.name}/${k}: wrong result ${String(r)} for n=${n}`);
      }
      samples.get(k)!.push(ns / n);
      cpu.get(k)!.push(cpuNs / n);
    }
    o.log?.(`round ${round + 1}/${o.rounds}`);
  }
  const out: Record<string, ImplResult> = {};
  for (const k of keys) {
    const xs = samples.get(k)!;
    const med = median(xs);
    const mad = median(xs.map((x) => Math.abs(x - med)));
    const note = thunks.get(k)!.def.note;
    out[k] = {
      nsPerOp: round3(med),
      cpuNsPerOp: round3(median(cpu.get(k)!)),
      minNsPerOp: round3(Math.min(...xs)),
      ops: thunks.get(k)!.n,
      samples: xs.map(round3),
      spreadPct: round3((100 * mad) / med),
      ...(note !== undefined ? { note } : {}),
    };
  }
  return out;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * One workload measured in several worker processes (`npm run bench -- --procs P`), merged: every
 * process's samples pooled, the figure their median. Why: on this V8 a process lands, at random, in
 * one of two JIT modes for the step loop (e.g. call_depth at ~50 or ~90 ns per effect, see
 * bench/README.md) and stays there; one process per workload makes a ratio of two workloads the ratio
 * of two coin flips, while pooled samples from several processes move the median to the usual mode.
 * The CPU figure is the median of the processes' CPU medians (per-sample CPU is not kept).
 */
export function mergeRuns(runs: readonly Record<string, ImplResult>[]): Record<string, ImplResult> {
  const out: Record<string, ImplResult> = {};
  const first = runs[0];
  if (first === undefined) return out;
  for (const k of Object.keys(first)) {
    const parts = runs.map((r) => r[k]).filter((x): x is ImplResult => x !== undefined);
    const xs = parts.flatMap((p) => p.samples);
    const med = median(xs);
    const mad = median(xs.map((x) => Math.abs(x - med)));
    const base = parts[0]!;
    out[k] = {
      ...base,
      nsPerOp: round3(med),
      cpuNsPerOp: round3(median(parts.map((p) => p.cpuNsPerOp))),
      minNsPerOp: round3(Math.min(...xs)),
      samples: xs,
      spreadPct: round3((100 * mad) / med),
    };
  }
  return out;
}
