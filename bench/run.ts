/**
 * The benchmark suite: `npm run bench [-- options]`.
 *
 *   --quick            fewer ops and rounds (finishes in under two minutes)
 *   --out FILE         where to write the JSON result (default bench/results/latest.json)
 *   --compare FILE     print the change against a saved result; a doeff figure > 15% worse is
 *                      flagged and the run exits 1 (bench/lib/compare.ts)
 *   --only a,b         run only these workloads (exact names or prefixes, e.g. call_depth)
 *   --impl doeff,floor run only these implementations
 *   --rounds N         interleaved rounds per workload (default 9, quick 3), over all its processes
 *   --procs P          worker processes per speed workload, samples pooled (default 3, quick 1;
 *                      see mergeRuns in bench/lib/harness.ts)
 *   --ops N            ops per sample for every workload (overrides the defaults)
 *   --in-process       run every workload in this process (default: one worker process each)
 *   --gc minor|full|none  what runs between samples (default minor: a scavenge)
 *   --tsx              run the workers under tsx instead of an esbuild bundle (see below)
 *
 * Each workload runs in a fresh worker process (all of its implementations in that process,
 * interleaved), so one workload's JIT feedback and heap never leak into the next one's figures and
 * adding a workload does not shift the others. Runs with `node --expose-gc --import tsx bench/run.ts`.
 *
 * Workers run an esbuild bundle of bench/run.ts (src, bench and their relative imports; packages
 * stay external), not tsx. tsx transpiles with esbuild's `keepNames`, which wraps every class in
 * `static { __name(this, "X") }`; on V8 11 that makes `new X()` of such a class ~8× slower (an empty
 * `class Tick extends Effect<number> {}` costs ~250 ns instead of ~30 ns to construct and yield), a
 * cost no published build of doeff has (tsc emits no such block) and that the peers, loaded as plain
 * JS from node_modules, never pay. `--tsx` keeps the old behaviour for comparison.
 */
import { execSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname } from "node:path";
import { type GcMode, type ImplResult, measure, mergeRuns, type Workload } from "./lib/harness.js";
import { bundle } from "./lib/bundle.js";
import { compareResults, workerArgs } from "./lib/compare.js";
import { heapGrowthDoeff, heapGrowthFloor, pendingResumeBytes } from "./lib/memory.js";
import {
  type BenchResult,
  computeTargets,
  formatCompare,
  formatTargets,
  formatWorkload,
  type MachineInfo,
  toJson,
} from "./lib/report.js";
import { pendingTaskBytes, SCHEDULER_NA } from "./lib/scheduler-workloads.js";
import { workloads } from "./lib/workloads.js";

interface Args {
  quick: boolean;
  out: string;
  compare?: string;
  only?: string[];
  impl?: string[];
  rounds?: number;
  procs?: number;
  ops?: number;
  inProcess: boolean;
  worker?: string;
  gc?: GcMode;
  tsx: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, out: "bench/results/latest.json", inProcess: false, tsx: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === "--quick") a.quick = true;
    else if (k === "--out") a.out = v();
    else if (k === "--compare") {
      // a file, or (no value, or another option next) the committed result: `npm run bench -- --compare`
      const next = argv[i + 1];
      a.compare = next === undefined || next.startsWith("--") ? "bench/results/latest.json" : v();
    } else if (k === "--only") a.only = v().split(",");
    else if (k === "--impl") a.impl = v().split(",");
    else if (k === "--rounds") a.rounds = Number(v());
    else if (k === "--procs") a.procs = Number(v());
    else if (k === "--ops") a.ops = Number(v());
    else if (k === "--in-process") a.inProcess = true;
    else if (k === "--tsx") a.tsx = true;
    else if (k === "--gc") {
      const g = v();
      if (g !== "full" && g !== "minor" && g !== "none") throw new Error("--gc full|minor|none");
      a.gc = g;
    } else if (k === "--worker") a.worker = v();
    else throw new Error(`unknown option ${k}; see the header of bench/run.ts`);
  }
  return a;
}

