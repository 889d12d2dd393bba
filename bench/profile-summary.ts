/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and by inclusive
 * ("total") time. Usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top N] [--filter STR] [--focus FN]
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  fn: string;
  selfMs: number;
  selfPct: number;
  totalMs: number;
  totalPct: number;
}

function label(cf: CallFrame): string {
  const name = cf.functionName || "(anonymous)";
  if (!cf.url) return name;
  const file = cf.url.includes("node_modules")
    ? cf.url.slice(cf.url.lastIndexOf("node_modules") + 13)
    : basename(cf.url);
  return `${name} ${file}:${cf.lineNumber + 1}`;
}

/**
 * Rows sorted by self time. `focus`: count only samples whose stack contains a function of that
 * name (e.g. the benchmark driver), so module loading and idle time do not dilute the percentages.
 */
export function summarise(profile: CpuProfile, filter?: string, focus?: string): Row[] {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  const inFocus = (id: number): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      if (byId.get(cur)!.callFrame.functionName === focus) return true;
    }
    return false;
  };
  for (const [id, us] of selfUs) {
    if (focus !== undefined && !inFocus(id)) continue;
    all += us;
    const key = label(byId.get(id)!.callFrame);
    self.set(key, (self.get(key) ?? 0) + us);
    // inclusive: count each distinct label once per sample stack
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  }
  const rows: Row[] = [];
  for (const [fn, us] of self) {
    if (filter !== undefined && !fn.includes(filter)) continue;
    const t = total.get(fn) ?? us;
    rows.push({
      fn,
      selfMs: us / 1000,
      selfPct: (100 * us) / all,
      totalMs: t / 1000,
      totalPct: (100 * t) / all,
    });
  }
  rows.sort((a, b) => b.selfMs - a.selfMs);
  return rows;
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith("--"));
  if (file === undefined) {
    console.error("usage: profile-summary.ts FILE.cpuprofile [--top N] [--filter STR] [--focus FN]");
    process.exit(2);
  }
  const ti = args.indexOf("--top");
  const top = ti >= 0 ? Number(args[ti + 1]) : 25;
  const fi = args.indexOf("--filter");
  const filter = fi >= 0 ? args[fi + 1] : undefined;
  const fo = args.indexOf("--focus");
  const focus = fo >= 0 ? args[fo + 1] : undefined;
  const rows = summarise(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, filter, focus);
  console.log("self%   self ms  total%  function");
  for (const r of rows.slice(0, top)) {
    console.log(
      `${r.selfPct.toFixed(1).padStart(5)}  ${r.selfMs.toFixed(0).padStart(8)}  ${r.totalPct.toFixed(1).padStart(6)}  ${r.fn}`,
    );
  }
}

if (/profile-summary\.ts$/.test(process.argv[1] ?? "")) main();
