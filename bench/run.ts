/**
 * The benchmark suite: `npm run bench [-- options]`.
 *
 *   --quick            fewer ops and rounds (finishes in under two minutes)
 *   --out FILE         where to write the JSON result (default bench/results/latest.json)
 *   --compare FILE     print the change against a saved result
 *   --only a,b         run only these workloads (exact names or prefixes, e.g. call_depth)
 *   --impl doeff,floor run only these implementations
 *   --rounds N         interleaved rounds per workload (default 7, quick 3)
 *   --ops N            ops per sample for every workload (overrides the defaults)
 *
 * Runs with `node --expose-gc --import tsx bench/run.ts`.
 */
import { execSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname } from "node:path";
import { type ImplResult, measure } from "./lib/harness.js";
import { heapGrowthDoeff, heapGrowthFloor } from "./lib/memory.js";
import {
  type BenchResult,
  computeTargets,
  formatCompare,
  formatTargets,
  formatWorkload,
  type MachineInfo,
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
  ops?: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, out: "bench/results/latest.json" };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === "--quick") a.quick = true;
    else if (k === "--out") a.out = v();
    else if (k === "--compare") a.compare = v();
    else if (k === "--only") a.only = v().split(",");
    else if (k === "--impl") a.impl = v().split(",");
    else if (k === "--rounds") a.rounds = Number(v());
    else if (k === "--ops") a.ops = Number(v());
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

function machine(rounds: number): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    node: process.version,
    v8: process.versions.v8,
    platform: os.platform(),
    arch: os.arch(),
    totalMemGB: Math.round(os.totalmem() / 1e8) / 10,
    loadavgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
    commit: git("rev-parse --short HEAD"),
    dirty: git("status --porcelain -- src") !== "",
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
    rounds,
  };
}

const selected = (name: string, only?: string[]) =>
  only === undefined || only.some((o) => name === o || name.startsWith(o));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rounds = args.rounds ?? (args.quick ? 3 : 7);
  const log = (s: string) => process.stderr.write(`  · ${s}\n`);
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
    "impl÷doeff > 1: doeff is that many times faster; ±% = median absolute deviation over rounds\n",
  );

  const t0 = Date.now();
  for (const w of workloads()) {
    if (!selected(w.name, args.only)) continue;
    if (w.unavailable !== undefined) {
      result.unavailable[w.name] = w.unavailable;
      console.log(`${w.name} — ${w.unavailable}\n`);
      continue;
    }
    process.stderr.write(`${w.name}\n`);
    const res: Record<string, ImplResult> = await measure(w, {
      rounds,
      quick: args.quick,
      ...(args.ops !== undefined ? { ops: args.ops } : {}),
      ...(args.impl !== undefined ? { only: args.impl } : {}),
      log,
    });
    result.workloads[w.name] = res;
    console.log(`${formatWorkload(w, res, rounds)}\n`);
  }

  if (selected("memory_10m_effects", args.only)) {
    const effects = args.quick ? 1_000_000 : 10_000_000;
    process.stderr.write("memory_10m_effects\n");
    const d = heapGrowthDoeff(effects);
    const f = heapGrowthFloor(effects);
    const note = args.quick ? `quick mode: ${effects.toLocaleString("en-US")} effects, not 10M` : undefined;
    result.workloads.memory_10m_effects = {
      doeff: { ...d, ...(note ? { note } : {}) },
      floor: { ...f, ...(note ? { note } : {}) },
    };
    const mb = (x: number) => `${(x / 1e6).toFixed(3)} MB`;
    console.log(
      `memory_10m_effects — live heap growth over ${effects.toLocaleString("en-US")} state_loop effects`,
    );
    if (note) console.log(`  (${note})`);
    console.log(`  doeff  at end of loop ${mb(d.heapGrowthBytes)}, after run ${mb(d.afterRunBytes)}`);
    console.log(`  floor  at end of loop ${mb(f.heapGrowthBytes)}, after run ${mb(f.afterRunBytes)}\n`);
  }

  if (selected("memory_pending_task", args.only)) {
    const tasks = args.quick ? 10_000 : 100_000;
    process.stderr.write("memory_pending_task\n");
    let per: number | null;
    try {
      per = pendingTaskBytes(tasks);
    } catch (e) {
      per = null;
      result.unavailable.memory_pending_task = `n/a (error: ${String(e)})`;
    }
    if (per === null) {
      result.unavailable.memory_pending_task ??= SCHEDULER_NA;
      console.log(`memory_pending_task — ${result.unavailable.memory_pending_task}\n`);
    } else {
      result.workloads.memory_pending_task = { doeff: { retainedBytesPerTask: Math.round(per), tasks } };
      console.log(
        `memory_pending_task — retained heap per pending task (${tasks.toLocaleString("en-US")} tasks): ${Math.round(per)} bytes\n`,
      );
    }
  }

  result.machine.loadavgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  result.targets = computeTargets(result);
  console.log(formatTargets(result.targets));
  console.log(
    `\nload average at end: ${result.machine.loadavgEnd.join(" ")}; took ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );

  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${args.out}`);

  if (args.compare !== undefined) {
    const old = JSON.parse(readFileSync(args.compare, "utf8")) as BenchResult;
    console.log(`\n${formatCompare(result, old, args.compare)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