function git(cmd: string): string {
  try {
    return execSync(`git ${cmd}`, { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return "";
  }
}

const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

function machine(rounds: number): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    node: process.version,
    v8: process.versions.v8,
    platform: os.platform(),
    arch: os.arch(),
    totalMemGB: Math.round(os.totalmem() / 1e8) / 10,
    loadavgStart: load(),
    date: new Date().toISOString(),
    // BENCH_COMMIT: when benchmarking an exported snapshot (git archive) that has no .git
    commit: process.env.BENCH_COMMIT ?? git("rev-parse --short HEAD"),
    dirty: process.env.BENCH_COMMIT === undefined && git("status --porcelain -- src") !== "",
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
    rounds,
  };
}

const selected = (name: string, only?: string[]) =>
  only === undefined || only.some((o) => name === o || name.startsWith(o));

const MEMORY = ["memory_10m_effects", "memory_pending_task", "memory_pending_resume"] as const;

/** What a worker reports for one workload. */
type WorkerOut =
  | { kind: "speed"; name: string; result: Record<string, ImplResult> }
  | { kind: "unavailable"; name: string; reason: string }
  | { kind: "memory"; name: string; result: Record<string, Record<string, unknown>>; lines: string[] };

/** Run one workload (by name) in this process. */
async function runOne(name: string, args: Args, rounds: number): Promise<WorkerOut> {
  if (name === "memory_10m_effects") {
    const effects = args.quick ? 1_000_000 : 10_000_000;
    const d = heapGrowthDoeff(effects);
    const f = heapGrowthFloor(effects);
    const note = args.quick ? `quick mode: ${effects.toLocaleString("en-US")} effects, not 10M` : undefined;
    const mb = (x: number) => `${(x / 1e6).toFixed(3)} MB`;
    return {
      kind: "memory",
      name,
      result: { doeff: { ...d, ...(note ? { note } : {}) }, floor: { ...f, ...(note ? { note } : {}) } },
      lines: [
        `memory_10m_effects — live heap growth over ${effects.toLocaleString("en-US")} state_loop effects` +
          " (measured inside the run at the end of the loop, after GC)",
        ...(note ? [`  (${note})`] : []),
        `  doeff  at end of loop ${mb(d.heapGrowthBytes)}, after the run ${mb(d.afterRunBytes)}`,
        `  floor  at end of loop ${mb(f.heapGrowthBytes)}, after the run ${mb(f.afterRunBytes)}`,
      ],
    };
  }
  if (name === "memory_pending_resume") {
    const n = args.quick ? 20_000 : 100_000;
    const per = Math.round(pendingResumeBytes(n));
    return {
      kind: "memory",
      name,
      result: { doeff: { retainedBytesPerResume: per, resumes: n } },
      lines: [
        `memory_pending_resume — retained heap per pending non-tail resume (${n.toLocaleString("en-US")} suspended \`return yield* resume(k, 1)\` invocations): ${per} bytes`,
      ],
    };
  }
  if (name === "memory_pending_task") {
    const tasks = args.quick ? 10_000 : 100_000;
    let per: number | null;
    try {
      per = pendingTaskBytes(tasks);
    } catch (e) {
      return { kind: "unavailable", name, reason: `n/a (error: ${String(e)})` };
    }
    if (per === null) return { kind: "unavailable", name, reason: SCHEDULER_NA };
    return {
      kind: "memory",
      name,
      result: { doeff: { retainedBytesPerTask: Math.round(per), tasks } },
      lines: [
        `memory_pending_task — retained heap per pending task (${tasks.toLocaleString("en-US")} tasks): ${Math.round(per)} bytes`,
      ],
    };
  }
  const w = workloads().find((x) => x.name === name);
  if (w === undefined) throw new Error(`no workload ${name}`);
  if (w.unavailable !== undefined) return { kind: "unavailable", name, reason: w.unavailable };
  const result = await measure(w, {
    rounds,
    quick: args.quick,
    ...(args.ops !== undefined ? { ops: args.ops } : {}),
    ...(args.impl !== undefined ? { only: args.impl } : {}),
    ...(args.gc !== undefined ? { gc: args.gc } : {}),
    log: (s) => process.stderr.write(`  · ${name}: ${s}\n`),
  });
  return { kind: "speed", name, result };
}

const RESULT_PREFIX = "@@bench-result ";

