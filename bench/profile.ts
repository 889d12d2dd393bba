/**
 * Profile one workload implementation with V8's CPU profiler and print the top self-time functions.
 *
 *   node --import tsx bench/profile.ts <workload> [--impl doeff] [--ops N] [--reps R] [--top N] [--node-flag F]...
 *
 * Spawns `node --cpu-prof --expose-gc --import tsx bench/profile.ts --child …`, which runs the thunk
 * `reps` times, then summarises (bench/profile-summary.ts) only the samples under that loop, so
 * module loading and idle time are excluded; the garbage collector's share is printed apart. The profile file is kept under
 * bench/results/prof/ (not committed) for a closer look in Chrome DevTools.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { bundle } from "./lib/bundle.js";
import { opsFor } from "./lib/harness.js";
import { summarise } from "./profile-summary.js";
import { workloads } from "./lib/workloads.js";

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The profiled region: samples under this function are the ones summarised. */
async function benchDriver(thunk: () => unknown, reps: number): Promise<void> {
  for (let i = 0; i < reps; i++) {
    const r = thunk();
    if (r !== null && typeof r === "object" && typeof (r as Promise<unknown>).then === "function") await r;
  }
}

async function child(argv: string[]): Promise<void> {
  const name = argv[0]!;
  const impl = arg(argv, "--impl") ?? "doeff";
  const reps = Number(arg(argv, "--reps") ?? 5);
  const w = workloads().find((x) => x.name === name);
  if (w === undefined) throw new Error(`no workload ${name}`);
  const def = w.impls[impl];
  if (def === undefined) throw new Error(`${name} has no impl ${impl}`);
  const opsArg = arg(argv, "--ops");
  const n = opsFor(w, def, { rounds: 1, quick: false, ...(opsArg ? { ops: Number(opsArg) } : {}) });
  const thunk = def.prepare(n);
  const t0 = process.hrtime.bigint();
  await benchDriver(thunk, reps);
  const ns = Number(process.hrtime.bigint() - t0) / (reps * n);
  console.log(`${name}/${impl}: ${reps} × ${n} ops, ${ns.toFixed(1)} ns/op under the profiler`);
}

async function parent(argv: string[]): Promise<void> {
  const dir = join("bench", "results", "prof");
  mkdirSync(dir, { recursive: true });
  const start = Date.now();
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === "--node-flag") flags.push(argv[i + 1]!);
  const r = spawnSync(
    process.execPath,
    [
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
      "--expose-gc",
      ...flags,
      ...(argv.includes("--tsx")
        ? ["--import", "tsx", "bench/profile.ts"]
        : [await bundle("bench/profile.ts")]),
      "--child",
      ...argv,
    ],
    { stdio: "inherit" },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
  const newest = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).mtimeMs >= start)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (newest === undefined) throw new Error("no profile written");
  const top = Number(arg(argv, "--top") ?? 25);
  const profile = JSON.parse(readFileSync(newest, "utf8"));
  const gcRow = summarise(profile).find((row) => row.fn === "(garbage collector)");
  console.log(`profile: ${newest}`);
  console.log(
    `garbage collector: ${(gcRow?.selfPct ?? 0).toFixed(1)}% of all samples (not in the rows below)`,
  );
  console.log("self%   self ms  total%  function");
  for (const row of summarise(profile, undefined, "benchDriver").slice(0, top)) {
    console.log(
      `${row.selfPct.toFixed(1).padStart(5)}  ${row.selfMs.toFixed(0).padStart(8)}  ${row.totalPct.toFixed(1).padStart(6)}  ${row.fn}`,
    );
  }
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") await child(argv.slice(1));
else await parent(argv);
