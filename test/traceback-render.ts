/**
 * The text report rebuilt from `tracebackOf`'s data, for the tests that check that the two agree
 * (test/traceback-data*.test.ts): every line of `format()` / `Err.format()` / `doeffTrace` but the
 * headings, from the data alone. Where they differ, the data and the text disagree.
 */
import {
  Err,
  type FailureTraceback,
  RunResult,
  type TraceEntry,
  type TraceError,
  type TraceSite,
  type TraceWarning,
  tracebackOf,
} from "../src/index.js";
import { printable } from "../src/trace/format.js";

const site = (s: TraceSite): string => `${s.file}:${s.line}${s.column === undefined ? "" : `:${s.column}`}`;

function entry(e: TraceEntry): string {
  switch (e.kind) {
    case "program":
      return e.at === undefined ? `  ${e.name}` : `  ${e.name} at ${site(e.at)}`;
    case "handler":
      return `  handler ${e.name} for ${e.effect}${e.marker === undefined ? "" : ` ${e.marker}`}`;
    case "task":
    case "forwarded":
    case "boundary":
      return `  ── ${e.name} ──`;
    case "gap":
      return `  ${e.name}`;
    case "wait":
      return `  blocked in ${e.name}`;
  }
}

function errorLines(e: TraceError, out: string[], depth = 0, head = ""): void {
  out.push(`${"  ".repeat(depth)}${head}${e.text}${e.cycle ? " (cycle: the same error as above)" : ""}`);
  const pad = "  ".repeat(depth + 1);
  for (const [i, x] of (e.errors ?? []).entries()) errorLines(x, out, depth + 1, `[${i}] `);
  if (e.moreErrors !== undefined) out.push(`${pad}… ${e.moreErrors} more in .errors`);
  if (e.cause !== undefined) errorLines(e.cause, out, depth + 1, "caused by ");
}

/** The chain, effect and `thrown at` lines (what a warning shows under its line). */
function chainLines(t: Pick<FailureTraceback, "chain" | "effect" | "thrownAt">, out: string[]) {
  for (const e of t.chain) out.push(entry(e));
  if (t.effect !== undefined) {
    const hs = t.effect.handlers.map((h) => (h.kind === "gap" ? h.name : `${h.name} ${h.marker ?? ""}`));
    const note = t.effect.note;
    out.push(
      `  effect ${t.effect.text}: ${hs.length === 0 ? note : note === undefined ? hs.join(", ") : `${hs.join(", ")} — ${note}`}`,
    );
  }
  if (t.thrownAt !== undefined) out.push(`  thrown at ${site(t.thrownAt)}`);
}

/** A failure's report without its heading, as printed (escaped: the data holds raw strings). */
export function renderFailure(t: FailureTraceback): string {
  const out: string[] = [];
  chainLines(t, out);
  errorLines(t.error, out);
  return printable(out.join("\n"), Number.POSITIVE_INFINITY);
}

function renderWarning(w: TraceWarning): string {
  const out = [`${w.where}: ${w.error.text}`];
  chainLines(w, out);
  return printable(out.join("\n"), Number.POSITIVE_INFINITY);
}

const HEADINGS =
  /^(doeff traceback \(outermost first\):|doeff: the run was aborted by its signal .*|where the run was when its signal aborted it \(outermost first\):)\n/gm;

// (an aborted run's report says where its signal's reason was made on a line of its own)
const normal = (text: string): string =>
  text.replace(HEADINGS, "").replace(/^the signal's reason \(made at (.*)\):$/m, "  thrown at $1");

/** `text` (a report) without its headings, and the same rebuilt from `data`. */
export function bothWays(of: unknown): [text: string, data: string] {
  if (of instanceof RunResult) {
    const t = tracebackOf(of);
    const text = normal(of.format());
    const [main, ...ws] = text.split(/\n── \d+ errors? beside the outcome \(RunResult\.warnings\) ──\n/);
    // format() lists the first 20 and the last 5 of more than 26 warnings, the others counted; the
    // data holds the same ones and the count
    const all = t.warnings.map(renderWarning);
    const warnings = (
      t.moreWarnings === undefined
        ? all
        : [...all.slice(0, 20), `… ${t.moreWarnings} more …`, ...all.slice(20)]
    ).join("\n");
    if (t.outcome === "ok") return [ws.join(""), warnings];
    return [
      `${main}${ws.length > 0 ? `\n${ws.join("")}` : ""}`,
      `${renderFailure(t)}${t.warnings.length > 0 ? `\n${warnings}` : ""}`,
    ];
  }
  const text = of instanceof Err ? of.format() : (of as { doeffTrace?: string }).doeffTrace;
  if (text === undefined) throw new Error("bothWays: give a RunResult, an Err or an error with a doeffTrace");
  const t = tracebackOf(of);
  if (t.outcome === "ok") throw new Error("bothWays: an error's traceback is never ok");
  return [normal(text), renderFailure(t)];
}