/** Run one workload in a fresh worker process (`script`: the bundle, or null for tsx). */
function runWorker(name: string, argv: string[], script: string | null): Promise<WorkerOut> {
  return new Promise((resolve, reject) => {
    const entry = script === null ? ["--import", "tsx", "bench/run.ts"] : [script];
    const child = spawn(process.execPath, ["--expose-gc", ...entry, ...argv, "--worker", name], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      process.stderr.write(d);
      err = (err + d.toString()).slice(-4000);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        reject(new Error(`worker for ${name} failed (exit ${code}):\n${err}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerOut);
    });
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  // read before the run: the result may be written over it (`--compare` of the default --out file)
  const baseline =
    args.compare === undefined ? null : (JSON.parse(readFileSync(args.compare, "utf8")) as BenchResult);
  const rounds = args.rounds ?? (args.quick ? 3 : 9);
  const procs = args.procs ?? (args.quick ? 1 : 3);
  if (args.worker !== undefined) {
    const r = await runOne(args.worker, args, rounds);
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(r)}\n`);
    return;
  }
  const result: BenchResult = {
    machine: machine(rounds),
    quick: args.quick,
    workloads: {},
    unavailable: {},
    targets: [],
  };
  const m = result.machine;
  console.log(
    `doeff bench${args.quick ? " (quick)" : ""} — ${m.cpu}, ${m.cores} cores, node ${m.node}, load ${m.loadavgStart.join(" ")}, commit ${m.commit}${m.dirty ? " (src dirty)" : ""}`,
  );
  if (!m.gcExposed) console.log("warning: run with --expose-gc (npm run bench does) for stable figures");
  console.log(
    "ns/op: median wall clock over interleaved rounds; ±%: median absolute deviation over rounds;\n" +
      "cpu ns: median process CPU time per op (well below ns/op = other processes took the CPU);\n" +
      "×floor: ns/op ÷ the floor's; impl÷doeff > 1: doeff is that many times faster\n",
  );

  const t0 = Date.now();
  const byName = new Map<string, Workload>(workloads().map((w) => [w.name, w]));
  const names = [...byName.keys(), ...MEMORY].filter((n) => selected(n, args.only));
  const workerArgv = workerArgs(argv);
  const script = args.inProcess || args.tsx ? null : await bundle("bench/run.ts");
  result.machine.runner = script === null ? "tsx" : "esbuild bundle";
  result.machine.procs = args.inProcess ? 1 : procs;
  for (const name of names) {
    process.stderr.write(`${name}\n`);
    let r: WorkerOut;
    try {
      if (args.inProcess) r = await runOne(name, args, rounds);
      else {
        // a speed workload: `procs` processes of rounds/procs rounds each, samples pooled
        const per = Math.max(1, Math.ceil(rounds / procs));
        const argvP = procs > 1 ? [...workerArgv, "--rounds", String(per)] : workerArgv;
        r = await runWorker(name, argvP, script);
        if (r.kind === "speed" && procs > 1) {
          const runs = [r.result];
          for (let p = 1; p < procs; p++) {
            const more = await runWorker(name, argvP, script);
            if (more.kind === "speed") runs.push(more.result);
          }
          r = { kind: "speed", name, result: mergeRuns(runs) };
        }
      }
    } catch (e) {
      // one broken workload (e.g. src/ mid-edit in a shared checkout) must not lose the whole run
      const first = String(e instanceof Error ? e.message : e)
        .split("\n")
        .find((l) => /Error/.test(l));
      r = { kind: "unavailable", name, reason: `n/a (failed: ${first ?? "worker error"})` };
      process.stderr.write(`${String(e)}\n`);
    }
    if (r.kind === "unavailable") {
      result.unavailable[name] = r.reason;
      console.log(`${name} — ${r.reason}\n`);
    } else if (r.kind === "memory") {
      result.workloads[name] = r.result;
      console.log(`${r.lines.join("\n")}\n`);
    } else {
      result.workloads[name] = r.result;
      console.log(`${formatWorkload(byName.get(name)!, r.result, rounds)}\n`);
    }
  }

  result.machine.loadavgEnd = load();
  result.targets = computeTargets(result);
  console.log(formatTargets(result.targets));
  console.log(
    `\nload average at end: ${result.machine.loadavgEnd.join(" ")}; took ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );

  if (script !== null) rmSync(script, { force: true });
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, toJson(result));
  console.log(`wrote ${args.out}`);

  if (args.compare !== undefined && baseline !== null) {
    const old = baseline;
    console.log(`\n${formatCompare(result, old, args.compare)}`);
    if (compareResults(result, old).some((r) => r.regressed)) process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
